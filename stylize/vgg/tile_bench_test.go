package vgg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkWinoTile times one forward and one backward Winograd
// convolution at the layer shapes of VGG19 on a 256×144 frame, with each
// output tile size.
func BenchmarkWinoTile(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ cin, cout, h, w int }{
		{64, 64, 144, 256}, {128, 128, 72, 128}, {256, 256, 36, 64}, {512, 512, 18, 32}, {512, 512, 9, 16},
		{64, 64, 36, 64}, {128, 128, 18, 32}, {256, 256, 9, 16},
	} {
		c := Conv{In: s.cin, Out: s.cout, W: make([]float32, s.cout*s.cin*9)}
		for i := range c.W {
			c.W[i] = float32(rng.NormFloat64())
		}
		x := make([]float32, s.cin*s.h*s.w)
		y := make([]float32, s.cout*s.h*s.w)
		for _, m := range []int{2, 4} {
			k := newWinoKernel(c, m)
			n := &Net{threads: 2}
			for range 2 {
				n.cols = append(n.cols, make([]float32, winoScratch(m, s.cin, s.cout, s.h, s.w, 2)))
			}
			b.Run(fmt.Sprintf("%dx%dx%d/F%d", s.cin, s.h, s.w, m), func(b *testing.B) {
				for b.Loop() {
					n.convWino(x, s.cin, s.h, s.w, k, s.cout, y, false, nil)
					n.convWino(y, s.cout, s.h, s.w, k, s.cin, x, true, nil)
				}
			})
		}
	}
}
