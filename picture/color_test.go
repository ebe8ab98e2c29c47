package picture

import (
	"math"
	"slices"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
)

func loadShared(t *testing.T, path string, w, h int) Image {
	t.Helper()
	im, err := LoadSized(shared.Path(t, "data/"+path), w, h)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// ycc returns the luma and the two colour differences (B−Y, R−Y) of pixel i.
func ycc(im Image, i int) (y, cb, cr float64) {
	n := im.W * im.H
	r, g, b := float64(im.Pix[i]), float64(im.Pix[n+i]), float64(im.Pix[2*n+i])
	y = 0.299*r + 0.587*g + 0.114*b
	return y, b - y, r - y
}

// TestKeepChroma: a painting given a photo's colours keeps its own
// luminance and takes the photo's chroma, within a few 8-bit levels on
// average (clamping to 0..1 moves the rest).
func TestKeepChroma(t *testing.T) {
	photo := loadShared(t, "content/tubingen_neckarfront.jpg", 96, 64)
	painting := loadShared(t, "styles/starry_night_vangogh.jpg", 96, 64)
	out := painting.Clone()
	KeepChroma(out, photo)
	var dy, dc, before float64
	n := out.W * out.H
	for i := range n {
		y0, _, _ := ycc(painting, i)
		y1, cb1, cr1 := ycc(out, i)
		_, cb, cr := ycc(photo, i)
		_, pb, pr := ycc(painting, i)
		dy += math.Abs(y1 - y0)
		dc += (math.Abs(cb1-cb) + math.Abs(cr1-cr)) / 2
		before += (math.Abs(pb-cb) + math.Abs(pr-cr)) / 2
	}
	dy, dc, before = 255*dy/float64(n), 255*dc/float64(n), 255*before/float64(n)
	t.Logf("mean in 8-bit levels: luma moved %.2f; chroma from the photo's %.2f (the painting's own: %.2f)", dy, dc, before)
	if dy > 2 || dc > 3 || before < 10 {
		t.Errorf("luma moved %.2f levels (want ≤ 2), chroma %.2f from the photo's (want ≤ 3, from %.2f)", dy, dc, before)
	}
}

// TestMatchHistogram: each channel of the matched image has the values
// of the reference's at the same ranks, and keeps the order of its own.
func TestMatchHistogram(t *testing.T) {
	im := loadShared(t, "styles/starry_night_vangogh.jpg", 48, 32)
	ref := loadShared(t, "content/tubingen_neckarfront.jpg", 96, 64) // 4 times the pixels
	orig := im.Clone()
	MatchHistogram(im, ref)
	n, m := im.W*im.H, ref.W*ref.H
	for c := range 3 {
		got := slices.Clone(im.Pix[c*n:][:n])
		want := slices.Clone(ref.Pix[c*m:][:m])
		slices.Sort(got)
		slices.Sort(want)
		for r, v := range got {
			if w := want[(2*r+1)*m/(2*n)]; v != w {
				t.Fatalf("channel %d rank %d: %g, want the reference's %g", c, r, v, w)
			}
		}
		p, q := orig.Pix[c*n:][:n], im.Pix[c*n:][:n]
		for i := range p {
			for j := range p {
				if p[i] < p[j] && q[i] > q[j] {
					t.Fatalf("channel %d: pixels %d and %d swapped order", c, i, j)
				}
			}
		}
	}
}
