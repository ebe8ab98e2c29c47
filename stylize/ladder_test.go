package stylize

import (
	"context"
	"math"
	"testing"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/stylize/vgg/vggtest"
)

// smallProblem returns options and random weights for a small problem
// (content relu2_1, style relu1_1 and relu2_1).
func smallProblem(t *testing.T) (Options, *vgg.Weights, *Style) {
	t.Helper()
	o := DefaultOptions()
	o.ContentLayers, _ = ParseLayers("relu2_1")
	o.StyleLayers, _ = ParseLayers("relu1_1,relu2_1")
	w := vggtest.Random(o.Depth(), vgg.Caffe, 3)
	st, err := NewStyle(w, picture.Noise(24, 16, 9), o.StyleLayers, o.Pooling, 1)
	if err != nil {
		t.Fatal(err)
	}
	return o, w, st
}

// TestTolerance: a run with a tolerance stops at the first evaluation
// after which the best loss fell by less than that fraction over the last
// Window evaluations, found on the losses of the same run without one.
func TestTolerance(t *testing.T) {
	o, w, st := smallProblem(t)
	content := picture.Noise(32, 24, 1)
	run := func(tol float64) []float64 {
		o.Tolerance = tol
		p, err := NewProblem(w, content, st, o)
		if err != nil {
			t.Fatal(err)
		}
		opt, _ := NewOptimizer(LBFGS, 0)
		var losses []float64
		if _, err := p.Run(context.Background(), picture.Noise(32, 24, 2), 80, opt, func(s Step) { losses = append(losses, s.Loss.Total) }); err != nil {
			t.Fatal(err)
		}
		return losses
	}
	all := run(0)
	if len(all) != 80 {
		t.Fatalf("no tolerance: %d evaluations, want every one of 80", len(all))
	}
	best := make([]float64, len(all)+1) // best[n]: after n evaluations
	best[1] = all[0]
	for n := 2; n <= len(all); n++ {
		best[n] = min(best[n-1], all[n-1])
	}
	for _, tol := range []float64{0.6, 0.3, 0.1} {
		want := len(all)
		for n := Window + 1; n < len(all); n++ {
			if best[n-Window]-best[n] <= tol*best[n] {
				want = n
				break
			}
		}
		if got := len(run(tol)); got != want {
			t.Errorf("tolerance %g: %d evaluations, want %d", tol, got, want)
		}
		t.Logf("tolerance %g: %d evaluations", tol, want)
	}
}

// TestLadder: three sizes, each half the next; Run paints them in turn,
// numbers the steps on, and returns the full-size loss of the image it
// leaves, lower than the start's.
func TestLadder(t *testing.T) {
	o, w, st := smallProblem(t)
	o.Scales = 3
	content := picture.Noise(32, 24, 1)
	l, err := NewLadder(w, content, st, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.levels) != 3 || l.levels[0].p.w != 8 || l.levels[1].p.w != 16 || l.Full().w != 32 {
		t.Fatalf("%d levels, widths %d..%d", len(l.levels), l.levels[0].p.w, l.Full().w)
	}
	x := content.Clone()
	grad := make([]float32, len(x.Pix))
	before := l.Full().Eval(x, grad).Total
	opt, _ := NewOptimizer(LBFGS, 0)
	var ns []int
	loss, err := l.Run(context.Background(), x, 20, opt, func(s Step) { ns = append(ns, s.N) })
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range ns {
		if n != i+1 {
			t.Fatalf("step %d numbered %d", i+1, n)
		}
	}
	if len(ns) != 60 {
		t.Errorf("%d evaluations, want 20 at each of 3 sizes", len(ns))
	}
	after := l.Full().Eval(x, grad).Total
	if math.Abs(after-loss.Total) > 1e-6*after || !(after < before) {
		t.Errorf("full-size loss %g before, %g after; Run said %g", before, after, loss.Total)
	}
	// Sizes too small for the layers are not used: relu2_1 needs 2 px,
	// so 8x6 goes down to 4x3 and 2x2, not 1x1.
	o.Scales = 5
	l, err = NewLadder(w, picture.Noise(8, 6, 1), st, o)
	if err != nil || len(l.levels) != 3 {
		t.Errorf("8x6 with 5 scales: %v, %d sizes, want 3", err, len(l.levels))
	}
}
