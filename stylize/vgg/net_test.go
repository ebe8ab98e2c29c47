package vgg

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
)

func TestActivationsMatchPyTorch(t *testing.T) {
	w, err := Load(shared.Weights(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"tutorial-64x96", "gatys-96x64"} {
		t.Run(file, func(t *testing.T) {
			ref := shared.Reference(t, file)
			x, err := ref.Tensor("x")
			if err != nil {
				t.Fatal(err)
			}
			var taps []Point
			var names []string
			for _, k := range ref.Names() {
				if name, ok := strings.CutPrefix(k, "act_x."); ok {
					p, err := ParseLayer(name)
					if err != nil {
						t.Fatal(err)
					}
					taps, names = append(taps, p), append(names, k)
				}
			}
			net, err := New(w, x.Shape[1], x.Shape[2], taps, Max, 2)
			if err != nil {
				t.Fatal(err)
			}
			net.Forward(x.Data)
			for i, k := range names {
				want, err := ref.Tensor(k)
				if err != nil {
					t.Fatal(err)
				}
				c, h, wd := net.Shape(taps[i])
				if c*h*wd != want.Len() || want.Shape[0] != c || want.Shape[1] != h {
					t.Fatalf("%s: shape %dx%dx%d, want %v", k, c, h, wd, want.Shape)
				}
				e := shared.RelErr(net.Activation(i), want.Data)
				t.Logf("%s: relative error %.2g", k, e)
				if e > 1e-4 {
					t.Errorf("%s: relative error %.2g > 1e-4", k, e)
				}
			}
		})
	}
}

func TestParseLayer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"conv1_1", "conv1_1"}, {"relu4_2", "relu4_2"}, {"conv_4", "conv2_2"},
		{"conv_5", "conv3_1"}, {"relu_10", "relu4_2"}, {" conv5_4 ", "conv5_4"},
	} {
		p, err := ParseLayer(tc.in)
		if err != nil || p.String() != tc.want {
			t.Errorf("ParseLayer(%q) = %v, %v; want %s", tc.in, p, err, tc.want)
		}
	}
	for _, bad := range []string{"", "pool1", "conv6_1", "conv_0", "conv_17", "relu1_3", "conv1"} {
		if _, err := ParseLayer(bad); err == nil {
			t.Errorf("ParseLayer(%q) accepted", bad)
		}
	}
}

// TestConvAdjoint checks that the backward convolution is the exact adjoint
// of the forward one: <conv(x), y> = <x, convᵀ(y)>.
func TestConvAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ cin, cout, h, w int }{{3, 4, 5, 7}, {8, 5, 1, 9}, {6, 6, 11, 1}, {16, 8, 40, 33}} {
		c := Conv{In: tc.cin, Out: tc.cout, W: make([]float32, tc.cout*tc.cin*9)}
		for i := range c.W {
			c.W[i] = float32(rng.NormFloat64())
		}
		n := &Net{threads: 2, cols: [][]float32{make([]float32, 9*max(tc.cin, tc.cout)*tc.h*tc.w), make([]float32, 9*max(tc.cin, tc.cout)*tc.h*tc.w)}}
		x := make([]float32, tc.cin*tc.h*tc.w)
		y := make([]float32, tc.cout*tc.h*tc.w)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = float32(rng.NormFloat64())
		}
		cx := make([]float32, len(y))
		cty := make([]float32, len(x))
		n.conv(x, tc.cin, tc.h, tc.w, c.W, tc.cout, cx)
		n.conv(y, tc.cout, tc.h, tc.w, flipKernels(c), tc.cin, cty)
		var a, b, s float64
		for i := range y {
			a += float64(cx[i]) * float64(y[i])
			s += math.Abs(float64(cx[i]) * float64(y[i]))
		}
		for i := range x {
			b += float64(x[i]) * float64(cty[i])
		}
		if math.Abs(a-b) > 1e-5*s {
			t.Errorf("%+v: <conv x, y> = %g, <x, convT y> = %g", tc, a, b)
		}
		// And the forward convolution against the definition.
		for trial := 0; trial < 20; trial++ {
			co, yy, xx := rng.IntN(tc.cout), rng.IntN(tc.h), rng.IntN(tc.w)
			var want float64
			for ci := 0; ci < tc.cin; ci++ {
				for ky := 0; ky < 3; ky++ {
					for kx := 0; kx < 3; kx++ {
						sy, sx := yy+ky-1, xx+kx-1
						if sy < 0 || sy >= tc.h || sx < 0 || sx >= tc.w {
							continue
						}
						want += float64(c.W[((co*tc.cin+ci)*3+ky)*3+kx]) * float64(x[(ci*tc.h+sy)*tc.w+sx])
					}
				}
			}
			if got := cx[(co*tc.h+yy)*tc.w+xx]; math.Abs(float64(got)-want) > 1e-4*(1+math.Abs(want)) {
				t.Errorf("%+v: conv at (%d,%d,%d) = %g, want %g", tc, co, yy, xx, got, want)
			}
		}
	}
}

// TestWinogradMatchesIm2col checks both Winograd directions against the
// im2col convolution, on even and odd sizes.
func TestWinogradMatchesIm2col(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, tc := range []struct{ cin, cout, h, w, threads int }{
		{4, 6, 8, 8, 1}, {5, 3, 9, 10, 2}, {7, 9, 1, 1, 2}, {3, 4, 2, 7, 1}, {16, 32, 33, 31, 2}, {64, 64, 64, 96, 2},
	} {
		c := Conv{In: tc.cin, Out: tc.cout, W: make([]float32, tc.cout*tc.cin*9)}
		for i := range c.W {
			c.W[i] = float32(rng.NormFloat64())
		}
		size := 36 * (tc.cin + tc.cout) * (tc.h + 3) * (tc.w + 3)
		n := &Net{threads: tc.threads}
		for range tc.threads {
			n.cols = append(n.cols, make([]float32, max(size, 9*max(tc.cin, tc.cout)*tc.h*tc.w)))
		}
		x := make([]float32, tc.cin*tc.h*tc.w)
		y := make([]float32, tc.cout*tc.h*tc.w)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = float32(rng.NormFloat64())
		}
		for _, m := range []int{2, 4} {
			k := newWinoKernel(c, m)
			want, got := make([]float32, len(y)), make([]float32, len(y))
			n.conv(x, tc.cin, tc.h, tc.w, c.W, tc.cout, want)
			n.convWino(x, tc.cin, tc.h, tc.w, k, tc.cout, got, false, nil)
			e := shared.RelErr(got, want)
			wantT, gotT := make([]float32, len(x)), make([]float32, len(x))
			n.conv(y, tc.cout, tc.h, tc.w, flipKernels(c), tc.cin, wantT)
			n.convWino(y, tc.cout, tc.h, tc.w, k, tc.cin, gotT, true, nil)
			eT := shared.RelErr(gotT, wantT)
			t.Logf("F(%d×%d, 3×3) %+v: relative error forward %.2g, backward %.2g", m, m, tc, e, eT)
			// F(4×4)'s transforms multiply by up to 8 and ⅙, so its rounding
			// is about ten times F(2×2)'s (measured 6e-6 at 64 channels).
			if bound := map[int]float64{2: 1e-5, 4: 5e-5}[m]; e > bound || eT > bound {
				t.Errorf("F(%d×%d, 3×3) %+v: relative error forward %.2g, backward %.2g, want ≤ %g", m, m, tc, e, eT, bound)
			}
		}
	}
}

// flipKernels returns the weights of the convolution's backward pass: the
// gradient with respect to its input is itself a 3×3 convolution of the
// output gradient, with in and out swapped and each kernel rotated 180°.
func flipKernels(c Conv) []float32 {
	f := make([]float32, len(c.W))
	for co := 0; co < c.Out; co++ {
		for ci := 0; ci < c.In; ci++ {
			for t := 0; t < 9; t++ {
				f[(ci*c.Out+co)*9+8-t] = c.W[(co*c.In+ci)*9+t]
			}
		}
	}
	return f
}

// TestPools checks both poolings on a 5×5 plane (the odd last row and
// column dropped) and their gradients: max routes each to the winner,
// average spreads it over the four inputs.
func TestPools(t *testing.T) {
	in := make([]float32, 25)
	for i := range in {
		in[i] = float32((i * 7) % 11) // rows 0 7 3 10 6, 2 9 5 1 8, 4 0 7 3 10, 6 2 9 5 1, ...
	}
	g := []float32{1, 2, 3, 4}
	for _, tc := range []struct {
		pool     Pooling
		out      []float32
		gradient []float32 // at the input, for g at the output
	}{
		{Max, []float32{9, 10, 6, 9}, []float32{
			0, 0, 0, 2, 0,
			0, 1, 0, 0, 0,
			0, 0, 0, 0, 0,
			3, 0, 4, 0, 0,
			0, 0, 0, 0, 0,
		}},
		{Average, []float32{4.5, 4.75, 3, 6}, []float32{
			0.25, 0.25, 0.5, 0.5, 0,
			0.25, 0.25, 0.5, 0.5, 0,
			0.75, 0.75, 1, 1, 0,
			0.75, 0.75, 1, 1, 0,
			0, 0, 0, 0, 0,
		}},
	} {
		t.Run(tc.pool.String(), func(t *testing.T) {
			out, arg, dst := make([]float32, 4), make([]uint8, 4), make([]float32, 25)
			for i := range dst {
				dst[i] = -1 // every input gets a value, zero or not
			}
			if tc.pool == Max {
				maxPool(in, 1, 5, 5, out, arg, 1)
				unpool(g, arg, 1, 5, 5, dst, 1)
			} else {
				avgPool(in, 1, 5, 5, out, 1)
				unpoolAvg(g, 1, 5, 5, dst, 1)
			}
			if !slices.Equal(out, tc.out) {
				t.Errorf("pooled %v, want %v (input %v)", out, tc.out, in)
			}
			if !slices.Equal(dst, tc.gradient) {
				t.Errorf("gradient %v, want %v", dst, tc.gradient)
			}
			var back Pooling
			if err := back.UnmarshalText([]byte(tc.pool.String())); err != nil || back != tc.pool {
				t.Errorf("%s read back as %v (%v)", tc.pool, back, err)
			}
		})
	}
	var p Pooling
	if err := p.UnmarshalText([]byte("min")); err == nil {
		t.Error(`pooling "min" accepted`)
	}
}
