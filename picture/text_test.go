package picture

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"image/png"
)

// TestPNGText: text chunks written with an image read back in order, and
// the file stays a valid PNG of the same pixels (the decoder checks every
// chunk's CRC).
func TestPNGText(t *testing.T) {
	im := Noise(7, 5, 3)
	im.Quantize()
	path := filepath.Join(t.TempDir(), "a.png")
	text := []Text{{"Software", "gogh test"}, {"gogh", `{"content": "Tübingen.jpg", "weights": [1, 0.5]}`}, {"empty", ""}}
	if err := SavePNGText(path, im, text); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPNGText(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, text) {
		t.Errorf("read %q, want %q", got, text)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	back := FromImage(m)
	if !slices.Equal(back.Pix, im.Pix) {
		t.Error("pixels changed")
	}
	plain := filepath.Join(t.TempDir(), "b.png")
	if err := SavePNG(plain, im); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadPNGText(plain); err != nil || len(got) != 0 {
		t.Errorf("a PNG without text: %q, %v", got, err)
	}
	if err := SavePNGText(plain, im, []Text{{"", "x"}}); err == nil {
		t.Error("an empty key was accepted")
	}
	if _, err := ReadPNGText(filepath.Join(t.TempDir(), "none.png")); err == nil {
		t.Error("no error for a missing file")
	}
}
