package study

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Named is an input image and the name it is shown by.
type Named struct {
	Name  string
	Image picture.Image
}

// LoadNamed reads image files scaled to size (longer side), each named
// after its file without the extension (made distinct by a number when two
// share a name).
func LoadNamed(paths []string, size int) ([]Named, error) {
	var ims []Named
	seen := map[string]int{}
	for _, p := range paths {
		im, err := picture.Load(p, size)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, seen[name])
		}
		ims = append(ims, Named{Name: name, Image: im})
	}
	return ims, nil
}

// Cells returns the images as contact sheet cells labelled with their
// names.
func Cells(ims []Named) []figure.Cell {
	cs := make([]figure.Cell, len(ims))
	for i, n := range ims {
		cs[i] = figure.Cell{Label: n.Name, Image: n.Image.NRGBA()}
	}
	return cs
}

// FileSafe replaces what is not a letter, digit, '_', '+', '-' or '.' in
// name by '-'.
func FileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '+', r == '-', r == '.':
			return r
		}
		return '-'
	}, name)
}

// RunFileName is the PNG a run is saved as: its label without spaces and
// parentheses, "conv3_2 (seed 2)" as conv3_2-seed2.png.
func RunFileName(label string) string {
	name := strings.NewReplacer(" (seed ", "-seed", ")", "").Replace(label)
	return FileSafe(name) + ".png"
}

// GridFileName is the PNG the painting of content × style is saved as.
func GridFileName(content, style string) string {
	return FileSafe(content) + "__" + FileSafe(style) + ".png"
}

// DefaultCell is the contact sheet cell size for images of size pixels.
func DefaultCell(size int) int { return min(max(size, 128), 512) }

// WriteTableCSV writes a table, header first, as CSV, atomically.
func WriteTableCSV(path string, t Table) error {
	return WriteRowsCSV(path, append([][]string{t.Header}, t.Rows...))
}

// WriteRowsCSV writes rows as CSV, atomically.
func WriteRowsCSV(path string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows) // into memory: cannot fail
	return atomicfile.WriteBytes(path, buf.Bytes())
}

// OutputDir creates dir if missing and checks that files can be written
// there.
func OutputDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".gogh-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write there: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// SeriesWriter keeps a series' output directory up to date as its runs
// finish: a PNG per run (RunFileName), runs.csv and the contact sheet
// sheet.png, laid out a row per seed and a column per layer (or layer
// set) after the input image's.
type SeriesWriter struct {
	Dir   string
	cols  int // layers or layer sets
	seed  uint64
	cell  int
	cells []figure.Cell
	rows  [][]string
}

// NewSeriesWriter prepares dir (see OutputDir) for cols × seeds runs
// whose first seed is seed; first is the input image, of size pixels
// (longer side); extra names the CSV columns after the common ones.
func NewSeriesWriter(dir string, first figure.Cell, cols, seeds int, seed uint64, size int, extra ...string) (*SeriesWriter, error) {
	if err := OutputDir(dir); err != nil {
		return nil, err
	}
	sw := &SeriesWriter{
		Dir: dir, cols: cols, seed: seed, cell: DefaultCell(size),
		cells: make([]figure.Cell, (cols+1)*seeds),
		rows:  [][]string{append([]string{"label", "layers", "seed", "style", "content", "total", "seconds"}, extra...)},
	}
	sw.cells[0] = first
	return sw, nil
}

// Add writes run, the k-th seed's of the i-th layer or layer set, and the
// sheet and table with it, and returns the run's PNG.
func (sw *SeriesWriter) Add(i, k int, run Run, layers string, extra ...string) (string, error) {
	file := filepath.Join(sw.Dir, RunFileName(run.Label))
	if err := picture.SavePNG(file, run.Image); err != nil {
		return "", err
	}
	l := run.Loss
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	sw.rows = append(sw.rows, append([]string{run.Label, layers, strconv.FormatUint(sw.seed+uint64(k), 10), g(l.Style), g(l.Content),
		g(l.Total), strconv.FormatFloat(run.Elapsed.Seconds(), 'f', 3, 64)}, extra...))
	sw.cells[k*(sw.cols+1)+1+i] = figure.Cell{Label: run.Label, Image: run.Image.NRGBA()}
	if err := WriteRowsCSV(filepath.Join(sw.Dir, "runs.csv"), sw.rows); err != nil {
		return "", err
	}
	return file, figure.SavePNG(filepath.Join(sw.Dir, "sheet.png"), figure.Sheet(sw.cells, sw.cols+1, sw.cell))
}

// ParseRuns parses a comma-separated list of distinct layers, a run each.
func ParseRuns(list string) ([]vgg.Point, error) {
	layers, err := vgg.ParseLayers(list)
	if err != nil {
		return nil, err
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("no layers given")
	}
	for i, p := range layers {
		for _, q := range layers[:i] {
			if p == q {
				return nil, fmt.Errorf("%s is listed twice", p)
			}
		}
	}
	return layers, nil
}

// ParseLayerSets parses semicolon-separated comma lists of layers, a run
// each: every set and every layer of a set distinct.
func ParseLayerSets(value string) ([][]vgg.Point, error) {
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("no layer sets given")
	}
	var sets [][]vgg.Point
	names := map[string]int{}
	for i, list := range strings.Split(value, ";") {
		if strings.TrimSpace(list) == "" {
			return nil, fmt.Errorf("set %d is empty", i+1)
		}
		set, err := ParseRuns(list)
		if err != nil {
			return nil, err
		}
		name := SetName(set)
		if j, ok := names[name]; ok {
			return nil, fmt.Errorf("sets %d and %d are both %s", j+1, i+1, name)
		}
		names[name] = i
		sets = append(sets, set)
	}
	return sets, nil
}
