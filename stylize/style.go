package stylize

import (
	"fmt"
	"math"
	"runtime/debug"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/blas"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Style is what a painting's style is held to: the Gram matrices of a
// style image at the style layers, computed once and shared by every
// problem (and every video frame) painted in that style; or, for several
// styles each painting its own part of the output, one Region each.
type Style struct {
	Layers  []vgg.Point
	Pooling vgg.Pooling // of the network that computed them
	Grams   [][]float32 // [C][C] per layer, matched over the whole output
	Regions []Region    // instead of Grams: targets each over a masked part
}

// Region is a style target over part of the output: the Gram matrices of
// the output's features weighted by Mask are held to Grams, with Share of
// the style weight.
type Region struct {
	Grams [][]float32
	Mask  Mask
	Share float64
}

// Mask says where a style paints: one value per pixel, 1 paints, 0 keeps
// the photo, grey between. It is resampled to each size painted.
type Mask struct {
	W, H int
	Pix  []float32 // [H][W]
}

// MaskOf returns the mask of im: its luminance (Rec. 601), 0..1.
func MaskOf(im picture.Image) Mask {
	n := im.W * im.H
	m := Mask{W: im.W, H: im.H, Pix: make([]float32, n)}
	for i := range m.Pix {
		m.Pix[i] = min(1, max(0, 0.299*im.Pix[i]+0.587*im.Pix[n+i]+0.114*im.Pix[2*n+i]))
	}
	return m
}

// Resize returns m resampled to w×h (bilinear, as picture.Resample).
func (m Mask) Resize(w, h int) Mask {
	if m.W == w && m.H == h {
		return m
	}
	r := Mask{W: w, H: h, Pix: make([]float32, w*h)}
	picture.ResamplePlane(m.Pix, m.W, m.H, r.Pix, w, h)
	return r
}

// NewStyle computes the style targets of img at the given layers. The
// network it builds for that is garbage when it returns, and its memory
// is handed back to the OS at once, before the problem's own network is
// built: otherwise the two would add up in the process's peak memory.
func NewStyle(w *vgg.Weights, img picture.Image, layers []vgg.Point, pool vgg.Pooling, threads int) (*Style, error) {
	defer debug.FreeOSMemory()
	s := &Style{Layers: layers, Pooling: pool}
	if len(layers) == 0 {
		return s, nil
	}
	net, err := vgg.New(w, img.H, img.W, layers, pool, threads)
	if err != nil {
		return nil, fmt.Errorf("style image: %w", err)
	}
	net.Forward(img.Pix)
	for i, p := range layers {
		c, h, wd := net.Shape(p)
		g := make([]float32, c*c)
		gram(net.Activation(i), c, h*wd, 1/float32(c*h*wd), g, threads)
		s.Grams = append(s.Grams, g)
	}
	return s, nil
}

// Blend returns several styles as one. Without masks, its targets are
// the weighted mean of the styles' Gram matrices: the loss toward the
// mean has the gradient of the weighted sum of the losses toward each,
// and a weight of 0 leaves a style out exactly (blend 1,0 is the first
// style alone). With masks (one per style, all of one size), each style
// is matched over its own mask, with its share of the style weight.
// Weights nil means equal; they must be finite, ≥ 0 and not all 0
// (field "StyleBlend"); masks must be nil or one per style
// ("StyleMasks"). Every style must have the same layers and pooling.
func Blend(styles []*Style, weights []float64, masks []Mask) (*Style, error) {
	if len(styles) == 0 {
		return nil, fmt.Errorf("no style to blend")
	}
	if weights == nil {
		weights = make([]float64, len(styles))
		for i := range weights {
			weights[i] = 1
		}
	}
	sum, err := blendSum(weights, len(styles))
	if err != nil {
		return nil, err
	}
	if masks != nil && len(masks) != len(styles) {
		return nil, field.Errorf("StyleMasks", "%d masks for %d styles: give one for each", len(masks), len(styles))
	}
	first := styles[0]
	for _, s := range styles[1:] {
		if len(s.Layers) != len(first.Layers) || s.Pooling != first.Pooling {
			return nil, fmt.Errorf("styles to blend have different layers or pooling")
		}
	}
	b := &Style{Layers: first.Layers, Pooling: first.Pooling}
	if masks != nil {
		for k, s := range styles {
			b.Regions = append(b.Regions, Region{Grams: s.Grams, Mask: masks[k], Share: weights[k] / sum})
		}
		return b, nil
	}
	for j, g := range first.Grams {
		m := make([]float32, len(g))
		for k, s := range styles {
			wk := float32(weights[k] / sum)
			for i, v := range s.Grams[j] {
				m[i] += wk * v
			}
		}
		b.Grams = append(b.Grams, m)
	}
	return b, nil
}

// blendSum checks the blend weights of n styles and returns their sum.
func blendSum(weights []float64, n int) (float64, error) {
	if len(weights) != n {
		return 0, field.Errorf("StyleBlend", "%d weights for %d styles", len(weights), n)
	}
	var sum float64
	for _, v := range weights {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, field.Errorf("StyleBlend", "weights must be finite and not negative, got %g", v)
		}
		sum += v
	}
	if sum == 0 {
		return 0, field.Errorf("StyleBlend", "the weights must not all be 0")
	}
	return sum, nil
}

// Coverage returns how much of each pixel of a w×h output s paints: 1
// everywhere without regions, else the sum of the regions' masks (at
// most 1). Composite uses it to keep the photo where nothing paints.
func (s *Style) Coverage(w, h int) Mask {
	m := Mask{W: w, H: h, Pix: make([]float32, w*h)}
	if len(s.Regions) == 0 {
		for i := range m.Pix {
			m.Pix[i] = 1
		}
		return m
	}
	for _, r := range s.Regions {
		for i, v := range r.Mask.Resize(w, h).Pix {
			m.Pix[i] = min(1, m.Pix[i]+v)
		}
	}
	return m
}

// Composite keeps the photo where s paints nothing: x becomes
// cover·x + (1−cover)·content, per pixel (see Coverage). Without regions
// it leaves x as it is.
func Composite(x, content picture.Image, s *Style) {
	if len(s.Regions) == 0 {
		return
	}
	cover := s.Coverage(x.W, x.H)
	n := x.W * x.H
	for c := range 3 {
		for i, m := range cover.Pix {
			j := c*n + i
			x.Pix[j] = content.Pix[j] + m*(x.Pix[j]-content.Pix[j])
		}
	}
}

// target is one style target of a problem, at its layers' sizes.
type target struct {
	grams [][]float32
	masks [][]float32 // per style layer at its size; nil for the whole image
	norm  []float64   // per layer: c·n, or c·Σm² over a mask (0: skip)
	scale []float64   // normalization of each layer's term
	share float64     // of the style weight
}

// setStyle sets the problem's style targets, the masks resampled to each
// style layer's size.
func (p *Problem) setStyle(s *Style) error {
	regions := s.Regions
	if len(regions) == 0 {
		regions = []Region{{Grams: s.Grams, Share: 1}}
	}
	for _, r := range regions {
		t := target{grams: r.Grams, share: r.Share}
		if len(r.Grams) != len(p.opts.StyleLayers) {
			return fmt.Errorf("style targets have %d layers, the options %d", len(r.Grams), len(p.opts.StyleLayers))
		}
		for j, l := range p.opts.StyleLayers {
			c, h, w := p.net.Shape(l)
			if len(r.Grams[j]) != c*c {
				return fmt.Errorf("style target %s has %d values, want %d", l, len(r.Grams[j]), c*c)
			}
			t.scale = append(t.scale, term(p.opts.Normalization, r.Grams[j]))
			if r.Mask.Pix == nil {
				t.norm = append(t.norm, float64(c*h*w))
				continue
			}
			m := r.Mask.Resize(w, h).Pix
			var s2 float64
			for _, v := range m {
				s2 += float64(v) * float64(v)
			}
			t.masks = append(t.masks, m)
			t.norm = append(t.norm, float64(c)*s2)
		}
		p.targets = append(p.targets, t)
	}
	for _, l := range p.opts.StyleLayers {
		c, h, w := p.net.Shape(l)
		p.gram = append(p.gram, make([]float32, c*c))
		if len(s.Regions) > 0 {
			p.masked = append(p.masked, make([]float32, c*h*w))
			p.tmp = append(p.tmp, make([]float32, c*h*w))
		}
	}
	return nil
}

// styleLayer adds style layer j's loss at its features f to l (weighted)
// and returns its unweighted term (the targets' terms by their shares);
// it writes the term's gradient with respect to f into g.
func (p *Problem) styleLayer(j int, f, g []float32, l *Loss) float64 {
	threads := p.opts.Threads
	c, h, w := p.net.Shape(p.opts.StyleLayers[j])
	n := h * w
	gm := p.gram[j]
	var term float64
	written := false // g holds a gradient
	for _, t := range p.targets {
		if t.norm[j] == 0 {
			continue // a mask that is black at this layer
		}
		src := f
		if t.masks != nil {
			src = p.masked[j]
			m := t.masks[j]
			for ch := range c {
				row, out := f[ch*n:][:n], src[ch*n:][:n]
				for k, v := range m {
					out[k] = row[k] * v
				}
			}
		}
		gram(src, c, n, float32(1/t.norm[j]), gm, threads)
		e := t.scale[j] * sqErr(gm, t.grams[j], gm)
		term += t.share * e
		sw := p.sWeight[j] * t.share
		l.Style += sw * e
		// d/dF of scale·Σ(G−A)² with G = F Fᵀ/norm is 4·scale·(G−A)·F/norm;
		// through a mask, times the mask.
		coef := float32(4 * sw * t.scale[j] / t.norm[j])
		if t.masks == nil {
			beta := float32(1)
			if !written {
				beta = 0
			}
			blas.Parallel(threads, false, false, c, n, c, coef, gm, c, f, n, beta, g, n)
			written = true
			continue
		}
		if !written {
			clear(g)
			written = true
		}
		d := p.tmp[j]
		blas.Parallel(threads, false, false, c, n, c, coef, gm, c, src, n, 0, d, n)
		m := t.masks[j]
		for ch := range c {
			row, out := d[ch*n:][:n], g[ch*n:][:n]
			for k, v := range m {
				out[k] += row[k] * v
			}
		}
	}
	if !written {
		clear(g)
	}
	return term
}
