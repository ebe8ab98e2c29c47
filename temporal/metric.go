package temporal

import (
	"fmt"
	"math"

	"github.com/gogh-video/gogh/stylize"
)

// WarpingError is the short-term temporal consistency error between
// consecutive frames: the mean over reliable pixels and the three
// channels of (cur − warp(prev))²,
//
//	Σ_x c(x) Σ_ch (cur − ω(prev))² / (3 Σ_x c(x)),
//
// where ω warps prev (frame t−1) into cur's grid (frame t) by flow, the
// backward flow of frame t (see Warp), and c is mask (see Reliability;
// nil means every pixel). As in the evaluation protocol for stylized
// video, flow and mask should be computed on the input (content) frames,
// not on the stylized frames being scored. It returns NaN when the mask
// has no weight, and panics on a size mismatch.
func WarpingError(prev, cur stylize.Image, flow Flow, mask []float32) float64 {
	n := cur.W * cur.H
	if prev.W != cur.W || prev.H != cur.H || len(cur.Pix) != 3*n {
		panic(fmt.Sprintf("temporal: WarpingError: frames %dx%d and %dx%d (%d values)",
			prev.W, prev.H, cur.W, cur.H, len(cur.Pix)))
	}
	if mask != nil && len(mask) != n {
		panic(fmt.Sprintf("temporal: WarpingError: mask has %d values, want %d", len(mask), n))
	}
	warped := stylize.NewImage(cur.W, cur.H)
	Warp(prev, flow, warped)
	var sum, weight float64
	for i := 0; i < n; i++ {
		c := 1.0
		if mask != nil {
			c = float64(mask[i])
		}
		if c == 0 {
			continue
		}
		var e float64
		for ch := 0; ch < 3; ch++ {
			d := float64(cur.Pix[ch*n+i] - warped.Pix[ch*n+i])
			e += d * d
		}
		sum += c * e
		weight += c
	}
	if weight == 0 {
		return math.NaN()
	}
	return sum / (3 * weight)
}
