package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/batch"
	"github.com/gogh-video/gogh/internal/outpath"
	"github.com/gogh-video/gogh/internal/record"
	"github.com/gogh-video/gogh/internal/runlog"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// imageRun holds the flags of gogh image.
type imageRun struct {
	opts      stylize.Options
	net       network
	style     styleFlags
	content   string
	out       string
	size      int
	logEvery  int
	logCSV    string
	saveEvery int
	like      string
}

func newImageCmd() *cobra.Command {
	r := &imageRun{opts: stylize.DefaultOptions(), net: network{preset: stylize.Gatys}}
	cmd := &cobra.Command{
		Use:   "image --content C -s S -o OUT.png",
		Short: "Paint one image in the style of another",
		Long: `Paint the content image in the style of the style image by optimizing its pixels
so that its VGG19 features match the content and its feature Gram matrices match the
style. One step is one loss and gradient evaluation.`,
		Args: cobra.NoArgs,
		RunE: runE(map[string]string{"Style": "--style"}, func(cmd *cobra.Command, _ []string) error {
			if r.like != "" {
				if err := like(cmd.Context(), cmd, r.like); err != nil {
					return err
				}
			}
			return r.run(cmd, cmd.OutOrStdout())
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&r.content, "content", "", "content image (PNG, JPEG, GIF, WebP); a folder of them or a comma-separated list paints each into the folder -o names")
	r.style.add(fs, "style image")
	fs.StringVarP(&r.out, "output", "o", "", "output image (.png or .jpg)")
	fs.IntVar(&r.size, "size", 512, "longer side of the output in pixels (0: the content image's size)")
	fs.IntVar(&r.style.spec.Size, "style-size", 0, "longer side the style images are scaled to in pixels, instead of --style-scale")
	fs.StringVar(&r.like, "like", "", "paint with the settings kept in this PNG by an earlier gogh image (see gogh info); flags given here override them")
	fs.IntVar(&r.saveEvery, "save-every", 0, "also write the image every K steps, as OUT-step00050.png … (0: never)")
	fs.TextVar(&r.opts.Init, "init", r.opts.Init, "starting image: content, noise (uniform, seeded) or an image file")
	fs.Uint64Var(&r.opts.Seed, "seed", r.opts.Seed, "seed for --init noise")
	fs.IntVar(&r.logEvery, "log-every", 50, "print the losses every K steps (0: never)")
	fs.StringVar(&r.logCSV, "log", "", "write every step's losses to this CSV file")
	optimizerFlags(fs, &r.opts, "steps", "loss+gradient evaluations")
	objectiveFlags(fs, &r.opts, &r.net)
	return cmd
}

// imageExts are the files a folder of contents is read for.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif", ".webp"}

func (r *imageRun) run(cmd *cobra.Command, stdout io.Writer) error {
	if err := required("--content", r.content, "--style", strings.Join(r.style.spec.Files, ","), "-o", r.out); err != nil {
		return err
	}
	if err := r.style.parse(); err != nil {
		return err
	}
	if r.style.fs.Changed("style-size") && r.style.fs.Changed("style-scale") {
		return fmt.Errorf("--style-size and --style-scale: give one, not both")
	}
	if r.saveEvery < 0 {
		return fmt.Errorf("--save-every must not be negative, got %d", r.saveEvery)
	}
	if r.size < 0 {
		return fmt.Errorf("--size must not be negative, got %d", r.size)
	}
	contents, err := batch.Inputs("--content", r.content, imageExts...)
	if err != nil {
		return err
	}
	outs := []string{r.out}
	if batch.Many(r.content) {
		if filepath.Ext(r.out) != "" {
			return fmt.Errorf("-o %s: with several contents -o names a folder, one PNG for each content", r.out)
		}
		if r.logCSV != "" {
			return fmt.Errorf("--log: one content at a time (several were given)")
		}
		if err := os.MkdirAll(r.out, 0o755); err != nil {
			return fileError("-o", err)
		}
		outs = batch.Outputs(r.out, contents, ".png")
	} else if err := outpath.Ext("-o", r.out, ".png", ".jpg", ".jpeg"); err != nil {
		return err
	}
	inputs := []string{"--init", string(r.opts.Init)}
	for _, f := range contents {
		inputs = append(inputs, "--content", f)
	}
	inputs = append(inputs, r.style.files("--style")...)
	for _, out := range append(outs, r.logCSV) {
		label := "-o"
		if out == r.logCSV {
			label = "--log"
		}
		if err := outpath.Writable(label, out); err != nil {
			return err
		}
		if err := outpath.NotInput(label, out, inputs...); err != nil {
			return err
		}
	}
	if err := r.net.layers(&r.opts); err != nil {
		return err
	}
	// The images first: a mistyped name fails before the weights are read.
	for _, c := range contents {
		cw, ch, err := picture.Dims(c, r.size)
		if err != nil {
			return fileError("--content", err)
		}
		if err := r.opts.CheckSize(cw, ch, 1); err != nil {
			return err
		}
	}
	var w *vgg.Weights
	var style *stylize.Style
	for i, c := range contents {
		content, err := picture.Load(c, r.size)
		if err != nil {
			return fileError("--content", err)
		}
		if style == nil || r.style.spec.Colors == stylize.Histogram { // else the Grams of the first serve all
			images, err := r.style.spec.Read(content, r.opts)
			if err != nil {
				return err
			}
			if w == nil {
				if w, err = r.net.load(r.opts.ContentLayers, r.opts.StyleLayers); err != nil {
					return err
				}
			}
			if style, err = images.Style(w, r.opts); err != nil {
				return err
			}
		}
		if len(contents) > 1 {
			fmt.Fprintf(stdout, "[%d/%d] %s\n", i+1, len(contents), c)
		}
		if err := r.paint(cmd, stdout, w, c, content, style, outs[i]); err != nil {
			return err
		}
	}
	return nil
}

// paint paints content (read from file) in style into out.
func (r *imageRun) paint(cmd *cobra.Command, stdout io.Writer, w *vgg.Weights, file string, content picture.Image, style *stylize.Style, out string) error {
	ctx := cmd.Context()
	x, err := r.opts.Start(content)
	if err != nil {
		return err
	}
	files := append([]string{"--content", file}, r.style.files("--style")...)
	if i := r.opts.Init; i != stylize.InitContent && i != stylize.InitNoise {
		files = append(files, "--init", string(i))
	}
	rec, err := newRecord(cmd, append(files, "--weights", r.net.file)...)
	if err != nil {
		return err
	}
	for k, f := range rec.Flags {
		if f.Name == "content" {
			rec.Flags[k].Value = file // this painting's, not the batch's
		}
	}
	prob, err := stylize.NewLadder(w, content, style, r.opts)
	if err != nil {
		return err
	}
	opt, err := stylize.NewOptimizer(r.opts.Optimizer, r.opts.LR)
	if err != nil {
		return err
	}
	log, err := runlog.NewSteps(r.logCSV, r.logEvery, r.opts.Steps, stdout)
	if err != nil {
		return fmt.Errorf("--log: %w", err)
	}
	fmt.Fprintf(stdout, "painting %dx%d, %d steps of %s, %s normalization, style weight %g\n",
		content.W, content.H, r.opts.Steps, r.opts.Optimizer, r.opts.Normalization, r.opts.Weights.Style)
	var saveErr error
	loss, runErr := prob.Run(ctx, x, r.opts.Steps, opt, func(s stylize.Step) {
		log.Step(s)
		if r.saveEvery > 0 && s.N%r.saveEvery == 0 && saveErr == nil {
			saveErr = saveStep(s, out, content, style, r.style.spec.Colors, rec)
		}
	})
	if runErr == nil {
		runErr = saveErr
	}
	stylize.Finish(x, content, style, r.style.spec.Colors)
	if err := log.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("--log: %w", err)
	}
	canceled := errors.Is(runErr, context.Canceled)
	if runErr != nil && !canceled && log.N == 0 {
		return runErr // nothing was painted: leave no output
	}
	if err := saveRecorded(out, x, rec); err != nil {
		return err
	}
	if canceled {
		return fmt.Errorf("interrupted after %d steps; the best image so far is in %s", log.N, out)
	}
	if runErr != nil {
		return runErr
	}
	fmt.Fprintf(stdout, "done in %s: style %.4g  content %.4g  total %.4g -> %s\n",
		log.Elapsed.Round(time.Millisecond), loss.Style, loss.Content, loss.Total, out)
	return nil
}

// saveStep writes the image of step s beside out as OUT-step00050.png
// (finished as the output is, where it has the output's size).
func saveStep(s stylize.Step, out string, content picture.Image, style *stylize.Style, colors stylize.Colors, rec record.Record) error {
	im := s.Image.Clone()
	if im.W == content.W && im.H == content.H {
		stylize.Finish(im, content, style, colors)
	}
	ext := filepath.Ext(out)
	return saveRecorded(fmt.Sprintf("%s-step%05d%s", strings.TrimSuffix(out, ext), s.N, ext), im, rec)
}
