// Package figure draws what gogh shows besides its paintings: labelled
// contact sheets, side-by-side video tiles and line charts (gonum/plot),
// written atomically.
package figure

import (
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/picture"
)

// Cell is one picture of a contact sheet and the label drawn below it.
// A nil Image leaves the cell blank (its label, if any, is still drawn).
type Cell struct {
	Label string
	Image image.Image
}

// Contact sheet geometry, in pixels.
const (
	sheetPad        = 8  // margin around and between cells
	sheetLabelLines = 3  // label lines under each picture
	sheetLabelGap   = 4  // between a picture's box and its label
	sheetLineHeight = 13 // basicfont.Face7x13's line height
	sheetCharWidth  = 7  // and its advance
	sheetLabelH     = sheetLabelGap + sheetLabelLines*sheetLineHeight
)

// sheetCols returns the columns a sheet of n cells has when cols are asked
// for: at least 1, at most n.
func sheetCols(n, cols int) int {
	if n == 0 {
		return 0
	}
	return min(max(cols, 1), n)
}

// SheetSize returns the width and height of the contact sheet Sheet draws
// for n cells in cols columns of cell×cell pictures.
func SheetSize(n, cols, cell int) (w, h int) {
	cell = max(cell, 1)
	cols = sheetCols(n, cols)
	rows := 0
	if cols > 0 {
		rows = (n + cols - 1) / cols
	}
	return cols*cell + (cols+1)*sheetPad, rows*(cell+sheetLabelH) + (rows+1)*sheetPad
}

// Sheet draws a contact sheet on a white background: the cells left to
// right, top to bottom, in cols columns (at least 1, at most len(cells)).
// Each picture is scaled, aspect kept, to fit a cell×cell box (Catmull-Rom),
// centred across it and at its bottom; its label is drawn below in a 7×13 pixel font,
// centred, wrapped onto three lines at most and cut short with "..." when it
// does not fit the cell's width. SheetSize gives the sheet's size.
func Sheet(cells []Cell, cols, cell int) *image.NRGBA {
	cell = max(cell, 1)
	cols = sheetCols(len(cells), cols)
	w, h := SheetSize(len(cells), cols, cell)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, c := range cells {
		box := CellBox(i, cols, cell)
		if c.Image != nil {
			drawFitted(dst, box, c.Image)
		}
		drawLabel(dst, box, c.Label)
	}
	return dst
}

// CellBox returns the box of cell i's picture on a sheet of cols columns
// of cell-pixel cells (see Sheet).
func CellBox(i, cols, cell int) image.Rectangle {
	x := sheetPad + (i%cols)*(cell+sheetPad)
	y := sheetPad + (i/cols)*(cell+sheetLabelH+sheetPad)
	return image.Rect(x, y, x+cell, y+cell)
}

// drawFitted scales m to fit box, keeping its aspect, and draws it at the
// bottom of box, centred across.
func drawFitted(dst *image.NRGBA, box image.Rectangle, m image.Image) {
	b := m.Bounds()
	if b.Empty() {
		return
	}
	w, h := picture.Fit(b.Dx(), b.Dy(), box.Dx())
	x, y := box.Min.X+(box.Dx()-w)/2, box.Max.Y-h // on the label
	r := image.Rect(x, y, x+w, y+h)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, r, m, b.Min, draw.Over) // Over: transparency shows the white
		return
	}
	draw.CatmullRom.Scale(dst, r, m, b, draw.Over, nil)
}

// drawLabel writes label under box, centred on it.
func drawLabel(dst *image.NRGBA, box image.Rectangle, label string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Gray{Y: 0x20}), Face: basicfont.Face7x13}
	for i, line := range wrapLabel(label, box.Dx()/sheetCharWidth, sheetLabelLines) {
		x := box.Min.X + (box.Dx()-len([]rune(line))*sheetCharWidth)/2
		y := box.Max.Y + sheetLabelGap + i*sheetLineHeight + basicfont.Face7x13.Ascent
		d.Dot = fixed.P(x, y)
		d.DrawString(line)
	}
}

// wrapLabel breaks s into at most lines lines of at most width characters:
// at spaces and after a "+" where it can, inside words longer than a line,
// and with the last line ending in "..." when s does not fit.
func wrapLabel(s string, width, lines int) []string {
	if width < 1 || lines < 1 {
		return nil
	}
	type line struct {
		sep  string // what joined it to the line before in s
		text []rune
	}
	var out []line
	var cur line
	flush := func(next string) {
		if len(cur.text) > 0 {
			out = append(out, cur)
		}
		cur = line{sep: next}
	}
	for _, word := range strings.Fields(s) {
		sep := " "
		for _, part := range strings.SplitAfter(word, "+") {
			w := []rune(part)
			switch {
			case len(w) == 0:
				continue
			case len(cur.text) == 0:
			case len(cur.text)+len(sep)+len(w) <= width:
				cur.text = append(cur.text, []rune(sep)...)
			default:
				flush(sep)
			}
			for len(cur.text)+len(w) > width { // longer than a line
				n := width - len(cur.text)
				cur.text = append(cur.text, w[:n]...)
				w = w[n:]
				flush("")
			}
			cur.text = append(cur.text, w...)
			sep = ""
		}
	}
	flush("")
	if len(out) > lines {
		last := out[lines-1].text
		for _, l := range out[lines:] {
			last = append(append(last, []rune(l.sep)...), l.text...)
		}
		switch {
		case width > 3:
			last = append(last[:width-3], []rune("...")...)
		default:
			last = last[:width]
		}
		out = append(out[:lines-1], line{text: last})
	}
	texts := make([]string, len(out))
	for i, l := range out {
		texts[i] = string(l.text)
	}
	return texts
}

// SavePNG writes m as a PNG at path, atomically (see atomicfile).
func SavePNG(path string, m image.Image) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return png.Encode(w, m) })
}
