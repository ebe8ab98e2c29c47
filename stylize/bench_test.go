package stylize

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Layer sets of the benchmarks: the PyTorch tutorial's and Gatys et al.'s.
var benchSets = []struct{ name, content, style string }{
	{"tutorial", "conv2_2", "conv1_1,conv1_2,conv2_1,conv2_2,conv3_1"},
	{"gatys", "relu4_2", "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"},
}

// BenchmarkEval times one loss + gradient evaluation on square images, the
// unit of work of every optimizer step. Compare with bench/peer.sh, which
// runs the PyTorch peer the same way.
func BenchmarkEval(b *testing.B) {
	w := loadWeights(b)
	for _, set := range benchSets {
		for _, size := range []int{256, 512} {
			b.Run(fmt.Sprintf("%s/%d", set.name, size), func(b *testing.B) {
				cl, _ := vgg.ParseLayers(set.content)
				sl, _ := vgg.ParseLayers(set.style)
				content, style, x := picture.Noise(size, size, 1), picture.Noise(size, size, 2), picture.Noise(size, size, 3)
				st, err := NewStyle(w, style, sl, vgg.Max, 2)
				if err != nil {
					b.Fatal(err)
				}
				p, err := NewProblem(w, content, st, Options{ContentLayers: cl, StyleLayers: sl,
					Weights: Weights{Content: 1, Style: 1}, Normalization: Tutorial, Threads: 2})
				if err != nil {
					b.Fatal(err)
				}
				grad := make([]float32, len(x.Pix))
				p.Eval(x, grad) // first touch of every buffer
				cpu0 := cpuTime()
				b.ResetTimer()
				for b.Loop() {
					p.Eval(x, grad)
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/eval")
				b.ReportMetric((cpuTime()-cpu0)/float64(b.N), "cpu-s/eval")
			})
		}
	}
}

// cpuTime is the process's user+system CPU seconds: less sensitive than
// wall time to other work on a shared machine.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkEvalSizes times one evaluation with Gatys et al.'s layers at
// the sizes of a 256 px 16:9 video frame and its halvings (the sizes a
// coarse-to-fine painting goes through), on 2 threads.
func BenchmarkEvalSizes(b *testing.B) {
	w := loadWeights(b)
	cl, _ := vgg.ParseLayers(benchSets[1].content)
	sl, _ := vgg.ParseLayers(benchSets[1].style)
	st, err := NewStyle(w, picture.Noise(256, 256, 2), sl, vgg.Max, 2)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range [][2]int{{64, 36}, {128, 72}, {256, 144}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			content, x := picture.Noise(size[0], size[1], 1), picture.Noise(size[0], size[1], 3)
			p, err := NewProblem(w, content, st, Options{ContentLayers: cl, StyleLayers: sl,
				Weights: Weights{Content: 1, Style: 10}, Normalization: Default, Threads: 2})
			if err != nil {
				b.Fatal(err)
			}
			grad := make([]float32, len(x.Pix))
			p.Eval(x, grad)
			b.ResetTimer()
			for b.Loop() {
				p.Eval(x, grad)
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/eval")
		})
	}
}
