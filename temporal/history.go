package temporal

import (
	"fmt"
	"math"
	"slices"

	"github.com/gogh-video/gogh/stylize"
)

// History is the memory of a warm-start chain: the content and stylized
// versions of its last frames, from which it derives the next frame's
// warm start along the optical flow and its temporal anchors (Ruder,
// Dosovitskiy and Brox, 2016). All buffers are allocated by NewHistory;
// a History is not safe for concurrent use.
type History struct {
	w, h int
	lags []int  // frames back that Prepare looks at, ascending
	loss []bool // lags[k] is a temporal-loss anchor
	est  *Estimator
	past []frame // past[j−1] is frame t−j; len(past) = max lag
	n    int     // frames held, at most len(past)

	fwd, bwd []Flow          // per lag: flow t−j → t and t → t−j
	raw      [][]float32     // per lag: reliability of warping t−j into t
	long     [][]float32     // per lag: Ruder's long-term mask
	warped   []stylize.Image // per lag: stylized t−j warped into t
	anchors  []stylize.Anchor
	ready    int // lags prepared for the current frame
}

type frame struct{ content, styled stylize.Image }

// NewHistory returns an empty history for w×h frames. warm says the
// next frame will be warm-started along the flow from frame t−1; lags are
// the frames back (1 = the previous frame) whose warped stylized versions
// become temporal anchors: positive, ascending, no repeats.
func NewHistory(w, h int, warm bool, lags []int, opt FlowOptions) (*History, error) {
	for i, j := range lags {
		if j < 1 || (i > 0 && j <= lags[i-1]) {
			return nil, fmt.Errorf("--temporal-frames: want ascending positive frame distances, got %v", lags)
		}
	}
	all := slices.Clone(lags)
	if warm && !slices.Contains(all, 1) {
		all = append([]int{1}, all...)
	}
	hs := &History{w: w, h: h, lags: all}
	if len(all) == 0 {
		return hs, nil
	}
	hs.est = NewEstimator(w, h, opt)
	for range all[len(all)-1] {
		hs.past = append(hs.past, frame{stylize.NewImage(w, h), stylize.NewImage(w, h)})
	}
	for _, j := range all {
		hs.loss = append(hs.loss, slices.Contains(lags, j))
		hs.fwd = append(hs.fwd, NewFlow(w, h))
		hs.bwd = append(hs.bwd, NewFlow(w, h))
		hs.raw = append(hs.raw, make([]float32, w*h))
		hs.long = append(hs.long, make([]float32, w*h))
		hs.warped = append(hs.warped, stylize.NewImage(w, h))
	}
	return hs, nil
}

// Reset forgets every frame, as at the start of a new chain.
func (hs *History) Reset() { hs.n, hs.ready = 0, 0 }

// Len returns the number of past frames held.
func (hs *History) Len() int { return hs.n }

// Push records frame t (its content and stylized versions, copied) as
// the newest past frame, once it is painted.
func (hs *History) Push(content, styled stylize.Image) {
	hs.ready = 0
	if len(hs.past) == 0 {
		return
	}
	hs.check("Push", content)
	hs.check("Push", styled)
	last := hs.past[len(hs.past)-1]
	copy(hs.past[1:], hs.past)
	hs.past[0] = last
	copy(last.content.Pix, content.Pix)
	copy(last.styled.Pix, styled.Pix)
	hs.n = min(hs.n+1, len(hs.past))
}

// Prepare computes, for the content of the next frame t, the forward and
// backward flows to every held frame t−j of its lags, their reliability
// masks (see Reliability), Ruder et al.'s long-term masks, and the
// stylized frames t−j warped into frame t.
//
// The long-term mask of loss lag j keeps only the reliable pixels that no
// shorter loss lag covers: max(c_j − Σ_{k<j} c_k, 0), so that every pixel is
// anchored to the most recent frame in which it was visible.
func (hs *History) Prepare(content stylize.Image) {
	hs.check("Prepare", content)
	hs.ready = 0
	for k, j := range hs.lags {
		if j > hs.n {
			break
		}
		p := hs.past[j-1]
		hs.est.Flow(content, p.content, hs.bwd[k])
		hs.est.Flow(p.content, content, hs.fwd[k])
		reliability(hs.fwd[k], hs.bwd[k], hs.raw[k])
		Warp(p.styled, hs.bwd[k], hs.warped[k])
		long := hs.long[k]
		copy(long, hs.raw[k])
		for b, shorter := range hs.raw[:k] {
			if !hs.loss[b] {
				continue
			}
			for i, c := range shorter {
				long[i] = max(long[i]-c, 0)
			}
		}
		hs.ready = k + 1
	}
}

// WarmStart writes into dst the stylized frame t−1 warped along the flow
// into frame t, with the pixels that warping cannot carry (disoccluded,
// from outside the frame, or at motion boundaries: reliability 0) taken
// from content, the content frame t. It reports false, leaving dst
// alone, when Prepare has no previous frame to warp.
func (hs *History) WarmStart(content, dst stylize.Image) bool {
	if hs.ready == 0 || hs.lags[0] != 1 {
		return false
	}
	hs.check("WarmStart", content)
	hs.check("WarmStart", dst)
	n := hs.w * hs.h
	for c := 0; c < 3; c++ {
		d, w, im := dst.Pix[c*n:][:n], hs.warped[0].Pix[c*n:][:n], content.Pix[c*n:][:n]
		for i, r := range hs.raw[0] {
			if r > 0 {
				d[i] = w[i]
			} else {
				d[i] = im[i]
			}
		}
	}
	return true
}

// Anchors returns the temporal anchors that Prepare made for the loss
// lags: each warped stylized frame with its long-term mask. The slices
// stay valid until the next Prepare.
func (hs *History) Anchors() []stylize.Anchor {
	hs.anchors = hs.anchors[:0]
	for k := range hs.ready {
		if hs.loss[k] {
			hs.anchors = append(hs.anchors, stylize.Anchor{Image: hs.warped[k], Mask: hs.long[k]})
		}
	}
	return hs.anchors
}

// Reliable returns the fraction of frame t's pixels that the previous
// frame's warp covers reliably, after Prepare; NaN when Prepare had no
// previous frame or the history does not look at it.
func (hs *History) Reliable() float64 {
	if hs.ready == 0 || hs.lags[0] != 1 {
		return math.NaN()
	}
	var s float64
	for _, c := range hs.raw[0] {
		s += float64(c)
	}
	return s / float64(len(hs.raw[0]))
}

func (hs *History) check(op string, im stylize.Image) {
	if im.W != hs.w || im.H != hs.h || len(im.Pix) != 3*hs.w*hs.h {
		panic(fmt.Sprintf("temporal: History.%s: %dx%d image (%d values) in a %dx%d history", op, im.W, im.H, len(im.Pix), hs.w, hs.h))
	}
}
