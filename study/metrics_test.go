package study

import (
	"math"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

func TestPSNR(t *testing.T) {
	a := picture.Noise(16, 8, 1)
	if p := PSNR(a, a.Clone()); !math.IsInf(p, 1) {
		t.Errorf("PSNR of identical images = %g, want +Inf", p)
	}
	// Every value off by 0.1: MSE 0.01, 20 dB.
	b := a.Clone()
	for i, v := range b.Pix {
		if v > 0.5 {
			b.Pix[i] = v - 0.1
		} else {
			b.Pix[i] = v + 0.1
		}
	}
	if p := PSNR(a, b); math.Abs(p-20) > 1e-4 {
		t.Errorf("PSNR with every value off by 0.1 = %g, want 20", p)
	}
	// Half the values off by 0.5, the rest exact: MSE 0.125, 10·log10(8) dB.
	black, c := picture.New(4, 4), picture.New(4, 4)
	for i := range c.Pix {
		if i%2 == 0 {
			c.Pix[i] = 0.5
		}
	}
	if p, want := PSNR(black, c), 10*math.Log10(8); math.Abs(p-want) > 1e-9 {
		t.Errorf("PSNR = %g, want %g", p, want)
	}
	if p := PSNR(c, black); math.Abs(p-10*math.Log10(8)) > 1e-9 {
		t.Errorf("PSNR is not symmetric: %g", p)
	}
	// Black against white: MSE 1, 0 dB.
	white := picture.New(3, 2)
	for i := range white.Pix {
		white.Pix[i] = 1
	}
	if p := PSNR(white, picture.New(3, 2)); p != 0 {
		t.Errorf("PSNR of white against black = %g, want 0", p)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "different sizes") {
			t.Errorf("PSNR of images of different sizes: recovered %v, want a panic", r)
		}
	}()
	PSNR(picture.New(4, 4), picture.New(4, 3))
}

// toyWeights is a network whose conv1_1 copies the preprocessed RGB
// channels (channel k is colour k mod 3, its kernel's centre tap only) and
// whose conv1_2 is the constant 1, so that Gram matrices are known.
func toyWeights() *vgg.Weights {
	w := &vgg.Weights{Preprocess: vgg.Torchvision}
	c1 := vgg.Conv{In: 3, Out: 64, W: make([]float32, 64*3*9), B: make([]float32, 64)}
	for k := range 64 {
		c1.W[(k*3+k%3)*9+4] = 1
	}
	c2 := vgg.Conv{In: 64, Out: 64, W: make([]float32, 64*64*9), B: make([]float32, 64)}
	for k := range c2.B {
		c2.B[k] = 1
	}
	w.Conv[0], w.Conv[1] = c1, c2
	return w
}

// uniform returns a w×h image of one colour whose preprocessed value (with
// torchvision's mean and standard deviation) is p in every channel.
func uniform(w, h int, p float32) picture.Image {
	mean := [3]float32{0.485, 0.456, 0.406}
	std := [3]float32{0.229, 0.224, 0.225}
	im := picture.New(w, h)
	for c := range 3 {
		for i := range w * h {
			im.Pix[c*w*h+i] = mean[c] + p*std[c]
		}
	}
	return im
}

func TestGramDistanceKnown(t *testing.T) {
	w := toyWeights()
	conv11, conv12 := vgg.Point{Conv: 0}, vgg.Point{Conv: 1}
	// At conv1_1 every channel of a is twice b's, so G_a = 4 G_b and the
	// distance is ‖3 G_b‖²/‖G_b‖² = 9; conv1_2 is the same for both: 0.
	a, b := uniform(12, 10, 1), uniform(12, 10, 0.5)
	for _, tc := range []struct {
		a, b   picture.Image
		layers []vgg.Point
		want   float64
	}{
		{a, b, []vgg.Point{conv11}, 9},
		{b, a, []vgg.Point{conv11}, 9.0 / 16}, // ‖G_b − 4 G_b‖² / ‖4 G_b‖²
		{a, b, []vgg.Point{conv12}, 0},
		{a, b, []vgg.Point{conv11, conv12}, 4.5}, // the mean over layers
		{a, b, []vgg.Point{{Conv: 0, ReLU: true}}, 9},
		{a, uniform(7, 20, 0.5), []vgg.Point{conv11}, 9}, // sizes may differ
		{a, uniform(30, 5, 1), []vgg.Point{conv11, conv12}, 0},
	} {
		got, err := GramDistance(w, tc.a, tc.b, tc.layers, 2)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-4*max(1, tc.want) {
			t.Errorf("GramDistance(%dx%d, %dx%d, %v) = %g, want %g", tc.a.W, tc.a.H, tc.b.W, tc.b.H, tc.layers, got, tc.want)
		}
	}
	if _, err := GramDistance(w, a, b, nil, 2); err == nil {
		t.Error("no layers: no error")
	}
	if _, err := GramDistance(w, a, b, []vgg.Point{{Conv: 4}}, 2); err == nil || !strings.Contains(err.Error(), "conv3_1") {
		t.Errorf("a layer the weights lack: err = %v, want one naming it", err)
	}
}

func TestGramDistanceVGG(t *testing.T) {
	w, err := vgg.Load(shared.Weights(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	starry, err := picture.Load(shared.Path(t, "data/styles/starry_night_vangogh.jpg"), 40)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := vgg.ParseLayers("conv1_1,relu2_1,conv3_1")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := GramDistance(w, starry, starry.Clone(), layers, 2); err != nil || d != 0 {
		t.Errorf("distance of an image to itself = %g, %v; want 0", d, err)
	}
	d, err := GramDistance(w, picture.Noise(starry.W, starry.H, 1), starry, layers, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !(d > 0.1) {
		t.Errorf("distance of noise to Starry Night = %g, want a large one", d)
	}
}
