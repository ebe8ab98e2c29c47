package study

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogh-video/gogh/stylize"
)

// fakeRun is a run whose losses fall geometrically from style0 and
// content0; content0 = 0 makes its content loss 0 at step 1, as for a run
// from the content image.
func fakeRun(label string, steps int, style0, content0 float64) Run {
	r := Run{Label: label}
	for n := 1; n <= steps; n++ {
		k := 1 / float64(n*n)
		c := content0 * k
		if content0 == 0 {
			c = 100 * float64(n-1) / float64(steps)
		}
		l := stylize.Loss{Style: style0 * k, Content: c}
		l.Total = l.Style + l.Content
		r.Steps = append(r.Steps, stylize.Step{N: n, Loss: l, Elapsed: time.Duration(n) * time.Millisecond})
	}
	r.Loss = r.Steps[len(r.Steps)-1].Loss
	return r
}

func TestLossPlot(t *testing.T) {
	dir := t.TempDir()
	runs := []Run{fakeRun(FromContentLabel, 40, 1e4, 0), fakeRun(FromNoiseLabel, 40, 1e6, 3e3)}
	pngPath, svgPath := filepath.Join(dir, "loss.png"), filepath.Join(dir, "loss.svg")
	if err := LossPlot(runs, pngPath, svgPath); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if sz := m.Bounds().Size(); sz.X < 300 || sz.Y < 200 {
		t.Errorf("the PNG is %v, too small for a chart", sz)
	}
	// Not blank: lines of several colours.
	colours := map[[3]uint32]bool{}
	for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
		for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
			r, g, b, _ := m.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
		}
	}
	if len(colours) < 4 {
		t.Errorf("the PNG has %d colours: blank?", len(colours))
	}
	s, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s), "<svg") {
		t.Error("the SVG has no <svg element")
	}
	for _, legend := range []string{FromContentLabel + ": style", FromContentLabel + ": content", FromNoiseLabel + ": style", FromNoiseLabel + ": content"} {
		if !strings.Contains(string(s), legend) {
			t.Errorf("the SVG has no legend %q", legend)
		}
	}

	// Nothing a log scale can show: an error, not a panic.
	zero := Run{Label: "zero", Steps: []stylize.Step{{N: 1}}}
	if err := LossPlot([]Run{zero}, filepath.Join(dir, "zero.png"), ""); err == nil {
		t.Error("plotting only zero losses did not fail")
	}
}
