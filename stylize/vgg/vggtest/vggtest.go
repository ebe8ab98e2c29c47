// Package vggtest provides small random VGG19 weights for tests that need
// a network but not a trained one (and not the shared weights file).
package vggtest

import (
	"math"
	"math/rand/v2"

	"github.com/gogh-video/gogh/stylize/vgg"
)

// Random returns random weights for the first depth convolutions, with a
// sixteenth of VGG19's channels to keep the network small,
// He-initialized from seed, in the preprocessing convention pre (vgg.Caffe
// or vgg.Torchvision).
func Random(depth int, pre string, seed uint64) *vgg.Weights {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &vgg.Weights{Preprocess: pre}
	in := 3
	for i := range depth {
		out := vgg.Channels[i] / 16
		c := vgg.Conv{In: in, Out: out, W: make([]float32, out*in*9), B: make([]float32, out)}
		s := float32(math.Sqrt(2 / float64(in*9)))
		for j := range c.W {
			c.W[j] = float32(rng.NormFloat64()) * s
		}
		for j := range c.B {
			c.B[j] = float32(rng.NormFloat64()) * 0.1
		}
		w.Conv[i], in = c, out
	}
	return w
}
