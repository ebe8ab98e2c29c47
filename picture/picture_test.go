package picture

import (
	"bytes"
	"image"
	"math"
	"slices"
	"testing"

	"golang.org/x/image/draw"
)

// TestQuantize: rounding to 8 bits gives exactly what a PNG round trip
// (NRGBA, then FromImage) gives, and is idempotent.
func TestQuantize(t *testing.T) {
	im := New(7, 5)
	for i := range im.Pix {
		im.Pix[i] = float32(i%41)/37 - 0.05 // values below 0, above 1, between levels
	}
	want := FromImage(im.NRGBA())
	im.Quantize()
	for i, v := range im.Pix {
		if v != want.Pix[i] {
			t.Fatalf("value %d: quantized %v, PNG round trip %v", i, v, want.Pix[i])
		}
	}
	again := im.Clone()
	again.Quantize()
	for i, v := range again.Pix {
		if v != im.Pix[i] {
			t.Fatalf("value %d: quantizing twice %v, once %v", i, v, im.Pix[i])
		}
	}
}

// TestRGB24: an RGB24 frame read with SetRGB equals the same pixels
// through FromImage, and RGB24 packs them back to the same bytes, from an
// NRGBA image or any other.
func TestRGB24(t *testing.T) {
	const w, h = 5, 3
	rgb := make([]byte, 3*w*h)
	for i := range rgb {
		rgb[i] = byte(i * 37)
	}
	im := New(w, h)
	im.SetRGB(rgb)
	m := im.NRGBA()
	if want := FromImage(m); !slices.Equal(im.Pix, want.Pix) {
		t.Errorf("SetRGB %v, FromImage %v", im.Pix, want.Pix)
	}
	for _, tc := range []struct {
		name string
		m    image.Image
	}{{"nrgba", m}, {"rgba", rgbaOf(m)}} {
		got := RGB24(tc.m, make([]byte, len(rgb)+6))
		if !bytes.Equal(got, rgb) {
			t.Errorf("%s: RGB24 gave %v, want %v", tc.name, got, rgb)
		}
	}
}

func rgbaOf(m image.Image) *image.RGBA {
	r := image.NewRGBA(m.Bounds())
	draw.Draw(r, r.Bounds(), m, image.Point{}, draw.Src)
	return r
}

// TestResample: halving an even size averages 2×2 blocks exactly, the
// same size is a copy, and doubling then halving a linear ramp gives it
// back away from the borders (where the samples are clamped).
func TestResample(t *testing.T) {
	src := Noise(8, 6, 1)
	half := New(4, 3)
	Resample(src, half)
	for c := range 3 {
		for y := range 3 {
			for x := range 4 {
				at := func(x, y int) float32 { return src.Pix[c*48+y*8+x] }
				want := (at(2*x, 2*y) + at(2*x+1, 2*y) + at(2*x, 2*y+1) + at(2*x+1, 2*y+1)) / 4
				if got := half.Pix[c*12+y*4+x]; math.Abs(float64(got-want)) > 1e-6 {
					t.Fatalf("channel %d (%d,%d): %v, want the 2×2 mean %v", c, x, y, got, want)
				}
			}
		}
	}
	same := New(8, 6)
	Resample(src, same)
	if !slices.Equal(same.Pix, src.Pix) {
		t.Error("resampling to the same size changed the image")
	}
	smooth := New(16, 12)
	for i := range smooth.Pix {
		smooth.Pix[i] = float32(i%16) / 16
	}
	big, back := New(32, 24), New(16, 12)
	Resample(smooth, big)
	Resample(big, back)
	for i, v := range back.Pix {
		if x := i % 16; x > 0 && x < 15 && math.Abs(float64(v-smooth.Pix[i])) > 1e-6 {
			t.Fatalf("value %d: %v after doubling and halving, want %v", i, v, smooth.Pix[i])
		}
	}
}
