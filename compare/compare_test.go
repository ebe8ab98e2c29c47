package compare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/stylize/vgg/vggtest"
)

const tw, th, frames = 32, 24, 4

// clip is a source of frames of a gradient with a square moving right 2
// pixels a frame.
type clip struct{}

type reader struct{ next, end int }

func (clip) Open(_ context.Context, first, count int) (pipeline.FrameReader, error) {
	return &reader{first, first + count}, nil
}

func (r *reader) ReadFrame(dst []byte) error {
	if r.next == r.end {
		return io.EOF
	}
	for y := range th {
		for x := range tw {
			i := 3 * (y*tw + x)
			dst[i], dst[i+1], dst[i+2] = uint8(8*x), uint8(10*y), 128
			if x >= 4+2*r.next && x < 12+2*r.next && y >= 8 && y < 16 {
				dst[i], dst[i+1], dst[i+2] = 250, 240, 200
			}
		}
	}
	r.next++
	return nil
}

func (*reader) Close() error { return nil }

// setup returns random weights, a style and the options of a small
// comparison into dir.
func setup(t *testing.T, dir string) (*vgg.Weights, *stylize.Style, Options) {
	t.Helper()
	o := stylize.DefaultOptions()
	o.ContentLayers, _ = stylize.ParseLayers("relu2_1")
	o.StyleLayers, _ = stylize.ParseLayers("relu1_1,relu2_1")
	o.Steps, o.Threads, o.Weights.Temporal = 6, 2, 100
	w := vggtest.Random(o.Depth(), vgg.Caffe, 1)
	style, err := stylize.NewStyle(w, picture.Noise(tw, th, 5), o.StyleLayers, o.Pooling, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := pipeline.Config{Options: o, WarmSteps: 3, Width: tw, Height: th, Frames: frames,
		Job: pipeline.Job{Input: "synthetic", Style: "noise", FPS: 10, First: 7}}
	return w, style, Options{Config: c, Dir: dir}
}

func TestRun(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	w, style, o := setup(t, dir)
	painted := map[string]int{}
	rep, err := Run(context.Background(), w, style, clip{}, o, func(m Mode, f pipeline.FrameResult) { painted[m.Name]++ })
	if err != nil {
		t.Fatal(err)
	}
	if o.Parallel != 0 {
		t.Fatal("Run changed the caller's options")
	}
	for _, m := range Modes {
		if painted[m.Name] != frames {
			t.Errorf("mode %s: %d frames painted, want %d", m.Name, painted[m.Name], frames)
		}
	}
	if len(rep.Modes) != len(Modes) || rep.Frames != frames || rep.First != 7 || rep.Width != tw || rep.TemporalWeight != 100 {
		t.Fatalf("report %+v", rep)
	}
	for k, m := range rep.Modes {
		if m.Mode != Modes[k].Name || len(m.Frames) != frames || m.SecondsPerFrame == nil || !(m.StyleLoss > 0) || !(m.WarpingError > 0) {
			t.Errorf("mode %d: %+v", k, m)
			continue
		}
		for i, f := range m.Frames {
			if f.Frame != 7+i || (i == 0) != (f.WarpingError == nil) || f.Seconds == nil || f.Style == nil {
				t.Errorf("mode %s frame %d: %+v", m.Mode, i, f)
			}
		}
	}
	if rep.Modes[0].StyleWorst != 1 {
		t.Errorf("the reference mode's worst frame against itself is %g, want 1", rep.Modes[0].StyleWorst)
	}
	var onDisk Report
	data, err := os.ReadFile(filepath.Join(dir, MetricsJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &onDisk); err != nil || onDisk.Modes[3].WarpingError != rep.Modes[3].WarpingError {
		t.Errorf("metrics.json: %v, %+v", err, onDisk.Modes)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, MetricsCSV))
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 1+len(Modes)*frames {
		t.Errorf("metrics.csv has %d lines, want %d", len(lines), 1+len(Modes)*frames)
	}
	for _, f := range []string{VideoFile, PlotPNG, PlotSVG} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var table strings.Builder
	if err := rep.Table(&table); err != nil || strings.Count(table.String(), "\n") != 2+len(Modes) {
		t.Errorf("table (%v):\n%s", err, table.String())
	}

	// Resuming paints nothing and measures the same.
	again, err := Run(context.Background(), w, style, clip{}, o, func(m Mode, f pipeline.FrameResult) {
		t.Errorf("resumed run painted frame %d of %s", f.Index, m.Name)
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, m := range again.Modes {
		if m.WarpingError != rep.Modes[k].WarpingError || m.StyleLoss != rep.Modes[k].StyleLoss ||
			m.SecondsPerFrame == nil || *m.SecondsPerFrame != *rep.Modes[k].SecondsPerFrame {
			t.Errorf("mode %s resumed: %+v, before %+v", m.Mode, m, rep.Modes[k])
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Options)
		field string
	}{
		{"defaults", func(*Options) {}, ""},
		{"no dir", func(o *Options) { o.Dir = "" }, "Dir"},
		{"too parallel", func(o *Options) { o.Parallel = 3 }, "Parallel"},
		{"negative parallel", func(o *Options) { o.Parallel = -1 }, "Parallel"},
		{"no temporal loss", func(o *Options) { o.Weights.Temporal = 0 }, "Weights.Temporal"},
		{"bad lags", func(o *Options) { o.TemporalFrames = []int{2, 1} }, "TemporalFrames"},
		{"pipeline", func(o *Options) { o.WarmSteps = 0 }, "WarmSteps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, o := setup(t, t.TempDir())
			tc.edit(&o)
			err := o.Validate()
			var fe *field.Error
			switch {
			case tc.field == "" && (err != nil || o.Parallel != 2):
				t.Errorf("valid options: %v, Parallel %d (want 2: one per thread)", err, o.Parallel)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Name != tc.field):
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}

// TestSummarize: means leave out what could not be measured; the worst
// frame is the largest ratio to the reference.
func TestSummarize(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	none := []FrameMetric{{Frame: 3, Style: p(2)}, {Frame: 4, Style: p(4), WarpingError: p(0.5)}, {Frame: 5, Style: nil, WarpingError: nil}}
	m := ModeMetrics{Frames: []FrameMetric{
		{Frame: 3, Style: p(3)},
		{Frame: 4, Style: p(2), WarpingError: p(0.1)},
		{Frame: 5, Style: p(9), WarpingError: p(0.3)},
	}}
	m.summarize(map[int]float64{0: 2, 2: 4, 9: 100}, 3, none)
	if m.WarpingError != 0.2 || m.StyleLoss != 14.0/3 || m.StyleWorst != 1.5 || m.SecondsPerFrame == nil || *m.SecondsPerFrame != 3 {
		t.Errorf("summary %+v (seconds %v)", m, m.SecondsPerFrame)
	}
	if m.Frames[1].Seconds != nil || finite(math.NaN()) != nil || finite(math.Inf(-1)) != nil {
		t.Error("an unmeasured value is not nil")
	}
}

// TestReadSeconds: the last line of a frame wins; a missing log is no
// error; a corrupt one names its line.
func TestReadSeconds(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FramesLog)
	if secs, err := readSeconds(path); err != nil || len(secs) != 0 {
		t.Errorf("no log: %v, %v", secs, err)
	}
	var lines []byte
	for _, r := range []pipeline.FrameResult{{Index: 0, Seconds: 1}, {Index: 1, Seconds: 2}, {Index: 0, Seconds: 3}} {
		lines = append(lines, r.Record().Line()...)
	}
	os.WriteFile(path, lines, 0o644)
	if secs, err := readSeconds(path); err != nil || secs[0] != 3 || secs[1] != 2 {
		t.Errorf("log: %v, %v", secs, err)
	}
	os.WriteFile(path, append(lines, "{oops\n"...), 0o644)
	if _, err := readSeconds(path); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:4", path)) {
		t.Errorf("corrupt log: %v", err)
	}
}
