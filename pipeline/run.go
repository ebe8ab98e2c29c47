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
// clip at 256 px (README, "Speed"): a cold frame painted coarse to fine
// over 3 sizes, at most 150 evaluations at each; a warm frame 40
// evaluations from the previous frame warped along the flow, held by
// the temporal loss (DefaultTemporalWeight); one worker.
func Defaults() Config {
	o := stylize.DefaultOptions()
	o.Steps, o.Scales = 150, 3
	o.Weights.Temporal = DefaultTemporalWeight
	return Config{Options: o, WarmSteps: 40, Workers: 1, Overlap: DefaultOverlap, WarmStart: WarmFlow}
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
	Workers   int    // parallel chains, sharing Threads
	// Overlap is the number of warm-up frames before every segment but
	// the first (chains only: not with WarmNone); see Split. Use
	// DefaultOverlap.
	Overlap   int
	WarmStart WarmStart
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
	case c.Workers < 1:
		return field.Errorf("Workers", "must be at least 1, got %d", c.Workers)
	case c.Workers > c.Threads:
		return field.Errorf("Workers", "%d workers but %d threads: each worker needs a thread", c.Workers, c.Threads)
	case !c.WarmStart.valid():
		return field.Errorf("WarmStart", "unknown %q (want %s, %s or %s)", c.WarmStart, WarmNone, WarmPrev, WarmFlow)
	case c.Weights.Temporal > 0 && c.WarmStart == WarmNone:
		return field.Errorf("Weights.Temporal", "the temporal loss needs frames painted in a chain (warm start %s or %s), not %s", WarmPrev, WarmFlow, WarmNone)
	case c.Overlap < 0:
		return field.Errorf("Overlap", "must not be negative, got %d", c.Overlap)
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
	j.ContentLayers, j.StyleLayers = names(c.ContentLayers), names(c.StyleLayers)
	j.ContentWeight, j.StyleWeight, j.TVWeight = c.Weights.Content, c.Weights.Style, c.Weights.TV
	j.TemporalWeight, j.TemporalFrames = c.Weights.Temporal, c.lossLags()
	j.Normalization = string(c.Normalization)
	j.WarmStart, j.StepsFirst, j.Steps = string(c.WarmStart), c.Steps, c.WarmSteps
	j.Scales, j.Tolerance = max(c.Scales, 1), c.Tolerance
	j.Workers, j.Overlap = c.Workers, c.Overlap
	if c.WarmStart == WarmNone {
		j.Steps = 0 // unused
	}
	j.Optimizer, j.LR = string(c.Optimizer), c.LR
	return j
}

func names(ps []vgg.Point) []string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return s
}

// Run stylizes frames [0, c.Frames) of src in style and saves each in
// c.Workdir as it is done (see FramePath), and the warm-up frames that
// Encode cross-fades over (see WarmPath). The frames are split into
// c.Workers contiguous segments (Split), each painted by one worker that
// builds one Problem and reuses it for all its frames. Run holds the work
// dir's lock while it runs: a second Run on it fails at once, naming the
// first one's process. Frames saved by an earlier run of the same job are
// read back in full first: a damaged one is reported (FrameResult.Damaged)
// and painted again, and the chain then reads the saved frames after it
// back as if it had painted them. Cancelling ctx
// stops every worker at its next evaluation: the frames in flight are
// lost, the saved ones kept, and the error wraps ctx's. Run holds a few
// frames per worker in memory, and the frames a chain looks back at
// (TemporalFrames).
func Run(ctx context.Context, w *vgg.Weights, style *stylize.Style, src Source, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := c.checkClip(); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Workdir, 0o755); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	unlock, err := lock(ctx, c.Workdir, false)
	if err != nil {
		return err
	}
	defer unlock()
	if err := prepare(c.Workdir, c.job(), c.Discard); err != nil {
		return err
	}
	overlap := c.Overlap
	if c.WarmStart == WarmNone {
		overlap = 0
	}
	segs := Split(c.Frames, c.Workers, overlap)
	var mu sync.Mutex
	report := func(r FrameResult) {
		if c.OnFrame != nil {
			mu.Lock()
			defer mu.Unlock()
			c.OnFrame(r)
		}
	}
	saved := make([]bool, c.Frames)
	for i := range saved {
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
	// Keep only the warm-up frames this split cross-fades over, whole.
	fade := make([]bool, c.Frames)
	for _, s := range segs {
		for i := s.First - s.Fade; i < s.First; i++ {
			ok, _ := check(WarmPath(c.Workdir, i), c.Width, c.Height)
			fade[i] = ok
		}
	}
	if err := removeWarm(c.Workdir, func(i int) bool { return i < len(fade) && fade[i] }); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for i, seg := range segs {
		g.Go(func() error { return c.segment(gctx, i, seg, w, style, src, saved, report) })
	}
	err = g.Wait()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("stylizing stopped: %w", ctx.Err())
	}
	return err
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

// segment paints one segment's unsaved frames, and its warm-up frames for
// the cross-fade if any is missing. A chain that resumes reads the frames
// it needs to look back at (see Config.lookBack) from their saved images.
func (c *Config) segment(ctx context.Context, id int, seg Segment, w *vgg.Weights, style *stylize.Style,
	src Source, saved []bool, report func(FrameResult)) error {
	end := seg.First + seg.Count
	fadeFrom := seg.First - seg.Fade // first warm-up frame saved
	k, last := end, seg.First-1      // first and last frame to paint
	for i := seg.First; i < end; i++ {
		if saved[i] {
			report(FrameResult{Index: i, Worker: id, Resumed: true})
			continue
		}
		k, last = min(k, i), i
	}
	fadeSaved := true // every warm-up frame of the cross-fade is saved
	for i := fadeFrom; i < seg.First; i++ {
		fadeSaved = fadeSaved && exists(WarmPath(c.Workdir, i))
	}
	if k == end && fadeSaved {
		return nil
	}
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
		return err
	}
	if c.WarmStart != WarmNone {
		wk.hist, err = temporal.NewHistory(c.Width, c.Height, c.lossLags(), temporal.DefaultFlowOptions())
		if err != nil {
			return err
		}
	}
	// restored says where frame i was saved, if the chain reads it back
	// instead of painting it.
	restored := func(i int) (string, bool) {
		switch {
		case i >= seg.First && i < end && saved[i]:
			return FramePath(c.Workdir, i), true
		case i >= fadeFrom && i < seg.First && fadeSaved:
			return WarmPath(c.Workdir, i), true
		}
		return "", false
	}
	from := k // first frame read from the source
	stop := last + 1
	switch {
	case c.WarmStart == WarmNone:
	case !fadeSaved:
		// Paint the warm-up (again) to save its missing frames; saved
		// frames of the segment are then read back, and the chain goes on
		// from the last of them.
		from = seg.First - seg.Warmup
		if k == end {
			stop = seg.First
		}
	case k > seg.First || seg.Fade > 0:
		// Resuming inside the chain, or at the segment's start after a
		// saved warm-up: read back the last frames it looks back at. If
		// those reach before the saved warm-up frames, paint the warm-up's
		// start again.
		from = max(k-c.lookBack(), seg.First-seg.Warmup)
		if from < fadeFrom {
			from = seg.First - seg.Warmup
		}
	default:
		from = seg.First - seg.Warmup
	}
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
		if c.WarmStart == WarmNone && saved[i] {
			continue // independent frame saved earlier
		}
		wk.content.SetRGB(wk.rgb)
		if path, ok := restored(i); ok && c.WarmStart != WarmNone {
			if err := wk.load(c, path); err != nil {
				return fmt.Errorf("resuming after frame %d: %w", i, err)
			}
			wk.hist.Push(wk.content, wk.x)
			warm = true
			continue
		}
		decode := time.Since(readStart).Seconds()
		r, err := wk.paint(ctx, c, i, warm)
		if err != nil {
			return err
		}
		r.Time.Decode = decode
		warm = c.WarmStart != WarmNone
		if i < seg.First {
			if i >= fadeFrom {
				if err := picture.SavePNG(WarmPath(c.Workdir, i), wk.x); err != nil {
					return err
				}
			}
			continue // warm-up
		}
		saveStart := time.Now()
		if err := picture.SavePNG(FramePath(c.Workdir, i), wk.x); err != nil {
			return err
		}
		r.Time.Save = time.Since(saveStart).Seconds()
		r.Worker = id
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
// resumed run would read back.
func (wk *worker) paint(ctx context.Context, c *Config, i int, warm bool) (FrameResult, error) {
	start := time.Now()
	fresh := wk.prob == nil // every size has this frame's content
	if fresh {
		opts := c.Options
		opts.Threads = c.Threads / c.Workers
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
	wk.x.Quantize()
	if wk.hist != nil {
		wk.hist.Push(wk.content, wk.x)
	}
	return FrameResult{Index: i, Loss: loss, Steps: n, Seconds: time.Since(start).Seconds(), Time: t}, nil
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
