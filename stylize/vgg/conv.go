package vgg

import (
	"sync"

	"github.com/gogh-video/gogh/stylize/blas"
)

// conv computes the 3×3, padding-1 cross-correlation of in ([cin][h][w])
// with kernels wt ([cout][cin][3][3]) into out ([cout][h][w]), without
// bias. The image is cut into bands of rows shared among the workers; each
// worker builds its band's column matrix (im2col) in its own scratch and
// multiplies it by the kernels with a single-threaded SGEMM.
func (n *Net) conv(in []float32, cin, h, w int, wt []float32, cout int, out []float32) {
	k, hw := cin*9, h*w
	rows := min(bandRows(cin, h, w), (h+n.threads-1)/n.threads)
	bands := (h + rows - 1) / rows
	parallelParts(bands, n.threads, func(part, lo, hi int) {
		col := n.cols[part]
		for b := lo; b < hi; b++ {
			y0, y1 := b*rows, min(h, (b+1)*rows)
			cols := (y1 - y0) * w
			im2col(in, cin, h, w, y0, y1, col[:k*cols])
			blas.Sgemm(false, false, cout, cols, k, 1, wt, k, col, cols, 0, out[y0*w:], hw)
		}
	})
}

// bandRows is how many image rows of a convolution with cin input channels
// fit in one worker's im2col scratch.
func bandRows(cin, h, w int) int {
	return max(1, min(h, colBudget/(cin*9*w)))
}

// im2col writes rows y0..y1 of the column matrix of in: row ci·9+ky·3+kx
// holds in[ci][y+ky-1][x+kx-1] (zero outside the image) for each output
// pixel (y, x) of the band.
func im2col(in []float32, cin, h, w, y0, y1 int, col []float32) {
	hw, cols := h*w, (y1-y0)*w
	for ci := 0; ci < cin; ci++ {
		plane := in[ci*hw : (ci+1)*hw]
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				dst := col[(ci*9+ky*3+kx)*cols:][:cols]
				for y := y0; y < y1; y++ {
					d := dst[(y-y0)*w:][:w]
					sy := y + ky - 1
					if sy < 0 || sy >= h {
						clear(d)
						continue
					}
					src := plane[sy*w:][:w]
					switch kx {
					case 0:
						d[0] = 0
						copy(d[1:], src[:w-1])
					case 1:
						copy(d, src)
					case 2:
						copy(d[:w-1], src[1:])
						d[w-1] = 0
					}
				}
			}
		}
	}
}

// convInputGrad computes the gradient with respect to the network input
// from g, the gradient at conv1_1's output, into n.input. With three input
// channels the column gradient Wᵀ·g is small (27 rows), so it is formed
// whole in scratch (at least 27·H·W floats) and folded back onto the
// image (col2im) by gathering, row by row.
func (n *Net) convInputGrad(g, scratch []float32) {
	c := n.w.Conv[0]
	h, w := n.h, n.wd
	hw, k := h*w, c.In*9
	dcol := scratch[:k*hw]
	parallel(hw, n.threads, func(lo, hi int) {
		blas.Sgemm(true, false, k, hi-lo, c.Out, 1, c.W, k, g[lo:], hw, 0, dcol[lo:], hw)
	})
	parallel(c.In*h, n.threads, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ci, y := r/h, r%h
			dst := n.input[r*w:][:w]
			clear(dst)
			for ky := 0; ky < 3; ky++ {
				sy := y - ky + 1
				if sy < 0 || sy >= h {
					continue
				}
				base := (ci*9 + ky*3) * hw
				s0 := dcol[base+sy*w:][:w]
				s1 := dcol[base+hw+sy*w:][:w]
				s2 := dcol[base+2*hw+sy*w:][:w]
				for x := range dst {
					dst[x] += s1[x]
				}
				for x := range w - 1 {
					dst[x] += s0[x+1]
					dst[x+1] += s2[x]
				}
			}
		}
	})
}

// biasReLU adds bias[c] to each plane of pre in place and writes
// max(pre, 0) to act (which may be pre itself).
func biasReLU(pre, act, bias []float32, plane, threads int) {
	parallel(len(bias), threads, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			biasReLUPlane(pre[c*plane:][:plane], act[c*plane:][:plane], bias[c])
		}
	})
}

// maskAdd turns the gradient g with respect to a ReLU's output into the
// gradient with respect to its input, folding in the gradients of taps
// after the ReLU (added before the mask) and before it (added after):
// g = [act > 0]·(g + Σ post) + Σ pre. It works in blocks that stay in
// cache, so g is read and written once.
func maskAdd(g, act []float32, post, pre [][]float32, threads int) {
	const block = 1 << 14
	parallelRange(len(g), threads, func(lo, hi int) {
		for b := lo; b < hi; b += block {
			e := min(hi, b+block)
			for _, p := range post {
				addInto(g[b:e], p[b:e])
			}
			reluMask(g[b:e], act[b:e])
			for _, p := range pre {
				addInto(g[b:e], p[b:e])
			}
		}
	})
}

// maxPool is a 2×2, stride-2 max-pool of in ([c][h][w]) into out
// ([c][h/2][w/2]), recording in arg which input won (first on ties).
func maxPool(in []float32, c, h, w int, out []float32, arg []uint8, threads int) {
	oh, ow := h/2, w/2
	parallel(c, threads, func(lo, hi int) {
		poolPlanes(in[lo*h*w:hi*h*w], hi-lo, h, w, out[lo*oh*ow:hi*oh*ow], arg[lo*oh*ow:hi*oh*ow])
	})
}

// unpool routes the gradient g at a max-pool's output back to the inputs
// that won (dst is [c][h][w], the pool's input size).
func unpool(g []float32, arg []uint8, c, h, w int, dst []float32, threads int) {
	oh, ow := h/2, w/2
	parallel(c, threads, func(lo, hi int) {
		unpoolPlanes(g[lo*oh*ow:hi*oh*ow], arg[lo*oh*ow:hi*oh*ow], hi-lo, h, w, dst[lo*h*w:hi*h*w])
	})
}

// avgPool is a 2×2, stride-2 average pool of in ([c][h][w]) into out
// ([c][h/2][w/2]); an odd last row or column is dropped, as by maxPool.
func avgPool(in []float32, c, h, w int, out []float32, threads int) {
	oh, ow := h/2, w/2
	parallel(c, threads, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			src := in[ch*h*w:]
			for y := 0; y < oh; y++ {
				r0, r1 := src[2*y*w:][:w], src[(2*y+1)*w:][:w]
				o := out[(ch*oh+y)*ow:][:ow]
				for x := range o {
					o[x] = 0.25 * ((r0[2*x] + r0[2*x+1]) + (r1[2*x] + r1[2*x+1]))
				}
			}
		}
	})
}

// unpoolAvg spreads the gradient g at an average pool's output evenly over
// its inputs (dst is [c][h][w], the pool's input size).
func unpoolAvg(g []float32, c, h, w int, dst []float32, threads int) {
	oh, ow := h/2, w/2
	parallel(c, threads, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			d := dst[ch*h*w:][:h*w]
			clear(d)
			for y := 0; y < oh; y++ {
				gr := g[(ch*oh+y)*ow:][:ow]
				d0, d1 := d[2*y*w:][:w], d[(2*y+1)*w:][:w]
				for x, v := range gr {
					v *= 0.25
					d0[2*x], d0[2*x+1], d1[2*x], d1[2*x+1] = v, v, v, v
				}
			}
		}
	})
}

// The element kernels below have C twins (kernels.c) that the C compiler
// vectorizes; these are used without cgo, and a test holds the two equal.

// biasReLUPlaneGo adds b to p in place and writes max(p, 0) to a.
func biasReLUPlaneGo(p, a []float32, b float32) {
	a = a[:len(p)]
	for j, v := range p {
		v += b
		p[j] = v
		a[j] = max(v, 0)
	}
}

// addIntoGo adds p to g.
func addIntoGo(g, p []float32) {
	p = p[:len(g)]
	for j, v := range p {
		g[j] += v
	}
}

// reluMaskGo zeroes g wherever act is not positive.
func reluMaskGo(g, act []float32) {
	act = act[:len(g)]
	for j, v := range act {
		if v <= 0 {
			g[j] = 0
		}
	}
}

// poolPlanesGo is maxPool's work on c planes.
func poolPlanesGo(in []float32, c, h, w int, out []float32, arg []uint8) {
	oh, ow := h/2, w/2
	for ch := 0; ch < c; ch++ {
		src := in[ch*h*w:]
		for y := 0; y < oh; y++ {
			r0, r1 := src[2*y*w:][:w], src[(2*y+1)*w:][:w]
			o, a := out[(ch*oh+y)*ow:][:ow], arg[(ch*oh+y)*ow:][:ow]
			for x := range o {
				best, at := r0[2*x], uint8(0)
				if v := r0[2*x+1]; v > best {
					best, at = v, 1
				}
				if v := r1[2*x]; v > best {
					best, at = v, 2
				}
				if v := r1[2*x+1]; v > best {
					best, at = v, 3
				}
				o[x], a[x] = best, at
			}
		}
	}
}

// unpoolPlanesGo is unpool's work on c planes.
func unpoolPlanesGo(g []float32, arg []uint8, c, h, w int, dst []float32) {
	oh, ow := h/2, w/2
	for ch := 0; ch < c; ch++ {
		d := dst[ch*h*w:][:h*w]
		clear(d)
		for y := 0; y < oh; y++ {
			gr, ar := g[(ch*oh+y)*ow:][:ow], arg[(ch*oh+y)*ow:][:ow]
			for x, v := range gr {
				a := ar[x]
				d[(2*y+int(a>>1))*w+2*x+int(a&1)] = v
			}
		}
	}
}

// parallel splits items 0..n among up to threads goroutines.
func parallel(n, threads int, f func(lo, hi int)) {
	parallelParts(n, threads, func(_, lo, hi int) { f(lo, hi) })
}

// parallelParts splits items 0..n into up to threads contiguous parts, one
// goroutine each, and tells each its part number.
func parallelParts(n, threads int, f func(part, lo, hi int)) {
	parts := max(1, min(threads, n))
	if parts == 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(p, lo, hi)
		}()
	}
	wg.Wait()
}

// parallelRange is parallel for flat loops, which are only worth splitting
// when long.
func parallelRange(n, threads int, f func(lo, hi int)) {
	if n < 1<<15 {
		threads = 1
	}
	parallel(n, threads, f)
}
