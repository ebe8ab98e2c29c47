package study

import (
	"fmt"
	"math"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// PSNR is the peak signal-to-noise ratio of a against b in decibels,
// 10·log10(1/MSE) over every channel value (images in 0..1, the peak 1);
// +Inf when they are identical. The images must have the same size.
func PSNR(a, b picture.Image) float64 {
	if a.W != b.W || a.H != b.H || len(a.Pix) != len(b.Pix) {
		panic(fmt.Sprintf("study.PSNR: images of different sizes, %dx%d and %dx%d", a.W, a.H, b.W, b.H))
	}
	if len(a.Pix) == 0 {
		return math.Inf(1)
	}
	var s float64
	for i, v := range a.Pix {
		d := float64(v) - float64(b.Pix[i])
		s += d * d
	}
	if s == 0 {
		return math.Inf(1)
	}
	return -10 * math.Log10(s/float64(len(a.Pix)))
}

// GramDistance compares the style statistics of a and b, which may differ
// in size: the mean over layers of ‖G_a − G_b‖² / ‖G_b‖², G being a layer's
// Gram matrix F Fᵀ/(C·H·W) as the style loss has it. 0 is the same style;
// 1 is an error as large as b's Gram matrix itself.
func GramDistance(w *vgg.Weights, a, b picture.Image, layers []vgg.Point, threads int) (float64, error) {
	if len(layers) == 0 {
		return 0, fmt.Errorf("gram distance: no layers")
	}
	ga, err := stylize.NewStyle(w, a, layers, vgg.Max, threads)
	if err != nil {
		return 0, fmt.Errorf("gram distance, first image: %w", err)
	}
	gb, err := stylize.NewStyle(w, b, layers, vgg.Max, threads)
	if err != nil {
		return 0, fmt.Errorf("gram distance, second image: %w", err)
	}
	var sum float64
	for i := range layers {
		var num, den float64
		for j, v := range gb.Grams[i] {
			d := float64(ga.Grams[i][j]) - float64(v)
			num += d * d
			den += float64(v) * float64(v)
		}
		switch {
		case num == 0:
		case den == 0:
			return math.Inf(1), nil
		default:
			sum += num / den
		}
	}
	return sum / float64(len(layers)), nil
}
