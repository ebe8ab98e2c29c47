package stylize

import (
	"context"
	"time"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/optim"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Ladder is a problem at several sizes, each half the next, for painting
// coarse to fine: an evaluation at half size costs about a third of one
// at full size (measured at 256×144), and a painting resampled up from
// there starts the next size close to where it ends (Options.Scales).
type Ladder struct {
	levels []*level // coarsest first; the last is full size
}

// level is one size of a Ladder; a coarse one keeps its own content and
// image.
type level struct {
	p          *Problem
	content, x picture.Image
	full       bool
}

// NewLadder builds the problem of opts for content at up to opts.Scales
// sizes: full size and, coarser, each half the next as long as it still
// reaches every layer of opts.
func NewLadder(w *vgg.Weights, content picture.Image, style *Style, opts Options) (*Ladder, error) {
	full, err := NewProblem(w, content, style, opts)
	if err != nil {
		return nil, err
	}
	l := &Ladder{levels: []*level{{p: full, full: true}}}
	cw, ch := content.W, content.H
	for k := 1; k < opts.Scales; k++ {
		cw, ch = (cw+1)/2, (ch+1)/2
		if opts.Fits(cw, ch) != nil {
			break
		}
		c := picture.New(cw, ch)
		p, err := NewProblem(w, c, style, opts)
		if err != nil {
			return nil, err
		}
		lv := &level{p: p, content: c, x: picture.New(cw, ch)}
		l.levels = append([]*level{lv}, l.levels...)
	}
	return l, l.SetContent(content)
}

// Sizes returns how many sizes the ladder has.
func (l *Ladder) Sizes() int { return len(l.levels) }

// Full returns the full-size problem.
func (l *Ladder) Full() *Problem { return l.levels[len(l.levels)-1].p }

// SetContent replaces the content image of every size.
func (l *Ladder) SetContent(content picture.Image) error {
	if err := l.Full().SetContent(content); err != nil {
		return err
	}
	src := content
	for k := len(l.levels) - 2; k >= 0; k-- {
		lv := l.levels[k]
		picture.Resample(src, lv.content)
		if err := lv.p.SetContent(lv.content); err != nil {
			return err
		}
		src = lv.content
	}
	return nil
}

// Timing returns the time spent by every size's evaluations since the
// last call (see Problem.Timing).
func (l *Ladder) Timing() Timing {
	var t Timing
	for _, lv := range l.levels {
		pt := lv.p.Timing()
		t.Evals += pt.Evals
		t.Forward += pt.Forward
		t.Loss += pt.Loss
		t.Backward += pt.Backward
	}
	return t
}

// Run paints x (full size) coarse to fine: x resampled to the coarsest
// size is painted there (Problem.Run, at most steps evaluations), the
// result resampled to the next size and painted there, and so on up to
// full size, where x receives the result. onStep sees every evaluation,
// numbered on from one size to the next. It returns the full-size loss.
func (l *Ladder) Run(ctx context.Context, x picture.Image, steps int, opt optim.Optimizer, onStep func(Step)) (Loss, error) {
	src := x // the starting image, halved down to the coarsest size
	for k := len(l.levels) - 2; k >= 0; k-- {
		picture.Resample(src, l.levels[k].x)
		src = l.levels[k].x
	}
	start, base := time.Now(), 0
	var loss Loss
	for k, lv := range l.levels {
		img := x
		if !lv.full {
			img = lv.x
		}
		if k > 0 {
			picture.Resample(l.levels[k-1].x, img) // the coarser painting, up
		}
		last := 0
		var err error
		loss, err = lv.p.Run(ctx, img, steps, opt, func(s Step) {
			last = s.N
			if onStep != nil {
				s.N, s.Elapsed = base+s.N, time.Since(start)
				onStep(s)
			}
		})
		base += last
		if err != nil {
			return loss, err
		}
	}
	return loss, nil
}
