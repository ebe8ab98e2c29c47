//go:build cgo

package vgg

/*
#cgo CFLAGS: -O3
#include "kernels.h"
*/
import "C"

func biasReLUPlane(p, a []float32, b float32) {
	if len(p) > 0 {
		C.gogh_bias_relu(ptr(p), ptr(a[:len(p)]), C.float(b), C.long(len(p)))
	}
}

func addInto(g, p []float32) {
	if len(g) > 0 {
		C.gogh_add_into(ptr(g), ptr(p[:len(g)]), C.long(len(g)))
	}
}

func reluMask(g, act []float32) {
	if len(g) > 0 {
		C.gogh_relu_mask(ptr(g), ptr(act[:len(g)]), C.long(len(g)))
	}
}

func poolPlanes(in []float32, c, h, w int, out []float32, arg []uint8) {
	if len(out) > 0 {
		C.gogh_pool_planes(ptr(in[:c*h*w]), C.int(c), C.int(h), C.int(w), ptr(out), (*C.uchar)(&arg[0]))
	}
}

func unpoolPlanes(g []float32, arg []uint8, c, h, w int, dst []float32) {
	if len(g) == 0 {
		clear(dst)
		return
	}
	C.gogh_unpool_planes(ptr(g), (*C.uchar)(&arg[0]), C.int(c), C.int(h), C.int(w), ptr(dst[:c*h*w]))
}
