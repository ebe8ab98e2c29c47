package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/field"
)

// Job is what Workdir/job.json records: every setting that changes the
// stylized frames. A resumed run must have the same job. The caller fills
// in the input's fields (Input, Style, StyleSize, FPS, First, Start, End);
// Run fills in the rest from its Config. A field's "field" tag names the
// setting it records where the names differ (Config's fields, or
// decode.Options' for the range).
type Job struct {
	Input     string  `json:"input"`
	Style     string  `json:"style"`
	StyleSize int     `json:"style_size" field:"Size"`
	Width     int     `json:"width" field:"Size"`
	Height    int     `json:"height" field:"Size"`
	FPS       float64 `json:"fps"`
	First     int     `json:"first_frame" field:"Start/FromFrame"`
	Frames    int     `json:"frames" field:"End/ToFrame"`
	Start     float64 `json:"start" field:"Start/FromFrame"`
	End       float64 `json:"end" field:"End/ToFrame"`

	ContentLayers []string `json:"content_layers"`
	StyleLayers   []string `json:"style_layers"`
	ContentWeight float64  `json:"content_weight" field:"Weights.Content"`
	StyleWeight   float64  `json:"style_weight" field:"Weights.Style"`
	TVWeight      float64  `json:"tv_weight" field:"Weights.TV"`
	Normalization string   `json:"normalization"`

	TemporalWeight float64 `json:"temporal_weight" field:"Weights.Temporal"`
	TemporalFrames []int   `json:"temporal_frames,omitempty"`

	WarmStart  string  `json:"warm_start"`
	StepsFirst int     `json:"steps_first" field:"Steps"`
	Steps      int     `json:"steps" field:"WarmSteps"`
	Optimizer  string  `json:"optimizer"`
	LR         float64 `json:"lr"`

	// The split decides which warm-up frames are saved and cross-faded.
	Workers int `json:"workers"`
	Overlap int `json:"overlap"`
}

const jobFile = "job.json"

// diff returns a *field.Error naming the setting of the first field in
// which j and o differ, with both values, or nil.
func (j Job) diff(o Job) error {
	a, b := reflect.ValueOf(j), reflect.ValueOf(o)
	t := a.Type()
	for i := range t.NumField() {
		x, y := a.Field(i).Interface(), b.Field(i).Interface()
		if reflect.DeepEqual(x, y) {
			continue
		}
		if a.Field(i).Kind() == reflect.Slice && a.Field(i).Len() == 0 && b.Field(i).Len() == 0 {
			continue // nil and empty
		}
		f := t.Field(i)
		name := f.Tag.Get("field")
		if name == "" {
			name = f.Name
		}
		return field.Errorf(name, "the work dir was made with %s %v, this run has %v", strings.Split(f.Tag.Get("json"), ",")[0], x, y)
	}
	return nil
}

// prepare readies the work dir for job. Resuming, it checks that a job
// recorded there is the same; otherwise it deletes the frames of an
// earlier job. Then it records job.
func prepare(dir string, job Job, resume bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	path := filepath.Join(dir, jobFile)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("work dir: %w", err)
	case resume:
		var prev Job
		if err := json.Unmarshal(old, &prev); err != nil {
			return fmt.Errorf("work dir: %s is not a job file: %w", path, err)
		}
		if err := prev.diff(job); err != nil {
			return fmt.Errorf("work dir %s: %w", dir, err)
		}
		return nil
	}
	if !resume {
		if err := removeFrames(dir); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(job, "", "  ")
	if err != nil {
		return fmt.Errorf("job.json: %w", err)
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// removeFrames deletes the frame checkpoints and warm-up frames (and only
// those) in dir.
func removeFrames(dir string) error {
	if err := removeWarm(dir, func(int) bool { return false }); err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(n); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	return nil
}

// removeWarm deletes the warm-up frames in dir except those of the frames
// for which keep is true.
func removeWarm(dir string, keep func(i int) bool) error {
	names, err := filepath.Glob(filepath.Join(dir, "warm-*.png"))
	if err != nil {
		return err
	}
	for _, n := range names {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(n), "warm-%d.png", &i); err == nil && keep(i) {
			continue
		}
		if err := os.Remove(n); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	return nil
}
