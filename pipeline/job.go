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

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/record"
	"github.com/gogh-video/gogh/stylize"
)

// Job is what Workdir/job.json records: every setting that changes the
// stylized frames. A run continues a work dir's frames only if it has the
// same job. The caller fills in the files (Identify) and the input's
// fields (StyleSize, FPS, First, Start, End);
// Run fills in the rest from its Config. A field's "field" tag names the
// setting it records where the names differ (Config's fields, or
// decode.Options' for the range).
type Job struct {
	// The files, by content (SHA-256, see Identify) and, for people, by
	// path: a work dir is continued only with the same files, wherever
	// they are now.
	Input         string `json:"input" identity:"-"`
	Style         string `json:"style" identity:"-"`
	InputSHA256   string `json:"input_sha256" field:"Input"`
	StyleSHA256   string `json:"style_sha256" field:"Style"`
	WeightsSHA256 string `json:"weights_sha256" field:"WeightsFile"`

	// With several style images, all of them (Style is the first); with
	// masks, theirs; and how they are used.
	Styles       []string  `json:"styles,omitempty" identity:"-"`
	StylesSHA256 []string  `json:"styles_sha256,omitempty" field:"Style"`
	StyleBlend   []float64 `json:"style_blend,omitempty" field:"StyleBlend"`
	Masks        []string  `json:"style_masks,omitempty" identity:"-"`
	MasksSHA256  []string  `json:"style_masks_sha256,omitempty" field:"StyleMasks"`
	Colors       string    `json:"colors,omitempty"`

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
	Pooling       string   `json:"pooling,omitempty"` // "" is max

	TemporalWeight float64 `json:"temporal_weight" field:"Weights.Temporal"`
	TemporalFrames []int   `json:"temporal_frames,omitempty"`

	WarmStart  string  `json:"warm_start"`
	StepsFirst int     `json:"steps_first" field:"Steps"`
	Steps      int     `json:"steps" field:"WarmSteps"`
	Scales     int     `json:"scales"`
	Tolerance  float64 `json:"tolerance"`
	Optimizer  string  `json:"optimizer"`
	LR         float64 `json:"lr"`

	// The split: how many segments (workers or shards), the warm-up of
	// each chain and the frames painted again after each boundary.
	Workers int `json:"workers" field:"Workers/Shards"`
	Overlap int `json:"overlap"`
	Seam    int `json:"seam"`
}

// ReadJob reads the job.json of work dir dir.
func ReadJob(dir string) (Job, error) {
	data, err := os.ReadFile(filepath.Join(dir, jobFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Job{}, fmt.Errorf("%s is not a work dir of gogh: it has no %s", dir, jobFile)
	}
	if err != nil {
		return Job{}, fmt.Errorf("work dir: %w", err)
	}
	var j Job
	if err := json.Unmarshal(data, &j); err != nil {
		return Job{}, fmt.Errorf("%s: %w", filepath.Join(dir, jobFile), err)
	}
	return j, nil
}

// Config returns the configuration of the job recorded in work dir dir,
// with its frames split into j.Workers shards (Shard 0 of them) and the
// given threads: what paints the job's seams (Seams) and encodes it.
func (j Job) Config(dir string, threads int) (Config, error) {
	c := j.config()
	c.Workdir, c.Threads = dir, threads
	var err error
	if c.ContentLayers, err = stylize.ParseLayers(strings.Join(j.ContentLayers, ",")); err == nil {
		c.StyleLayers, c.StyleLayerWeights, err = stylize.ParseWeightedLayers(strings.Join(j.StyleLayers, ","))
	}
	if err == nil && j.Pooling != "" {
		err = c.Pooling.UnmarshalText([]byte(j.Pooling))
	}
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, jobFile), err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, jobFile), err)
	}
	return c, nil
}

// config is the part of Config that j records without parsing: the
// split, the frames and the optimization's numbers.
func (j Job) config() Config {
	c := Defaults()
	c.Job = j
	c.Width, c.Height, c.Frames = j.Width, j.Height, j.Frames
	c.Workers, c.Shard, c.Overlap, c.Seam = 1, Shard{N: max(j.Workers, 1)}, j.Overlap, j.Seam
	c.WarmStart, c.Steps, c.WarmSteps = WarmStart(j.WarmStart), j.StepsFirst, max(j.Steps, 1)
	c.Weights = stylize.Weights{Content: j.ContentWeight, Style: j.StyleWeight, TV: j.TVWeight, Temporal: j.TemporalWeight}
	c.TemporalFrames = j.TemporalFrames
	c.Normalization, c.Optimizer, c.LR = stylize.Normalization(j.Normalization), stylize.Method(j.Optimizer), j.LR
	c.Scales, c.Tolerance = j.Scales, j.Tolerance
	c.Colors = stylize.Colors(j.Colors)
	return c
}

// Spec returns the style images and their use that j records, the
// images at their recorded size.
func (j Job) Spec() stylize.StyleSpec {
	s := stylize.StyleSpec{Files: []string{j.Style}, Blend: j.StyleBlend, Size: j.StyleSize, Masks: j.Masks, Colors: stylize.Colors(j.Colors)}
	if len(j.Styles) > 0 {
		s.Files = j.Styles
	}
	return s
}

const jobFile = "job.json"

// Identify records the job's input, style images (spec's files and
// masks, and how they are used) and weights files by path and by
// content.
func (j *Job) Identify(input, weights string, spec stylize.StyleSpec) error {
	if len(spec.Files) == 0 {
		return field.Errorf("Style", "no style image")
	}
	type file struct {
		path     string
		abs, sha *string
		field    string
	}
	files := []file{
		{input, &j.Input, &j.InputSHA256, "Input"},
		{spec.Files[0], &j.Style, &j.StyleSHA256, "Style"},
		{weights, nil, &j.WeightsSHA256, "WeightsFile"},
	}
	j.Styles, j.StylesSHA256, j.Masks, j.MasksSHA256 = nil, nil, nil, nil
	if len(spec.Files) > 1 {
		j.Styles, j.StylesSHA256 = make([]string, len(spec.Files)), make([]string, len(spec.Files))
		for i, f := range spec.Files {
			files = append(files, file{f, &j.Styles[i], &j.StylesSHA256[i], "Style"})
		}
	}
	if spec.Masks != nil {
		j.Masks, j.MasksSHA256 = make([]string, len(spec.Masks)), make([]string, len(spec.Masks))
		for i, f := range spec.Masks {
			files = append(files, file{f, &j.Masks[i], &j.MasksSHA256[i], "StyleMasks"})
		}
	}
	j.StyleBlend, j.Colors = spec.Blend, string(spec.Colors)
	for _, f := range files {
		sum, err := record.Hash(f.path)
		if err != nil {
			return field.Errorf(f.field, "%v", err)
		}
		*f.sha = sum
		if f.abs != nil {
			if *f.abs, err = filepath.Abs(f.path); err != nil {
				return field.Errorf(f.field, "%v", err)
			}
		}
	}
	return nil
}

// diff returns a *field.Error naming the setting of the first field in
// which j and o differ, with both values, or nil.
func (j Job) diff(o Job) error {
	a, b := reflect.ValueOf(j), reflect.ValueOf(o)
	t := a.Type()
	for i := range t.NumField() {
		x, y := a.Field(i).Interface(), b.Field(i).Interface()
		if reflect.DeepEqual(x, y) || t.Field(i).Tag.Get("identity") == "-" {
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
		key := strings.Split(f.Tag.Get("json"), ",")[0]
		if what, ok := strings.CutSuffix(key, "_sha256"); ok {
			return field.Errorf(name, "the work dir was made with another %s file (SHA-256 %.12s…, this one %.12s…)", what, x, y)
		}
		return field.Errorf(name, "the work dir was made with %s %v, this run has %v", key, x, y)
	}
	return nil
}
