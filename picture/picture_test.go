package picture

import (
	"bytes"
	"image"
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
