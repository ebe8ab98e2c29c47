package figure

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestTiles(t *testing.T) {
	solid := func(c color.NRGBA) image.Image {
		m := image.NewNRGBA(image.Rect(0, 0, 6, 4))
		for i := 0; i < len(m.Pix); i += 4 {
			m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		return m
	}
	red, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}
	pics := []image.Image{solid(red), solid(blue), solid(red)}
	m := Tiles(pics, []string{"a", "b", "c"}, 2)
	w, h := TilesSize(3, 2, 6, 4)
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h || w != 12 || h != 2*(4+TileLabelH) {
		t.Fatalf("tiles %v, TilesSize %dx%d; want 12x%d", b, w, h, 2*(4+TileLabelH))
	}
	for _, tc := range []struct {
		x, y int
		want color.NRGBA
	}{
		{0, TileLabelH, red},                        // first picture, top left
		{11, TileLabelH + 3, blue},                  // second, bottom right
		{5, 2*TileLabelH + 4, red},                  // third, on the second row
		{11, 2*TileLabelH + 4, color.NRGBA{A: 255}}, // the empty fourth tile is black
	} {
		if got := m.NRGBAAt(tc.x, tc.y); got != tc.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

func TestSeriesPlot(t *testing.T) {
	dir := t.TempDir()
	png, svg := filepath.Join(dir, "p.png"), filepath.Join(dir, "p.svg")
	series := []Series{
		{Name: "a", X: []float64{1, 2, 3}, Y: []float64{0.1, math.NaN(), 0.3}},
		{Name: "b", X: []float64{1, 2, 3}, Y: []float64{0.2, 0.2, 0.2}},
	}
	if err := SeriesPlot("t", "x", "y", series, png, svg); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{png, svg} {
		if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", p, err)
		}
	}
	empty := []Series{{Name: "a", X: []float64{1}, Y: []float64{math.Inf(1)}}}
	if err := SeriesPlot("t", "x", "y", empty, png, ""); err == nil {
		t.Error("a plot of no finite points")
	}
	for _, tk := range (wholeTicks{}).Ticks(0.5, 3.5) {
		if tk.Label != "" && tk.Value != math.Trunc(tk.Value) {
			t.Errorf("tick %v labelled %q", tk.Value, tk.Label)
		}
	}
}
