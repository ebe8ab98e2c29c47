package temporal

import (
	"fmt"

	"github.com/gogh-video/gogh/picture"
)

// Warp backward-warps img by f into dst: dst(x) = img(x + f(x)), sampled
// bilinearly with coordinates clamped to the image border. f and dst must
// have img's size; dst must not share pixels with img. It panics on a size
// mismatch.
//
// To carry frame t−1 into frame t, pass the backward flow of frame t
// (from t to t−1, defined on frame t's grid).
func Warp(img picture.Image, f Flow, dst picture.Image) {
	WarpValid(img, f, dst, nil)
}

// WarpValid is Warp that also records, when valid is non-nil (length
// W·H), which samples stayed inside the image: valid[i] = 1 where x + f(x)
// lies within [0, W−1]×[0, H−1] and 0 where it fell outside (and was
// clamped to the border). It returns the number of outside samples.
func WarpValid(img picture.Image, f Flow, dst picture.Image, valid []float32) int {
	mustMatch("Warp", f, img.W, img.H)
	n := img.W * img.H
	if dst.W != img.W || dst.H != img.H || len(dst.Pix) != 3*n || len(img.Pix) != 3*n {
		panic(fmt.Sprintf("temporal: Warp: image %dx%d (%d values) into %dx%d (%d values)",
			img.W, img.H, len(img.Pix), dst.W, dst.H, len(dst.Pix)))
	}
	if valid != nil && len(valid) != n {
		panic(fmt.Sprintf("temporal: Warp: valid mask has %d values, want %d", len(valid), n))
	}
	outside := 0
	for y := 0; y < img.H; y++ {
		for x := 0; x < img.W; x++ {
			i := y*img.W + x
			s := newSample(float32(x)+f.U[i], float32(y)+f.V[i], img.W, img.H)
			if !s.in {
				outside++
			}
			if valid != nil {
				valid[i] = b2f(s.in)
			}
			for c := 0; c < 3; c++ {
				dst.Pix[c*n+i] = s.at(img.Pix[c*n : (c+1)*n])
			}
		}
	}
	return outside
}

// sample is a bilinear sampling position: the four neighbours' indices
// and weights, border clamped.
type sample struct {
	i00, i10, i01, i11 int
	ax, ay             float32
	in                 bool
}

func newSample(sx, sy float32, w, h int) sample {
	in := sx >= 0 && sy >= 0 && sx <= float32(w-1) && sy <= float32(h-1)
	sx = min(max(sx, 0), float32(w-1))
	sy = min(max(sy, 0), float32(h-1))
	x0, y0 := int(sx), int(sy) // non-negative, so truncation is floor
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	return sample{
		i00: y0*w + x0, i10: y0*w + x1, i01: y1*w + x0, i11: y1*w + x1,
		ax: sx - float32(x0), ay: sy - float32(y0), in: in,
	}
}

func (s sample) at(p []float32) float32 {
	top := p[s.i00] + s.ax*(p[s.i10]-p[s.i00])
	bot := p[s.i01] + s.ax*(p[s.i11]-p[s.i01])
	return top + s.ay*(bot-top)
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func mustMatch(op string, f Flow, w, h int) {
	if err := f.check(); err != nil {
		panic(fmt.Sprintf("temporal: %s: %v", op, err))
	}
	if f.W != w || f.H != h {
		panic(fmt.Sprintf("temporal: %s: flow %dx%d for %dx%d image", op, f.W, f.H, w, h))
	}
}
