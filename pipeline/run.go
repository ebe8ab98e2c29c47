package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/optim"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/temporal"
)

// WarmStart is how a frame's optimization is initialized.
type WarmStart string

// Warm starts.
const (
	// WarmPrev starts frame t from the stylized frame t−1.
	WarmPrev WarmStart = "prev"
	// WarmFlow starts frame t from the stylized frame t−1 warped along
	// the optical flow into frame t, with the pixels the warp cannot carry
	// taken from the content frame (see temporal.History.WarmStart).
	WarmFlow WarmStart = "flow"
	// WarmNone starts every frame from its content frame.
	WarmNone WarmStart = "none"
)

func (w WarmStart) valid() bool { return w == WarmPrev || w == WarmFlow || w == WarmNone }

// MarshalText returns the name.
func (w WarmStart) MarshalText() ([]byte, error) { return []byte(w), nil }

// UnmarshalText sets w from its name.
func (w *WarmStart) UnmarshalText(b []byte) error {
	if v := WarmStart(b); v.valid() {
		*w = v
		return nil
	}
	return fmt.Errorf("unknown warm start %q (want %s, %s or %s)", b, WarmNone, WarmPrev, WarmFlow)
}

// DefaultTemporalWeight is gogh video's weight of the temporal loss.
// Measured on 2 s of the cockatoo clip at 256 px (bench/temporal.sh):
// weights 10, 15, 20, 60, 200 leave warping errors of 0.65, 0.58, 0.54,
// 0.41, 0.40 of the flow warm start's alone, and style losses on the worst
// frame 1.06, 1.07, 1.11, 1.14, 1.23 times those of frames painted
// independently: 15 is the steadiest within 10% of the style loss.
const DefaultTemporalWeight = 15

// Defaults returns gogh video's configuration, measured on the cockatoo
// and Big Buck Bunny clips at 256 px (README, "Speed"): a cold frame 200
// evaluations at full size (as fast as 3 sizes × 150 coarse to fine and
// 2–5% lower in loss); a warm frame 40 evaluations from the previous
// frame warped along the flow, held by the temporal loss
// (DefaultTemporalWeight); workers chosen by ChooseWorkers.
func Defaults() Config {
	o := stylize.DefaultOptions()
	o.Steps = 200
	o.Weights.Temporal = DefaultTemporalWeight
	return Config{Options: o, WarmSteps: 40, Workers: 0, Overlap: DefaultOverlap, Seam: DefaultSeam, WarmStart: WarmFlow}
}

// DefaultOverlap is the warm-up of a segment's chain (see [Split]): two
// frames take a cold start most of the way to where a long chain is.
const DefaultOverlap = 2

// Config says how to stylize a clip.
type Config struct {
	// Options are every frame's optimization: Steps are the evaluations
	// of a frame that starts cold (the first frame of a chain, the first
	// after a scene cut (see temporal.CutReliable), every frame with
	// WarmNone), Weights.Temporal the weight of the temporal loss, Threads
	// the threads of all workers together. Init is not used: a cold frame
	// starts from its content frame.
	stylize.Options
	// WarmSteps is the evaluations for a warm-started frame.
	WarmSteps int
	Workdir   string // where frame PNGs and job.json go
	// Workers is the number of segments (Split), each painted by its own
	// chain, all at once, sharing Threads; 0 lets Run choose (see
	// ChooseWorkers).
	Workers int
	// Shard, if its N is not 0, splits the frames into N segments instead
	// and makes Run paint only segment K, with all Threads: one shard of
	// a clip painted on one of many machines that share Workdir. Such a
	// run paints no seams (see Seam and [Seams]).
	Shard Shard
	// Overlap is the number of warm-up frames before every segment but
	// the first (chains only: not with WarmNone); see Split. Use
	// DefaultOverlap.
	Overlap int
	// Seam is the number of frames after each segment boundary that are
	// painted again, continuing the previous segment's chain, once both
	// segments are done (see [Seams]); 0 for none. Use DefaultSeam.
	Seam      int
	WarmStart WarmStart
	// Colors finishes every frame (see stylize.Finish): with Luminance,
	// each frame takes its content frame's chroma.
	Colors stylize.Colors
	// TemporalFrames are the frame distances (1 = the previous frame)
	// whose stylized frames, warped along the flow, anchor a frame through
	// the temporal loss; nil means {1}. Chains only (not WarmNone).
	TemporalFrames []int
	// Width, Height is the frame size; Frames the number of frames the
	// source supplies, numbered from 0.
	Width, Height, Frames int
	// A work dir's frames are never deleted but on request: a run of the
	// same job (see Job) keeps the frames an earlier run saved and paints
	// only the rest; a work dir holding frames of another job is refused
	// (ErrOtherSettings) unless Discard is set, which deletes them (and
	// those of the same job too).
	Discard bool
	// Job describes the input for job.json; Run fills in the settings
	// above.
	Job Job
	// OnFrame, if not nil, is called for every frame saved, and, when
	// resuming, once for each frame found already saved (Resumed set).
	// Calls come from the workers but never at the same time.
	OnFrame func(FrameResult)
}

// FrameResult reports one saved frame.
type FrameResult struct {
	Index   int          // frame number, from 0
	Loss    stylize.Loss // the loss of the saved image
	Steps   int          // evaluations spent on it
	Seconds float64      // wall time spent on it
	Worker  int          // the worker (segment) that painted it
	Resumed bool         // saved by an earlier run; nothing else is set
	// Seam is set for a frame painted again after a segment boundary
	// (see Seams), saved beside the frame it replaces.
	Seam bool
	// Damaged, if not nil, says why the frame an earlier run saved cannot
	// be read back: it is painted again (nothing else is set).
	Damaged error
	Time    FrameTime // where its time went
}

// FrameTime is where a frame's time went, in seconds: waiting for the
// decoder, the optical flow and warm start, the network's forward passes
// (the content's targets and every evaluation), the loss terms, the
// backward passes, the optimizer's own work, and saving the PNG. Seconds
// is the sum of all but Decode and Save.
type FrameTime struct {
	Decode    float64 `json:"decode"`
	Flow      float64 `json:"flow"`
	Forward   float64 `json:"forward"`
	Loss      float64 `json:"loss"`
	Backward  float64 `json:"backward"`
	Optimizer float64 `json:"optimizer"`
	Save      float64 `json:"save"`
}

// Validate checks the settings (all but Workdir and the frame size and
// count, which Run checks), naming the first invalid field in a
// *field.Error.
func (c *Config) Validate() error {
	if err := c.Options.Validate(); err != nil {
		return err
	}
	switch {
	case c.WarmSteps < 1:
		return field.Errorf("WarmSteps", "must be at least 1, got %d", c.WarmSteps)
	case c.Workers < 0:
		return field.Errorf("Workers", "must not be negative, got %d (0: automatic)", c.Workers)
	case c.Workers > c.Threads && c.Shard.N == 0:
		return field.Errorf("Workers", "%d workers but %d threads: each worker needs a thread", c.Workers, c.Threads)
	case !c.WarmStart.valid():
		return field.Errorf("WarmStart", "unknown %q (want %s, %s or %s)", c.WarmStart, WarmNone, WarmPrev, WarmFlow)
	case c.Weights.Temporal > 0 && c.WarmStart == WarmNone:
		return field.Errorf("Weights.Temporal", "the temporal loss needs frames painted in a chain (warm start %s or %s), not %s", WarmPrev, WarmFlow, WarmNone)
	case c.Overlap < 0:
		return field.Errorf("Overlap", "must not be negative, got %d", c.Overlap)
	case c.Seam < 0:
		return field.Errorf("Seam", "must not be negative, got %d", c.Seam)
	case c.Shard.N < 0 || c.Shard.N > 0 && (c.Shard.K < 0 || c.Shard.K >= c.Shard.N):
		return field.Errorf("Shard", "%s: want K/N with 0 ≤ K < N", c.Shard)
	case c.Shard.N > 0 && c.Workers > 1:
		return field.Errorf("Workers", "a shard is one chain: use --workers or --shard, not both")
	case c.Colors != stylize.StyleColors && c.Colors != stylize.Luminance:
		return field.Errorf("Colors", "a video keeps its frames' colours with %s only, got %q", stylize.Luminance, c.Colors)
	case c.Shard.N > 0 && c.Discard:
		return field.Errorf("Discard", "would delete the frames of every shard: discard them with a run without a shard")
	}
	return temporal.CheckLags(c.lossLags())
}

// checkClip checks what Run needs beyond the settings: a work dir and
// frames of some size.
func (c *Config) checkClip() error {
	switch {
	case c.Workdir == "":
		return field.Errorf("Workdir", "no work dir")
	case c.Width < 1 || c.Height < 1:
		return field.Errorf("Width/Height", "frame size %dx%d", c.Width, c.Height)
	case c.Frames < 1:
		return field.Errorf("Frames", "no frames to stylize")
	}
	return nil
}

// lossLags returns the temporal loss's frame distances (nil without it).
func (c *Config) lossLags() []int {
	switch {
	case c.Weights.Temporal == 0:
		return nil
	case len(c.TemporalFrames) == 0:
		return []int{1}
	}
	return c.TemporalFrames
}

// lookBack returns how many past frames a chain needs to paint the next.
func (c *Config) lookBack() int {
	n := 0
	if c.WarmStart == WarmPrev || c.WarmStart == WarmFlow {
		n = 1
	}
	if l := c.lossLags(); len(l) > 0 {
		n = max(n, l[len(l)-1])
	}
	return n
}

// job returns the job record of c.
func (c *Config) job() Job {
	j := c.Job
	j.Width, j.Height, j.Frames = c.Width, c.Height, c.Frames
	j.ContentLayers, j.StyleLayers = stylize.WeightedNames(c.ContentLayers, nil), stylize.WeightedNames(c.StyleLayers, c.StyleLayerWeights)
	j.ContentWeight, j.StyleWeight, j.TVWeight = c.Weights.Content, c.Weights.Style, c.Weights.TV
	j.TemporalWeight, j.TemporalFrames = c.Weights.Temporal, c.lossLags()
	j.Normalization, j.Pooling = string(c.Normalization), ""
	if c.Pooling != vgg.Max {
		j.Pooling = c.Pooling.String()
	}
	j.WarmStart, j.StepsFirst, j.Steps = string(c.WarmStart), c.Steps, c.WarmSteps
	j.Scales, j.Tolerance = max(c.Scales, 1), c.Tolerance
	j.Workers, j.Overlap, j.Seam = c.segments(), c.Overlap, c.Seam
	if c.WarmStart == WarmNone {
		j.Steps, j.Overlap, j.Seam = 0, 0, 0 // unused
	}
	j.Optimizer, j.LR = string(c.Optimizer), c.LR
	j.Colors = string(c.Colors)
	return j
}

// segments returns the number of segments the frames are split into.
func (c *Config) segments() int {
	if c.Shard.N > 0 {
		return c.Shard.N
	}
	return c.Workers
}

// split returns the segments; with WarmNone they need no warm-up.
func (c *Config) split() []Segment {
	overlap := c.Overlap
	if c.WarmStart == WarmNone {
		overlap = 0
	}
	return Split(c.Frames, c.segments(), overlap)
}

// threads returns the threads of one chain.
func (c *Config) threads() int {
	if c.Shard.N > 0 {
		return c.Threads
	}
	return max(1, c.Threads/c.Workers)
}

// Run stylizes frames [0, c.Frames) of src in style and saves each in
// c.Workdir as it is done (see FramePath). The frames are split into
// c.Workers contiguous segments (Split), each painted by one worker that
// builds one Problem and reuses it for all its frames; then the frames
// after each boundary are painted again (Seams). With c.Shard set, Run
// paints only that shard, and no seams.
//
// Run holds the work dir's locks while it runs (see lockName): a second
// Run on the same segments fails at once, naming the first one's process.
// Frames saved by an earlier run of the same job are read back in full
// first: a damaged one is reported (FrameResult.Damaged) and painted
// again, and the chain then reads the saved frames after it back as if it
// had painted them. Cancelling ctx stops every worker at its next
// evaluation: the frames in flight are lost, the saved ones kept, and the
// error wraps ctx's. Run holds a few frames per worker in memory, and the
// frames a chain looks back at (TemporalFrames).
func Run(ctx context.Context, w *vgg.Weights, style *stylize.Style, src Source, c Config) error {
	if c.Workers == 0 {
		c.Workers = ChooseWorkers(c)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := c.checkClip(); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Workdir, 0o755); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	var held locks
	defer held.release()
	if err := held.take(ctx, c.Workdir, lockName, !c.Discard, false); err != nil {
		return err
	}
	segs := c.split()
	mine := segs
	first := 0 // the number of the first segment painted here
	if c.Shard.N > 0 {
		if c.Shard.K >= len(segs) {
			return field.Errorf("Shard", "%s: the clip has only %d frames", c.Shard, c.Frames)
		}
		mine, first = segs[c.Shard.K:c.Shard.K+1], c.Shard.K
	}
	for k := range mine {
		if err := held.take(ctx, c.Workdir, segmentLock(first+k), false, false); err != nil {
			return err
		}
	}
	if err := c.prepare(ctx); err != nil {
		return err
	}
	report := c.reporter()
	saved := make([]bool, c.Frames)
	for _, seg := range mine {
		for i := seg.First; i < seg.First+seg.Count; i++ {
			path := FramePath(c.Workdir, i)
			ok, err := check(path, c.Width, c.Height)
			if err != nil {
				report(FrameResult{Index: i, Damaged: err})
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("work dir: %w", err)
				}
			}
			saved[i] = ok
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	for k, seg := range mine {
		g.Go(func() error { return c.segment(gctx, first+k, seg, w, style, src, saved, report) })
	}
	err := g.Wait()
	if err == nil && c.Shard.N == 0 {
		err = c.seams(ctx, w, style, src, segs, report)
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("stylizing stopped: %w", ctx.Err())
	}
	return err
}

// prepare checks and records the job in the work dir (see prepare),
// holding its job.json lock.
func (c *Config) prepare(ctx context.Context) error {
	var held locks
	defer held.release()
	if err := held.take(ctx, c.Workdir, jobLock, false, true); err != nil {
		return err
	}
	return prepare(c.Workdir, c.job(), c.Discard)
}

// reporter returns c.OnFrame made safe to call from several workers.
func (c *Config) reporter() func(FrameResult) {
	var mu sync.Mutex
	return func(r FrameResult) {
		if c.OnFrame != nil {
			mu.Lock()
			defer mu.Unlock()
			c.OnFrame(r)
		}
	}
}

// worker is one chain's state: a problem, its images and the chain's
// history, reused for every frame.
type worker struct {
	weights *vgg.Weights
	style   *stylize.Style
	ladder  *stylize.Ladder // prob at full size and coarser, for cold starts
	prob    *stylize.Problem
	opt     optim.Optimizer
	hist    *temporal.History
	content picture.Image
	x       picture.Image
	rgb     []byte
}

// segment paints one segment's unsaved frames. A chain that resumes reads
// the frames it needs to look back at (see Config.lookBack) from their
// saved images; if those reach before the segment, it paints its warm-up
// again.
func (c *Config) segment(ctx context.Context, id int, seg Segment, w *vgg.Weights, style *stylize.Style,
	src Source, saved []bool, report func(FrameResult)) error {
	end := seg.First + seg.Count
	k, last := end, seg.First-1 // first and last frame to paint
	for i := seg.First; i < end; i++ {
		if saved[i] {
			report(FrameResult{Index: i, Worker: id, Resumed: true})
			continue
		}
		k, last = min(k, i), i
	}
	if k == end {
		return nil
	}
	wk, err := c.newWorker(w, style)
	if err != nil {
		return err
	}
	from := k // first frame read from the source
	switch {
	case c.WarmStart == WarmNone:
	case k-c.lookBack() >= seg.First:
		from = k - c.lookBack()
	default:
		from = seg.First - seg.Warmup
	}
	return wk.chain(ctx, c, src, from, last+1, func(i int) (string, bool) {
		return FramePath(c.Workdir, i), i >= seg.First && i < end && saved[i]
	}, func(i int) (string, *seamTarget, error) {
		if i < seg.First {
			return "", nil, nil // warm-up: painted, not saved
		}
		return FramePath(c.Workdir, i), nil, nil
	}, func(r FrameResult) {
		r.Worker = id
		report(r)
	})
}

// newWorker returns a worker for c's frames.
func (c *Config) newWorker(w *vgg.Weights, style *stylize.Style) (*worker, error) {
	wk := &worker{
		weights: w,
		style:   style,
		content: picture.New(c.Width, c.Height),
		x:       picture.New(c.Width, c.Height),
		rgb:     make([]byte, 3*c.Width*c.Height),
	}
	// The optimizer keeps its vectors between frames (stylize.NewOptimizer
	// gives it a workspace of its own).
	var err error
	if wk.opt, err = stylize.NewOptimizer(c.Optimizer, c.LR); err != nil {
		return nil, err
	}
	if c.WarmStart != WarmNone {
		wk.hist, err = temporal.NewHistory(c.Width, c.Height, c.lossLags(), temporal.DefaultFlowOptions())
		if err != nil {
			return nil, err
		}
	}
	return wk, nil
}

// chain runs wk along frames [from, stop) of src: a frame restored (a
// path, true) is read back from that file and passed on as if painted;
// any other is painted and saved where dest says ("" for nowhere),
// toward dest's seam target if any, and reported.
func (wk *worker) chain(ctx context.Context, c *Config, src Source, from, stop int,
	restored func(i int) (string, bool), dest func(i int) (string, *seamTarget, error), report func(FrameResult)) error {
	rd, err := src.Open(ctx, from, stop-from)
	if err != nil {
		return fmt.Errorf("frames %d-%d: %w", from, stop-1, err)
	}
	defer rd.Close()
	warm := false
	for i := from; i < stop; i++ {
		readStart := time.Now()
		if err := rd.ReadFrame(wk.rgb); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("the video ended at frame %d, before frame %d", i, stop-1)
			}
			return fmt.Errorf("reading frame %d: %w", i, err)
		}
		path, ok := restored(i)
		if ok && c.WarmStart == WarmNone {
			continue // independent frame saved earlier
		}
		wk.content.SetRGB(wk.rgb)
		if ok {
			if err := wk.load(c, path); err != nil {
				return fmt.Errorf("resuming after frame %d: %w", i, err)
			}
			wk.hist.Push(wk.content, wk.x)
			warm = true
			continue
		}
		decode := time.Since(readStart).Seconds()
		out, target, err := dest(i)
		if err != nil {
			return err
		}
		r, err := wk.paint(ctx, c, i, warm, target)
		if err != nil {
			return err
		}
		r.Time.Decode = decode
		warm = c.WarmStart != WarmNone
		if out == "" {
			continue
		}
		saveStart := time.Now()
		if err := picture.SavePNG(out, wk.x); err != nil {
			return err
		}
		r.Time.Save = time.Since(saveStart).Seconds()
		report(r)
	}
	return rd.Close()
}

// load sets wk.x to the frame saved at path.
func (wk *worker) load(c *Config, path string) error {
	if err := readPNG(path, c.Width, c.Height, wk.rgb); err != nil {
		return err
	}
	wk.x.SetRGB(wk.rgb)
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// paint stylizes frame i (in wk.content) into wk.x, starting cold from
// the content or, when warm, as c.WarmStart says, and rounds the result to
// the 8 bits it is saved in, so the next frame starts from exactly what a
// resumed run would read back. With a seam target, a warm frame also
// starts part of the way toward it and is held to it (see Seams); a
// frame that would start cold (a scene cut) is the target itself.
func (wk *worker) paint(ctx context.Context, c *Config, i int, warm bool, target *seamTarget) (FrameResult, error) {
	start := time.Now()
	fresh := wk.prob == nil // every size has this frame's content
	if fresh {
		opts := c.Options
		opts.Threads = c.threads()
		l, err := stylize.NewLadder(wk.weights, wk.content, wk.style, opts)
		if err != nil {
			return FrameResult{}, fmt.Errorf("frame %d: %w", i, err)
		}
		wk.ladder, wk.prob = l, l.Full()
	} else if err := wk.prob.SetContent(wk.content); err != nil {
		return FrameResult{}, fmt.Errorf("frame %d: %w", i, err)
	}
	var t FrameTime
	t.Forward = time.Since(start).Seconds() // the content's targets
	flowStart := time.Now()
	steps := c.WarmSteps
	var anchors []stylize.Anchor
	cut := false
	if warm && wk.hist != nil {
		// Across a scene cut the previous frame has nothing to give.
		cut = !wk.hist.Prepare(wk.content)
		if c.WarmStart == WarmFlow && !cut {
			wk.hist.WarmStart(wk.x)
		}
		if !cut {
			for _, a := range wk.hist.Anchors() {
				anchors = append(anchors, stylize.Anchor(a))
			}
		}
	}
	cold := !warm || cut
	if target != nil {
		if cold {
			copy(wk.x.Pix, target.image.Pix)
			if wk.hist != nil {
				wk.hist.Push(wk.content, wk.x)
			}
			return FrameResult{Index: i, Seconds: time.Since(start).Seconds(), Seam: true}, nil
		}
		target.blend(wk.x)
		anchors = append(anchors, target.anchor())
	}
	if cold {
		copy(wk.x.Pix, wk.content.Pix)
		steps = c.Steps
		if !fresh {
			if err := wk.ladder.SetContent(wk.content); err != nil {
				return FrameResult{}, fmt.Errorf("frame %d: %w", i, err)
			}
		}
	}
	if err := wk.prob.SetAnchors(anchors); err != nil {
		return FrameResult{}, fmt.Errorf("frame %d: %w", i, err)
	}
	t.Flow = time.Since(flowStart).Seconds()
	n := 0
	runStart := time.Now()
	wk.ladder.Timing() // count this run's evaluations only
	var loss stylize.Loss
	var err error
	if cold {
		loss, err = wk.ladder.Run(ctx, wk.x, steps, wk.opt, func(s stylize.Step) { n = s.N })
	} else {
		loss, err = wk.prob.Run(ctx, wk.x, steps, wk.opt, func(s stylize.Step) { n = s.N })
	}
	pt := wk.ladder.Timing()
	t.Forward += pt.Forward.Seconds()
	t.Loss, t.Backward = pt.Loss.Seconds(), pt.Backward.Seconds()
	t.Optimizer = time.Since(runStart).Seconds() - pt.Forward.Seconds() - t.Loss - t.Backward
	if err != nil {
		if ctx.Err() != nil {
			return FrameResult{}, ctx.Err()
		}
		return FrameResult{}, fmt.Errorf("frame %d: %w", i, err)
	}
	stylize.Finish(wk.x, wk.content, wk.style, c.Colors)
	wk.x.Quantize()
	if wk.hist != nil {
		wk.hist.Push(wk.content, wk.x)
	}
	return FrameResult{Index: i, Loss: loss, Steps: n, Seconds: time.Since(start).Seconds(), Time: t, Seam: target != nil}, nil
}

// Record is the JSON form of a FrameResult: a line of a frames log. A
// NaN or infinite loss, which JSON cannot hold, is written as null (and
// read back as 0).
type Record struct {
	Frame    int       `json:"frame"`
	Worker   int       `json:"worker"`
	Style    jsonFloat `json:"style"`
	Content  jsonFloat `json:"content"`
	TV       jsonFloat `json:"tv"`
	Temporal jsonFloat `json:"temporal"`
	Total    jsonFloat `json:"total"`
	Steps    int       `json:"steps"`
	Seconds  float64   `json:"seconds"`
	Time     FrameTime `json:"time"`
}

// Record returns r's log record.
func (r FrameResult) Record() Record {
	l := r.Loss
	return Record{r.Index, r.Worker, jsonFloat(l.Style), jsonFloat(l.Content), jsonFloat(l.TV),
		jsonFloat(l.Temporal), jsonFloat(l.Total), r.Steps, r.Seconds, r.Time}
}

// Line returns the record as a line of JSON.
func (r Record) Line() []byte {
	b, _ := json.Marshal(r) // finite numbers only: cannot fail
	return append(b, '\n')
}

// jsonFloat is a float64 written as null when it is not finite.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}
