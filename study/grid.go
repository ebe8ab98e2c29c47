package study

import (
	"context"
	"fmt"
	"image"

	"golang.org/x/sync/errgroup"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Grid stylizes every content × style pair, each from its content image,
// and returns the runs as runs[i][j] for contents[i] and styles[j], labelled
// "content i × style j" (1-based). Pairs run in parallel: see GridEach.
func (s Settings) Grid(ctx context.Context, contents, styles []picture.Image, contentLayers, styleLayers []vgg.Point) ([][]Run, error) {
	return s.GridEach(ctx, contents, styles, contentLayers, styleLayers, nil)
}

// GridEach is Grid that calls done (if not nil) as each pair finishes, from
// the goroutine that painted it (calls may overlap); an error from done
// stops the grid. Up to min(pairs, Threads) pairs run at once, each with
// Threads/workers threads, so that together they never use more than
// s.Threads. The first failure cancels the pairs still running; the runs
// returned with it are those that finished (the others are zero).
func (s Settings) GridEach(ctx context.Context, contents, styles []picture.Image, contentLayers, styleLayers []vgg.Point, done func(i, j int, r Run) error) ([][]Run, error) {
	if len(contents) == 0 || len(styles) == 0 {
		return nil, fmt.Errorf("grid: need at least one content and one style image, got %d and %d", len(contents), len(styles))
	}
	workers, each := s.GridSplit(len(contents) * len(styles))
	ps := s
	ps.Threads = each
	runs := make([][]Run, len(contents))
	for i := range runs {
		runs[i] = make([]Run, len(styles))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, c := range contents {
		for j, st := range styles {
			g.Go(func() error {
				label := GridLabel(i, j)
				r, err := ps.Paint(gctx, label, c, st, c, contentLayers, styleLayers)
				if err != nil {
					return err
				}
				runs[i][j] = r
				if done != nil {
					return done(i, j, r)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return runs, fmt.Errorf("grid: %w", err)
	}
	return runs, nil
}

// GridLabel is the label Grid gives the run of contents[i] × styles[j].
func GridLabel(i, j int) string { return fmt.Sprintf("content %d × style %d", i+1, j+1) }

// GridSplit returns how Grid shares s.Threads among pairs: workers pairs
// painted at once, each with each threads.
func (s Settings) GridSplit(pairs int) (workers, each int) { return split(s.Threads, pairs) }

// split shares threads among jobs: workers jobs at once with each threads
// apiece, workers·each ≤ max(1, threads).
func split(threads, jobs int) (workers, each int) {
	threads = max(1, threads)
	workers = max(1, min(jobs, threads))
	return workers, threads / workers
}

// GridImage lays the grid out as a labelled contact sheet (see Sheet) of
// len(styles)+1 columns: the top-left cell empty, the styles along the
// first row, the contents down the first column, and runs[i][j] where the
// row of contents[i] meets the column of styles[j], labelled with its
// final loss. Its size is SheetSize((len(contents)+1)·(len(styles)+1),
// len(styles)+1, cell).
func GridImage(contents, styles []figure.Cell, runs [][]Run, cell int) *image.NRGBA {
	cells := append([]figure.Cell{{}}, styles...)
	for i, c := range contents {
		cells = append(cells, c)
		for j := range styles {
			if i >= len(runs) || j >= len(runs[i]) || runs[i][j].Image.W == 0 {
				cells = append(cells, figure.Cell{})
				continue
			}
			r := runs[i][j]
			cells = append(cells, figure.Cell{Label: fmt.Sprintf("loss %.3g", r.Loss.Total), Image: r.Image.NRGBA()})
		}
	}
	return figure.Sheet(cells, len(styles)+1, cell)
}
