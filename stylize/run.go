package stylize

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/optim"
)

// Step reports one evaluation of the objective during a run.
type Step struct {
	N       int           // 1-based evaluation count
	Loss    Loss          // the loss at the evaluated image
	Elapsed time.Duration // since the run started
	// Image is the image evaluated, at the size of its problem; it is
	// the optimizer's, valid only during the call: copy what you keep.
	Image picture.Image
}

// Window is the number of evaluations over which Options.Tolerance
// measures progress.
const Window = 10

// errConverged stops a run whose loss no longer falls.
var errConverged = errors.New("converged")

// Run paints x in place: it minimizes the problem's loss over images in
// [0,1] with opt, for at most steps evaluations (a step is one loss and
// gradient evaluation), calling onStep (if not nil) after each. With
// Options.Tolerance > 0 it stops earlier, once the best loss fell by
// less than that fraction of itself over the last Window evaluations. It
// returns the loss of the image left in x, the best one evaluated.
// Cancelling ctx stops the run at the next evaluation, with x at the best
// image so far.
func (p *Problem) Run(ctx context.Context, x picture.Image, steps int, opt optim.Optimizer, onStep func(Step)) (Loss, error) {
	if x.W != p.w || x.H != p.h {
		return Loss{}, fmt.Errorf("initial image is %dx%d, the problem %dx%d", x.W, x.H, p.w, p.h)
	}
	start := time.Now()
	var best Loss
	var bests [Window + 1]float64 // best total after n evaluations, at n mod (Window+1)
	n := 0
	tol := p.opts.Tolerance
	f := func(pix, grad []float32) (float64, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if tol > 0 && n > Window && bests[(n-Window)%(Window+1)]-best.Total <= tol*math.Abs(best.Total) {
			return 0, errConverged
		}
		l := p.Eval(picture.Image{W: x.W, H: x.H, Pix: pix}, grad)
		if n == 0 || l.Total < best.Total {
			best = l
		}
		n++
		bests[n%(Window+1)] = best.Total
		if onStep != nil {
			onStep(Step{N: n, Loss: l, Elapsed: time.Since(start), Image: picture.Image{W: x.W, H: x.H, Pix: pix}})
		}
		return l.Total, nil
	}
	_, _, err := opt.Minimize(f, x.Pix, steps)
	if errors.Is(err, errConverged) {
		err = nil
	}
	return best, err
}

// Box keeps every pixel in [0,1].
var Box = &optim.Bounds{Lo: 0, Hi: 1}

// NewOptimizer returns an optimizer of method m for images; lr ≤ 0
// selects the default learning rate (Adam only). The optimizer keeps its
// vectors between runs (reuse it for the frames of a video), so it must
// not run twice at the same time.
func NewOptimizer(m Method, lr float64) (optim.Optimizer, error) {
	switch m {
	case LBFGS:
		return optim.LBFGS{History: 10, Bounds: Box, Workspace: &optim.Workspace{}}, nil
	case Adam:
		return optim.Adam{LR: lr, Bounds: Box, Workspace: &optim.Workspace{}}, nil
	}
	return nil, field.Errorf("Optimizer", "unknown %q (want %s or %s)", m, LBFGS, Adam)
}
