package figure

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/picture"
)

func solid(w, h int, c color.Color) image.Image {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, c)
		}
	}
	return m
}

func TestSheetSize(t *testing.T) {
	const cell = 40
	for _, tc := range []struct{ n, cols, wantCols, wantRows int }{
		{1, 3, 1, 1},
		{3, 3, 3, 1},
		{4, 3, 3, 2},
		{6, 3, 3, 2},
		{7, 3, 3, 3},
		{5, 1, 1, 5},
		{2, 0, 1, 2},
	} {
		cells := make([]Cell, tc.n)
		for i := range cells {
			cells[i] = Cell{Label: "x", Image: solid(10, 10, color.Black)}
		}
		m := Sheet(cells, tc.cols, cell)
		wantW := tc.wantCols*cell + (tc.wantCols+1)*sheetPad
		wantH := tc.wantRows*(cell+sheetLabelH) + (tc.wantRows+1)*sheetPad
		if b := m.Bounds(); b.Dx() != wantW || b.Dy() != wantH || b.Min != (image.Point{}) {
			t.Errorf("%d cells in %d columns: sheet %v, want %dx%d (%d×%d cells)", tc.n, tc.cols, b, wantW, wantH, tc.wantCols, tc.wantRows)
		}
		if w, h := SheetSize(tc.n, tc.cols, cell); w != wantW || h != wantH {
			t.Errorf("SheetSize(%d, %d, %d) = %dx%d, want %dx%d", tc.n, tc.cols, cell, w, h, wantW, wantH)
		}
	}
	if w, h := SheetSize(0, 3, cell); w != sheetPad || h != sheetPad {
		t.Errorf("SheetSize of no cells = %dx%d, want the %d-pixel margin", w, h, sheetPad)
	}
}

// TestSheetCells draws solid pictures of different shapes and checks each
// lands, scaled with its aspect kept, in its own cell and nowhere else.
func TestSheetCells(t *testing.T) {
	const cell, cols = 40, 3
	colors := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 0, 255}, {0, 255, 255, 255}}
	sizes := [][2]int{{80, 40}, {20, 40}, {40, 40}, {10, 10}, {300, 100}}
	want := [][2]int{{40, 20}, {20, 40}, {40, 40}, {40, 40}, {40, 13}}
	var cells []Cell
	for i, c := range colors {
		cells = append(cells, Cell{Image: solid(sizes[i][0], sizes[i][1], c)})
	}
	m := Sheet(cells, cols, cell)
	boxes := make([]image.Rectangle, len(colors))
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px := m.NRGBAAt(x, y)
			if px == (color.NRGBA{255, 255, 255, 255}) {
				continue
			}
			in := -1 // the cell the pixel is in
			for i := range colors {
				if image.Pt(x, y).In(CellBox(i, cols, cell)) {
					in = i
				}
			}
			if in < 0 {
				t.Fatalf("pixel (%d,%d) = %v outside every cell", x, y, px)
			}
			for i, c := range colors {
				if px == c {
					if i != in {
						t.Fatalf("pixel (%d,%d) has picture %d's colour in cell %d", x, y, i, in)
					}
					boxes[i] = boxes[i].Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
	}
	for i, r := range boxes {
		cellBox := CellBox(i, cols, cell)
		if !r.In(cellBox) {
			t.Errorf("picture %d covers %v, outside its cell %v", i, r, cellBox)
		}
		// Catmull-Rom rings a little at the edges of a solid image: allow
		// the exact colour to miss a pixel at each side.
		if r.Dx() < want[i][0]-2 || r.Dx() > want[i][0] || r.Dy() < want[i][1]-2 || r.Dy() > want[i][1] {
			t.Errorf("picture %d (%dx%d) covers %dx%d, want %dx%d", i, sizes[i][0], sizes[i][1], r.Dx(), r.Dy(), want[i][0], want[i][1])
		}
		if r.Max.Y < cellBox.Max.Y-1 {
			t.Errorf("picture %d ends at y=%d, want it on its label at %d", i, r.Max.Y, cellBox.Max.Y)
		}
		for j := range i {
			if r.Overlaps(boxes[j]) {
				t.Errorf("pictures %d %v and %d %v overlap", j, boxes[j], i, r)
			}
		}
	}
}

// darkIn counts the dark pixels of m in r.
func darkIn(m *image.NRGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := m.NRGBAAt(x, y); int(c.R)+int(c.G)+int(c.B) < 3*128 {
				n++
			}
		}
	}
	return n
}

func TestSheetLabels(t *testing.T) {
	const cell = 70 // ten characters a line
	gray := solid(70, 70, color.NRGBA{200, 200, 200, 255})
	long := "a label far too long to fit into three lines of ten"
	m := Sheet([]Cell{{"conv1_1", gray}, {"", gray}, {long, gray}, {"x", nil}}, 4, cell)
	label := func(i int) image.Rectangle {
		b := CellBox(i, 4, cell)
		return image.Rect(b.Min.X-sheetPad/2, b.Max.Y, b.Max.X+sheetPad/2, b.Max.Y+sheetLabelH+sheetPad/2)
	}
	// "conv1_1": seven glyphs, each of several dark pixels.
	if n := darkIn(m, label(0)); n < 7*8 {
		t.Errorf("label conv1_1 has %d dark pixels, want text", n)
	}
	if n := darkIn(m, label(1)); n != 0 {
		t.Errorf("an empty label has %d dark pixels", n)
	}
	// The long label fills every line, and stays within its column.
	l := label(2)
	for i := range sheetLabelLines {
		y := l.Min.Y + sheetLabelGap + i*sheetLineHeight
		if n := darkIn(m, image.Rect(l.Min.X, y, l.Max.X, y+sheetLineHeight)); n < 40 {
			t.Errorf("long label: %d dark pixels on line %d, want text", n, i+1)
		}
	}
	box := CellBox(2, 4, cell)
	if n := darkIn(m, image.Rect(l.Min.X, l.Min.Y, box.Min.X, l.Max.Y)) + darkIn(m, image.Rect(box.Max.X, l.Min.Y, l.Max.X, l.Max.Y)); n != 0 {
		t.Errorf("long label: %d dark pixels beside its cell", n)
	}
	if n := darkIn(m, image.Rect(0, l.Max.Y, m.Bounds().Dx(), m.Bounds().Dy())); n != 0 {
		t.Errorf("%d dark pixels below the labels", n)
	}
	// A blank cell keeps its label and draws no picture.
	if darkIn(m, label(3)) == 0 {
		t.Error("the blank cell's label was not drawn")
	}
	if b := CellBox(3, 4, cell); darkIn(m, b) != 0 || m.NRGBAAt(b.Min.X+cell/2, b.Max.Y-1) != (color.NRGBA{255, 255, 255, 255}) {
		t.Error("the blank cell is not white")
	}
}

func TestWrapLabel(t *testing.T) {
	for _, tc := range []struct {
		s            string
		width, lines int
		want         []string
	}{
		{"conv1_1 (seed 1)", 20, 2, []string{"conv1_1 (seed 1)"}},
		{"conv1_1 (seed 1)", 10, 2, []string{"conv1_1", "(seed 1)"}},
		{"conv1_1+conv2_1+conv3_1 (seed 1)", 10, 2, []string{"conv1_1+", "conv2_1..."}},
		{"conv1_1+conv2_1+conv3_1+conv4_1+conv5_1 (seed 1)", 18, 3, []string{"conv1_1+conv2_1+", "conv3_1+conv4_1+", "conv5_1 (seed 1)"}},
		{"conv1_1+conv2_1 (seed 12)", 18, 3, []string{"conv1_1+conv2_1", "(seed 12)"}},
		{"a+b c+d", 3, 2, []string{"a+b", "c+d"}},
		{"a+b c+d", 2, 4, []string{"a+", "b", "c+", "d"}},
		{"a+b c+d", 2, 3, []string{"a+", "b", "c+"}},
		{"abcdefghijkl", 5, 2, []string{"abcde", "fg..."}},
		{"+++", 2, 2, []string{"++", "+"}},
		{"abcdefghij", 5, 2, []string{"abcde", "fghij"}},
		{"a b c d e f", 3, 2, []string{"a b", "c d"}},
		{"a b c d e f", 4, 2, []string{"a b", "c..."}},
		{"  spaced   out  ", 10, 2, []string{"spaced out"}},
		{"", 10, 2, nil},
		{"anything", 0, 2, nil},
		{"long words here", 2, 1, []string{"lo"}},
	} {
		got := wrapLabel(tc.s, tc.width, tc.lines)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("wrapLabel(%q, %d, %d) = %q, want %q", tc.s, tc.width, tc.lines, got, tc.want)
		}
		for _, l := range got {
			if len([]rune(l)) > tc.width {
				t.Errorf("wrapLabel(%q, %d, %d): line %q is too long", tc.s, tc.width, tc.lines, l)
			}
		}
	}
}

func TestSavePNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sheet.png")
	src := picture.Noise(13, 7, 3).NRGBA()
	for range 2 { // the second replaces the first
		if err := SavePNG(path, src); err != nil {
			t.Fatal(err)
		}
	}
	back, err := picture.Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	got := picture.FromImage(back)
	if got.W != 13 || got.H != 7 || !slices.Equal(got.Pix, picture.FromImage(src).Pix) {
		t.Errorf("read back a different image")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only sheet.png (no temporary files left)", len(entries))
	}
	if err := SavePNG(filepath.Join(dir, "nodir", "x.png"), src); err == nil || !strings.Contains(err.Error(), "nodir") {
		t.Errorf("saving into a missing directory: err = %v, want one naming it", err)
	}
}
