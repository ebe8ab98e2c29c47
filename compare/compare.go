// Package compare paints the same frames of a clip four ways, with and
// without the temporal warm starts and loss, and measures how steady each
// is: the warping error between consecutive stylized frames along the
// input's optical flow, beside the style and content losses and the time
// per frame. It writes a side-by-side video, the metrics as JSON and CSV,
// and a plot.
package compare

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gogh-video/gogh/encode"
	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/temporal"
)

// Mode is one way of painting the clip.
type Mode struct {
	Name  string // also its work dir under Options.Dir
	Label string // on its tile
	Warm  pipeline.WarmStart
	Loss  bool // with the temporal loss
}

// Modes are the modes compared, in tile order; the first, every frame
// from its own content frame, is the reference the others are set
// against.
var Modes = []Mode{
	{"none", "none", pipeline.WarmNone, false},
	{"prev", "prev", pipeline.WarmPrev, false},
	{"flow", "flow", pipeline.WarmFlow, false},
	{"flow-loss", "flow + loss", pipeline.WarmFlow, true},
}

// DefaultEnd is the end, in seconds, of the range to compare when none is
// given: a preview, not the whole clip.
const DefaultEnd = 2

// VideoFile is the side-by-side video Run writes in Options.Dir; FramesLog
// the log of painted frames in each mode's work dir (a pipeline.Record a
// line).
const (
	VideoFile = "compare.mp4"
	FramesLog = "frames.jsonl"
)

// Options say how to compare.
type Options struct {
	// Config is how every mode paints: its Options (Weights.Temporal is
	// the flow + loss mode's weight), WarmSteps, TemporalFrames, frame
	// size and count, Discard and Job (whose Input, Style, FPS and First
	// also label the report). Run sets Workdir, Workers (1), WarmStart and
	// OnFrame for each mode; Threads are shared by the modes painted at
	// the same time.
	pipeline.Config
	Dir      string // the output directory
	Parallel int    // modes painted at the same time (0: as many as Threads allow, at most 4)
}

// Validate checks the options, naming the first invalid field in a
// *field.Error; it sets a zero Parallel to its default.
func (o *Options) Validate() error {
	if o.Parallel == 0 {
		o.Parallel = min(o.Threads, len(Modes))
	}
	switch {
	case o.Dir == "":
		return field.Errorf("Dir", "no output directory")
	case o.Parallel < 1:
		return field.Errorf("Parallel", "must be at least 1, got %d", o.Parallel)
	case o.Threads/o.Parallel < 1:
		return field.Errorf("Parallel", "%d modes at a time but %d threads: each mode needs a thread", o.Parallel, o.Threads)
	case !(o.Weights.Temporal > 0):
		return field.Errorf("Weights.Temporal", "must be positive for the flow + temporal loss mode, got %g", o.Weights.Temporal)
	}
	c := o.mode(Modes[3])
	return c.Validate()
}

// mode returns the pipeline configuration of mode m.
func (o *Options) mode(m Mode) pipeline.Config {
	c := o.Config
	c.Workdir = filepath.Join(o.Dir, m.Name)
	c.Workers, c.WarmStart = 1, m.Warm
	c.Threads = max(1, o.Threads/max(1, o.Parallel))
	if !m.Loss {
		c.Weights.Temporal = 0
	}
	return c
}

// Run paints src in style in every mode, Options.Parallel modes at a
// time, each into its own work dir under Options.Dir (frames saved as they
// are done, with a log of their losses and times: a stopped comparison
// run again with the same options continues), then reads the input once more to score
// every mode, writes the side-by-side video, metrics.json, metrics.csv and
// the warping error plot into Options.Dir, and returns the report.
// onFrame, if not nil, is called for each frame painted by this run, never
// at the same time.
func Run(ctx context.Context, w *vgg.Weights, style *stylize.Style, src pipeline.Source, o Options, onFrame func(Mode, pipeline.FrameResult)) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := paint(ctx, w, style, src, o, onFrame); err != nil {
		return nil, err
	}
	rep, err := score(ctx, w, style, src, o)
	if err != nil {
		return nil, err
	}
	if err := rep.Write(o.Dir); err != nil {
		return rep, err
	}
	return rep, rep.WriteHTML(o.Dir)
}

// paint runs the pipeline once per mode, o.Parallel modes at a time.
func paint(ctx context.Context, w *vgg.Weights, style *stylize.Style, src pipeline.Source, o Options, onFrame func(Mode, pipeline.FrameResult)) error {
	var mu sync.Mutex // onFrame and the logs
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Parallel)
	for _, m := range Modes {
		g.Go(func() error {
			c := o.mode(m)
			if err := os.MkdirAll(c.Workdir, 0o755); err != nil {
				return fmt.Errorf("mode %s: %w", m.Name, err)
			}
			log, err := OpenLog(filepath.Join(c.Workdir, FramesLog), pipeline.Saved(c) > 0)
			if err != nil {
				return fmt.Errorf("mode %s: %w", m.Name, err)
			}
			var logErr error // the first failed write
			c.OnFrame = func(f pipeline.FrameResult) {
				if f.Resumed || f.Damaged != nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if _, err := log.Write(f.Record().Line()); err != nil && logErr == nil {
					logErr = fmt.Errorf("mode %s: %w", m.Name, err)
				}
				if onFrame != nil {
					onFrame(m, f)
				}
			}
			err = pipeline.Run(gctx, w, style, src, c)
			if cerr := log.Close(); logErr == nil && cerr != nil {
				logErr = fmt.Errorf("mode %s: %w", m.Name, cerr)
			}
			if err != nil {
				if ctx.Err() != nil {
					return err
				}
				return fmt.Errorf("mode %s: %w", m.Name, err)
			}
			return logErr
		})
	}
	return g.Wait()
}

// score reads the input frames and every mode's frames back and measures
// them: warping error against the input's optical flow, style and content
// loss (without the temporal term), and seconds per frame from the logs;
// and it writes the side-by-side video.
func score(ctx context.Context, w *vgg.Weights, style *stylize.Style, src pipeline.Source, o Options) (*Report, error) {
	wd, ht, n := o.Width, o.Height, o.Frames
	rep := &Report{
		Input: o.Job.Input, Style: o.Job.Style, Frames: n, First: o.Job.First, FPS: o.Job.FPS,
		Width: wd, Height: ht, StepsFirst: o.Steps, Steps: o.WarmSteps,
		TemporalWeight: o.Weights.Temporal, TemporalFrames: o.TemporalFrames,
	}
	if len(rep.TemporalFrames) == 0 {
		rep.TemporalFrames = []int{1}
	}
	opts := o.Options
	opts.Weights.Temporal = 0
	var prob *stylize.Problem
	// The flow that scores is not the one that painted: a slower, more
	// accurate preset, so that the temporal loss is not judged by the
	// very flow it was fitted to.
	cons := temporal.NewConsistency(wd, ht, temporal.AccurateFlowOptions())
	rd, err := src.Open(ctx, 0, n)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	tw, th := figure.TilesSize(len(Modes), 2, wd, ht)
	enc, err := encode.Create(ctx, filepath.Join(o.Dir, VideoFile), tw, th, encode.Options{FPS: o.Job.FPS})
	if err != nil {
		return nil, err
	}
	defer enc.Abort()
	rgb := make([]byte, 3*wd*ht)
	tiles := make([]byte, 3*tw*th)
	content, prevIn := picture.New(wd, ht), picture.New(wd, ht)
	prev := make([]picture.Image, len(Modes))
	grad := make([]float32, 3*wd*ht)
	pics := make([]image.Image, len(Modes))
	labels := make([]string, len(Modes))
	var inErr, reliable mean
	for k, m := range Modes {
		rep.Modes = append(rep.Modes, ModeMetrics{Mode: m.Name})
		labels[k] = m.Label
	}
	for i := range n {
		if err := rd.ReadFrame(rgb); err != nil {
			return nil, fmt.Errorf("%s: reading frame %d: %w", o.Job.Input, i, err)
		}
		content.SetRGB(rgb)
		cons.Next(content)
		if i > 0 {
			inErr.add(cons.Error(prevIn, content))
			reliable.add(cons.Reliable())
		}
		prevIn, content = content, prevIn
		if prob == nil {
			if prob, err = stylize.NewProblem(w, prevIn, style, opts); err != nil {
				return nil, err
			}
		} else if err := prob.SetContent(prevIn); err != nil {
			return nil, err
		}
		for k, m := range Modes {
			out, err := picture.Load(pipeline.FramePath(filepath.Join(o.Dir, m.Name), i), 0)
			if err != nil {
				return nil, fmt.Errorf("mode %s: %w", m.Name, err)
			}
			l := prob.Eval(out, grad)
			fm := FrameMetric{Frame: o.Job.First + i, Style: finite(l.Style), Content: finite(l.Content)}
			if i > 0 {
				fm.WarpingError = finite(cons.Error(prev[k], out))
			}
			rep.Modes[k].Frames = append(rep.Modes[k].Frames, fm)
			prev[k] = out
			pics[k] = out.NRGBA()
		}
		if err := enc.WriteFrame(picture.RGB24(figure.Tiles(pics, labels, 2), tiles)); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	rep.InputError, rep.Reliable = inErr.value(), reliable.value()
	for k, m := range Modes {
		secs, err := readSeconds(filepath.Join(o.Dir, m.Name, FramesLog))
		if err != nil {
			return nil, err
		}
		rep.Modes[k].summarize(secs, o.Job.First, rep.Modes[0].Frames)
	}
	return rep, nil
}

// OpenLog opens a frames log (see pipeline.Record) for writing: appending when
// continuing saved frames (resume), else emptied.
func OpenLog(path string, resume bool) (io.WriteCloser, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if resume {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	return os.OpenFile(path, flags, 0o644)
}
