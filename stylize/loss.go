package stylize

import (
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/blas"
)

// Weights scale the loss terms. Temporal weighs the distance to the
// problem's anchors (see Problem.SetAnchors).
type Weights struct {
	Content, Style, TV, Temporal float64
}

// Loss is the objective at one image: the unweighted term of each content
// and style layer, the unweighted total variation and temporal terms, and
// the weighted sums.
type Loss struct {
	ContentTerms, StyleTerms     []float64
	TVTerm, TemporalTerm         float64
	Content, Style, TV, Temporal float64 // weighted sums
	Total                        float64
}

// gram computes G = k·F Fᵀ for F = [c][n]; k is 1/(c·n) for the Gram
// matrix of Gatys et al.
func gram(f []float32, c, n int, k float32, g []float32, threads int) {
	blas.Parallel(threads, false, true, c, c, n, k, f, n, f, n, 0, g, c)
}

// term is the normalization of one layer's squared error:
// term = scale · Σ (x − target)².
func term(norm Normalization, target []float32) float64 {
	if norm == Tutorial {
		return 1 / float64(len(target))
	}
	var s float64
	for _, v := range target {
		s += float64(v) * float64(v)
	}
	if s == 0 {
		return 1 / float64(len(target))
	}
	return 1 / s
}

// sqErr returns Σ (a−b)² and writes a−b into diff (which may alias a).
func sqErr(a, b, diff []float32) float64 {
	var s float64
	for i, v := range a {
		d := v - b[i]
		diff[i] = d
		s += float64(d) * float64(d)
	}
	return s
}

// tv returns the total variation mean((x[y][x+1]−x[y][x])² + (x[y+1][x]−x[y][x])²)
// over the C·H·W values of an image and adds its gradient times weight to grad.
func tv(im picture.Image, weight float64, grad []float32) float64 {
	w, h := im.W, im.H
	n := float64(3 * w * h)
	var s float64
	k := float32(2 * weight / n)
	for c := 0; c < 3; c++ {
		p := im.Pix[c*w*h:][:w*h]
		g := grad[c*w*h:][:w*h]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				if x+1 < w {
					d := p[i+1] - p[i]
					s += float64(d) * float64(d)
					g[i+1] += k * d
					g[i] -= k * d
				}
				if y+1 < h {
					d := p[i+w] - p[i]
					s += float64(d) * float64(d)
					g[i+w] += k * d
					g[i] -= k * d
				}
			}
		}
	}
	return s / n
}
