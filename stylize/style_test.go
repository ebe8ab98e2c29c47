package stylize

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// loadData loads an image of ../shared/data with its longer side size.
func loadData(t *testing.T, path string, size int) picture.Image {
	t.Helper()
	im, err := picture.Load(shared.Path(t, "data/"+path), size)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// paint runs steps of L-BFGS from the content image toward style st.
func paint(t *testing.T, w *vgg.Weights, content picture.Image, st *Style, o Options, steps int) picture.Image {
	t.Helper()
	l, err := NewLadder(w, content, st, o)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := NewOptimizer(LBFGS, 0)
	x := content.Clone()
	if _, err := l.Run(context.Background(), x, steps, opt, nil); err != nil {
		t.Fatal(err)
	}
	return x
}

// meanDiff is the mean absolute difference of a and b over the pixels
// where keep is true (all when keep is nil), in 8-bit levels.
func meanDiff(a, b picture.Image, keep func(x, y int) bool) float64 {
	var s float64
	var n int
	wh := a.W * a.H
	for c := range 3 {
		for y := range a.H {
			for x := range a.W {
				if keep != nil && !keep(x, y) {
					continue
				}
				i := c*wh + y*a.W + x
				s += math.Abs(float64(a.Pix[i] - b.Pix[i]))
				n++
			}
		}
	}
	return 255 * s / float64(n)
}

// TestBlend: blend 1,0 paints the same image as the first style alone,
// bit for bit; an equal blend of two paintings differs from both.
func TestBlend(t *testing.T) {
	w := loadWeights(t)
	content := loadData(t, "content/tubingen_neckarfront.jpg", 48)
	o := DefaultOptions()
	o.Threads = 2
	var styles []*Style
	for _, f := range []string{"styles/starry_night_vangogh.jpg", "styles/the_scream_munch.jpg"} {
		st, err := NewStyle(w, loadData(t, f, 48), o.StyleLayers, o.Pooling, o.Threads)
		if err != nil {
			t.Fatal(err)
		}
		styles = append(styles, st)
	}
	alone := paint(t, w, content, styles[0], o, 20)
	b10, err := Blend(styles, []float64{1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := meanDiff(paint(t, w, content, b10, o, 20), alone, nil); d != 0 {
		t.Errorf("blend 1,0 differs from the first style alone by %.4f levels, want 0", d)
	}
	even, err := Blend(styles, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mixed := paint(t, w, content, even, o, 20)
	second := paint(t, w, content, styles[1], o, 20)
	da, db, ab := meanDiff(mixed, alone, nil), meanDiff(mixed, second, nil), meanDiff(alone, second, nil)
	t.Logf("mean difference in levels: blend 1,1 vs first %.2f, vs second %.2f; first vs second %.2f", da, db, ab)
	if !(da > 1 && db > 1 && da < ab && db < ab) {
		t.Errorf("blend 1,1 is %.2f and %.2f levels from the styles alone (%.2f apart): want it between them", da, db, ab)
	}
}

// TestBlendErrors: bad weights and masks name their fields.
func TestBlendErrors(t *testing.T) {
	st := &Style{Grams: [][]float32{{1}}}
	for _, tc := range []struct {
		name    string
		weights []float64
		masks   []Mask
		field   string
	}{
		{"too few weights", []float64{1}, nil, "StyleBlend"},
		{"negative", []float64{1, -1}, nil, "StyleBlend"},
		{"NaN", []float64{1, math.NaN()}, nil, "StyleBlend"},
		{"all 0", []float64{0, 0}, nil, "StyleBlend"},
		{"one mask for two", nil, []Mask{{}}, "StyleMasks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Blend([]*Style{st, st}, tc.weights, tc.masks)
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Name != tc.field {
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}

// TestMask paints with a mask white on the left half and black on the
// right: before Composite the right half stays near the photo and the
// left is painted; after it the right half is the photo.
func TestMask(t *testing.T) {
	w := loadWeights(t)
	content := loadData(t, "content/tubingen_neckarfront.jpg", 64)
	o := DefaultOptions()
	o.Threads = 2
	st, err := NewStyle(w, loadData(t, "styles/starry_night_vangogh.jpg", 64), o.StyleLayers, o.Pooling, o.Threads)
	if err != nil {
		t.Fatal(err)
	}
	m := Mask{W: 8, H: 8, Pix: make([]float32, 64)}
	for i := range m.Pix {
		if i%8 < 4 {
			m.Pix[i] = 1
		}
	}
	masked, err := Blend([]*Style{st}, nil, []Mask{m})
	if err != nil {
		t.Fatal(err)
	}
	x := paint(t, w, content, masked, o, 40)
	// Away from the edge, where the resampled mask is pure.
	left := func(x, _ int) bool { return x < content.W/2-4 }
	right := func(x, _ int) bool { return x >= content.W/2+4 }
	dl, dr := meanDiff(x, content, left), meanDiff(x, content, right)
	t.Logf("mean difference from the photo: painted half %.2f levels, masked-out half %.2f", dl, dr)
	if !(dl > 3*dr) {
		t.Errorf("painted half %.2f levels from the photo, masked-out half %.2f: want the painted half 3× further", dl, dr)
	}
	Composite(x, content, masked)
	if d := meanDiff(x, content, right); d > 1e-3 {
		t.Errorf("after Composite the masked-out half is %.4f levels from the photo, want 0", d)
	}
	if d := meanDiff(x, content, left); math.Abs(d-dl) > 1e-3 {
		t.Errorf("Composite changed the painted half: %.4f levels from the photo, was %.4f", d, dl)
	}
}

// edges is the mean absolute difference between neighbouring pixels, in
// 8-bit levels: finer strokes make more of it.
func edges(im picture.Image) float64 {
	var s float64
	n := im.W * im.H
	for c := range 3 {
		p := im.Pix[c*n:][:n]
		for y := range im.H {
			for x := 0; x+1 < im.W; x++ {
				s += math.Abs(float64(p[y*im.W+x+1] - p[y*im.W+x]))
			}
		}
	}
	return 255 * s / float64(3*(im.W-1)*im.H)
}

// TestStyleScale paints with the style image at 3/8 and 5/2 of the
// output's size: the smaller one paints finer strokes (more change from
// pixel to pixel).
func TestStyleScale(t *testing.T) {
	w := loadWeights(t)
	dir := shared.Path(t, "data")
	content := loadData(t, "content/tubingen_neckarfront.jpg", 96)
	o := DefaultOptions()
	o.Threads = 2
	var e []float64
	for _, scale := range []float64{0.375, 2.5} {
		spec := StyleSpec{Files: []string{dir + "/styles/starry_night_vangogh.jpg"}, Scale: scale}
		if got := spec.StyleSide(96); got != int(math.Round(96*scale)) {
			t.Errorf("scale %g: style side %d, want %.0f", scale, got, 96*scale)
		}
		st, err := spec.Load(w, content, o)
		if err != nil {
			t.Fatal(err)
		}
		e = append(e, edges(paint(t, w, content, st, o, 40)))
	}
	t.Logf("neighbour differences: style scale 0.375 %.2f levels, 2.5 %.2f (the photo %.2f)", e[0], e[1], edges(content))
	if !(e[0] > 1.2*e[1]) {
		t.Errorf("style scale 0.375 paints %.2f levels between neighbours, 2.5 %.2f: want finer strokes at 0.375", e[0], e[1])
	}
}

// TestSpecErrors: a bad spec names its field.
func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  StyleSpec
		field string
	}{
		{"no style", StyleSpec{}, "Style"},
		{"empty name", StyleSpec{Files: []string{"a.png", ""}}, "Style"},
		{"blend", StyleSpec{Files: []string{"a.png"}, Blend: []float64{1, 1}}, "StyleBlend"},
		{"masks", StyleSpec{Files: []string{"a.png"}, Masks: []string{"m.png", "n.png"}}, "StyleMasks"},
		{"scale", StyleSpec{Files: []string{"a.png"}, Scale: math.Inf(1)}, "StyleScale"},
		{"size", StyleSpec{Files: []string{"a.png"}, Size: -1}, "StyleSize"},
		{"colors", StyleSpec{Files: []string{"a.png"}, Colors: "yiq"}, "Colors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fe *field.Error
			if err := tc.spec.Validate(); !errors.As(err, &fe) || fe.Name != tc.field {
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}
