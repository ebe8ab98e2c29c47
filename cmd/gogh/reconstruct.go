package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// reconstructRun holds the flags of gogh reconstruct.
type reconstructRun struct {
	runFlags
	content string
	layers  string
	seeds   int
	out     string
}

func newReconstructCmd() *cobra.Command {
	r := &reconstructRun{}
	cmd := &cobra.Command{
		Use:   "reconstruct --content C -o DIR",
		Short: "Reconstruct a photo from the features of one layer at a time",
		Long: `Reconstruct the content image from its VGG19 features at each layer in turn:
starting from noise, optimize with the content loss at that one layer only, no
style. Shallow layers give the photo back almost exactly; deep layers keep its
layout but lose detail and colour.

DIR (created if missing) receives one PNG per layer and seed (conv3_2-seed1.png),
sheet.png (the content image, then a row per seed, a column per layer; cells of
--size pixels, at least 128 and at most 512) and runs.csv (per run: label, layers,
seed, final style, content and total loss, seconds, PSNR against the content).
They are rewritten as each run finishes, so an interrupted study keeps its
finished runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fs := cmd.Flags()
	fs.StringVar(&r.content, "content", "", "content image (PNG, JPEG, GIF, WebP)")
	fs.StringVar(&r.layers, "layers", "conv1_2,conv2_2,conv3_2,conv4_2,conv5_2", "layers to reconstruct from, comma-separated (convA_B, reluA_B or conv_N), a run each")
	fs.IntVar(&r.seeds, "seeds", 1, "noise images per layer (the k-th from seed --seed+k)")
	fs.StringVarP(&r.out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300)
	return cmd
}

func (r *reconstructRun) run(ctx context.Context, stdout io.Writer) error {
	for _, f := range []struct{ flag, v string }{{"--content", r.content}, {"-o", r.out}} {
		if f.v == "" {
			return fmt.Errorf("%s is required", f.flag)
		}
	}
	layers, err := parseLayerList("--layers", r.layers)
	if err != nil {
		return err
	}
	if err := checkSeriesFlags(r.seeds, r.size); err != nil {
		return err
	}
	content, err := loadImage("--content", r.content, r.size)
	if err != nil {
		return err
	}
	if err := checkNetSize(content.W, content.H, layers); err != nil {
		return err
	}
	s, err := r.settings(layers)
	if err != nil {
		return err
	}
	ser, err := newSeries(r.out, stdout, "reconstructing", s, figure.Cell{Label: "content", Image: content.NRGBA()},
		len(layers), r.seeds, max(content.W, content.H), "psnr")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reconstructing %s (%dx%d) from noise at %s × %s: %d steps of %s each, %s normalization\n",
		filepath.Base(r.content), content.W, content.H, countNoun(len(layers), "layer"), countNoun(r.seeds, "seed"), s.Steps, s.Optimizer, s.Normalization)
	s.OnStep = ser.step
	_, err = s.ReconstructEach(ctx, content, layers, r.seeds, func(i, k int, run study.Run) error {
		psnr := study.PSNR(run.Image, content)
		return ser.finish(i, k, run, layers[i].String(), []string{formatFloat(psnr)}, fmt.Sprintf("  psnr %.2f dB", psnr))
	})
	return ser.close(err)
}

// checkSeriesFlags checks the flags reconstruct and texture check before
// reading any file.
func checkSeriesFlags(seeds, size int) error {
	if seeds < 1 {
		return fmt.Errorf("--seeds: must be at least 1, got %d", seeds)
	}
	if size < 1 {
		return fmt.Errorf("--size: must be at least 1, got %d", size)
	}
	return nil
}

// parseLayerList parses a comma-separated list of distinct layers.
func parseLayerList(flag, list string) ([]vgg.Point, error) {
	layers, err := stylize.ParseLayers(flag, list)
	if err != nil {
		return nil, err
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("%s: no layers given", flag)
	}
	for i, p := range layers {
		for _, q := range layers[:i] {
			if p == q {
				return nil, fmt.Errorf("%s: %s is listed twice", flag, p)
			}
		}
	}
	return layers, nil
}

// checkNetSize fails, naming --size, when a w×h image is too small to
// reach the deepest of layers (every max-pool halves it).
func checkNetSize(w, h int, layers ...[]vgg.Point) error {
	for _, ls := range layers {
		for _, p := range ls {
			if side := vgg.MinSide(p); w < side || h < side {
				return fmt.Errorf("--size: a %dx%d image is too small for layer %s (it needs %d pixels a side)", w, h, p, side)
			}
		}
	}
	return nil
}

// series keeps a study's output directory up to date as its runs finish:
// a PNG per run, runs.csv and the contact sheet sheet.png, laid out a row
// per seed and a column per layer (or layer set) after the input image's.
// It prints a line per run and, on a terminal, a progress bar.
type series struct {
	dir      string
	stdout   io.Writer
	cols     int // layers or layer sets
	runs     int // cols × seeds
	steps    int // per run
	cell     int
	cells    []figure.Cell
	rows     [][]string
	bar      *progressbar.ProgressBar
	runSteps int // steps of the current run so far
	done     int
	seed     uint64 // of the first seed's runs
	start    time.Time
}

// newSeries creates dir, checks it can be written, and prepares a series
// of cols × seeds runs of s's whose input image is first, of size pixels
// (longer side); extra names the CSV columns after the common ones.
func newSeries(dir string, stdout io.Writer, verb string, s study.Settings, first figure.Cell, cols, seeds, size int, extra ...string) (*series, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path != dir {
			return nil, fmt.Errorf("-o %s: %s: %w", dir, pe.Path, pe.Err)
		}
		return nil, fileError("-o", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("-o %s: not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".gogh-check-*")
	if err != nil {
		return nil, fmt.Errorf("-o %s: cannot write there: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	sr := &series{
		dir: dir, stdout: stdout, cols: cols, runs: cols * seeds, steps: s.Steps, seed: s.Seed,
		cell:  defaultCell(size),
		cells: make([]figure.Cell, (cols+1)*seeds),
		rows:  [][]string{append([]string{"label", "layers", "seed", "style", "content", "total", "seconds"}, extra...)},
		start: time.Now(),
	}
	sr.cells[0] = first
	if isTerminal(os.Stderr) {
		sr.bar = progressbar.NewOptions(sr.runs*s.Steps, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(verb), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
	}
	return sr, nil
}

// step counts a step of the current run (a study.Settings.OnStep).
func (sr *series) step(string, stylize.Step) {
	sr.runSteps++
	if sr.bar != nil {
		sr.bar.Add(1)
	}
}

// finish writes run, the k-th seed's of the i-th layer or set, and the
// sheet and table with it, then prints its line.
func (sr *series) finish(i, k int, run study.Run, layers string, extra []string, extraText string) error {
	if sr.bar != nil {
		sr.bar.Add(max(0, sr.steps-sr.runSteps)) // a run may converge early
	}
	sr.runSteps = 0
	file := filepath.Join(sr.dir, runFileName(run.Label))
	if err := picture.SavePNG(file, run.Image); err != nil {
		return err
	}
	l := run.Loss
	sr.rows = append(sr.rows, append([]string{run.Label, layers, strconv.FormatUint(sr.seed+uint64(k), 10), formatFloat(l.Style), formatFloat(l.Content),
		formatFloat(l.Total), strconv.FormatFloat(run.Elapsed.Seconds(), 'f', 3, 64)}, extra...))
	sr.cells[k*(sr.cols+1)+1+i] = figure.Cell{Label: run.Label, Image: run.Image.NRGBA()}
	if err := sr.writeTables(); err != nil {
		return err
	}
	sr.done++
	if sr.bar != nil {
		sr.bar.Clear()
	}
	fmt.Fprintf(sr.stdout, "%s: style %.4g  content %.4g  total %.4g%s  %.1fs -> %s\n",
		run.Label, l.Style, l.Content, l.Total, extraText, run.Elapsed.Seconds(), file)
	return nil
}

// writeTables rewrites runs.csv and sheet.png.
func (sr *series) writeTables() error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(sr.rows) // into memory: cannot fail
	if err := atomicfile.WriteBytes(filepath.Join(sr.dir, "runs.csv"), buf.Bytes()); err != nil {
		return err
	}
	return figure.SavePNG(filepath.Join(sr.dir, "sheet.png"), figure.Sheet(sr.cells, sr.cols+1, sr.cell))
}

// close ends the series after the study returned err, and says how it went.
func (sr *series) close(err error) error {
	if sr.bar != nil {
		sr.bar.Finish()
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted during run %d of %d; the %d finished runs are in %s", sr.done+1, sr.runs, sr.done, sr.dir)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(sr.stdout, "done: %d runs in %s -> %s, %s\n", sr.runs, time.Since(sr.start).Round(time.Millisecond),
		filepath.Join(sr.dir, "sheet.png"), filepath.Join(sr.dir, "runs.csv"))
	return nil
}

// runFileName is the PNG a run is saved as: its label without spaces and
// parentheses, "conv3_2 (seed 2)" as conv3_2-seed2.png.
func runFileName(label string) string {
	name := strings.NewReplacer(" (seed ", "-seed", ")", "").Replace(label)
	return fileSafe(name) + ".png"
}

// countNoun says how many nouns there are: "1 seed", "2 seeds".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
