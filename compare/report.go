package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/pipeline"
)

// Report is what a comparison measured: metrics.json.
type Report struct {
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
	Modes          []ModeMetrics `json:"modes"`
}

// ModeMetrics are the scores of one mode.
type ModeMetrics struct {
	Mode         string  `json:"mode"`
	WarpingError float64 `json:"warping_error"`
	StyleLoss    float64 `json:"style_loss"`
	ContentLoss  float64 `json:"content_loss"`
	// StyleWorst is the largest ratio, over frames, of the mode's style
	// loss to the first mode's (none) on the same frame.
	StyleWorst      float64       `json:"style_loss_worst_frame_vs_none"`
	SecondsPerFrame *float64      `json:"seconds_per_frame"` // nil: every frame painted by an earlier run
	Frames          []FrameMetric `json:"frames"`
}

// FrameMetric are the scores of one frame (numbered in the clip, at the
// compared frame rate). A value is nil when it could not be measured: the
// warping error of the first frame or of a frame the flow tracks nowhere,
// the seconds of a frame painted by a run that kept no log.
type FrameMetric struct {
	Frame        int      `json:"frame"`
	WarpingError *float64 `json:"warping_error"`
	Style        *float64 `json:"style"`
	Content      *float64 `json:"content"`
	Seconds      *float64 `json:"seconds"`
}

// Files Write puts in the output directory.
const (
	MetricsJSON = "metrics.json"
	MetricsCSV  = "metrics.csv"
	PlotPNG     = "warping-error.png"
	PlotSVG     = "warping-error.svg"
)

// summarize fills in the mode's seconds per frame from secs (by frame
// index from first) and its means over frames, leaving out the values
// that could not be measured; none are the reference mode's frames.
func (m *ModeMetrics) summarize(secs map[int]float64, first int, none []FrameMetric) {
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

// Write writes metrics.json, metrics.csv and the warping error plot
// (PNG and SVG, with two frames or more) into dir, each atomically.
func (r *Report) Write(dir string) error {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, MetricsJSON), append(js, '\n')); err != nil {
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
	for _, m := range r.Modes {
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
	if err := atomicfile.WriteBytes(filepath.Join(dir, MetricsCSV), []byte(csv.String())); err != nil {
		return err
	}
	if r.Frames < 2 {
		return nil
	}
	return figure.SeriesPlot("Warping error between consecutive stylized frames", "frame",
		"warping error (mean squared, reliable pixels)", series, filepath.Join(dir, PlotPNG), filepath.Join(dir, PlotSVG))
}

// Table prints the summary: a row per mode with its warping error, style
// and content loss, both set against the first mode's, its worst frame's
// style loss against the first mode's, and its seconds per frame; then the
// input's own warping error.
func (r *Report) Table(w io.Writer) error {
	none := r.Modes[0]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\twarping error\tvs none\tstyle loss\tvs none\tworst frame\tcontent loss\ts/frame\t")
	for _, m := range r.Modes {
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
	_, err := fmt.Fprintf(w, "input frames: warping error %.5f, %.0f%% of pixels tracked reliably\n", r.InputError, 100*r.Reliable)
	return err
}

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
		var rec pipeline.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		secs[rec.Frame] = rec.Seconds
	}
	return secs, nil
}
