package temporal

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
)

// shifted returns im moved dx pixels right: out(x, y) = im(x − dx, y),
// with the columns that enter from the left taken from fill.
func shifted(im, fill picture.Image, dx int) picture.Image {
	out := picture.New(im.W, im.H)
	n := im.W * im.H
	for c := 0; c < 3; c++ {
		for y := 0; y < im.H; y++ {
			for x := 0; x < im.W; x++ {
				i := c*n + y*im.W + x
				if x >= dx {
					out.Pix[i] = im.Pix[i-dx]
				} else {
					out.Pix[i] = fill.Pix[i]
				}
			}
		}
	}
	return out
}

// inverted returns 1 − im: a "stylized" frame unlike its content.
func inverted(im picture.Image) picture.Image {
	out := im.Clone()
	for i, v := range out.Pix {
		out.Pix[i] = 1 - v
	}
	return out
}

func catFrames(t *testing.T) (c0, c1, s0 picture.Image) {
	t.Helper()
	photo, err := picture.Load(shared.Path(t, "data/content/chelsea_cat.png"), 128)
	if err != nil {
		t.Fatal(err)
	}
	const dx = 3
	c0 = photo
	c1 = shifted(photo, photo, dx) // the scene pans right by dx pixels
	s0 = inverted(photo)
	return c0, c1, s0
}

// TestHistoryWarmStart pans a photo 3 pixels to the right: the flow warm
// start must carry the stylized frame along, the unreliable pixels (the
// strip entering the frame) included, as the warp fills them.
func TestHistoryWarmStart(t *testing.T) {
	c0, c1, s0 := catFrames(t)
	w, h := c0.W, c0.H
	hs, err := NewHistory(w, h, nil, DefaultFlowOptions())
	if err != nil {
		t.Fatal(err)
	}
	dst := picture.New(w, h)
	if hs.Prepare(c1) || hs.WarmStart(dst) || !math.IsNaN(hs.Reliable()) {
		t.Fatalf("warm start from an empty history (reliable fraction %g)", hs.Reliable())
	}
	hs.Push(c0, s0)
	if !hs.Prepare(c1) || !hs.WarmStart(dst) {
		t.Fatal("no warm start after a frame")
	}
	if a := hs.Anchors(); len(a) != 0 {
		t.Errorf("%d anchors without a temporal loss", len(a))
	}
	want := shifted(s0, s0, 3)
	n := w * h
	var warped, unwarped float64
	count, filled, reliable := 0, 0, 0
	for y := 4; y < h-4; y++ {
		for x := 0; x < w-4; x++ {
			i := y*w + x
			if hs.raw[0][i] == 0 {
				filled++
				for c := 0; c < 3; c++ {
					if dst.Pix[c*n+i] != hs.warped[0].Pix[c*n+i] {
						t.Fatalf("unreliable pixel (%d,%d) is not the warped frame's", x, y)
					}
				}
				continue
			}
			reliable++
			if x < 8 {
				continue // at the entering strip's edge the flow is smoothed
			}
			for c := 0; c < 3; c++ {
				warped += math.Abs(float64(dst.Pix[c*n+i] - want.Pix[c*n+i]))
				unwarped += math.Abs(float64(s0.Pix[c*n+i] - want.Pix[c*n+i]))
			}
			count += 3
		}
	}
	warped /= float64(count)
	unwarped /= float64(count)
	t.Logf("mean error vs the panned stylized frame: warped %.4f, not warped %.4f; %d reliable, %d filled", warped, unwarped, reliable, filled)
	// Measured: warped 0.0006, not warped 0.0786.
	if warped > 0.005 || warped > unwarped/10 {
		t.Errorf("warm start off by %.4f on average (not warping: %.4f)", warped, unwarped)
	}
	if frac := float64(reliable) / float64(reliable+filled); frac < 0.8 {
		t.Errorf("only %.0f%% of the pixels reliable for a pan", 100*frac)
	}
	if got := hs.Reliable(); got < 0.8 || got > 1 {
		t.Errorf("Reliable() = %.3f", got)
	}
}

// TestHistoryAnchors checks the long-term masks: each pixel is anchored
// to the most recent frame that reliably covers it, only lags of the loss
// become anchors, and lag j warps frame t−j.
func TestHistoryAnchors(t *testing.T) {
	c0, c1, s0 := catFrames(t)
	c2 := shifted(c1, c1, 3)
	w, h := c0.W, c0.H
	want2 := shifted(s0, s0, 6) // frame t−2 panned into frame t
	for _, tc := range []struct {
		lags    []int
		anchors int
	}{
		{[]int{1}, 1},
		{[]int{1, 2}, 2},
		{[]int{2}, 1},
		{[]int{1, 2, 4}, 2}, // only two frames held
	} {
		hs, err := NewHistory(w, h, tc.lags, DefaultFlowOptions())
		if err != nil {
			t.Fatal(err)
		}
		hs.Push(c0, s0)
		hs.Push(c1, shifted(s0, s0, 3))
		if hs.Len() != 2 && tc.lags[len(tc.lags)-1] >= 2 {
			t.Fatalf("%v: holds %d frames, want 2", tc.lags, hs.Len())
		}
		if !hs.Prepare(c2) {
			t.Fatalf("lags %v: a pan taken for a scene cut", tc.lags)
		}
		a := hs.Anchors()
		if len(a) != tc.anchors {
			t.Fatalf("lags %v: %d anchors, want %d", tc.lags, len(a), tc.anchors)
		}
		covered := make([]float32, w*h)
		for k, an := range a {
			var sum float64
			for i, m := range an.Mask {
				if m != 0 && covered[i] != 0 {
					t.Fatalf("lags %v: pixel %d anchored twice (anchor %d)", tc.lags, i, k)
				}
				covered[i] += m
				sum += float64(m)
			}
			t.Logf("lags %v: anchor %d covers %.1f%% of the pixels", tc.lags, k, 100*sum/float64(w*h))
			if k == 0 && sum < 0.8*float64(w*h) {
				t.Errorf("lags %v: first anchor covers only %.0f pixels", tc.lags, sum)
			}
		}
		// Lag 2 warps frame t−2 (measured: off by 0.0006 on average).
		if k := slices.Index(hs.lags, 2); k >= 0 {
			if e := meanErrOn(hs.warped[k], want2, hs.raw[k], 12); !(e < 0.005) {
				t.Errorf("lags %v: frame t−2 warped into t is off by %.4f on its reliable pixels", tc.lags, e)
			}
		}
		hs.Reset()
		if hs.Len() != 0 || len(hs.Anchors()) != 0 {
			t.Errorf("lags %v: Reset left %d frames", tc.lags, hs.Len())
		}
	}
}

// meanErrOn is the mean absolute difference of a and b over the pixels
// where mask is positive, at least margin pixels from the left and right.
func meanErrOn(a, b picture.Image, mask []float32, margin int) float64 {
	n := a.W * a.H
	var s float64
	count := 0
	for i, m := range mask {
		if x := i % a.W; m == 0 || x < margin || x >= a.W-margin {
			continue
		}
		for c := 0; c < 3; c++ {
			s += math.Abs(float64(a.Pix[c*n+i] - b.Pix[c*n+i]))
		}
		count += 3
	}
	return s / float64(count)
}

// TestHistoryCut: across a scene cut Prepare reports no continuation and
// prepares nothing; one frame later it looks back at the new shot only.
func TestHistoryCut(t *testing.T) {
	c0, c1, s0 := catFrames(t)
	other := inverted(shifted(c0, c0, 40)) // another scene
	hs, err := NewHistory(c0.W, c0.H, []int{1, 2}, DefaultFlowOptions())
	if err != nil {
		t.Fatal(err)
	}
	hs.Push(other, s0)
	if hs.Prepare(c0) || len(hs.Anchors()) != 0 {
		t.Fatalf("a cut taken for a continuation (reliable %.2f)", hs.Reliable())
	}
	t.Logf("across the cut %.1f%% of the pixels look reliable", 100*hs.Reliable())
	hs.Push(c0, s0)
	if !hs.Prepare(c1) || len(hs.Anchors()) != 1 {
		t.Fatalf("after the cut: %d anchors, want 1 (lag 2 is before the cut)", len(hs.Anchors()))
	}
}

func TestNewHistoryErrors(t *testing.T) {
	for _, lags := range [][]int{{0}, {2, 1}, {1, 1}, {-1}, {1, MaxLag + 1}} {
		if _, err := NewHistory(8, 8, lags, DefaultFlowOptions()); err == nil || !strings.Contains(err.Error(), "TemporalFrames") {
			t.Errorf("lags %v: err = %v", lags, err)
		}
	}
}
