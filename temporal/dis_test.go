package temporal

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
)

// loadShared loads a shared image, scaled so that its longer side is size
// (size ≤ 0: as is).
func loadShared(t testing.TB, rel string, size int) picture.Image {
	t.Helper()
	im, err := picture.Load(shared.Path(t, rel), size)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// estimateFlow runs a fresh default Estimator from a to b.
func estimateFlow(a, b picture.Image) Flow {
	f := NewFlow(a.W, a.H)
	NewEstimator(a.W, a.H, DefaultFlowOptions()).Flow(a, b, f)
	return f
}

func TestFlowChairs(t *testing.T) {
	img1 := readPPM(t, shared.Path(t, chairs+"00001_img1.ppm"))
	img2 := readPPM(t, shared.Path(t, chairs+"00001_img2.ppm"))
	gt, err := ReadFlo(shared.Path(t, chairs+"00001_flow.flo"))
	if err != nil {
		t.Fatal(err)
	}
	got, zero := EndPointError(estimateFlow(img1, img2), gt, 0), EndPointError(NewFlow(50, 50), gt, 0)
	t.Logf("EPE %.4f px, zero flow %.4f px", got, zero)
	// Measured 0.327, zero flow 1.441 (OpenCV DIS medium: 0.579).
	if !(got <= 0.4) || !(zero > 1) {
		t.Errorf("EPE %.4f px (zero flow %.4f), want ≤ 0.4 (zero flow > 1)", got, zero)
	}
}

// syntheticFlow returns the named smooth flow on a w×h grid (see
// TestFlowSynthetic).
func syntheticFlow(name string, w, h int) Flow {
	f := NewFlow(w, h)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	sigma := 0.2 * float64(w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			var u, v float64
			switch name {
			case "translate":
				u, v = 3.5, -2.25
			case "rotate":
				s, c := math.Sincos(3 * math.Pi / 180)
				u, v = c*dx-s*dy-dx, s*dx+c*dy-dy
			case "zoom":
				u, v = 0.04*dx, 0.04*dy
			case "swirl":
				a := 10 * math.Pi / 180 * math.Exp(-(dx*dx+dy*dy)/(2*sigma*sigma))
				s, c := math.Sincos(a)
				u, v = c*dx-s*dy-dx, s*dx+c*dy-dy
			default:
				panic(name)
			}
			f.U[y*w+x], f.V[y*w+x] = float32(u), float32(v)
		}
	}
	return f
}

// TestFlowSynthetic recovers known smooth flows from warped copies of a
// photo: from = Warp(photo, gt), to = photo, so that from(x) = to(x +
// gt(x)) and the flow from `from` to `to` is gt.
func TestFlowSynthetic(t *testing.T) {
	photo := loadShared(t, "data/content/tubingen_neckarfront.jpg", 256)
	e := NewEstimator(photo.W, photo.H, DefaultFlowOptions())
	from, got := picture.New(photo.W, photo.H), NewFlow(photo.W, photo.H)
	for _, c := range []struct {
		name string
		max  float64 // px; measured: see comments
	}{
		{"translate", 0.03}, // (3.5, −2.25) px: 0.023 (zero flow 4.16)
		{"rotate", 0.055},   // 3° about the centre: 0.043 (zero flow 4.18)
		{"zoom", 0.045},     // ×1.04: 0.034 (zero flow 3.07)
		{"swirl", 0.075},    // ≤ 10°, Gaussian falloff: 0.061 (zero flow 3.52)
	} {
		gt := syntheticFlow(c.name, photo.W, photo.H)
		Warp(photo, gt, from)
		e.Flow(from, photo, got)
		// Over the pixels whose target stays 8 px inside the image.
		got, zero := EndPointError(got, gt, 8), EndPointError(NewFlow(photo.W, photo.H), gt, 8)
		t.Logf("%s: EPE %.4f px, zero flow %.4f px", c.name, got, zero)
		if !(got <= c.max) || !(zero > 10*got) {
			t.Errorf("%s: EPE %.4f px (zero flow %.4f), want ≤ %v and a tenth of zero flow's", c.name, got, zero, c.max)
		}
	}
}

// TestFlowMiddlebury checks real pairs without ground truth by how well
// the second frame warped by the flow reconstructs the first.
func TestFlowMiddlebury(t *testing.T) {
	for _, c := range []struct {
		seq      string
		maxRatio float64 // of the unwarped error; measured: see comments
	}{
		{"RubberWhale", 0.28}, // 0.00544 / 0.02277 = 0.239
		{"Venus", 0.32},       // 0.01436 / 0.05106 = 0.281
		{"Dimetrodon", 0.32},  // 0.00648 / 0.02315 = 0.280
	} {
		dir := "data/frames/middlebury_" + c.seq + "/"
		a, b := loadShared(t, dir+"frame10.png", 0), loadShared(t, dir+"frame11.png", 0)
		warped := picture.New(a.W, a.H)
		Warp(b, estimateFlow(a, b), warped)
		got, none := meanAbs(a, warped, nil), meanAbs(a, b, nil)
		t.Logf("%s %dx%d: mean |frame10 − warped frame11| %.5f, unwarped %.5f, ratio %.3f",
			c.seq, a.W, a.H, got, none, got/none)
		if !(got <= c.maxRatio*none) {
			t.Errorf("%s: warped error %.5f is %.3f of unwarped, want ≤ %v", c.seq, got, got/none, c.maxRatio)
		}
	}
}

// TestFlowReliability estimates both flows of a real pair and checks that
// Ruder et al.'s forward-backward test finds them consistent almost
// everywhere, and that warping by them beats not warping.
func TestFlowReliability(t *testing.T) {
	dir := "data/frames/middlebury_RubberWhale/"
	prev, cur := loadShared(t, dir+"frame10.png", 0), loadShared(t, dir+"frame11.png", 0)
	e := NewEstimator(prev.W, prev.H, DefaultFlowOptions())
	bwd, fwd := NewFlow(prev.W, prev.H), NewFlow(prev.W, prev.H)
	e.Flow(cur, prev, bwd)
	e.Flow(prev, cur, fwd)
	mask := Reliability(fwd, bwd)
	var n float64
	for _, c := range mask {
		n += float64(c)
	}
	frac := n / float64(len(mask))
	warped, unwarped := WarpingError(prev, cur, bwd, mask), WarpingError(prev, cur, NewFlow(cur.W, cur.H), mask)
	t.Logf("reliable %.1f%% of pixels; warping error on them %.6f, unwarped %.6f", 100*frac, warped, unwarped)
	// Measured: 92.2% reliable; errors 0.000052 and 0.001509 (ratio 0.034).
	if !(frac >= 0.85) {
		t.Errorf("%.1f%% of pixels reliable, want ≥ 85%%", 100*frac)
	}
	if !(warped <= 0.06*unwarped) {
		t.Errorf("warping error %.6f, want ≤ 0.06 × unwarped %.6f", warped, unwarped)
	}
}

func TestFlowPanics(t *testing.T) {
	opt := DefaultFlowOptions()
	e := NewEstimator(8, 6, opt)
	good := picture.New(8, 6)
	cases := map[string]func(){
		"from size":  func() { e.Flow(picture.New(6, 8), good, NewFlow(8, 6)) },
		"to size":    func() { e.Flow(good, picture.New(8, 5), NewFlow(8, 6)) },
		"from pix":   func() { e.Flow(picture.Image{W: 8, H: 6, Pix: good.Pix[:47]}, good, NewFlow(8, 6)) },
		"dst size":   func() { e.Flow(good, good, NewFlow(8, 5)) },
		"dst values": func() { e.Flow(good, good, Flow{W: 8, H: 6, U: make([]float32, 48), V: nil}) },
		"zero size":  func() { NewEstimator(0, 6, opt) },
		"zero value": func() { NewEstimator(8, 6, FlowOptions{}) },
		"stride":     func() { o := opt; o.PatchStride = o.PatchSize + 1; NewEstimator(8, 6, o) },
		"scale":      func() { o := opt; o.FinestScale = -1; NewEstimator(8, 6, o) },
		"sor":        func() { o := opt; o.SORIters = 0; NewEstimator(8, 6, o) },
		"alpha":      func() { o := opt; o.Alpha = float32(math.NaN()); NewEstimator(8, 6, o) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "temporal: ") {
					t.Errorf("panic %v, want a temporal: message", r)
				}
			}()
			f()
		})
	}
}

// TestFlowReuse checks that an Estimator allocates nothing per call and
// carries no state from one call to the next.
func TestFlowReuse(t *testing.T) {
	photo := loadShared(t, "data/content/tubingen_neckarfront.jpg", 128)
	from := picture.New(photo.W, photo.H)
	Warp(photo, syntheticFlow("swirl", photo.W, photo.H), from)
	e := NewEstimator(photo.W, photo.H, DefaultFlowOptions())
	first, again := NewFlow(photo.W, photo.H), NewFlow(photo.W, photo.H)
	e.Flow(from, photo, first)
	e.Flow(photo, from, again) // a different pair in between
	e.Flow(from, photo, again)
	for i := range first.U {
		if first.U[i] != again.U[i] || first.V[i] != again.V[i] {
			t.Fatalf("pixel %d: (%v, %v) after another pair, (%v, %v) before",
				i, again.U[i], again.V[i], first.U[i], first.V[i])
		}
	}
	if a := testing.AllocsPerRun(5, func() { e.Flow(from, photo, again) }); a != 0 {
		t.Errorf("%v allocations per Flow, want 0", a)
	}
}

// TestFlowSmall runs the estimator on images smaller than (or barely as
// large as) a patch and on flat images: no panic, finite flows, and zero
// flow where nothing moves.
func TestFlowSmall(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {2, 3}, {7, 5}, {8, 8}, {9, 300}, {300, 9}, {17, 16}, {33, 20}} {
		w, h := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			a, b := picture.Noise(w, h, 1), picture.Noise(w, h, 2)
			e := NewEstimator(w, h, DefaultFlowOptions())
			f := NewFlow(w, h)
			e.Flow(a, b, f)
			for i := range f.U {
				if math.IsNaN(float64(f.U[i])) || math.IsInf(float64(f.U[i]), 0) ||
					math.IsNaN(float64(f.V[i])) || math.IsInf(float64(f.V[i]), 0) {
					t.Fatalf("pixel %d: flow (%v, %v)", i, f.U[i], f.V[i])
				}
			}
			flat := picture.New(w, h)
			for i := range flat.Pix {
				flat.Pix[i] = 0.5
			}
			e.Flow(flat, flat, f)
			for i := range f.U {
				if f.U[i] != 0 || f.V[i] != 0 {
					t.Fatalf("flat image, pixel %d: flow (%v, %v)", i, f.U[i], f.V[i])
				}
			}
		})
	}
}

// TestFlowOptions checks other settings on the rotated synthetic pair
// (see TestFlowSynthetic).
func TestFlowOptions(t *testing.T) {
	photo := loadShared(t, "data/content/tubingen_neckarfront.jpg", 256)
	gt := syntheticFlow("rotate", photo.W, photo.H)
	from := picture.New(photo.W, photo.H)
	Warp(photo, gt, from)
	def := DefaultFlowOptions()
	full, medium, fast, raw, disjoint := AccurateFlowOptions(), def, def, def, def
	// OpenCV's presets: no refinement below the finest scale.
	medium.GDIters, medium.VarIters, medium.FineVarIters, medium.Alpha = 12, 5, 0, 20
	fast.FinestScale, fast.PatchStride, fast.GDIters, fast.VarIters, fast.FineVarIters, fast.Alpha = 2, 4, 8, 5, 0, 20
	raw.VarIters, raw.FineVarIters = 0, 0
	disjoint.PatchSize, disjoint.PatchStride = 7, 7
	for _, c := range []struct {
		name string
		opt  FlowOptions
		max  float64 // EPE, px
	}{
		// Measured: 0.043, 0.029, 0.105, 0.387, 0.163, 0.283.
		{"default", def, 0.055},
		{"accurate (full resolution)", full, 0.04},
		{"like OpenCV medium", medium, 0.13},
		{"like OpenCV fast", fast, 0.48},
		{"no refinement", raw, 0.2},
		{"disjoint odd patches", disjoint, 0.35},
	} {
		f := NewFlow(photo.W, photo.H)
		NewEstimator(photo.W, photo.H, c.opt).Flow(from, photo, f)
		got := EndPointError(f, gt, 8)
		t.Logf("%s: EPE %.4f px", c.name, got)
		if !(got <= c.max) {
			t.Errorf("%s: EPE %.4f px, want ≤ %v", c.name, got, c.max)
		}
	}
}

func BenchmarkFlow(b *testing.B) {
	for _, sz := range [][2]int{{256, 144}, {512, 288}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			dir := "data/frames/middlebury_RubberWhale/"
			from, err := picture.LoadSized(shared.Path(b, dir+"frame10.png"), sz[0], sz[1])
			if err != nil {
				b.Fatal(err)
			}
			to, err := picture.LoadSized(shared.Path(b, dir+"frame11.png"), sz[0], sz[1])
			if err != nil {
				b.Fatal(err)
			}
			e := NewEstimator(sz[0], sz[1], DefaultFlowOptions())
			dst := NewFlow(sz[0], sz[1])
			for b.Loop() {
				e.Flow(from, to, dst)
			}
		})
	}
}
