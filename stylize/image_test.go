package stylize

import "testing"

// TestQuantize: rounding to 8 bits gives exactly what a PNG round trip
// (NRGBA, then FromImage) gives, and is idempotent.
func TestQuantize(t *testing.T) {
	im := NewImage(7, 5)
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
