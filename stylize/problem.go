// Package stylize is the Gatys et al. style-transfer problem: the loss of
// an image against a content image's VGG19 features and a style image's
// feature Gram matrices, its gradient, and the optimization that paints.
package stylize

import (
	"fmt"
	"time"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Problem is the objective for one content image size: it owns a network
// and every scratch buffer, so evaluating it allocates nothing.
type Problem struct {
	opts    Options
	net     *vgg.Net
	h, w    int
	nc      int         // taps [0, nc) are content layers, the rest style layers
	content [][]float32 // content targets
	cScale  []float64   // normalization of each term
	targets []target    // style targets: one, or one per region
	sWeight []float64   // weight of each style layer
	grads   [][]float32 // gradient at each tap
	gram    [][]float32 // Gram scratch per style layer
	masked  [][]float32 // masked features per style layer (with regions)
	tmp     [][]float32 // their gradient
	anchors []Anchor    // temporal targets
	timing  Timing
}

// Timing is where a problem's evaluations spent their time: the forward
// pass, the loss terms and their gradients with respect to the
// activations (and the pixel-level terms), and the backward pass.
type Timing struct {
	Evals                   int
	Forward, Loss, Backward time.Duration
}

// Timing returns the time spent by the evaluations since the last call
// (or since the problem was made), and starts counting again.
func (p *Problem) Timing() Timing {
	t := p.timing
	p.timing = Timing{}
	return t
}

// NewProblem builds the objective of opts (its layers, weights,
// normalization and threads; the other fields are not used) for the
// content image, with the style targets of style (whose layers must be
// opts.StyleLayers).
func NewProblem(w *vgg.Weights, content picture.Image, style *Style, opts Options) (*Problem, error) {
	if err := opts.checkObjective(); err != nil {
		return nil, err
	}
	if style == nil {
		style = &Style{}
	}
	if len(style.Layers) != len(opts.StyleLayers) {
		return nil, fmt.Errorf("style targets have %d layers, the options %d", len(style.Layers), len(opts.StyleLayers))
	}
	if len(style.Layers) > 0 && style.Pooling != opts.Pooling {
		return nil, fmt.Errorf("style targets were computed with %s pooling, the options have %s", style.Pooling, opts.Pooling)
	}
	taps := append(append([]vgg.Point(nil), opts.ContentLayers...), opts.StyleLayers...)
	net, err := vgg.New(w, content.H, content.W, taps, opts.Pooling, opts.Threads)
	if err != nil {
		return nil, err
	}
	p := &Problem{opts: opts, net: net, h: content.H, w: content.W, nc: len(opts.ContentLayers)}
	for _, t := range taps {
		c, h, wd := net.Shape(t)
		p.grads = append(p.grads, make([]float32, c*h*wd))
	}
	if err := p.setStyle(style); err != nil {
		return nil, err
	}
	p.sWeight = opts.styleWeights()
	if err := p.SetContent(content); err != nil {
		return nil, err
	}
	return p, nil
}

// Size returns the image size the problem was built for.
func (p *Problem) Size() (w, h int) { return p.w, p.h }

// SetContent replaces the content image (of the problem's size), as for
// the next frame of a video.
func (p *Problem) SetContent(img picture.Image) error {
	if img.W != p.w || img.H != p.h {
		return fmt.Errorf("content image is %dx%d, the problem %dx%d", img.W, img.H, p.w, p.h)
	}
	if p.nc == 0 {
		return nil
	}
	p.net.Forward(img.Pix)
	p.content, p.cScale = p.content[:0], p.cScale[:0]
	for i := 0; i < p.nc; i++ {
		t := append([]float32(nil), p.net.Activation(i)...)
		p.content = append(p.content, t)
		p.cScale = append(p.cScale, term(p.opts.Normalization, t))
	}
	return nil
}

// Eval returns the loss at x and writes its gradient with respect to x
// into grad (both [3][H][W], RGB in 0..1).
func (p *Problem) Eval(x picture.Image, grad []float32) Loss {
	opts := p.opts
	var l Loss
	t0 := time.Now()
	p.net.Forward(x.Pix)
	t1 := time.Now()
	// Layer weights: the tutorial sums layers, the default averages them.
	cw := opts.Weights.Content
	if opts.Normalization == Default {
		cw /= float64(max(1, p.nc))
	}
	for i := range p.grads {
		f := p.net.Activation(i)
		g := p.grads[i]
		if i < p.nc {
			e := p.cScale[i] * sqErr(f, p.content[i], g)
			l.ContentTerms = append(l.ContentTerms, e)
			l.Content += cw * e
			scale(g, float32(2*cw*p.cScale[i]))
			continue
		}
		l.StyleTerms = append(l.StyleTerms, p.styleLayer(i-p.nc, f, g, &l))
	}
	t2 := time.Now()
	p.net.Backward(p.grads, grad)
	t3 := time.Now()
	if opts.Weights.TV != 0 {
		l.TVTerm = tv(x, opts.Weights.TV, grad)
		l.TV = opts.Weights.TV * l.TVTerm
	}
	if opts.Weights.Temporal != 0 && len(p.anchors) > 0 {
		l.TemporalTerm = temporal(x, p.anchors, opts.Weights.Temporal, grad)
		l.Temporal = opts.Weights.Temporal * l.TemporalTerm
	}
	l.Total = l.Content + l.Style + l.TV + l.Temporal
	p.timing.Evals++
	p.timing.Forward += t1.Sub(t0)
	p.timing.Loss += t2.Sub(t1) + time.Since(t3)
	p.timing.Backward += t3.Sub(t2)
	return l
}

func scale(v []float32, k float32) {
	for i := range v {
		v[i] *= k
	}
}

// Transfer builds the objective of painting content in the style of the
// style image: the style's Gram targets (see NewStyle), then the problem
// at the sizes opts.Scales asks for (see Ladder; one size by default).
func Transfer(w *vgg.Weights, content, style picture.Image, opts Options) (*Ladder, error) {
	st, err := NewStyle(w, style, opts.StyleLayers, opts.Pooling, opts.Threads)
	if err != nil {
		return nil, err
	}
	return NewLadder(w, content, st, opts)
}
