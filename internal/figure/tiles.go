package figure

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// TileLabelH is the height of the label strip above each tile of Tiles.
const TileLabelH = 16

// TilesSize returns the size of the picture Tiles draws for n w×h
// pictures in cols columns: even whenever w is even, so that video
// encoders take it.
func TilesSize(n, cols, w, h int) (int, int) {
	cols = sheetCols(n, cols)
	if cols == 0 {
		return 0, 0
	}
	rows := (n + cols - 1) / cols
	return cols * w, rows * (h + TileLabelH)
}

// Tiles draws same-sized pictures side by side at their own size, in
// cols columns, each under a black strip with its label in white, as for
// the frames of a side-by-side video. Labels too long for a tile are cut.
func Tiles(pics []image.Image, labels []string, cols int) *image.NRGBA {
	if len(pics) == 0 {
		return image.NewNRGBA(image.Rectangle{})
	}
	cols = sheetCols(len(pics), cols)
	b := pics[0].Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := TilesSize(len(pics), cols, w, h)
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.Black), image.Point{}, draw.Src)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.White), Face: basicfont.Face7x13}
	for i, m := range pics {
		x, y := (i%cols)*w, (i/cols)*(h+TileLabelH)
		draw.Draw(dst, image.Rect(x, y+TileLabelH, x+w, y+TileLabelH+h), m, m.Bounds().Min, draw.Src)
		if i < len(labels) {
			label := []rune(labels[i])
			if fit := (w - 8) / sheetCharWidth; len(label) > fit {
				label = label[:max(fit, 0)]
			}
			d.Dot = fixed.P(x+4, y+basicfont.Face7x13.Ascent+1)
			d.DrawString(string(label))
		}
	}
	return dst
}
