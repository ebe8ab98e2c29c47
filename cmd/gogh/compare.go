package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gogh-video/gogh/encode"
	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/temporal"
)

// compareRun holds the flags of gogh compare.
type compareRun struct {
	clipFlags
	out      string
	parallel int
	resume   bool
}

// compareMode is one way of painting a clip that gogh compare runs.
type compareMode struct {
	Name     string // also its work dir under -o
	Label    string // on its tile
	warm     string
	temporal bool // with the temporal loss
}

// compareModes are the modes gogh compare runs, in tile order.
var compareModes = []compareMode{
	{"none", "none", pipeline.WarmNone, false},
	{"prev", "prev", pipeline.WarmPrev, false},
	{"flow", "flow", pipeline.WarmFlow, false},
	{"flow-loss", "flow + loss", pipeline.WarmFlow, true},
}

// defaultCompareEnd is the end of the range gogh compare paints when none
// is given: a preview, not the whole clip.
const defaultCompareEnd = 2

// defaultTemporalWeight is the default weight of the temporal loss (gogh
// video and gogh compare). Measured on 2 s of the cockatoo clip at 256 px
// (bench/temporal.sh): weights 10, 15, 20, 60, 200 leave warping errors of
// 0.65, 0.58, 0.54, 0.41, 0.40 of the flow warm start's alone, and style
// losses on the worst frame 1.06, 1.07, 1.11, 1.14, 1.23 times mode
// none's: 15 is the steadiest within 10% of the style loss.
const defaultTemporalWeight = 15

func newCompareCmd() *cobra.Command {
	r := &compareRun{}
	cmd := &cobra.Command{
		Use:   "compare [IN] [-s STYLE] -o DIR",
		Short: "Stylize a clip with and without temporal warm starts and measure the flicker",
		Long: `Paint the same frames four ways: none (every frame from its content frame), prev
(from the previous stylized frame), flow (from the previous stylized frame warped along
the optical flow) and flow with the temporal loss (--temporal-weight). Then score each
for temporal consistency: the warping error, the mean squared difference between a
stylized frame and the previous one warped along the optical flow of the input frames,
over the pixels the flow tracks reliably (lower is steadier). DIR gets compare.mp4
(the four side by side), metrics.csv and metrics.json (warping error, style and
content loss, seconds per frame, per frame and overall), warping-error.png/.svg and
one work dir per mode; a summary table goes to stdout.

Without a range, the first ` + strconv.Itoa(defaultCompareEnd) + ` seconds are painted. --resume keeps finished frames.`,
		Args: cobra.MaximumNArgs(1),
		RunE: r.runE(r.run),
	}
	fs := cmd.Flags()
	fs.StringVarP(&r.out, "output", "o", "", "output directory")
	fs.IntVar(&r.parallel, "parallel", 0, "modes painted at the same time, --threads shared among them (default: as many as threads, at most 4)")
	fs.BoolVar(&r.resume, "resume", false, "keep the frames a stopped run with the same settings saved in DIR and paint the rest")
	r.addClipFlags(fs, defaultTemporalWeight)
	return cmd
}

// modeMetrics are the scores of one mode.
type modeMetrics struct {
	Mode         string  `json:"mode"`
	WarpingError float64 `json:"warping_error"`
	StyleLoss    float64 `json:"style_loss"`
	ContentLoss  float64 `json:"content_loss"`
	// StyleWorst is the largest ratio, over frames, of the mode's style
	// loss to mode none's on the same frame.
	StyleWorst      float64       `json:"style_loss_worst_frame_vs_none"`
	SecondsPerFrame *float64      `json:"seconds_per_frame"` // nil: every frame painted by an earlier run
	Frames          []frameMetric `json:"frames"`
}

// frameMetric are the scores of one frame (numbered in the clip, at the
// compared frame rate). A value is nil when it could not be measured: the
// warping error of the first frame or of a frame the flow tracks nowhere,
// the seconds of a frame painted by a run that kept no log.
type frameMetric struct {
	Frame        int      `json:"frame"`
	WarpingError *float64 `json:"warping_error"`
	Style        *float64 `json:"style"`
	Content      *float64 `json:"content"`
	Seconds      *float64 `json:"seconds"`
}

// compareReport is metrics.json.
type compareReport struct {
	Input          string        `json:"input"`
	Style          string        `json:"style"`
	Frames         int           `json:"frames"`
	First          int           `json:"first_frame"`
	FPS            float64       `json:"fps"`
	Width          int           `json:"width"`
	Height         int           `json:"height"`
	StepsFirst     int           `json:"steps_first"`
	Steps          int           `json:"steps"`
	TemporalWeight float64       `json:"temporal_weight"`
	TemporalFrames []int         `json:"temporal_frames"`
	InputError     float64       `json:"input_warping_error"`
	Reliable       float64       `json:"reliable_fraction"`
	Modes          []modeMetrics `json:"modes"`
}

func (r *compareRun) run(ctx context.Context, in string, stdout io.Writer) error {
	if r.out == "" {
		return fmt.Errorf("-o is required (a directory)")
	}
	r.defaultEnd = defaultCompareEnd
	opts, spec, lags, err := r.check()
	if err != nil {
		return err
	}
	if r.parallel == 0 {
		r.parallel = min(r.threads, len(compareModes))
	}
	switch {
	case r.parallel < 1:
		return fmt.Errorf("--parallel: must be at least 1, got %d", r.parallel)
	case r.threads/r.parallel < 1:
		return fmt.Errorf("--parallel %d: more than --threads (%d); each mode needs a thread", r.parallel, r.threads)
	case r.temporalWeight == 0:
		return fmt.Errorf("--temporal-weight: must be positive for the flow + temporal loss mode")
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	cl, err := r.open(ctx, in, opts, spec)
	if err != nil {
		return err
	}
	plan := cl.plan
	threads := r.threads / r.parallel
	fmt.Fprintf(stdout, "comparing %d frames of %s (%dx%d at %g fps) in %d modes, %d at a time x %d thread(s), into %s\n",
		plan.Count, cl.in, plan.Width, plan.Height, plan.FPS, len(compareModes), r.parallel, threads, r.out)
	if err := r.paint(ctx, cl, spec, lags, threads, stdout); err != nil {
		return err
	}
	rep, err := r.score(ctx, cl, spec, lags)
	if err != nil {
		return err
	}
	return r.report(rep, stdout)
}

// paint runs the pipeline once per mode, r.parallel modes at a time.
func (r *compareRun) paint(ctx context.Context, cl *clip, spec stylize.Spec, lags []int, threads int, stdout io.Writer) error {
	var mu sync.Mutex // stdout and the logs
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.parallel)
	for _, m := range compareModes {
		g.Go(func() error {
			dir := filepath.Join(r.out, m.Name)
			s := spec
			if !m.temporal {
				s.Weights.Temporal = 0
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("-o: %w", err)
			}
			log, err := openLog("-o", filepath.Join(dir, framesLog), r.resume)
			if err != nil {
				return err
			}
			var logErr error // the first failed write
			c := pipeline.Config{
				Workdir: dir, Workers: 1, Threads: threads, WarmStart: m.warm,
				StepsFirst: r.stepsFirst, Steps: r.steps, TemporalFrames: lags,
				Spec: s, Optimizer: r.optimizer, LR: r.lr,
				Width: cl.plan.Width, Height: cl.plan.Height, Frames: cl.plan.Count, Resume: r.resume,
				Job: cl.job(),
				OnFrame: func(f pipeline.FrameResult) {
					if f.Resumed {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if _, err := log.Write(record(f)); err != nil && logErr == nil {
						logErr = fmt.Errorf("-o: %w", err)
					}
					fmt.Fprintf(stdout, "%-9s frame %d/%d  style %.4g  content %.4g  temporal %.4g  steps %d  %.1fs\n",
						m.Name, f.Index+1, cl.plan.Count, f.Loss.Style, f.Loss.Content, f.Loss.Temporal, f.Steps, f.Seconds)
				},
			}
			err = pipeline.Run(gctx, cl.weights, cl.style, cl.source(), c)
			if cerr := log.Close(); logErr == nil && cerr != nil {
				logErr = fmt.Errorf("-o: %w", cerr)
			}
			switch {
			case err != nil && ctx.Err() != nil:
				return fmt.Errorf("interrupted: finished frames are kept in %s; run again with --resume to continue", r.out)
			case err != nil:
				return fmt.Errorf("mode %s: %w", m.Name, err)
			}
			return logErr
		})
	}
	return g.Wait()
}

// score reads the input frames and every mode's frames back and measures
// them: warping error against the input's optical flow, style and content
// loss (without the temporal term), and seconds per frame from the logs.
func (r *compareRun) score(ctx context.Context, cl *clip, spec stylize.Spec, lags []int) (*compareReport, error) {
	plan := cl.plan
	w, h := plan.Width, plan.Height
	rep := &compareReport{
		Input: cl.absIn, Style: cl.absStyle, Frames: plan.Count, First: plan.First, FPS: plan.FPS,
		Width: w, Height: h, StepsFirst: r.stepsFirst, Steps: r.steps,
		TemporalWeight: r.temporalWeight, TemporalFrames: lags,
	}
	spec.Weights.Temporal = 0
	var prob *stylize.Problem
	// The flow that scores is not the one that painted: a slower, more
	// accurate preset, so that the temporal loss is not judged by the
	// very flow it was fitted to.
	cons := temporal.NewConsistency(w, h, temporal.AccurateFlowOptions())
	rd, err := cl.source().Open(ctx, 0, plan.Count)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	enc, err := r.tileVideo(ctx, cl)
	if err != nil {
		return nil, err
	}
	defer enc.Abort()
	rgb := make([]byte, 3*w*h)
	tw, th := figure.TilesSize(len(compareModes), 2, w, h)
	tiles := make([]byte, 3*tw*th)
	content, prevIn := picture.New(w, h), picture.New(w, h)
	prev := make([]picture.Image, len(compareModes))
	grad := make([]float32, 3*w*h)
	pics := make([]image.Image, len(compareModes))
	labels := make([]string, len(compareModes))
	var inErr, reliable mean
	for _, m := range compareModes {
		rep.Modes = append(rep.Modes, modeMetrics{Mode: m.Name})
	}
	for i := range plan.Count {
		if err := rd.ReadFrame(rgb); err != nil {
			return nil, fmt.Errorf("%s: reading frame %d: %w", cl.in, i, err)
		}
		content.SetRGB(rgb)
		cons.Next(content)
		if i > 0 {
			inErr.add(cons.Error(prevIn, content))
			reliable.add(cons.Reliable())
		}
		prevIn, content = content, prevIn
		if prob == nil {
			if prob, err = stylize.NewProblem(cl.weights, prevIn, cl.style, spec); err != nil {
				return nil, err
			}
		} else if err := prob.SetContent(prevIn); err != nil {
			return nil, err
		}
		for k, m := range compareModes {
			out, err := picture.Load(pipeline.FramePath(filepath.Join(r.out, m.Name), i), 0)
			if err != nil {
				return nil, fmt.Errorf("mode %s: %w", m.Name, err)
			}
			l := prob.Eval(out, grad)
			fm := frameMetric{Frame: plan.First + i, Style: finite(l.Style), Content: finite(l.Content)}
			if i > 0 {
				fm.WarpingError = finite(cons.Error(prev[k], out))
			}
			rep.Modes[k].Frames = append(rep.Modes[k].Frames, fm)
			prev[k] = out
			pics[k] = out.NRGBA()
			labels[k] = m.Label
		}
		if err := enc.WriteFrame(picture.RGB24(figure.Tiles(pics, labels, 2), tiles)); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	rep.InputError, rep.Reliable = inErr.value(), reliable.value()
	for k, m := range compareModes {
		secs, err := readSeconds(filepath.Join(r.out, m.Name, framesLog))
		if err != nil {
			return nil, err
		}
		rep.Modes[k].summarize(secs, plan.First, rep.Modes[0].Frames)
	}
	return rep, nil
}

// summarize fills in the mode's seconds per frame from secs (by frame
// index from first) and its means over frames, leaving out the values
// that could not be measured; none are mode none's frames.
func (m *modeMetrics) summarize(secs map[int]float64, first int, none []frameMetric) {
	var we, st, ct, sec mean
	for j := range m.Frames {
		f := &m.Frames[j]
		if s, ok := secs[f.Frame-first]; ok {
			f.Seconds = finite(s)
		}
		we.addP(f.WarpingError)
		st.addP(f.Style)
		ct.addP(f.Content)
		sec.addP(f.Seconds)
		if f.Style != nil && none[j].Style != nil && *none[j].Style > 0 {
			m.StyleWorst = max(m.StyleWorst, *f.Style / *none[j].Style)
		}
	}
	m.WarpingError, m.StyleLoss, m.ContentLoss = we.value(), st.value(), ct.value()
	if sec.n > 0 {
		v := sec.value()
		m.SecondsPerFrame = &v
	}
}

// mean averages the finite values added to it.
type mean struct {
	sum float64
	n   int
}

func (m *mean) add(v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		m.sum += v
		m.n++
	}
}

func (m *mean) addP(v *float64) {
	if v != nil {
		m.add(*v)
	}
}

// value returns the mean, 0 with no values.
func (m *mean) value() float64 {
	if m.n == 0 {
		return 0
	}
	return m.sum / float64(m.n)
}

// finite returns &v, or nil when v is NaN or infinite (JSON has neither).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// tileVideo starts compare.mp4: the modes' frames side by side, at the
// clip's frame rate.
func (r *compareRun) tileVideo(ctx context.Context, cl *clip) (*encode.Writer, error) {
	tw, th := figure.TilesSize(len(compareModes), 2, cl.plan.Width, cl.plan.Height)
	return encode.Create(ctx, filepath.Join(r.out, "compare.mp4"), tw, th, encode.Options{FPS: cl.plan.FPS})
}

// report writes metrics.json, metrics.csv and the warping error plot,
// and prints the summary table.
func (r *compareRun) report(rep *compareReport, stdout io.Writer) error {
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(r.out, "metrics.json"), append(js, '\n')); err != nil {
		return err
	}
	var csv strings.Builder
	csv.WriteString("mode,frame,warping_error,style,content,seconds\n")
	g := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', 6, 64)
	}
	var series []figure.Series
	for _, m := range rep.Modes {
		s := figure.Series{Name: m.Mode}
		for _, f := range m.Frames {
			fmt.Fprintf(&csv, "%s,%d,%s,%s,%s,%s\n", m.Mode, f.Frame, g(f.WarpingError), g(f.Style), g(f.Content), g(f.Seconds))
			if f.WarpingError != nil {
				s.X = append(s.X, float64(f.Frame))
				s.Y = append(s.Y, *f.WarpingError)
			}
		}
		series = append(series, s)
	}
	if err := atomicfile.WriteBytes(filepath.Join(r.out, "metrics.csv"), []byte(csv.String())); err != nil {
		return err
	}
	if rep.Frames > 1 {
		err := figure.SeriesPlot("Warping error between consecutive stylized frames", "frame",
			"warping error (mean squared, reliable pixels)", series,
			filepath.Join(r.out, "warping-error.png"), filepath.Join(r.out, "warping-error.svg"))
		if err != nil {
			return err
		}
	}
	none := rep.Modes[0]
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\twarping error\tvs none\tstyle loss\tvs none\tworst frame\tcontent loss\ts/frame\t")
	for _, m := range rep.Modes {
		sec := "-"
		if m.SecondsPerFrame != nil {
			sec = fmt.Sprintf("%.2f", *m.SecondsPerFrame)
		}
		fmt.Fprintf(tw, "%s\t%.5f\t%.2f\t%.4g\t%.2f\t%.2f\t%.4g\t%s\t\n", m.Mode, m.WarpingError, m.WarpingError/none.WarpingError,
			m.StyleLoss, m.StyleLoss/none.StyleLoss, m.StyleWorst, m.ContentLoss, sec)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "input frames: warping error %.5f, %.0f%% of pixels tracked reliably; wrote %s\n",
		rep.InputError, 100*rep.Reliable, filepath.Join(r.out, "{compare.mp4,metrics.csv,metrics.json,warping-error.png}"))
	return nil
}

// framesLog is the log, in each mode's work dir, of its painted frames
// (see frameRecord).
const framesLog = "frames.jsonl"

// readSeconds returns the seconds each frame logged at path took (none
// if there is no log); the last line of a frame wins.
func readSeconds(path string) (map[int]float64, error) {
	secs := map[int]float64{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return secs, nil // painted by a run that kept no log
	} else if err != nil {
		return nil, fmt.Errorf("reading the frame times: %w", err)
	}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var rec frameRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		secs[rec.Frame] = rec.Seconds
	}
	return secs, nil
}
