package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/internal/fftool"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/samples"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// clipFlags are the flags gogh video and gogh compare share: the style,
// which frames of the input at what size, and how each frame is painted.
type clipFlags struct {
	objective
	style          string
	start, end     secondsFlag
	frames         string
	fps            float64
	size           int
	stepsFirst     int
	steps          int
	optimizer      string
	lr             float64
	temporalWeight float64
	temporalFrames string
	// defaultEnd, if positive, is the end in seconds of the range painted
	// when no range is given (at most the whole clip).
	defaultEnd float64
	stderr     io.Writer      // notes on the default samples, download progress
	flags      *pflag.FlagSet // to tell flags given from defaults
}

func (c *clipFlags) addClipFlags(fs *pflag.FlagSet, temporalWeight float64) {
	c.flags = fs
	fs.StringVarP(&c.style, "style", "s", "", "style image (PNG, JPEG, GIF, WebP) (default: the "+samples.DefaultStyle+" sample)")
	fs.Var(&c.start, "start", "start of the range in seconds (\"2.5\" or \"2.5s\")")
	fs.Var(&c.end, "end", "end of the range in seconds (default: the end of the video)")
	fs.StringVar(&c.frames, "frames", "", "frame range a:b (b excluded, counted at --fps; instead of --start/--end)")
	fs.Float64Var(&c.fps, "fps", 0, "frame rate to stylize at (default: the video's)")
	fs.IntVar(&c.size, "size", 256, "longer side of the frames in pixels; the style image is scaled to it too")
	fs.IntVar(&c.stepsFirst, "steps-first", 300, "evaluations for a frame that starts cold (the first of a chain; every frame with --warm-start none)")
	fs.IntVar(&c.steps, "steps", 100, "evaluations for a warm-started frame: it starts close to its own optimum, so it needs far fewer than --steps-first")
	fs.StringVar(&c.optimizer, "optimizer", "lbfgs", "lbfgs or adam")
	fs.Float64Var(&c.lr, "lr", 0, "Adam learning rate (default 0.02)")
	fs.Float64Var(&c.temporalWeight, "temporal-weight", temporalWeight, "weight of the temporal loss: the squared difference between a frame and the previous stylized frame warped along the optical flow, summed over the pixels the flow tracks reliably and divided by all pixels and channels (Ruder et al. 2016)")
	fs.StringVar(&c.temporalFrames, "temporal-frames", "1", "frame distances whose stylized frames the temporal loss warps and compares with, e.g. 1,2,4 for Ruder et al.'s long-term loss")
	c.addFlags(fs)
}

// runE returns the cobra RunE of a command with an optional input clip.
func (c *clipFlags) runE(run func(ctx context.Context, in string, stdout io.Writer) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		in := ""
		if len(args) == 1 {
			in = args[0]
		}
		c.stderr = cmd.ErrOrStderr()
		return run(cmd.Context(), in, cmd.OutOrStdout())
	}
}

// check checks the flags that need no file and returns the decoding
// options, the objective and the temporal loss's frame distances.
func (c *clipFlags) check() (decode.Options, stylize.Spec, []int, error) {
	var opts decode.Options
	if c.frames != "" {
		if c.start != 0 || c.end != 0 {
			return opts, stylize.Spec{}, nil, fmt.Errorf("--frames: cannot be combined with --start/--end")
		}
		var err error
		if opts.FromFrame, opts.ToFrame, err = parseFrames(c.frames); err != nil {
			return opts, stylize.Spec{}, nil, err
		}
	}
	opts.Start, opts.End, opts.FPS, opts.Size = float64(c.start), float64(c.end), c.fps, c.size
	var err error
	switch {
	case c.size < 1:
		err = fmt.Errorf("--size: must be at least 1, got %d", c.size)
	case c.stepsFirst < 1:
		err = fmt.Errorf("--steps-first: must be at least 1, got %d", c.stepsFirst)
	case c.steps < 1:
		err = fmt.Errorf("--steps: must be at least 1, got %d", c.steps)
	case c.lr < 0:
		err = fmt.Errorf("--lr: must not be negative, got %g", c.lr)
	case !(c.temporalWeight >= 0) || math.IsInf(c.temporalWeight, 0):
		err = fmt.Errorf("--temporal-weight: want a finite weight ≥ 0, got %g", c.temporalWeight)
	}
	if err != nil {
		return opts, stylize.Spec{}, nil, err
	}
	if _, err := stylize.NewOptimizer(c.optimizer, c.lr); err != nil {
		return opts, stylize.Spec{}, nil, err
	}
	lags, err := parseLags(c.temporalFrames)
	if err != nil {
		return opts, stylize.Spec{}, nil, err
	}
	spec, err := c.spec()
	if err != nil {
		return opts, stylize.Spec{}, nil, err
	}
	spec.Weights.Temporal = c.temporalWeight
	return opts, spec, lags, nil
}

// parseLags parses --temporal-frames: ascending positive frame distances.
func parseLags(v string) ([]int, error) {
	var lags []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || (len(lags) > 0 && n <= lags[len(lags)-1]) {
			return nil, fmt.Errorf("--temporal-frames %q: want ascending positive frame distances, e.g. 1,2,4", v)
		}
		lags = append(lags, n)
	}
	return lags, nil
}

// clip is an input ready to stylize: the probed video, the frames to
// paint, the network and the style's targets.
type clip struct {
	in        string // the input (the sample clip when none was given)
	info      decode.Info
	plan      decode.Plan
	weights   *vgg.Weights
	style     *stylize.Style
	absIn     string
	absStyle  string
	styleSize int
}

// open resolves the default samples, probes the input, plans the frames
// and loads the weights and the style.
func (c *clipFlags) open(ctx context.Context, in string, opts decode.Options, spec stylize.Spec) (*clip, error) {
	if err := fftool.Check(); err != nil {
		return nil, err
	}
	in, err := c.defaults(ctx, in)
	if err != nil {
		return nil, err
	}
	info, err := decode.Probe(ctx, in)
	if err != nil {
		return nil, err
	}
	if c.defaultEnd > 0 && c.frames == "" && c.start == 0 && c.end == 0 && info.Duration > c.defaultEnd {
		opts.End = c.defaultEnd
	}
	plan, err := info.Plan(opts)
	if err != nil {
		return nil, err
	}
	styleImg, err := loadImage("--style", c.style, c.size)
	if err != nil {
		return nil, err
	}
	w, err := c.network(spec)
	if err != nil {
		return nil, err
	}
	style, err := stylize.NewStyle(w, styleImg, spec.StyleLayers, spec.Threads)
	if err != nil {
		return nil, err
	}
	cl := &clip{in: in, info: info, plan: plan, weights: w, style: style, styleSize: c.size}
	cl.absIn, _ = filepath.Abs(in)
	cl.absStyle, _ = filepath.Abs(c.style)
	return cl, nil
}

// job describes the input for the work dir's job.json.
func (cl *clip) job() pipeline.Job {
	return pipeline.Job{Input: cl.absIn, Style: cl.absStyle, StyleSize: cl.styleSize, FPS: cl.plan.FPS,
		First: cl.plan.First, Start: cl.plan.Start, End: cl.plan.End}
}

// source reads the planned frames.
func (cl *clip) source() videoSource { return videoSource{path: cl.in, plan: cl.plan} }
