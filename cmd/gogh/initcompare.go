package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Files gogh init-compare writes in its directory.
const (
	initContentPNG = "content-init.png"
	initNoisePNG   = "noise-init.png"
	initLossCSV    = "loss.csv"
	initLossPNG    = "loss.png"
	initLossSVG    = "loss.svg"
	initRunsCSV    = "runs.csv"
)

// initCompareRun holds the flags of gogh init-compare.
type initCompareRun struct {
	runFlags
	transferLayers
	content, style string
	out            string
}

func newInitCompareCmd() *cobra.Command {
	r := &initCompareRun{}
	cmd := &cobra.Command{
		Use:   "init-compare --content C --style S -o DIR",
		Short: "Paint the same transfer from the content image and from noise, and compare",
		Long: `Paint the content image in the style of the style image twice, one run after the
other with every thread: once starting from the content image, once from uniform
noise (seed --seed), for the same number of steps.

DIR (created if missing) receives the two paintings (content-init.png,
noise-init.png), every step's weighted losses of both (loss.csv: run, step,
style, content, tv, total, seconds), a plot of the style and content losses
against the step on a log scale (loss.png and loss.svg), and the final losses
and time of each run (runs.csv).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fs := cmd.Flags()
	fs.StringVar(&r.content, "content", "", "content image (PNG, JPEG, GIF, WebP)")
	fs.StringVar(&r.style, "style", "", "style image")
	fs.StringVarP(&r.out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300)
	r.addLayerFlags(fs, "gatys")
	return cmd
}

func (r *initCompareRun) run(ctx context.Context, stdout io.Writer) error {
	for _, f := range []struct{ flag, v string }{{"--content", r.content}, {"--style", r.style}, {"-o", r.out}} {
		if f.v == "" {
			return fmt.Errorf("%s is required", f.flag)
		}
	}
	if r.size < 1 {
		return fmt.Errorf("--size: must be at least 1, got %d", r.size)
	}
	cl, sl, err := r.points()
	if err != nil {
		return err
	}
	content, err := loadImages("--content", []string{r.content}, r.size)
	if err != nil {
		return err
	}
	style, err := loadImages("--style", []string{r.style}, r.size)
	if err != nil {
		return err
	}
	if err := checkImagesFit([]namedImage{content[0], style[0]}, cl, sl); err != nil {
		return err
	}
	if err := makeOutputDir("-o", r.out); err != nil {
		return err
	}
	s, err := r.settings(cl, sl)
	if err != nil {
		return err
	}
	_, _, err = compareInits(ctx, s, content[0], style[0], cl, sl, stdout, r.out)
	return err
}

// makeOutputDir creates dir, the value of flag, if missing and checks that
// files can be written there.
func makeOutputDir(flag, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fileError(flag, err)
	}
	f, err := os.CreateTemp(dir, ".gogh-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot write there: %w", flag, dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// compareInits runs the init comparison of content × style, printing a
// line per run and the verdict, and writes its files (see gogh
// init-compare) into dir.
func compareInits(ctx context.Context, s study.Settings, content, style namedImage, cl, sl []vgg.Point, stdout io.Writer, dir string) (fromContent, fromNoise study.Run, err error) {
	fmt.Fprintf(stdout, "comparing inits: %s (%dx%d) in the style of %s, %d steps of %s from the content image, then from noise (seed %d)\n",
		content.name, content.im.W, content.im.H, style.name, s.Steps, s.Optimizer, s.Seed)
	fromContent, fromNoise, err = s.InitCompareEach(ctx, content.im, style.im, cl, sl, func(r study.Run) error {
		file := filepath.Join(dir, initContentPNG)
		if r.Label == study.FromNoiseLabel {
			file = filepath.Join(dir, initNoisePNG)
		}
		if err := picture.SavePNG(file, r.Image); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: style %.4g  content %.4g  total %.4g  %d steps in %.1fs -> %s\n",
			r.Label, r.Loss.Style, r.Loss.Content, r.Loss.Total, len(r.Steps), r.Elapsed.Seconds(), file)
		return nil
	})
	if errors.Is(err, context.Canceled) {
		return fromContent, fromNoise, fmt.Errorf("interrupted; finished paintings are in %s", dir)
	}
	if err != nil {
		return fromContent, fromNoise, err
	}
	runs := []study.Run{fromContent, fromNoise}
	if err := study.WriteCSV(filepath.Join(dir, initLossCSV), runs); err != nil {
		return fromContent, fromNoise, err
	}
	if err := study.LossPlot(runs, filepath.Join(dir, initLossPNG), filepath.Join(dir, initLossSVG)); err != nil {
		return fromContent, fromNoise, err
	}
	if err := writeTableCSV(filepath.Join(dir, initRunsCSV), study.LossTable("", runs)); err != nil {
		return fromContent, fromNoise, err
	}
	fmt.Fprintf(stdout, "%s -> %s, %s, %s, %s\n", initVerdict(fromContent, fromNoise),
		filepath.Join(dir, initLossCSV), filepath.Join(dir, initLossPNG), filepath.Join(dir, initLossSVG), filepath.Join(dir, initRunsCSV))
	return fromContent, fromNoise, nil
}

// initVerdict says how the two runs ended.
func initVerdict(fromContent, fromNoise study.Run) string {
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

// writeTableCSV writes a table, header first, as CSV.
func writeTableCSV(path string, t study.Table) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(t.Header)
	w.WriteAll(t.Rows) // into memory: cannot fail
	return atomicfile.WriteBytes(path, buf.Bytes())
}
