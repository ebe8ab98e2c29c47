package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/encode"
	"github.com/gogh-video/gogh/internal/batch"
	"github.com/gogh-video/gogh/internal/fftool"
	"github.com/gogh-video/gogh/internal/outpath"
	"github.com/gogh-video/gogh/internal/runlog"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/samples"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// clipFlags are the flags gogh video and gogh compare share: the style,
// which frames of the input at what size, and how each frame is painted.
type clipFlags struct {
	cfg        pipeline.Config
	net        network
	dec        decode.Options
	style      styleFlags
	start, end secondsFlag
	frames     string
	lags       string

	// What open loaded, kept for the next input of a batch.
	weights   *vgg.Weights
	targets   *stylize.Style
	styleSize int
}

func (c *clipFlags) addClipFlags(fs *pflag.FlagSet) {
	c.cfg = pipeline.Defaults()
	c.net.preset = stylize.Gatys
	c.style.add(fs, "style image (PNG, JPEG, GIF, WebP) (default: the "+samples.DefaultStyle+" sample)")
	fs.Var(&c.start, "start", "start of the range in seconds (\"2.5\" or \"2.5s\")")
	fs.Var(&c.end, "end", "end of the range in seconds (default: the end of the video)")
	fs.StringVar(&c.frames, "frames", "", "frame range a:b (b excluded, counted at --fps; instead of --start/--end)")
	fs.Float64Var(&c.dec.FPS, "fps", 0, "frame rate to stylize at (default: the video's)")
	fs.IntVar(&c.dec.Size, "size", 256, "longer side of the frames in pixels; the style image is scaled to it too")
	optimizerFlags(fs, &c.cfg.Options, "steps-first", "evaluations for a frame that starts cold (the first of a chain; every frame with --warm-start none)")
	fs.IntVar(&c.cfg.WarmSteps, "steps", c.cfg.WarmSteps, "evaluations for a warm-started frame: it starts close to its own optimum, so it needs far fewer than --steps-first")
	fs.Float64Var(&c.cfg.Weights.Temporal, "temporal-weight", c.cfg.Weights.Temporal, "weight of the temporal loss: the squared difference between a frame and the previous stylized frame warped along the optical flow, summed over the pixels the flow tracks reliably and divided by all pixels and channels (Ruder et al. 2016)")
	fs.StringVar(&c.lags, "temporal-frames", "1", "frame distances whose stylized frames the temporal loss warps and compares with, e.g. 1,2,4 for Ruder et al.'s long-term loss")
	objectiveFlags(fs, &c.cfg.Options, &c.net)
}

// parse maps the flags that need no file to the options and checks them.
func (c *clipFlags) parse() error {
	c.dec.Start, c.dec.End = float64(c.start), float64(c.end)
	if c.frames != "" {
		a, b, ok := strings.Cut(c.frames, ":")
		from, err1 := strconv.Atoi(a)
		to, err2 := strconv.Atoi(b)
		if !ok || (a != "" && err1 != nil) || (b != "" && err2 != nil) {
			return fmt.Errorf("--frames %q: want a:b, e.g. 0:100", c.frames)
		}
		c.dec.FromFrame, c.dec.ToFrame = from, to
	}
	c.cfg.TemporalFrames = nil
	for _, f := range strings.Split(c.lags, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("--temporal-frames %q: want frame distances, e.g. 1,2,4", c.lags)
		}
		c.cfg.TemporalFrames = append(c.cfg.TemporalFrames, n)
	}
	if err := c.net.layers(&c.cfg.Options); err != nil {
		return err
	}
	if err := c.style.parse(); err != nil {
		return err
	}
	if c.style.spec.Colors == stylize.Histogram {
		return fmt.Errorf("--color-transfer histogram is for images; a video keeps each frame's colours with luminance")
	}
	c.cfg.Colors = c.style.spec.Colors
	return c.cfg.Validate()
}

// clip is an input ready to stylize: the probed video, the frames to
// paint, the network and the style's targets.
type clip struct {
	in      string // the input (the sample clip when none was given)
	info    decode.Info
	plan    decode.Plan
	weights *vgg.Weights
	style   *stylize.Style
}

// open resolves the default samples, probes the input, plans the frames,
// loads the weights and the style, and fills in the frames and the job.
func (c *clipFlags) open(ctx context.Context, in string, stderr io.Writer) (*clip, error) {
	if err := fftool.Check(); err != nil {
		return nil, err
	}
	var err error
	spec := &c.style.spec
	if len(spec.Files) == 0 {
		f, err := samples.StyleOrDefault(ctx, "", stderr)
		if err != nil {
			return nil, err
		}
		spec.Files = []string{f}
	}
	if in, err = samples.ClipOrDefault(ctx, in, stderr); err != nil {
		return nil, err
	}
	info, err := decode.Probe(ctx, in)
	if err != nil {
		return nil, err
	}
	plan, err := info.Plan(c.dec)
	if err != nil {
		return nil, err
	}
	workers := c.cfg.Workers // a work dir begun with more workers passed this check then
	if workers == 0 {
		workers = pipeline.AutoWorkers(plan.Count, c.cfg.Threads)
	}
	if err := c.cfg.CheckSize(plan.Width, plan.Height, workers); err != nil {
		return nil, err
	}
	side := c.dec.Size // --style-scale is relative to --size, the frames' longer side
	if side <= 0 {
		side = max(plan.Width, plan.Height)
	}
	spec.Size = spec.StyleSide(side)
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if c.targets == nil || c.styleSize != spec.Size { // a batch computes the Grams once
		images, err := spec.Read(picture.New(plan.Width, plan.Height), c.cfg.Options)
		if err != nil {
			return nil, err
		}
		if c.weights == nil {
			if c.weights, err = c.net.load(c.cfg.ContentLayers, c.cfg.StyleLayers); err != nil {
				return nil, err
			}
		}
		if c.targets, err = images.Style(c.weights, c.cfg.Options); err != nil {
			return nil, err
		}
		c.styleSize = spec.Size
	}
	w, style := c.weights, c.targets
	c.cfg.Width, c.cfg.Height, c.cfg.Frames = plan.Width, plan.Height, plan.Count
	c.cfg.Job = pipeline.Job{StyleSize: spec.Size, FPS: plan.FPS, First: plan.First, Start: plan.Start, End: plan.End}
	if err := c.cfg.Job.Identify(in, c.net.file, *spec); err != nil {
		return nil, err
	}
	return &clip{in: in, info: info, plan: plan, weights: w, style: style}, nil
}

// source reads the planned frames.
func (cl *clip) source() pipeline.Video { return pipeline.Video{Path: cl.in, Plan: cl.plan} }

// videoRun holds the flags of gogh video.
type videoRun struct {
	clipFlags
	output
	logPath string
}

func newVideoCmd() *cobra.Command {
	r := &videoRun{}
	cmd := &cobra.Command{
		Use:   "video [IN...] [-s STYLE] -o OUT.mp4",
		Short: "Paint every frame of a video in the style of an image",
		Long: `Paint the frames of a video one by one in the style of an image. By default
(--warm-start flow) each frame starts from the stylized previous frame warped along
the optical flow, so the painting moves with the scene and needs fewer steps, and a
temporal loss (--temporal-weight) holds it to that frame wherever the flow is
reliable (Ruder, Dosovitskiy & Brox 2016); "gogh compare" measures the difference.
Each finished frame is saved as a PNG in the work dir: a stopped run (Ctrl-C, crash)
continues when the same command runs again (the work dir records the settings and
the input, style and weights by content; frames painted otherwise are never deleted
but with --discard). The frames are then encoded as H.264 with the input's audio.

With no IN the sample clip "` + samples.DefaultClip + `" is used (downloaded once into the
user cache; offline, a clip generated with ffmpeg instead), and with no -s the
sample painting "` + samples.DefaultStyle + `" (Van Gogh, The Starry Night): see "gogh samples".
So "gogh video -o starry.mp4" is a complete run, and
"gogh video --frames 30:60 -o preview.mp4" previews 30 frames of it.`,
		Args: cobra.ArbitraryArgs,
		RunE: runE(videoFlags, func(cmd *cobra.Command, args []string) error {
			if r.cfg.WarmStart == pipeline.WarmNone && !cmd.Flags().Changed("temporal-weight") {
				r.cfg.Weights.Temporal = 0 // the default loss needs a chain; none has none
			}
			if len(args) < 2 {
				return r.run(cmd.Context(), append(args, "")[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return r.batch(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		}),
	}
	fs := cmd.Flags()
	r.addClipFlags(fs)
	r.addOutputFlags(fs)
	fs.IntVar(&r.cfg.Workers, "workers", r.cfg.Workers, "frames painted in parallel, each worker a warm-start chain over its own segment of the clip, with --threads/--workers threads (0: one per thread while each gets at least "+strconv.Itoa(pipeline.MinChainFrames)+" frames, else 1; a work dir continues with the workers it began with)")
	fs.IntVar(&r.cfg.Overlap, "overlap", r.cfg.Overlap, "warm-up frames a worker (or shard) paints before its segment, so its first frame is warm-started")
	fs.IntVar(&r.cfg.Seam, "seam", r.cfg.Seam, "frames after each segment boundary painted again, continuing the previous segment's chain toward the next one's, so the boundary does not jump (0: none)")
	fs.TextVar(&r.cfg.Shard, "shard", r.cfg.Shard, "paint only shard K of N (K/N, from 0/N) into --workdir and write no video: run all N at once on machines sharing --workdir, then \"gogh assemble\"")
	fs.TextVar(&r.cfg.WarmStart, "warm-start", r.cfg.WarmStart, "start of each frame: prev (the previous stylized frame), flow (it warped along the optical flow) or none (its content frame)")
	fs.StringVar(&r.cfg.Workdir, "workdir", "", "directory for the stylized frames (PNG) and job.json (default: OUT.frames)")
	fs.Bool("resume", false, "continue the frames saved earlier (kept for scripts: a run with the same settings always does)")
	fs.BoolVar(&r.cfg.Discard, "discard", false, "delete the frames saved in the work dir, whatever their settings, and start over")
	fs.StringVar(&r.logPath, "log", "", "write each frame's losses, steps, seconds and where they went to this JSON-lines file")
	return cmd
}

// batch paints several inputs, each into -o DIR/NAME.mp4 with its work
// dir beside it (the style's Grams computed once).
func (r *videoRun) batch(ctx context.Context, ins []string, stdout, stderr io.Writer) error {
	switch {
	case r.out == "":
		return fmt.Errorf("-o is required: with several inputs, the folder for their videos")
	case filepath.Ext(r.out) != "":
		return fmt.Errorf("-o %s: with several inputs -o names a folder, one video for each input", r.out)
	case r.cfg.Workdir != "":
		return fmt.Errorf("--workdir: one input at a time (several were given; each gets OUT/NAME.mp4.frames)")
	case r.cfg.Shard.N > 0:
		return fmt.Errorf("--shard: one input at a time (several were given)")
	case r.logPath != "":
		return fmt.Errorf("--log: one input at a time (several were given)")
	}
	for _, in := range ins {
		if _, err := os.Stat(in); err != nil {
			return fileError("IN", err)
		}
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return fileError("-o", err)
	}
	dir := r.out
	for i, out := range batch.Outputs(dir, ins, ".mp4") {
		fmt.Fprintf(stdout, "[%d/%d] %s\n", i+1, len(ins), ins[i])
		r.out, r.cfg.Workdir = out, ""
		if err := r.run(ctx, ins[i], stdout, stderr); err != nil {
			return fmt.Errorf("%s: %w", ins[i], err)
		}
	}
	return nil
}

func (r *videoRun) run(ctx context.Context, in string, stdout, stderr io.Writer) error {
	// Checks that need no file first, then the files, then the work.
	if r.cfg.Shard.N > 0 {
		if err := required("--workdir", r.cfg.Workdir); err != nil {
			return fmt.Errorf("%w with --shard (shards share it)", err)
		}
		if r.out != "" {
			return fmt.Errorf("-o: a shard writes no video; when every shard is done: gogh assemble %s -o %s", r.cfg.Workdir, r.out)
		}
	} else if err := outExt(r.out); err != nil {
		return err
	}
	if r.outFPS < 0 {
		return fmt.Errorf("--out-fps: must not be negative, got %g", r.outFPS)
	}
	if err := r.parse(); err != nil {
		return err
	}
	if err := outpath.Writable("-o", r.out, "--log", r.logPath); err != nil {
		return err
	}
	inputs := append([]string{"IN", in}, r.style.files("-s")...)
	for _, out := range [][2]string{{"-o", r.out}, {"--log", r.logPath}} {
		if err := outpath.NotInput(out[0], out[1], inputs...); err != nil {
			return err
		}
	}
	if r.cfg.Workdir == "" {
		r.cfg.Workdir = r.out + ".frames"
	}
	cl, err := r.open(ctx, in, stderr)
	if err != nil {
		return err
	}
	plan := cl.plan
	cfg := r.cfg // with the workers chosen once, for the report and the run (r.cfg serves a batch)
	cfg.Workers = pipeline.ChooseWorkers(cfg)
	total, what := plan.Count, fmt.Sprintf("%d worker(s) x %d thread(s)", cfg.Workers, cfg.Threads/cfg.Workers)
	if segs := pipeline.Split(plan.Count, r.cfg.Shard.N, r.cfg.Overlap); r.cfg.Shard.N > 0 && r.cfg.Shard.K < len(segs) {
		seg := segs[r.cfg.Shard.K]
		total = seg.Count
		what = fmt.Sprintf("shard %s (frames %d-%d) x %d thread(s)", r.cfg.Shard, seg.First, seg.First+seg.Count-1, r.cfg.Threads)
	}
	flog, err := runlog.NewFrames(r.logPath, pipeline.Saved(cfg) > 0, total, stdout)
	if err != nil {
		return fmt.Errorf("--log: %w", err)
	}
	fmt.Fprintf(stdout, "stylizing %d frames of %s (%dx%d at %g fps), %s, warm start %s, work dir %s\n",
		plan.Count, cl.in, plan.Width, plan.Height, plan.FPS, what, r.cfg.WarmStart, r.cfg.Workdir)
	cfg.OnFrame = flog.Frame
	runErr := pipeline.Run(ctx, cl.weights, cl.style, cl.source(), cfg)
	if err := flog.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("--log: %w", err)
	}
	if runErr != nil {
		return paintError(runErr, flog.Saved, flog.Total, r.cfg.Workdir)
	}
	if r.cfg.Shard.N > 0 {
		fmt.Fprintf(stdout, "shard %s done in %s; when every shard is: gogh assemble %s -o OUT.mp4\n",
			r.cfg.Shard, time.Since(flog.Start).Round(time.Second), r.cfg.Workdir)
		return nil
	}
	if err := r.output.encode(ctx, cl, r.cfg.Workdir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done in %s: %d frames -> %s (stylized frames kept in %s)\n",
		time.Since(flog.Start).Round(time.Second), plan.Count, r.out, r.cfg.Workdir)
	return nil
}

// output holds the flags of the video a command writes.
type output struct {
	out         string
	outFPS      float64
	interpolate encode.Interpolation
	noAudio     bool
}

func (o *output) addOutputFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.out, "output", "o", "", "output video (.mp4, .mov, .mkv)")
	fs.Float64Var(&o.outFPS, "out-fps", 0, "frame rate of the output (default: --fps, so the video keeps its speed); without --interpolate a different rate changes the speed (slow motion below --fps)")
	fs.TextVar(&o.interpolate, "interpolate", o.interpolate, "keep the speed and raise the frame rate to --out-fps (default: the input's) by repeating frames (dup) or motion interpolation (mci)")
	fs.BoolVar(&o.noAudio, "no-audio", false, "leave the audio out")
}

// outExt checks -o's name.
func outExt(out string) error {
	if err := required("-o", out); err != nil {
		return err
	}
	return outpath.Ext("-o", out, ".mp4", ".mov", ".mkv", ".m4v")
}

// encode encodes the frames of cl's plan saved in workdir into o.out,
// with cl's audio.
func (o *output) encode(ctx context.Context, cl *clip, workdir string) error {
	plan := cl.plan
	eo := encode.Timing(plan.FPS, o.outFPS, o.interpolate, cl.info.FPS)
	if cl.info.HasAudio && !o.noAudio {
		eo.AudioFrom, eo.AudioStart, eo.AudioEnd = cl.in, plan.Start, plan.End
	}
	eo.Comment = videoComment(workdir)
	enc, err := encode.Create(ctx, o.out, plan.Width, plan.Height, eo)
	if err != nil {
		return err
	}
	err = pipeline.Encode(ctx, workdir, plan.Count, enc)
	if err != nil {
		enc.Abort()
	} else {
		err = enc.Close()
	}
	if err != nil {
		return encodeError(err, plan.Count, workdir)
	}
	return nil
}

// paintError adds to an error of pipeline.Run what to do next.
func paintError(err error, saved, total int, workdir string) error {
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted: %d of %d frames are saved in %s; run the same command again to continue", saved, total, workdir)
	case errors.Is(err, pipeline.ErrOtherSettings):
		return fmt.Errorf("%w; to keep them, run with the settings recorded in %s or use another --workdir; to delete them, add --discard",
			err, filepath.Join(workdir, "job.json"))
	case saved > 0:
		return fmt.Errorf("%w (%d of %d frames are saved in %s: run the same command again to continue)", err, saved, total, workdir)
	}
	return err
}

// encodeError adds to an error of encoding what to do next.
func encodeError(err error, total int, workdir string) error {
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted while encoding: the %d frames are saved in %s; run the same command again to encode them", total, workdir)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w; run the same command again to paint it", err)
	}
	return fmt.Errorf("%w; the %d painted frames are kept in %s: run the same command again to encode them", err, total, workdir)
}
