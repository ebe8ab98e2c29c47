// Package study reproduces the experiments of the study gogh comes from
// (CMU 16-726 "Neural Style Transfer", built on PyTorch's "Neural
// Transfer" tutorial): content reconstruction, texture synthesis,
// content × style grids and the content-versus-noise initialization
// comparison, and renders them as contact sheets, plots and a report.
package study

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Settings are what every experiment shares: the network, and the
// options of every run (loss weights, normalization, optimizer, steps,
// first seed, threads); each experiment chooses the layers and the
// starting image of its runs (seed i of a run uses Seed+i).
type Settings struct {
	stylize.Options
	Net *vgg.Weights

	// StyleScale resizes a style image to that factor of the painting's
	// longer side (0: as given); Colors keeps the content's colours
	// (stylize.Luminance after painting, Histogram by matching the style
	// image's first). Runs with both a content and a style image only.
	StyleScale float64
	Colors     stylize.Colors

	// OnStep, if not nil, is called after every evaluation of every run
	// with the run's label; runs may call it from several goroutines.
	OnStep func(label string, s stylize.Step)
}

// Run is one optimization: what it was asked to do and what it produced.
type Run struct {
	Label   string
	Options stylize.Options // with the run's layers
	Image   picture.Image
	Loss    stylize.Loss   // of Image, the best image evaluated
	Steps   []stylize.Step // every evaluation, in order
	Elapsed time.Duration
}

// Paint optimizes from init against content and style (either may be a
// zero Image when its layers are empty; the problem's size is then init's)
// with the given layers and the settings' weights.
func (s Settings) Paint(ctx context.Context, label string, content, style, init picture.Image, contentLayers, styleLayers []vgg.Point) (Run, error) {
	opts := s.Options
	opts.ContentLayers, opts.StyleLayers = contentLayers, styleLayers
	if len(contentLayers) == 0 {
		content = picture.New(init.W, init.H) // only its size matters
	}
	both := len(contentLayers) > 0 && len(styleLayers) > 0
	if both && s.StyleScale > 0 {
		w, h := picture.Fit(style.W, style.H, max(1, int(math.Round(s.StyleScale*float64(max(init.W, init.H))))))
		scaled := picture.New(w, h)
		picture.Resample(style, scaled)
		style = scaled
	}
	if both && s.Colors == stylize.Histogram {
		style = style.Clone()
		picture.MatchHistogram(style, content)
	}
	prob, err := stylize.Transfer(s.Net, content, style, opts)
	if err != nil {
		return Run{}, fmt.Errorf("%s: %w", label, err)
	}
	opt, err := stylize.NewOptimizer(s.Optimizer, s.LR)
	if err != nil {
		return Run{}, err
	}
	r := Run{Label: label, Options: opts, Image: init.Clone()}
	onStep := func(st stylize.Step) {
		st.Image = picture.Image{} // the optimizer's, not to keep
		r.Steps = append(r.Steps, st)
		if s.OnStep != nil {
			s.OnStep(label, st)
		}
	}
	start := time.Now()
	r.Loss, err = prob.Run(ctx, r.Image, s.Steps, opt, onStep)
	r.Elapsed = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("%s: %w", label, err)
	}
	if both && s.Colors == stylize.Luminance {
		picture.KeepChroma(r.Image, content)
	}
	return r, nil
}
