//go:build cgo

package vgg

/*
#cgo CFLAGS: -O3
#include "winograd.h"
*/
import "C"

// winoInput is winoInputGo compiled by the C compiler, which vectorizes it.
func winoInput(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	C.gogh_wino_input(ptr(in), C.int(cin), C.int(h), C.int(w), C.int(ty0), C.int(ty1), ptr(v))
}

// winoOutput is winoOutputGo compiled by the C compiler.
func winoOutput(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	if ep == nil {
		C.gogh_wino_output(ptr(m), C.int(cout), C.int(h), C.int(w), C.int(ty0), C.int(ty1), ptr(out), nil, nil, nil)
		return
	}
	C.gogh_wino_output(ptr(m), C.int(cout), C.int(h), C.int(w), C.int(ty0), C.int(ty1), nil, ptr(ep.bias), ptr(ep.pre), ptr(ep.act))
}

// wino4Input is wino4InputGo compiled by the C compiler.
func wino4Input(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	C.gogh_wino4_input(ptr(in), C.int(cin), C.int(h), C.int(w), C.int(ty0), C.int(ty1), ptr(v))
}

// wino4Output is wino4OutputGo compiled by the C compiler.
func wino4Output(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	if ep == nil {
		C.gogh_wino4_output(ptr(m), C.int(cout), C.int(h), C.int(w), C.int(ty0), C.int(ty1), ptr(out), nil, nil, nil)
		return
	}
	C.gogh_wino4_output(ptr(m), C.int(cout), C.int(h), C.int(w), C.int(ty0), C.int(ty1), nil, ptr(ep.bias), ptr(ep.pre), ptr(ep.act))
}

// ptr is the address of s's first element, or nil for an empty s.
func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(&s[0])
}
