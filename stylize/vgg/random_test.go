package vgg_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/stylize/vgg/vggtest"
)

// The tests here need random weights (vggtest), so they live outside
// package vgg.

func TestMinSide(t *testing.T) {
	for _, tc := range []struct {
		layer string
		want  int
	}{{"conv1_1", 1}, {"relu1_2", 1}, {"conv2_1", 2}, {"conv3_1", 4}, {"relu4_2", 8}, {"conv5_1", 16}, {"conv5_4", 16}} {
		p, err := vgg.ParseLayer(tc.layer)
		if err != nil {
			t.Fatal(err)
		}
		if got := vgg.MinSide(p); got != tc.want {
			t.Errorf("vgg.MinSide(%s) = %d, want %d", tc.layer, got, tc.want)
		}
		// New agrees: one pixel less fails, the minimum works.
		w := vggtest.Random(p.Conv+1, vgg.Caffe, 1)
		if _, err := vgg.New(w, tc.want, tc.want, []vgg.Point{p}, vgg.Max, 1); err != nil {
			t.Errorf("%s at %d px: %v", tc.layer, tc.want, err)
		}
		if tc.want > 1 {
			if _, err := vgg.New(w, tc.want-1, tc.want, []vgg.Point{p}, vgg.Max, 1); err == nil {
				t.Errorf("%s at %d px: no error", tc.layer, tc.want-1)
			}
		}
	}
}

// TestBackwardFiniteDifference checks the whole backward pass (convolution,
// ReLU, max or average pooling, preprocessing) against central differences of a random
// linear functional of the tapped activations. The network is piecewise
// affine, so a difference is exact (up to rounding) when both of its points
// have the same ReLU and max-pool pattern as x: differences that cross a
// kink are skipped rather than tolerated.
func TestBackwardFiniteDifference(t *testing.T) {
	for _, tc := range []struct {
		pre  string
		pool vgg.Pooling
	}{{vgg.Caffe, vgg.Max}, {vgg.Torchvision, vgg.Max}, {vgg.Caffe, vgg.Average}} {
		pre := tc.pre
		t.Run(pre+"/"+tc.pool.String(), func(t *testing.T) {
			w := vggtest.Random(5, pre, 7)
			taps := []vgg.Point{{0, false}, {1, true}, {3, false}, {4, true}}
			const h, wd = 9, 10
			net, err := vgg.New(w, h, wd, taps, tc.pool, 2)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			x := make([]float32, 3*h*wd)
			for i := range x {
				x[i] = rng.Float32()
			}
			r := make([][]float32, len(taps))
			net.Forward(x)
			for i := range taps {
				r[i] = make([]float32, len(net.Activation(i)))
				for j := range r[i] {
					r[i][j] = float32(rng.NormFloat64())
				}
			}
			// f also returns the sum of its terms' magnitudes, which bounds
			// its float32 rounding error.
			f := func(x []float32) (float64, float64, string) {
				net.Forward(x)
				var s, abs float64
				for i := range taps {
					for j, v := range net.Activation(i) {
						s += float64(v) * float64(r[i][j])
						abs += math.Abs(float64(v) * float64(r[i][j]))
					}
				}
				return s, abs, net.Pattern()
			}
			_, _, at := f(x)
			dx := make([]float32, len(x))
			net.Backward(r, dx)
			xp, xm := make([]float32, len(x)), make([]float32, len(x))
			checked := 0
			for trial := 0; trial < 200 && checked < 20; trial++ {
				// A random direction: a single coordinate or all of them.
				v := make([]float32, len(x))
				if trial%2 == 0 {
					v[rng.IntN(len(x))] = 1
				} else {
					for j := range v {
						v[j] = float32(rng.NormFloat64())
					}
				}
				for _, eps := range []float32{1e-2, 1e-3, 1e-4} {
					var dot float64
					for j := range x {
						xp[j], xm[j] = x[j]+eps*v[j], x[j]-eps*v[j]
						dot += float64(v[j]) * float64(dx[j])
					}
					fp, abs, pp := f(xp)
					fm, _, pm := f(xm)
					if pp != at || pm != at {
						continue // crossed a kink: try a shorter step
					}
					fd := (fp - fm) / float64(2*eps)
					// Winograd's float32 rounding is about 1e-6 of the terms.
					if tol := 1e-4*math.Abs(dot) + 1e-6*abs/float64(eps); math.Abs(fd-dot) > tol {
						t.Errorf("direction %d: derivative %.7g, finite difference %.7g (eps %g, tolerance %.2g)", trial, dot, fd, eps, tol)
					}
					checked++
					break
				}
			}
			if checked < 20 {
				t.Fatalf("only %d differences avoided every kink", checked)
			}
		})
	}
}
