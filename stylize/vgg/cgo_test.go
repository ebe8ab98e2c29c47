//go:build cgo

package vgg

import (
	"math/rand/v2"
	"testing"
)

// TestWinogradKernelsMatchGo checks that the C transforms compute what the
// pure-Go ones (used without cgo) compute, bit for bit, for both tile
// sizes, on odd and even sizes, with and without the epilogue.
func TestWinogradKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	type transforms struct {
		m           int
		inGo, inC   func(in []float32, cin, h, w, ty0, ty1 int, v []float32)
		outGo, outC func(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue)
	}
	for _, tf := range []transforms{
		{2, winoInputGo, winoInput, winoOutputGo, winoOutput},
		{4, wino4InputGo, wino4Input, wino4OutputGo, wino4Output},
	} {
		nn := (tf.m + 2) * (tf.m + 2)
		for _, tc := range []struct{ c, h, w, ty0, ty1 int }{{3, 5, 7, 0, 2}, {4, 8, 8, 1, 2}, {2, 1, 1, 0, 1}, {5, 9, 16, 1, 3}, {3, 13, 11, 0, 4}} {
			tw := (tc.w + tf.m - 1) / tf.m
			tiles := (tc.ty1 - tc.ty0) * tw
			in := fill(tc.c * tc.h * tc.w)
			vGo, vC := make([]float32, nn*tc.c*tiles), make([]float32, nn*tc.c*tiles)
			tf.inGo(in, tc.c, tc.h, tc.w, tc.ty0, tc.ty1, vGo)
			tf.inC(in, tc.c, tc.h, tc.w, tc.ty0, tc.ty1, vC)
			for i := range vGo {
				if vGo[i] != vC[i] {
					t.Fatalf("F(%d) %+v input: v[%d] = %v in C, %v in Go", tf.m, tc, i, vC[i], vGo[i])
				}
			}
			m := fill(nn * tc.c * tiles)
			bias := fill(tc.c)
			for _, withEp := range []bool{false, true} {
				n := tc.c * tc.h * tc.w
				outGo, outC := make([]float32, n), make([]float32, n)
				var epGo, epC *epilogue
				if withEp {
					epGo = &epilogue{bias: bias, pre: make([]float32, n), act: make([]float32, n)}
					epC = &epilogue{bias: bias, pre: make([]float32, n), act: make([]float32, n)}
				}
				tf.outGo(m, tc.c, tc.h, tc.w, tc.ty0, tc.ty1, outGo, epGo)
				tf.outC(m, tc.c, tc.h, tc.w, tc.ty0, tc.ty1, outC, epC)
				pairs := [][2][]float32{{outGo, outC}}
				if withEp {
					pairs = [][2][]float32{{epGo.pre, epC.pre}, {epGo.act, epC.act}}
				}
				for _, p := range pairs {
					for i := range p[0] {
						if p[0][i] != p[1][i] {
							t.Fatalf("F(%d) %+v output (epilogue %v): [%d] = %v in C, %v in Go", tf.m, tc, withEp, i, p[1][i], p[0][i])
						}
					}
				}
			}
		}
	}
}

// TestElementKernelsMatchGo checks the C element kernels against their Go
// twins, bit for bit.
func TestElementKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
			if i%5 == 0 {
				x[i] = 0 // ties and ReLU zeros
			}
		}
		return x
	}
	same := func(name string, a, b []float32) {
		t.Helper()
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: [%d] = %v in C, %v in Go", name, i, b[i], a[i])
			}
		}
	}
	g, p, act := fill(1001), fill(1001), fill(1001)
	g2 := append([]float32(nil), g...)
	addIntoGo(g, p)
	addInto(g2, p)
	same("addInto", g, g2)
	reluMaskGo(g, act)
	reluMask(g2, act)
	same("reluMask", g, g2)
	a, a2 := make([]float32, len(g)), make([]float32, len(g))
	biasReLUPlaneGo(g, a, -0.25)
	biasReLUPlane(g2, a2, -0.25)
	same("biasReLUPlane pre", g, g2)
	same("biasReLUPlane act", a, a2)
	for _, tc := range []struct{ c, h, w int }{{3, 4, 6}, {2, 5, 7}, {1, 2, 2}} {
		in := fill(tc.c * tc.h * tc.w)
		n := tc.c * (tc.h / 2) * (tc.w / 2)
		outGo, outC := make([]float32, n), make([]float32, n)
		argGo, argC := make([]uint8, n), make([]uint8, n)
		poolPlanesGo(in, tc.c, tc.h, tc.w, outGo, argGo)
		poolPlanes(in, tc.c, tc.h, tc.w, outC, argC)
		same("poolPlanes", outGo, outC)
		for i := range argGo {
			if argGo[i] != argC[i] {
				t.Fatalf("%+v: arg[%d] = %d in C, %d in Go", tc, i, argC[i], argGo[i])
			}
		}
		gp := fill(n)
		dGo, dC := fill(tc.c*tc.h*tc.w), fill(tc.c*tc.h*tc.w) // stale values must be cleared
		unpoolPlanesGo(gp, argGo, tc.c, tc.h, tc.w, dGo)
		unpoolPlanes(gp, argC, tc.c, tc.h, tc.w, dC)
		same("unpoolPlanes", dGo, dC)
	}
}
