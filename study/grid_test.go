package study

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"sync"
	"testing"
	"time"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// gatysLayers are Gatys et al.'s content and style layers.
var gatysLayers = struct{ content, style []vgg.Point }{
	content: []vgg.Point{{Conv: 9, ReLU: true}},
	style:   []vgg.Point{{Conv: 0, ReLU: true}, {Conv: 2, ReLU: true}, {Conv: 4, ReLU: true}, {Conv: 8, ReLU: true}, {Conv: 12, ReLU: true}},
}

// tutorialLayers are the PyTorch tutorial's, which the study used:
// content conv2_2, style conv1_1..conv3_1, before their ReLUs.
var tutorialLayers = struct{ content, style []vgg.Point }{
	content: []vgg.Point{{Conv: 3}},
	style:   []vgg.Point{{Conv: 0}, {Conv: 1}, {Conv: 2}, {Conv: 3}, {Conv: 4}},
}

// fastSettings are small-run settings on the shared weights (deep enough
// for the Gatys layers).
func fastSettings(t *testing.T, threads, steps int) Settings {
	t.Helper()
	path := shared.Weights(t)
	w, err := loadFastWeights(path)
	if err != nil {
		t.Fatal(err)
	}
	return Settings{Net: w, Options: stylize.Options{Normalization: stylize.Default, Weights: stylize.Weights{Content: 1, Style: 10},
		Optimizer: stylize.LBFGS, Steps: steps, Seed: 1, Threads: threads}}
}

var (
	fastMu    sync.Mutex
	fastCache = map[string]*vgg.Weights{}
)

func loadFastWeights(path string) (*vgg.Weights, error) {
	fastMu.Lock()
	defer fastMu.Unlock()
	if w, ok := fastCache[path]; ok {
		return w, nil
	}
	w, err := vgg.Load(path, 13)
	if err != nil {
		return nil, err
	}
	fastCache[path] = w
	return w, nil
}

// sharedImage loads a shared data image at size px.
func sharedImage(t *testing.T, rel string, size int) picture.Image {
	t.Helper()
	im, err := picture.Load(shared.Path(t, "data/"+rel), size)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func TestGridLayoutAndThreads(t *testing.T) {
	contents := []picture.Image{sharedImage(t, "content/chelsea_cat.png", 32), sharedImage(t, "content/tubingen_neckarfront.jpg", 32)}
	styles := []picture.Image{sharedImage(t, "styles/starry_night_vangogh.jpg", 32)}
	for _, threads := range []int{1, 2} {
		t.Run(map[int]string{1: "sequential", 2: "parallel"}[threads], func(t *testing.T) {
			s := fastSettings(t, threads, 5)
			var mu sync.Mutex
			first := map[string]time.Time{}
			last := map[string]time.Time{}
			// With two threads the pairs must run at once: the first
			// pair's first step waits for the other pair to start.
			seen := make(chan struct{})
			var once sync.Once
			s.OnStep = func(label string, st stylize.Step) {
				mu.Lock()
				if _, ok := first[label]; !ok {
					first[label] = time.Now()
				}
				last[label] = time.Now()
				mu.Unlock()
				if threads < 2 || st.N != 1 {
					return
				}
				if label == GridLabel(0, 0) {
					select {
					case <-seen:
					case <-time.After(30 * time.Second):
						t.Error("with 2 threads the second pair did not start while the first ran")
					}
				} else {
					once.Do(func() { close(seen) })
				}
			}
			runs, err := s.Grid(context.Background(), contents, styles, gatysLayers.content, gatysLayers.style)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != 2 || len(runs[0]) != 1 || len(runs[1]) != 1 {
				t.Fatalf("runs are %d×%d, want 2×1", len(runs), len(runs[0]))
			}
			for i, row := range runs {
				r := row[0]
				if r.Label != GridLabel(i, 0) {
					t.Errorf("run %d is labelled %q, want %q", i, r.Label, GridLabel(i, 0))
				}
				if r.Image.W != contents[i].W || r.Image.H != contents[i].H {
					t.Errorf("run %d is %dx%d, want the content's %dx%d", i, r.Image.W, r.Image.H, contents[i].W, contents[i].H)
				}
				if len(r.Steps) == 0 || len(r.Steps) > 5 {
					t.Errorf("run %d took %d steps, want 1..5", i, len(r.Steps))
				}
				if r.Steps[0].Loss.Content != 0 {
					t.Errorf("run %d did not start from its content image: content loss %g at step 1", i, r.Steps[0].Loss.Content)
				}
				// Together the pairs running at once use at most s.Threads.
				if got, want := r.Options.Threads*min(threads, 2), threads; got > want {
					t.Errorf("run %d used %d threads, %d with the other pair, more than %d", i, r.Options.Threads, got, want)
				}
			}
			a, b := GridLabel(0, 0), GridLabel(1, 0)
			overlap := first[a].Before(last[b]) && first[b].Before(last[a])
			if threads == 1 && overlap {
				t.Error("with 1 thread the pairs ran at the same time")
			}

			cell := 40
			cells := func(names ...string) []figure.Cell {
				var cs []figure.Cell
				for _, n := range names {
					im := image.NewNRGBA(image.Rect(0, 0, 32, 20))
					draw.Draw(im, im.Bounds(), image.NewUniform(color.NRGBA{R: 200, G: 40, B: 40, A: 255}), image.Point{}, draw.Src)
					cs = append(cs, figure.Cell{Label: n, Image: im})
				}
				return cs
			}
			m := GridImage(cells("cat", "tubingen"), cells("starry"), runs, cell)
			w, h := figure.SheetSize(3*2, 2, cell)
			if m.Bounds().Dx() != w || m.Bounds().Dy() != h {
				t.Errorf("grid image is %v, want %dx%d (3 rows of 2 cells)", m.Bounds().Size(), w, h)
			}
			// The top-left cell is empty (white), the result cells are not.
			if !blank(m, figure.CellBox(0, 2, cell)) {
				t.Error("the top-left cell is not empty")
			}
			for _, i := range []int{1, 2, 3, 4, 5} {
				if blank(m, figure.CellBox(i, 2, cell)) {
					t.Errorf("cell %d is empty", i)
				}
			}
		})
	}
}

func blank(m *image.NRGBA, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := m.NRGBAAt(x, y)
			if c.R != 255 || c.G != 255 || c.B != 255 {
				return false
			}
		}
	}
	return true
}

func TestSplitThreads(t *testing.T) {
	for _, c := range []struct{ threads, jobs, workers, each int }{
		{1, 4, 1, 1}, {2, 4, 2, 1}, {3, 4, 3, 1}, {4, 2, 2, 2}, {5, 2, 2, 2}, {8, 4, 4, 2}, {0, 3, 1, 1},
	} {
		w, e := split(c.threads, c.jobs)
		if w != c.workers || e != c.each {
			t.Errorf("split(%d, %d) = %d, %d; want %d, %d", c.threads, c.jobs, w, e, c.workers, c.each)
		}
		if w*e > max(1, c.threads) {
			t.Errorf("split(%d, %d) uses %d threads", c.threads, c.jobs, w*e)
		}
	}
}

// TestPaintColors: with Luminance a painting keeps the photo's chroma
// within a few levels; without, it takes the painting's; StyleScale
// resizes the style image before its Grams are computed.
func TestPaintColors(t *testing.T) {
	s := fastSettings(t, 2, 15)
	content, err := picture.Load(shared.Path(t, "data/content/chelsea_cat.png"), 48)
	if err != nil {
		t.Fatal(err)
	}
	style, err := picture.Load(shared.Path(t, "data/styles/great_wave_kanagawa_hokusai.jpg"), 48)
	if err != nil {
		t.Fatal(err)
	}
	chroma := func(a, b picture.Image) float64 {
		n := a.W * a.H
		var d float64
		for i := range n {
			ya := 0.299*a.Pix[i] + 0.587*a.Pix[n+i] + 0.114*a.Pix[2*n+i]
			yb := 0.299*b.Pix[i] + 0.587*b.Pix[n+i] + 0.114*b.Pix[2*n+i]
			d += float64(abs32(a.Pix[2*n+i]-ya-(b.Pix[2*n+i]-yb)) + abs32(a.Pix[i]-ya-(b.Pix[i]-yb)))
		}
		return 255 * d / float64(2*n)
	}
	var got []float64
	for _, tc := range []struct {
		colors stylize.Colors
		scale  float64
	}{{stylize.StyleColors, 0}, {stylize.Luminance, 0}, {stylize.Luminance, 1.5}} {
		s.Colors, s.StyleScale = tc.colors, tc.scale
		r, err := s.Paint(context.Background(), "cat", content, style, content, gatysLayers.content, gatysLayers.style)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chroma(r.Image, content))
	}
	t.Logf("chroma from the photo's, in levels: style colours %.2f, luminance %.2f, luminance at style scale 1.5 %.2f", got[0], got[1], got[2])
	if !(got[1] < 3 && got[2] < 3 && got[0] > 3*got[1]) {
		t.Errorf("chroma from the photo's: style colours %.2f, luminance %.2f and %.2f: want luminance within 3 levels and 3× nearer", got[0], got[1], got[2])
	}
}

func abs32(v float32) float32 { return max(v, -v) }
