package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Files the init comparison writes in its directory.
const (
	InitContentPNG = "content-init.png"
	InitNoisePNG   = "noise-init.png"
	InitLossCSV    = "loss.csv"
	InitLossPNG    = "loss.png"
	InitLossSVG    = "loss.svg"
	InitRunsCSV    = "runs.csv"
)

// interrupted rewrites the error of a series stopped by its context.
func interrupted(err error, done, runs int, dir string) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted during run %d of %d; the %d finished runs are in %s", done+1, runs, done, dir)
	}
	return err
}

// ReconstructInto runs ReconstructEach from content and keeps dir up to
// date as each run finishes (see SeriesWriter; runs.csv gets a psnr
// column), printing a line per run to log. It returns the runs and their
// PSNR against the content.
func (s Settings) ReconstructInto(ctx context.Context, content Named, layers []vgg.Point, seeds int, dir string, log io.Writer) ([]Run, []float64, error) {
	sw, err := NewSeriesWriter(dir, figure.Cell{Label: content.Name, Image: content.Image.NRGBA()},
		len(layers), seeds, s.Seed, max(content.Image.W, content.Image.H), "psnr")
	if err != nil {
		return nil, nil, err
	}
	var psnr []float64
	runs, err := s.ReconstructEach(ctx, content.Image, layers, seeds, func(i, k int, run Run) error {
		p := PSNR(run.Image, content.Image)
		psnr = append(psnr, p)
		file, err := sw.Add(i, k, run, layers[i].String(), strconv.FormatFloat(p, 'g', 6, 64))
		if err == nil {
			logRun(log, run, fmt.Sprintf("  psnr %.2f dB", p), file)
		}
		return err
	})
	return runs, psnr, interrupted(err, len(psnr), len(layers)*seeds, dir)
}

// TextureInto runs TextureEach from style (its size) and keeps dir up to
// date as each run finishes (see SeriesWriter), printing a line per run
// to log.
func (s Settings) TextureInto(ctx context.Context, style Named, sets [][]vgg.Point, seeds int, dir string, log io.Writer) ([]Run, error) {
	sw, err := NewSeriesWriter(dir, figure.Cell{Label: style.Name, Image: style.Image.NRGBA()},
		len(sets), seeds, s.Seed, max(style.Image.W, style.Image.H))
	if err != nil {
		return nil, err
	}
	done := 0
	runs, err := s.TextureEach(ctx, style.Image, sets, seeds, style.Image.W, style.Image.H, func(i, k int, run Run) error {
		file, err := sw.Add(i, k, run, SetName(sets[i]))
		if err == nil {
			done++
			logRun(log, run, "", file)
		}
		return err
	})
	return runs, interrupted(err, done, len(sets)*seeds, dir)
}

// logRun prints a run's line.
func logRun(log io.Writer, run Run, extra, file string) {
	l := run.Loss
	fmt.Fprintf(log, "%s: style %.4g  content %.4g  total %.4g%s  %.1fs -> %s\n",
		run.Label, l.Style, l.Content, l.Total, extra, run.Elapsed.Seconds(), file)
}

// GridInto paints the grid of contents × styles (see GridEach), printing
// a line to log as each pair finishes and, if dir is not empty, saving its
// painting there (GridFileName). The runs are labelled "CONTENT × STYLE".
func (s Settings) GridInto(ctx context.Context, contents, styles []Named, cl, sl []vgg.Point, dir string, log io.Writer) ([][]Run, error) {
	pairs := len(contents) * len(styles)
	workers, each := s.GridSplit(pairs)
	fmt.Fprintf(log, "painting a %d×%d grid at %d px: %d steps of %s per pair, %d pairs at a time with %d threads each, %s normalization, style weight %g\n",
		len(contents), len(styles), max(contents[0].Image.W, contents[0].Image.H), s.Steps, s.Optimizer, workers, each, s.Normalization, s.Weights.Style)
	ci, si := make([]picture.Image, len(contents)), make([]picture.Image, len(styles))
	for i, c := range contents {
		ci[i] = c.Image
	}
	for j, st := range styles {
		si[j] = st.Image
	}
	label := func(i, j int) string { return contents[i].Name + " × " + styles[j].Name }
	var mu sync.Mutex
	done := 0
	start := time.Now()
	runs, err := s.GridEach(ctx, ci, si, cl, sl, func(i, j int, r Run) error {
		r.Label = label(i, j)
		where := ""
		if dir != "" {
			file := filepath.Join(dir, GridFileName(contents[i].Name, styles[j].Name))
			if err := picture.SavePNG(file, r.Image); err != nil {
				return err
			}
			where = " -> " + file
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		fmt.Fprintf(log, "[%d/%d] %s: style %.4g  content %.4g  total %.4g  %.1fs%s\n",
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
	fmt.Fprintf(log, "grid done: %d pairs in %s\n", pairs, time.Since(start).Round(time.Millisecond))
	return runs, nil
}

// InitCompareInto runs the init comparison of content × style (see
// InitCompareEach), printing a line per run and the verdict to log, and
// writes into dir both paintings, every step's losses (loss.csv), their
// plot (loss.png, loss.svg) and the final losses (runs.csv).
func (s Settings) InitCompareInto(ctx context.Context, content, style Named, cl, sl []vgg.Point, dir string, log io.Writer) (fromContent, fromNoise Run, err error) {
	fmt.Fprintf(log, "comparing inits: %s (%dx%d) in the style of %s, %d steps of %s from the content image, then from noise (seed %d)\n",
		content.Name, content.Image.W, content.Image.H, style.Name, s.Steps, s.Optimizer, s.Seed)
	fromContent, fromNoise, err = s.InitCompareEach(ctx, content.Image, style.Image, cl, sl, func(r Run) error {
		file := filepath.Join(dir, InitContentPNG)
		if r.Label == FromNoiseLabel {
			file = filepath.Join(dir, InitNoisePNG)
		}
		if err := picture.SavePNG(file, r.Image); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: style %.4g  content %.4g  total %.4g  %d steps in %.1fs -> %s\n",
			r.Label, r.Loss.Style, r.Loss.Content, r.Loss.Total, len(r.Steps), r.Elapsed.Seconds(), file)
		return nil
	})
	if errors.Is(err, context.Canceled) {
		return fromContent, fromNoise, fmt.Errorf("interrupted; finished paintings are in %s", dir)
	}
	if err != nil {
		return fromContent, fromNoise, err
	}
	runs := []Run{fromContent, fromNoise}
	if err := WriteCSV(filepath.Join(dir, InitLossCSV), runs); err != nil {
		return fromContent, fromNoise, err
	}
	if err := LossPlot(runs, filepath.Join(dir, InitLossPNG), filepath.Join(dir, InitLossSVG)); err != nil {
		return fromContent, fromNoise, err
	}
	if err := WriteTableCSV(filepath.Join(dir, InitRunsCSV), LossTable("", runs)); err != nil {
		return fromContent, fromNoise, err
	}
	fmt.Fprintf(log, "%s -> %s, %s, %s, %s\n", InitVerdict(fromContent, fromNoise),
		filepath.Join(dir, InitLossCSV), filepath.Join(dir, InitLossPNG), filepath.Join(dir, InitLossSVG), filepath.Join(dir, InitRunsCSV))
	return fromContent, fromNoise, nil
}

// InitVerdict says how the two runs of an init comparison ended.
func InitVerdict(fromContent, fromNoise Run) string {
	c, n := fromContent.Loss.Total, fromNoise.Loss.Total
	how := "higher"
	if n < c {
		how = "lower"
	}
	steps := fmt.Sprintf("%d steps", len(fromNoise.Steps))
	if len(fromNoise.Steps) != len(fromContent.Steps) {
		steps = fmt.Sprintf("%d steps (%d from the content image)", len(fromNoise.Steps), len(fromContent.Steps))
	}
	return fmt.Sprintf("after %s, noise init ends %s than content init: total %.4g against %.4g (×%.3g), in %.1fs against %.1fs",
		steps, how, n, c, n/c, fromNoise.Elapsed.Seconds(), fromContent.Elapsed.Seconds())
}
