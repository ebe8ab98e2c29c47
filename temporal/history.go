package temporal

import (
	"fmt"
	"math"
	"slices"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
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
	warped   []picture.Image // per lag: stylized t−j warped into t
	anchors  []Anchor
	ready    int // lags prepared for the current frame
}

type frame struct{ content, styled picture.Image }

// Anchor is a temporal-loss target of frame t: a stylized frame t−j
// warped into frame t, and the weight of each pixel (W·H values in 0..1):
// its long-term reliability mask. stylize.Anchor has the same fields.
type Anchor struct {
	Image picture.Image
	Mask  []float32
}

// CutReliable is the fraction of a frame's pixels that the flow from an
// earlier frame must track reliably for History to look back at it: below
// it, as across a scene cut, the two frames are taken to show different
// scenes (consecutive frames of the test clips measure 0.87–0.93).
const CutReliable = 0.25

// MaxLag bounds the frame distances of the temporal loss: a History holds
// two images per frame back.
const MaxLag = 32

// CheckLags checks temporal-loss frame distances: ascending, no repeats,
// from 1 to MaxLag. Its errors name the TemporalFrames field (of
// pipeline.Config).
func CheckLags(lags []int) error {
	for i, j := range lags {
		if j < 1 || j > MaxLag || (i > 0 && j <= lags[i-1]) {
			return field.Errorf("TemporalFrames", "want ascending frame distances from 1 to %d, got %v", MaxLag, lags)
		}
	}
	return nil
}

// NewHistory returns an empty history for w×h frames. lags are the frames
// back (1 = the previous frame) whose warped stylized versions become
// temporal anchors (see CheckLags); the previous frame is always looked
// at, for the warm start and to detect scene cuts.
func NewHistory(w, h int, lags []int, opt FlowOptions) (*History, error) {
	if err := CheckLags(lags); err != nil {
		return nil, err
	}
	all := slices.Clone(lags)
	if !slices.Contains(all, 1) {
		all = append([]int{1}, all...)
	}
	hs := &History{w: w, h: h, lags: all}
	hs.est = NewEstimator(w, h, opt)
	for range all[len(all)-1] {
		hs.past = append(hs.past, frame{picture.New(w, h), picture.New(w, h)})
	}
	for _, j := range all {
		hs.loss = append(hs.loss, slices.Contains(lags, j))
		hs.fwd = append(hs.fwd, NewFlow(w, h))
		hs.bwd = append(hs.bwd, NewFlow(w, h))
		hs.raw = append(hs.raw, make([]float32, w*h))
		hs.long = append(hs.long, make([]float32, w*h))
		hs.warped = append(hs.warped, picture.New(w, h))
	}
	return hs, nil
}

// Reset forgets every frame, as at the start of a new chain.
func (hs *History) Reset() { hs.n, hs.ready = 0, 0 }

// Len returns the number of past frames held.
func (hs *History) Len() int { return hs.n }

// Push records frame t (its content and stylized versions, copied) as
// the newest past frame, once it is painted.
func (hs *History) Push(content, styled picture.Image) {
	hs.ready = 0
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
// stylized frames t−j warped into frame t. It stops at the first frame
// that the flow tracks on fewer than CutReliable of the pixels: that frame
// and older ones are from before a scene cut. It reports whether frame t
// continues the previous frame: false with no previous frame or across a
// cut, when the frame should start afresh.
//
// The long-term mask of loss lag j keeps only the reliable pixels that no
// shorter loss lag covers: max(c_j − Σ_{k<j} c_k, 0), so that every pixel is
// anchored to the most recent frame in which it was visible.
func (hs *History) Prepare(content picture.Image) bool {
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
		if fraction(hs.raw[k]) < CutReliable {
			break
		}
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
	return hs.ready > 0
}

// WarmStart writes into dst the stylized frame t−1 warped along the flow
// into frame t: every pixel, the unreliable ones too (disoccluded, from
// outside the frame, at motion boundaries), which the warp fills from
// their neighbours in frame t−1. Those are painted, if not where they
// belong, and the temporal loss leaves them free; filling them from the
// content frame instead put unpainted photo into a quarter of a moving
// frame (measured on the cockatoo clip), which the frame's few steps did
// not repaint. It reports false, leaving dst alone, when Prepare has no
// previous frame to warp.
func (hs *History) WarmStart(dst picture.Image) bool {
	if hs.ready == 0 {
		return false
	}
	hs.check("WarmStart", dst)
	copy(dst.Pix, hs.warped[0].Pix)
	return true
}

// Anchors returns the temporal anchors that Prepare made for the loss
// lags: each warped stylized frame with its long-term mask. The slices
// stay valid until the next Prepare.
func (hs *History) Anchors() []Anchor {
	hs.anchors = hs.anchors[:0]
	for k := range hs.ready {
		if hs.loss[k] {
			hs.anchors = append(hs.anchors, Anchor{Image: hs.warped[k], Mask: hs.long[k]})
		}
	}
	return hs.anchors
}

// Reliable returns the fraction of frame t's pixels that the previous
// frame's warp covers reliably, after Prepare; NaN when there was no
// previous frame.
func (hs *History) Reliable() float64 {
	if hs.n == 0 {
		return math.NaN()
	}
	return fraction(hs.raw[0])
}

// fraction returns the mean of a mask.
func fraction(m []float32) float64 {
	var s float64
	for _, c := range m {
		s += float64(c)
	}
	return s / float64(len(m))
}

func (hs *History) check(op string, im picture.Image) {
	if im.W != hs.w || im.H != hs.h || len(im.Pix) != 3*hs.w*hs.h {
		panic(fmt.Sprintf("temporal: History.%s: %dx%d image (%d values) in a %dx%d history", op, im.W, im.H, len(im.Pix), hs.w, hs.h))
	}
}
