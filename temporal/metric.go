package temporal

import (
	"fmt"
	"math"

	"github.com/gogh-video/gogh/picture"
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
func WarpingError(prev, cur picture.Image, flow Flow, mask []float32) float64 {
	n := cur.W * cur.H
	if prev.W != cur.W || prev.H != cur.H || len(cur.Pix) != 3*n {
		panic(fmt.Sprintf("temporal: WarpingError: frames %dx%d and %dx%d (%d values)",
			prev.W, prev.H, cur.W, cur.H, len(cur.Pix)))
	}
	if mask != nil && len(mask) != n {
		panic(fmt.Sprintf("temporal: WarpingError: mask has %d values, want %d", len(mask), n))
	}
	warped := picture.New(cur.W, cur.H)
	return warpingError(prev, cur, flow, mask, warped)
}

// warpingError is WarpingError with a scratch image for the warp.
func warpingError(prev, cur picture.Image, flow Flow, mask []float32, warped picture.Image) float64 {
	n := cur.W * cur.H
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

// EndPointError is the average end-point error |f − gt| of a flow f
// against the ground truth gt, over the pixels x whose target x + gt(x)
// lies at least margin pixels inside the image (NaN if there are none).
// It panics if the flows differ in size.
func EndPointError(f, gt Flow, margin float64) float64 {
	mustMatch("EndPointError", f, gt.W, gt.H)
	var s float64
	n := 0
	for y := 0; y < gt.H; y++ {
		for x := 0; x < gt.W; x++ {
			i := y*gt.W + x
			tx, ty := float64(x)+float64(gt.U[i]), float64(y)+float64(gt.V[i])
			if tx < margin || ty < margin || tx > float64(gt.W-1)-margin || ty > float64(gt.H-1)-margin {
				continue
			}
			s += math.Hypot(float64(f.U[i]-gt.U[i]), float64(f.V[i]-gt.V[i]))
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// Consistency scores stylized frames for temporal consistency against the
// motion of their input frames: feed it the input frames in order with
// Next, and after each call score any stylized version of the last two
// with Error. Flows and masks are computed once per input pair, so
// one Consistency scores several stylizations of a clip at the cost of one.
// Its buffers are allocated once; it is not safe for concurrent use.
type Consistency struct {
	est      *Estimator
	prev     picture.Image
	bwd, fwd Flow
	mask     []float32
	warped   picture.Image
	n        int // input frames seen
}

// NewConsistency returns a Consistency for w×h frames.
func NewConsistency(w, h int, opt FlowOptions) *Consistency {
	return &Consistency{
		est:    NewEstimator(w, h, opt),
		prev:   picture.New(w, h),
		bwd:    NewFlow(w, h),
		fwd:    NewFlow(w, h),
		mask:   make([]float32, w*h),
		warped: picture.New(w, h),
	}
}

// Next takes input frame t: it computes the backward flow from frame t to
// t−1, the forward flow back, and their reliability mask (see
// Reliability).
func (c *Consistency) Next(input picture.Image) {
	if c.n > 0 {
		c.est.Flow(input, c.prev, c.bwd)
		c.est.Flow(c.prev, input, c.fwd)
		reliability(c.fwd, c.bwd, c.mask)
	}
	copy(c.prev.Pix, input.Pix)
	c.n++
}

// Error returns the warping error (see WarpingError) between the
// stylized versions of input frames t−1 and t, with the flow and mask of
// the input frames; NaN before the second input frame.
func (c *Consistency) Error(prev, cur picture.Image) float64 {
	if c.n < 2 {
		return math.NaN()
	}
	return warpingError(prev, cur, c.bwd, c.mask, c.warped)
}

// Reliable returns the fraction of frame t's pixels that the mask keeps
// (0 before the second input frame).
func (c *Consistency) Reliable() float64 {
	if c.n < 2 {
		return 0
	}
	return fraction(c.mask)
}
