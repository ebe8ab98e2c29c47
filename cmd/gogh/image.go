package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
)

// imageRun holds the flags of commands that paint one image.
type imageRun struct {
	objective
	content, style string
	out            string
	size           int
	styleSize      int
	steps          int
	init           string
	optimizer      string
	lr             float64
	seed           uint64
	logEvery       int
	logCSV         string
}

func newImageCmd() *cobra.Command {
	r := &imageRun{}
	cmd := &cobra.Command{
		Use:   "image --content C --style S -o OUT.png",
		Short: "Paint one image in the style of another",
		Long: `Paint the content image in the style of the style image by optimizing its pixels
so that its VGG19 features match the content and its feature Gram matrices match the
style. One step is one loss and gradient evaluation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fs := cmd.Flags()
	fs.StringVar(&r.content, "content", "", "content image (PNG, JPEG, GIF, WebP)")
	fs.StringVar(&r.style, "style", "", "style image")
	fs.StringVarP(&r.out, "output", "o", "", "output image (.png or .jpg)")
	fs.IntVar(&r.size, "size", 512, "longer side of the output in pixels (0: the content image's size)")
	fs.IntVar(&r.styleSize, "style-size", 0, "longer side the style image is scaled to (0: same as --size)")
	fs.IntVar(&r.steps, "steps", 300, "loss+gradient evaluations")
	fs.StringVar(&r.init, "init", "content", "starting image: content, noise (uniform, seeded) or an image file")
	fs.StringVar(&r.optimizer, "optimizer", "lbfgs", "lbfgs or adam")
	fs.Float64Var(&r.lr, "lr", 0, "Adam learning rate (default 0.02)")
	fs.Uint64Var(&r.seed, "seed", 1, "seed for --init noise")
	fs.IntVar(&r.logEvery, "log-every", 50, "print the losses every K steps (0: never)")
	fs.StringVar(&r.logCSV, "log", "", "write every step's losses to this CSV file")
	r.addFlags(fs)
	return cmd
}

func (r *imageRun) run(ctx context.Context, stdout io.Writer) error {
	for _, f := range []struct{ flag, v string }{{"--content", r.content}, {"--style", r.style}, {"-o", r.out}} {
		if f.v == "" {
			return fmt.Errorf("%s is required", f.flag)
		}
	}
	if err := checkOutput(r.out); err != nil {
		return err
	}
	if r.logCSV != "" {
		if err := checkWritable("--log", r.logCSV); err != nil {
			return err
		}
	}
	if r.steps < 1 {
		return fmt.Errorf("--steps: must be at least 1, got %d", r.steps)
	}
	if r.size < 0 || r.styleSize < 0 {
		return fmt.Errorf("--size and --style-size must not be negative")
	}
	if r.lr < 0 {
		return fmt.Errorf("--lr: must not be negative, got %g", r.lr)
	}
	spec, err := r.spec()
	if err != nil {
		return err
	}
	opt, err := stylize.NewOptimizer(r.optimizer, r.lr)
	if err != nil {
		return err
	}
	// The images first: a mistyped name fails before the weights are read.
	content, err := loadImage("--content", r.content, r.size)
	if err != nil {
		return err
	}
	ss := r.styleSize
	if ss == 0 {
		ss = max(content.W, content.H)
	}
	styleImg, err := loadImage("--style", r.style, ss)
	if err != nil {
		return err
	}
	x, err := initImage(r.init, content, r.seed)
	if err != nil {
		return err
	}
	w, err := r.network(spec)
	if err != nil {
		return err
	}
	style, err := stylize.NewStyle(w, styleImg, spec.StyleLayers, spec.Threads)
	if err != nil {
		return err
	}
	prob, err := stylize.NewProblem(w, content, style, spec)
	if err != nil {
		return err
	}
	log, err := newStepLog(r.logCSV, r.logEvery, r.steps, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "painting %dx%d, %d steps of %s, %s normalization, style weight %g\n",
		content.W, content.H, r.steps, r.optimizer, spec.Normalization, spec.Weights.Style)
	loss, runErr := prob.Run(ctx, x, r.steps, opt, log.step)
	if err := log.close(); err != nil && runErr == nil {
		runErr = err
	}
	canceled := errors.Is(runErr, context.Canceled)
	if runErr != nil && !canceled && log.n == 0 {
		return runErr // nothing was painted: leave no output
	}
	if err := save(r.out, x); err != nil {
		return err
	}
	if canceled {
		return fmt.Errorf("interrupted after %d steps; the best image so far is in %s", log.n, r.out)
	}
	if runErr != nil {
		return runErr
	}
	fmt.Fprintf(stdout, "done in %s: style %.4g  content %.4g  total %.4g -> %s\n",
		log.elapsed.Round(time.Millisecond), loss.Style, loss.Content, loss.Total, r.out)
	return nil
}

// initImage returns the starting image: the content, seeded noise, or an
// image file resampled to the content's size.
func initImage(init string, content picture.Image, seed uint64) (picture.Image, error) {
	switch init {
	case "content":
		return content.Clone(), nil
	case "noise":
		return picture.Noise(content.W, content.H, seed), nil
	}
	im, err := picture.LoadSized(init, content.W, content.H)
	if err != nil {
		return picture.Image{}, fileError("--init", err)
	}
	return im, nil
}

// loadImage reads the image file named by flag scaled to size (see
// picture.Load), with errors that start with the flag.
func loadImage(flag, path string, size int) (picture.Image, error) {
	im, err := picture.Load(path, size)
	if err != nil {
		return picture.Image{}, fileError(flag, err)
	}
	return im, nil
}

// fileError prefixes an error reading a file with the flag that named it:
// "--content x.png: no such file or directory" rather than
// "--content open x.png: ...".
func fileError(flag string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", flag, pe.Path, pe.Err)
	}
	return fmt.Errorf("%s %w", flag, err)
}

// checkOutput fails early, before hours of work, when out cannot be written.
func checkOutput(out string) error {
	switch strings.ToLower(filepath.Ext(out)) {
	case ".png", ".jpg", ".jpeg":
	default:
		return fmt.Errorf("-o %s: the output must end in .png, .jpg or .jpeg", out)
	}
	return checkWritable("-o", out)
}

// checkWritable reports whether a file can be created at path, naming the
// flag that gave it in the error.
func checkWritable(flag, path string) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s %s: no directory %s", flag, path, dir)
	}
	f, err := os.CreateTemp(dir, ".gogh-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot write there: %w", flag, path, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// save writes the image as PNG or JPEG by out's extension.
func save(out string, im picture.Image) error {
	if ext := strings.ToLower(filepath.Ext(out)); ext == ".jpg" || ext == ".jpeg" {
		return picture.SaveJPEG(out, im)
	}
	return picture.SavePNG(out, im)
}

// stepLog reports a run's steps: a line every K steps, a CSV row per step,
// and a progress bar when stderr is a terminal.
type stepLog struct {
	every   int
	out     io.Writer
	csv     *os.File
	bar     *progressbar.ProgressBar
	n       int
	elapsed time.Duration
}

func newStepLog(csvPath string, every, steps int, out io.Writer) (*stepLog, error) {
	l := &stepLog{every: every, out: out}
	if csvPath != "" {
		f, err := os.Create(csvPath)
		if err != nil {
			return nil, fmt.Errorf("--log: %w", err)
		}
		if _, err := fmt.Fprintln(f, "step,style,content,tv,total,seconds"); err != nil {
			f.Close()
			return nil, fmt.Errorf("--log: %w", err)
		}
		l.csv = f
	}
	if isTerminal(os.Stderr) {
		l.bar = progressbar.NewOptions(steps, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("painting"), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
	}
	return l, nil
}

func (l *stepLog) step(s stylize.Step) {
	l.n, l.elapsed = s.N, s.Elapsed
	if l.csv != nil {
		fmt.Fprintf(l.csv, "%d,%.6g,%.6g,%.6g,%.6g,%.3f\n", s.N, s.Loss.Style, s.Loss.Content, s.Loss.TV, s.Loss.Total, s.Elapsed.Seconds())
	}
	if l.every > 0 && s.N%l.every == 0 {
		if l.bar != nil {
			l.bar.Clear()
		}
		fmt.Fprintf(l.out, "step %d  style %.4g  content %.4g  total %.4g  (%.2fs/step)\n",
			s.N, s.Loss.Style, s.Loss.Content, s.Loss.Total, s.Elapsed.Seconds()/float64(s.N))
	}
	if l.bar != nil {
		l.bar.Add(1)
	}
}

func (l *stepLog) close() error {
	if l.bar != nil {
		l.bar.Finish()
	}
	if l.csv != nil {
		return l.csv.Close()
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
