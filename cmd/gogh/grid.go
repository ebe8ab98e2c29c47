package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// namedImage is an input image and the name it is shown by: its file's
// base name without the extension.
type namedImage struct {
	name string
	im   picture.Image
}

// cells returns the images as contact sheet cells labelled with their names.
func cells(ims []namedImage) []figure.Cell {
	cs := make([]figure.Cell, len(ims))
	for i, n := range ims {
		cs[i] = figure.Cell{Label: n.name, Image: n.im.NRGBA()}
	}
	return cs
}

// splitList splits the comma-separated file list of flag.
func splitList(flag, list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("%s is required", flag)
	}
	var paths []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("%s %s: an empty file name in the list", flag, list)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// loadImages reads the files of flag scaled to size (longer side), named
// after their files (made distinct by a number when two share a name).
func loadImages(flag string, paths []string, size int) ([]namedImage, error) {
	var ims []namedImage
	seen := map[string]int{}
	for _, p := range paths {
		im, err := loadImage(flag, p, size)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, seen[name])
		}
		ims = append(ims, namedImage{name: name, im: im})
	}
	return ims, nil
}

// checkImagesFit fails, naming --size, when an image is too small for the
// deepest layer.
func checkImagesFit(ims []namedImage, layers ...[]vgg.Point) error {
	for _, n := range ims {
		if err := checkNetSize(n.im.W, n.im.H, layers...); err != nil {
			return err
		}
	}
	return nil
}

// gridRun holds the flags of gogh grid.
type gridRun struct {
	runFlags
	transferLayers
	contents, styles string
	out              string
	cell             int
}

func newGridCmd() *cobra.Command {
	r := &gridRun{}
	cmd := &cobra.Command{
		Use:   "grid --content A,B[,...] --style X,Y[,...] -o GRID.png",
		Short: "Paint every content image in every style, as a labelled grid",
		Long: `Paint every content image in the style of every style image, each from its content
image, and lay the results out as a labelled grid: the style images along the first
row, the content images down the first column, and each painting where its content's
row meets its style's column, labelled with its final loss.

Pairs run in parallel, as many at once as --threads allows (each pair gets
--threads divided by the pairs running), so together they never use more than
--threads. A line is printed as each pair finishes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fs := cmd.Flags()
	fs.StringVar(&r.contents, "content", "", "content images, comma-separated")
	fs.StringVar(&r.styles, "style", "", "style images, comma-separated")
	fs.StringVarP(&r.out, "output", "o", "", "output grid image (.png or .jpg)")
	fs.IntVar(&r.cell, "cell", 0, "cell size of the grid in pixels (0: --size, at least 128 and at most 512)")
	r.addFlags(fs, 256, 300)
	r.addLayerFlags(fs, "gatys")
	return cmd
}

func (r *gridRun) run(ctx context.Context, stdout io.Writer) error {
	contentPaths, err := splitList("--content", r.contents)
	if err != nil {
		return err
	}
	stylePaths, err := splitList("--style", r.styles)
	if err != nil {
		return err
	}
	if r.out == "" {
		return fmt.Errorf("-o is required")
	}
	if err := checkOutput(r.out); err != nil {
		return err
	}
	if r.cell < 0 {
		return fmt.Errorf("--cell: must not be negative, got %d", r.cell)
	}
	if r.size < 1 {
		return fmt.Errorf("--size: must be at least 1, got %d", r.size)
	}
	cl, sl, err := r.points()
	if err != nil {
		return err
	}
	contents, err := loadImages("--content", contentPaths, r.size)
	if err != nil {
		return err
	}
	styles, err := loadImages("--style", stylePaths, r.size)
	if err != nil {
		return err
	}
	if err := checkImagesFit(append(append([]namedImage(nil), contents...), styles...), cl, sl); err != nil {
		return err
	}
	s, err := r.settings(cl, sl)
	if err != nil {
		return err
	}
	runs, err := paintGrid(ctx, s, contents, styles, cl, sl, stdout, "")
	if err != nil {
		return err
	}
	cell := r.cell
	if cell == 0 {
		cell = defaultCell(r.size)
	}
	if err := save(r.out, picture.FromImage(study.GridImage(cells(contents), cells(styles), runs, cell))); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "grid -> %s\n", r.out)
	return nil
}

// defaultCell is the contact sheet cell size for images of size pixels.
func defaultCell(size int) int { return min(max(size, 128), 512) }

// paintGrid paints the grid of contents × styles, printing a line as each
// pair finishes and, if dir is not empty, saving its painting there as
// CONTENT__STYLE.png. The runs are labelled "CONTENT × STYLE".
func paintGrid(ctx context.Context, s study.Settings, contents, styles []namedImage, cl, sl []vgg.Point, stdout io.Writer, dir string) ([][]study.Run, error) {
	pairs := len(contents) * len(styles)
	workers, each := s.GridSplit(pairs)
	fmt.Fprintf(stdout, "painting a %d×%d grid at %d px: %d steps of %s per pair, %d pairs at a time with %d threads each, %s normalization, style weight %g\n",
		len(contents), len(styles), max(contents[0].im.W, contents[0].im.H), s.Steps, s.Optimizer, workers, each, s.Normalization, s.StyleWeight)
	ci, si := make([]picture.Image, len(contents)), make([]picture.Image, len(styles))
	for i, c := range contents {
		ci[i] = c.im
	}
	for j, st := range styles {
		si[j] = st.im
	}
	label := func(i, j int) string { return contents[i].name + " × " + styles[j].name }
	var mu sync.Mutex
	done := 0
	start := time.Now()
	runs, err := s.GridEach(ctx, ci, si, cl, sl, func(i, j int, r study.Run) error {
		r.Label = label(i, j)
		where := ""
		if dir != "" {
			file := filepath.Join(dir, gridFileName(contents[i].name, styles[j].name))
			if err := picture.SavePNG(file, r.Image); err != nil {
				return err
			}
			where = " -> " + file
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		fmt.Fprintf(stdout, "[%d/%d] %s: style %.4g  content %.4g  total %.4g  %.1fs%s\n",
			done, pairs, r.Label, r.Loss.Style, r.Loss.Content, r.Loss.Total, r.Elapsed.Seconds(), where)
		return nil
	})
	for i := range runs {
		for j := range runs[i] {
			runs[i][j].Label = label(i, j)
		}
	}
	if errors.Is(err, context.Canceled) {
		return runs, fmt.Errorf("interrupted after %d of %d pairs", done, pairs)
	}
	if err != nil {
		return runs, err
	}
	fmt.Fprintf(stdout, "grid done: %d pairs in %s\n", pairs, time.Since(start).Round(time.Millisecond))
	return runs, nil
}

// gridFileName is the PNG the painting of content × style is saved as.
func gridFileName(content, style string) string {
	return fileSafe(content) + "__" + fileSafe(style) + ".png"
}

// fileSafe replaces what is not a letter, digit, '_', '+', '-' or '.' in
// name by '-'.
func fileSafe(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '+', r == '-', r == '.':
			return r
		}
		return '-'
	}, name)
}
