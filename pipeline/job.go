package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"github.com/gogh-video/gogh/internal/atomicfile"
)

// Job is what Workdir/job.json records: every setting that changes the
// stylized frames. A resumed run must have the same job. The caller fills
// in the input's fields (Input, Style, StyleSize, FPS, First, Start, End);
// Run fills in the rest from its Config.
type Job struct {
	Input     string  `json:"input" flag:"input"`
	Style     string  `json:"style" flag:"--style"`
	StyleSize int     `json:"style_size" flag:"--size"`
	Width     int     `json:"width" flag:"--size"`
	Height    int     `json:"height" flag:"--size"`
	FPS       float64 `json:"fps" flag:"--fps"`
	First     int     `json:"first_frame" flag:"--start/--frames"`
	Frames    int     `json:"frames" flag:"--end/--frames"`
	Start     float64 `json:"start" flag:"--start/--frames"`
	End       float64 `json:"end" flag:"--end/--frames"`

	ContentLayers []string `json:"content_layers" flag:"--content-layers"`
	StyleLayers   []string `json:"style_layers" flag:"--style-layers"`
	ContentWeight float64  `json:"content_weight" flag:"--content-weight"`
	StyleWeight   float64  `json:"style_weight" flag:"--style-weight"`
	TVWeight      float64  `json:"tv_weight" flag:"--tv-weight"`
	Normalization string   `json:"normalization" flag:"--normalization"`

	TemporalWeight float64 `json:"temporal_weight" flag:"--temporal-weight"`
	TemporalFrames []int   `json:"temporal_frames,omitempty" flag:"--temporal-frames"`

	WarmStart  string  `json:"warm_start" flag:"--warm-start"`
	StepsFirst int     `json:"steps_first" flag:"--steps-first"`
	Steps      int     `json:"steps" flag:"--steps"`
	Optimizer  string  `json:"optimizer" flag:"--optimizer"`
	LR         float64 `json:"lr" flag:"--lr"`

	// The split decides which warm-up frames are saved and cross-faded.
	Workers int `json:"workers" flag:"--workers"`
	Overlap int `json:"overlap" flag:"--overlap"`
}

const jobFile = "job.json"

// diff names the first setting in which j and o differ, with both values,
// or returns "".
func (j Job) diff(o Job) string {
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
		return fmt.Sprintf("%s (%s): the work dir has %v, this run %v", f.Tag.Get("flag"), f.Tag.Get("json"), x, y)
	}
	return ""
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
			return fmt.Errorf("--resume: %s is not a job file: %w", path, err)
		}
		if d := prev.diff(job); d != "" {
			return fmt.Errorf("--resume: %s was made with other settings: %s", dir, d)
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
