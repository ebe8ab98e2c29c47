package stylize

import (
	"fmt"

	"github.com/gogh-video/gogh/picture"
)

// Anchor is a temporal target: an image the result should stay close to
// wherever Mask is positive, such as the previous stylized frame of a
// video warped along the optical flow, with its reliability mask (Ruder,
// Dosovitskiy and Brox, 2016). Mask has one weight per pixel (W·H values,
// usually 0 or 1) applied to all three channels.
type Anchor struct {
	Image picture.Image
	Mask  []float32
}

// SetAnchors replaces the problem's temporal targets (nil removes them).
// The temporal term of the loss is
//
//	Σ_anchors (1/D) Σ_x,ch Mask(x) (x − Anchor)²,  D = 3·W·H,
//
// weighted by Weights.Temporal. The problem keeps the slices, so callers
// must not change them while it runs.
func (p *Problem) SetAnchors(anchors []Anchor) error {
	n := p.w * p.h
	for i, a := range anchors {
		if a.Image.W != p.w || a.Image.H != p.h || len(a.Image.Pix) != 3*n {
			return fmt.Errorf("anchor %d is %dx%d (%d values), the problem %dx%d", i, a.Image.W, a.Image.H, len(a.Image.Pix), p.w, p.h)
		}
		if len(a.Mask) != n {
			return fmt.Errorf("anchor %d mask has %d values, want %d", i, len(a.Mask), n)
		}
	}
	p.anchors = anchors
	return nil
}

// temporal returns the unweighted temporal term at x and adds its gradient
// times weight to grad.
func temporal(x picture.Image, anchors []Anchor, weight float64, grad []float32) float64 {
	n := x.W * x.H
	d := float64(3 * n)
	k := float32(2 * weight / d)
	var s float64
	for _, a := range anchors {
		for c := 0; c < 3; c++ {
			xp, ap, g := x.Pix[c*n:][:n], a.Image.Pix[c*n:][:n], grad[c*n:][:n]
			for i, m := range a.Mask {
				if m == 0 {
					continue
				}
				e := xp[i] - ap[i]
				s += float64(m) * float64(e) * float64(e)
				g[i] += k * m * e
			}
		}
	}
	return s / d
}
