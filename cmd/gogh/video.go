package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/encode"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/samples"
)

// videoRun holds the flags of gogh video.
type videoRun struct {
	clipFlags
	out         string
	outFPS      float64
	interpolate string
	workers     int
	overlap     int
	warmStart   string
	workdir     string
	resume      bool
	noAudio     bool
	logPath     string
}

// getSample fetches a sample by name; tests replace it to simulate being
// offline.
var getSample = samples.Get

func newVideoCmd() *cobra.Command {
	r := &videoRun{}
	cmd := &cobra.Command{
		Use:   "video [IN] [-s STYLE] -o OUT.mp4",
		Short: "Paint every frame of a video in the style of an image",
		Long: `Paint the frames of a video one by one in the style of an image. By default
(--warm-start flow) each frame starts from the stylized previous frame warped along
the optical flow, so the painting moves with the scene and needs fewer steps, and a
temporal loss (--temporal-weight) holds it to that frame wherever the flow is
reliable (Ruder, Dosovitskiy & Brox 2016); "gogh compare" measures the difference.
Each finished frame is saved as a PNG in the work dir: a stopped run (Ctrl-C, crash)
continues with --resume. The frames are then encoded as H.264 with the input's audio.

With no IN the sample clip "` + samples.DefaultClip + `" is used (downloaded once into the
user cache; offline, a clip generated with ffmpeg instead), and with no -s the
sample painting "` + samples.DefaultStyle + `" (Van Gogh, The Starry Night): see "gogh samples".
So "gogh video -o starry.mp4" is a complete run, and
"gogh video --frames 30:60 -o preview.mp4" previews 30 frames of it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: r.runE(r.run),
	}
	fs := cmd.Flags()
	fs.StringVarP(&r.out, "output", "o", "", "output video (.mp4, .mov, .mkv)")
	fs.Float64Var(&r.outFPS, "out-fps", 0, "frame rate of the output (default: --fps, so the video keeps its speed); without --interpolate a different rate changes the speed (slow motion below --fps)")
	fs.StringVar(&r.interpolate, "interpolate", "", "keep the speed and raise the frame rate to --out-fps (default: the input's) by repeating frames (dup) or motion interpolation (mci)")
	fs.IntVar(&r.workers, "workers", 1, "frames painted in parallel, each worker a warm-start chain over its own segment of the clip; each gets --threads/--workers threads")
	fs.IntVar(&r.overlap, "overlap", pipeline.DefaultOverlap, "warm-up frames a worker paints before its segment, so its first frame is warm-started; the video cross-fades over them from the previous worker's frames")
	fs.StringVar(&r.warmStart, "warm-start", pipeline.WarmFlow, "start of each frame: prev (the previous stylized frame), flow (it warped along the optical flow, new pixels from the content frame) or none (its content frame)")
	fs.StringVar(&r.workdir, "workdir", "", "directory for the stylized frames (PNG) and job.json (default: OUT.frames)")
	fs.BoolVar(&r.resume, "resume", false, "keep the frames a stopped run with the same settings saved in the work dir and paint the rest")
	fs.BoolVar(&r.noAudio, "no-audio", false, "leave the audio out")
	fs.StringVar(&r.logPath, "log", "", "write each frame's losses, steps and seconds to this JSON-lines file")
	r.addClipFlags(fs, defaultTemporalWeight)
	return cmd
}

// secondsFlag is a flag holding a time in seconds, given as "2.5" or "2.5s".
type secondsFlag float64

func (s *secondsFlag) String() string { return strconv.FormatFloat(float64(*s), 'g', -1, 64) }
func (s *secondsFlag) Type() string   { return "seconds" }
func (s *secondsFlag) Set(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "s"), 64)
	if err != nil || f < 0 {
		return fmt.Errorf("want seconds such as 2.5 or 2.5s")
	}
	*s = secondsFlag(f)
	return nil
}

// parseFrames parses --frames a:b (either side may be empty: from the
// start, to the end).
func parseFrames(v string) (from, to int, err error) {
	a, b, ok := strings.Cut(v, ":")
	bad := fmt.Errorf("--frames %q: want a:b, e.g. 0:100", v)
	if !ok {
		return 0, 0, bad
	}
	if a != "" {
		if from, err = strconv.Atoi(a); err != nil {
			return 0, 0, bad
		}
	}
	if b != "" {
		if to, err = strconv.Atoi(b); err != nil {
			return 0, 0, bad
		}
	}
	return from, to, nil
}

func (r *videoRun) run(ctx context.Context, in string, stdout io.Writer) error {
	// Checks that need no file first, then the files, then the work.
	if r.out == "" {
		return fmt.Errorf("-o is required")
	}
	switch strings.ToLower(filepath.Ext(r.out)) {
	case ".mp4", ".mov", ".mkv", ".m4v":
	default:
		return fmt.Errorf("-o %s: the output must end in .mp4, .mov, .mkv or .m4v", r.out)
	}
	if r.warmStart == pipeline.WarmNone && !r.flags.Changed("temporal-weight") {
		r.temporalWeight = 0 // the default loss needs a chain; none has none
	}
	opts, spec, lags, err := r.check()
	if err != nil {
		return err
	}
	switch {
	case r.outFPS < 0:
		return fmt.Errorf("--out-fps: must not be negative, got %g", r.outFPS)
	case r.interpolate != "" && r.interpolate != encode.Dup && r.interpolate != encode.MCI:
		return fmt.Errorf("--interpolate: unknown %q (want %s or %s)", r.interpolate, encode.Dup, encode.MCI)
	case r.workers < 1:
		return fmt.Errorf("--workers: must be at least 1, got %d", r.workers)
	case r.threads/r.workers < 1:
		return fmt.Errorf("--workers %d: more workers than --threads (%d); each worker needs a thread", r.workers, r.threads)
	case r.warmStart != pipeline.WarmPrev && r.warmStart != pipeline.WarmFlow && r.warmStart != pipeline.WarmNone:
		return fmt.Errorf("--warm-start: unknown %q (want none, prev or flow)", r.warmStart)
	case r.temporalWeight > 0 && r.warmStart == pipeline.WarmNone:
		return fmt.Errorf("--temporal-weight: needs --warm-start prev or flow (frames painted in a chain), not none")
	case r.overlap < 0:
		return fmt.Errorf("--overlap: must not be negative, got %d", r.overlap)
	}
	if err := checkWritable("-o", r.out); err != nil {
		return err
	}
	if r.logPath != "" {
		if err := checkWritable("--log", r.logPath); err != nil {
			return err
		}
	}
	workdir := r.workdir
	if workdir == "" {
		workdir = r.out + ".frames"
	}
	cl, err := r.open(ctx, in, opts, spec)
	if err != nil {
		return err
	}
	in, info, plan := cl.in, cl.info, cl.plan
	flog, err := newFrameLog(r.logPath, r.resume, plan.Count, stdout)
	if err != nil {
		return err
	}
	threads := r.threads / r.workers
	fmt.Fprintf(stdout, "stylizing %d frames of %s (%dx%d at %g fps), %d worker(s) x %d thread(s), warm start %s, work dir %s\n",
		plan.Count, in, plan.Width, plan.Height, plan.FPS, r.workers, threads, r.warmStart, workdir)
	c := pipeline.Config{
		Workdir: workdir, Workers: r.workers, Threads: threads, Overlap: r.overlap,
		WarmStart: r.warmStart, StepsFirst: r.stepsFirst, Steps: r.steps, TemporalFrames: lags,
		Spec: spec, Optimizer: r.optimizer, LR: r.lr,
		Width: plan.Width, Height: plan.Height, Frames: plan.Count, Resume: r.resume,
		Job: cl.job(), OnFrame: flog.frame,
	}
	runErr := pipeline.Run(ctx, cl.weights, cl.style, cl.source(), c)
	if err := flog.close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return fmt.Errorf("interrupted: %d of %d frames are saved in %s; run again with --resume to continue", flog.saved, plan.Count, workdir)
		}
		return runErr
	}
	outFPS := r.outFPS
	if outFPS == 0 {
		outFPS = plan.FPS
	}
	eo := encode.Options{FPS: outFPS}
	if r.interpolate != "" {
		// Keep the clip's speed and fill in frames up to --out-fps
		// (default: the input's own rate).
		eo.FPS, eo.Resample, eo.Interpolate = plan.FPS, r.outFPS, r.interpolate
		if eo.Resample == 0 {
			eo.Resample = info.FPS
		}
	}
	if info.HasAudio && !r.noAudio {
		eo.AudioFrom, eo.AudioStart, eo.AudioEnd = in, plan.Start, plan.End
	}
	enc, err := encode.Create(ctx, r.out, plan.Width, plan.Height, eo)
	if err != nil {
		return err
	}
	if err := pipeline.Encode(ctx, workdir, plan.Count, enc); err != nil {
		enc.Abort()
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done in %s: %d frames -> %s (stylized frames kept in %s)\n",
		time.Since(flog.start).Round(time.Second), plan.Count, r.out, workdir)
	return nil
}

// videoSource reads a plan's frames with ffmpeg, each worker its own part.
type videoSource struct {
	path string
	plan decode.Plan
}

func (s videoSource) Open(ctx context.Context, first, count int) (pipeline.FrameReader, error) {
	return decode.Open(ctx, s.path, s.plan.Sub(first, count))
}

// frameLog reports finished frames: a progress bar on a terminal, else a
// line a frame, and a JSON line a frame in the --log file.
type frameLog struct {
	out   io.Writer
	bar   *progressbar.ProgressBar
	jsonl *os.File
	total int
	saved int // frames saved, in this run or an earlier one
	done  int // frames painted in this run
	start time.Time
	err   error // the first failed write to the --log file
}

func newFrameLog(path string, resume bool, total int, out io.Writer) (*frameLog, error) {
	l := &frameLog{out: out, total: total, start: time.Now()}
	if path != "" {
		f, err := openLog("--log", path, resume)
		if err != nil {
			return nil, err
		}
		l.jsonl = f
	}
	if isTerminal(os.Stderr) {
		l.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("stylizing"), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
	}
	return l, nil
}

// openLog opens a JSON-lines log for writing: appending when resuming,
// else emptied; flag names it in errors.
func openLog(flag, path string, resume bool) (*os.File, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if resume {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return f, nil
}

// frameRecord is one line of the --log file (and of gogh compare's
// frames.jsonl).
type frameRecord struct {
	Frame    int     `json:"frame"`
	Worker   int     `json:"worker"`
	Style    float64 `json:"style"`
	Content  float64 `json:"content"`
	TV       float64 `json:"tv"`
	Temporal float64 `json:"temporal"`
	Total    float64 `json:"total"`
	Steps    int     `json:"steps"`
	Seconds  float64 `json:"seconds"`
}

// record returns the log line of r.
func record(r pipeline.FrameResult) []byte {
	b, _ := json.Marshal(frameRecord{r.Index, r.Worker, r.Loss.Style, r.Loss.Content, r.Loss.TV, r.Loss.Temporal, r.Loss.Total, r.Steps, r.Seconds})
	return append(b, '\n')
}

func (l *frameLog) frame(r pipeline.FrameResult) {
	l.saved++
	if r.Resumed {
		if l.bar != nil {
			l.bar.Add(1)
		}
		return
	}
	l.done++
	if l.jsonl != nil {
		if _, err := l.jsonl.Write(record(r)); err != nil && l.err == nil {
			l.err = fmt.Errorf("--log: %w", err)
		}
	}
	per := time.Since(l.start).Seconds() / float64(l.done) // wall time per frame, all workers together
	eta := time.Duration(per * float64(l.total-l.saved) * float64(time.Second))
	if l.bar != nil {
		l.bar.Describe(fmt.Sprintf("stylizing %.1fs/frame", per))
		l.bar.Add(1)
		return
	}
	fmt.Fprintf(l.out, "frame %d/%d  style %.4g  content %.4g  steps %d  %.1fs  (%d/%d done, ETA %s)\n",
		r.Index+1, l.total, r.Loss.Style, r.Loss.Content, r.Steps, r.Seconds, l.saved, l.total, eta.Round(time.Second))
}

func (l *frameLog) close() error {
	if l.bar != nil {
		l.bar.Finish()
	}
	if l.jsonl != nil {
		if err := l.jsonl.Close(); err != nil && l.err == nil {
			l.err = fmt.Errorf("--log: %w", err)
		}
	}
	return l.err
}

// defaults fills in the sample clip when in is empty and the sample style
// when -s is, and returns the input to use. The clip falls back to one
// generated with ffmpeg when it cannot be fetched; the style has no
// fallback.
func (r *clipFlags) defaults(ctx context.Context, in string) (string, error) {
	stderr := r.stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if r.style == "" {
		p, err := getSample(ctx, samples.DefaultStyle, stderr)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("no -s given and the default style %s is unavailable (%v): connect to the network once, or pass -s FILE", samples.DefaultStyle, err)
		}
		r.style = p
	}
	if in != "" {
		return in, nil
	}
	p, err := getSample(ctx, samples.DefaultClip, stderr)
	if err == nil {
		return p, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	dir, derr := samples.CacheDir()
	if derr != nil {
		return "", fmt.Errorf("no IN given and the sample clip %s is unavailable (%v): %w", samples.DefaultClip, err, derr)
	}
	gen := filepath.Join(dir, samples.GeneratedFile)
	fmt.Fprintf(stderr, "gogh: sample clip %s unavailable (%v); using a clip generated with ffmpeg: %s\n", samples.DefaultClip, err, gen)
	if _, serr := os.Stat(gen); serr != nil {
		if err := samples.Generate(ctx, gen); err != nil {
			return "", err
		}
	}
	return gen, nil
}
