// Package picture is gogh's image: RGB as three planes of float32 in
// 0..1, the form the optimizer paints and the optical flow reads, with
// conversions from and to 8-bit images and files.
package picture

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register decoders
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/gogh-video/gogh/internal/atomicfile"
)

// Image is an RGB image stored as three planes of float32 in 0..1:
// Pix[c·H·W + y·W + x] for channel c (R, G, B).
type Image struct {
	W, H int
	Pix  []float32
}

// New returns a black w×h image.
func New(w, h int) Image { return Image{W: w, H: h, Pix: make([]float32, 3*w*h)} }

// Clone returns a copy of im.
func (im Image) Clone() Image {
	return Image{W: im.W, H: im.H, Pix: append([]float32(nil), im.Pix...)}
}

// FromImage converts m to planes in 0..1 (8-bit precision).
func FromImage(m image.Image) Image {
	b := m.Bounds()
	im := New(b.Dx(), b.Dy())
	n := im.W * im.H
	nrgba, ok := m.(*image.NRGBA)
	if !ok || !nrgba.Opaque() {
		nrgba = image.NewNRGBA(image.Rect(0, 0, im.W, im.H))
		draw.Draw(nrgba, nrgba.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(nrgba, nrgba.Bounds(), m, b.Min, draw.Over) // flatten alpha onto white
	}
	for y := 0; y < im.H; y++ {
		row := nrgba.Pix[y*nrgba.Stride:]
		for x := 0; x < im.W; x++ {
			i := y*im.W + x
			im.Pix[i] = float32(row[4*x]) / 255
			im.Pix[n+i] = float32(row[4*x+1]) / 255
			im.Pix[2*n+i] = float32(row[4*x+2]) / 255
		}
	}
	return im
}

// SetRGB sets im from an RGB24 frame (3 bytes a pixel, rows top to
// bottom, no padding) of im's size, with the 8-bit to float conversion of
// FromImage.
func (im Image) SetRGB(rgb []byte) {
	n := im.W * im.H
	for i := range n {
		im.Pix[i] = float32(rgb[3*i]) / 255
		im.Pix[n+i] = float32(rgb[3*i+1]) / 255
		im.Pix[2*n+i] = float32(rgb[3*i+2]) / 255
	}
}

// RGB24 packs m's pixels as RGB24 into dst, which must hold 3 bytes a
// pixel, and returns the bytes written. Alpha is dropped.
func RGB24(m image.Image, dst []byte) []byte {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if nrgba, ok := m.(*image.NRGBA); ok {
		for y := range h {
			row := nrgba.Pix[y*nrgba.Stride:]
			for x := range w {
				copy(dst[3*(y*w+x):3*(y*w+x)+3], row[4*x:4*x+3])
			}
		}
		return dst[:3*w*h]
	}
	for y := range h {
		for x := range w {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*w + x)
			dst[i], dst[i+1], dst[i+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
	return dst[:3*w*h]
}

// NRGBA converts im to 8-bit, rounding and clamping to 0..255.
func (im Image) NRGBA() *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, im.W, im.H))
	n := im.W * im.H
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			m.Pix[4*i+c] = to8(im.Pix[c*n+i])
		}
		m.Pix[4*i+3] = 255
	}
	return m
}

// Quantize rounds every value of im to the nearest 8-bit level, exactly
// as saving it as a PNG and reading it back would.
func (im Image) Quantize() {
	for i, v := range im.Pix {
		im.Pix[i] = float32(to8(v)) / 255
	}
}

func to8(v float32) uint8 {
	return uint8(math.Round(float64(min(max(v, 0), 1)) * 255))
}

// Noise returns a w×h image of uniform noise in 0..1 from seed.
func Noise(w, h int, seed uint64) Image {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	im := New(w, h)
	for i := range im.Pix {
		im.Pix[i] = rng.Float32()
	}
	return im
}

// Fit returns the size of a w×h image scaled so that its longer side is
// size (aspect kept, at least 1 pixel). size ≤ 0 keeps w×h.
func Fit(w, h, size int) (int, int) {
	if size <= 0 {
		return w, h
	}
	if w >= h {
		return size, max(1, int(math.Round(float64(h)*float64(size)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(size)/float64(h)))), size
}

// Resize resamples m to w×h with a Catmull-Rom filter (widened when
// shrinking, so downscaling does not alias).
func Resize(m image.Image, w, h int) image.Image {
	if b := m.Bounds(); b.Dx() == w && b.Dy() == h {
		return m
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), m, m.Bounds(), draw.Src, nil)
	return dst
}

// Decode reads an image file (PNG, JPEG, GIF or WebP).
func Decode(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable image: %w", path, err)
	}
	if b := m.Bounds(); b.Dx() < 1 || b.Dy() < 1 {
		return nil, fmt.Errorf("%s: empty image", path)
	}
	return m, nil
}

// Dims returns the size Load(path, size) would give, reading only the
// file's header.
func Dims(path string, size int) (w, h int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	c, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: not a readable image: %w", path, err)
	}
	if c.Width < 1 || c.Height < 1 {
		return 0, 0, fmt.Errorf("%s: empty image", path)
	}
	w, h = Fit(c.Width, c.Height, size)
	return w, h, nil
}

// Load reads an image file and scales it so its longer side is size
// (size ≤ 0: as is).
func Load(path string, size int) (Image, error) {
	m, err := Decode(path)
	if err != nil {
		return Image{}, err
	}
	w, h := Fit(m.Bounds().Dx(), m.Bounds().Dy(), size)
	return FromImage(Resize(m, w, h)), nil
}

// LoadSized reads an image file resampled to exactly w×h.
func LoadSized(path string, w, h int) (Image, error) {
	m, err := Decode(path)
	if err != nil {
		return Image{}, err
	}
	return FromImage(Resize(m, w, h)), nil
}

// SavePNG writes im as a PNG. It writes a temporary file beside path and
// renames it, so path never holds a half-written image.
func SavePNG(path string, im Image) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return png.Encode(w, im.NRGBA()) })
}

// SaveJPEG writes im as a JPEG of quality 95, like SavePNG.
func SaveJPEG(path string, im Image) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return jpeg.Encode(w, im.NRGBA(), &jpeg.Options{Quality: 95}) })
}

// Save writes im as a JPEG if path ends in .jpg or .jpeg (any case), else
// as a PNG.
func Save(path string, im Image) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".jpg" || ext == ".jpeg" {
		return SaveJPEG(path, im)
	}
	return SavePNG(path, im)
}

// Resample writes src resampled to dst's size into dst, bilinearly with
// pixel centres aligned (halving an even size averages 2×2 blocks), in
// float: no 8-bit rounding.
func Resample(src, dst Image) {
	sn, dn := src.W*src.H, dst.W*dst.H
	for c := range 3 {
		ResamplePlane(src.Pix[c*sn:][:sn], src.W, src.H, dst.Pix[c*dn:][:dn], dst.W, dst.H)
	}
}

// ResamplePlane is Resample for one plane of values: src is sw×sh, dst
// dw×dh, rows top to bottom.
func ResamplePlane(src []float32, sw, sh int, dst []float32, dw, dh int) {
	sx, sy := axis(sw, dw), axis(sh, dh)
	for y, ty := range sy {
		r0, r1 := src[ty.i*sw:][:sw], src[ty.j*sw:][:sw]
		row := dst[y*dw:][:dw]
		for x, tx := range sx {
			top := r0[tx.i] + tx.f*(r0[tx.j]-r0[tx.i])
			bot := r1[tx.i] + tx.f*(r1[tx.j]-r1[tx.i])
			row[x] = top + ty.f*(bot-top)
		}
	}
}

// tap is where a destination pixel samples its source axis: between
// pixels i and j, a fraction f of the way.
type tap struct {
	i, j int
	f    float32
}

// axis returns the taps of n destination pixels over a source axis of m.
func axis(m, n int) []tap {
	ts := make([]tap, n)
	for k := range ts {
		p := (float64(k)+0.5)*float64(m)/float64(n) - 0.5
		p = min(max(p, 0), float64(m-1))
		i := int(p)
		j := min(i+1, m-1)
		ts[k] = tap{i, j, float32(p - float64(i))}
	}
	return ts
}

// KeepChroma gives painted the chroma of content, keeping its own
// luminance (YCbCr, BT.601): a painting in the photo's colours. Both
// must have one size.
func KeepChroma(painted, content Image) {
	n := painted.W * painted.H
	p, c := painted.Pix, content.Pix
	for i := range n {
		y := 0.299*p[i] + 0.587*p[n+i] + 0.114*p[2*n+i]
		cy := 0.299*c[i] + 0.587*c[n+i] + 0.114*c[2*n+i]
		cb, cr := c[2*n+i]-cy, c[i]-cy // B−Y and R−Y of the photo
		r, b := y+cr, y+cb
		g := y - (0.299*cr+0.114*cb)/0.587
		p[i], p[n+i], p[2*n+i] = clamp01(r), clamp01(g), clamp01(b)
	}
}

func clamp01(v float32) float32 { return min(1, max(0, v)) }

// MatchHistogram maps each channel of im so that its values follow the
// distribution of the same channel of ref (quantile matching: the value of
// rank r becomes ref's value at the same fraction of its ranks).
func MatchHistogram(im, ref Image) {
	n, m := im.W*im.H, ref.W*ref.H
	idx := make([]int, n)
	sorted := make([]float32, m)
	for c := range 3 {
		plane := im.Pix[c*n:][:n]
		copy(sorted, ref.Pix[c*m:][:m])
		slices.Sort(sorted)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(plane[a], plane[b]) })
		for r, i := range idx {
			plane[i] = sorted[(2*r+1)*m/(2*n)]
		}
	}
}
