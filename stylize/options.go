package stylize

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Options are the settings of one optimization: the objective (layers,
// loss weights, normalization) and how it is minimized (optimizer, steps,
// starting image, threads). Every command that paints fills one in;
// Validate is where its values are checked.
type Options struct {
	ContentLayers Layers
	StyleLayers   Layers
	// StyleLayerWeights weigh the style layers one by one (nil: all 1;
	// see ParseWeightedLayers): the default normalization averages the
	// layers with these weights, the tutorial's sums them.
	StyleLayerWeights []float64
	Weights           Weights
	Normalization     Normalization
	Pooling           vgg.Pooling // between the network's blocks: max (VGG19's own) or average
	Optimizer         Method
	LR                float64 // Adam's learning rate (0: its default)
	Steps             int     // loss and gradient evaluations, at most
	// Tolerance, if positive, ends a run before Steps once the best loss
	// fell by less than this fraction over the last Window evaluations.
	Tolerance float64
	// Scales is the number of sizes a painting from scratch goes through,
	// coarse to fine, each half the next (see Ladder); 0 or 1 paints at
	// full size only.
	Scales  int
	Init    Init   // the starting image
	Seed    uint64 // of Init's noise
	Threads int    // goroutines outside BLAS
}

// DefaultOptions are gogh image's defaults: Gatys et al.'s layers, style
// weight 10, the default normalization, 300 steps of L-BFGS from the
// content image, one thread.
func DefaultOptions() Options {
	c, s := Gatys.Layers()
	return Options{
		ContentLayers: c, StyleLayers: s,
		Weights:       Weights{Content: 1, Style: 10},
		Normalization: Default, Optimizer: LBFGS, Steps: 300, Scales: 1, Init: InitContent, Seed: 1, Threads: 1,
	}
}

// Validate checks every field, naming the first invalid one in a
// *field.Error.
func (o Options) Validate() error {
	if err := o.checkObjective(); err != nil {
		return err
	}
	switch {
	case !o.Optimizer.valid():
		return field.Errorf("Optimizer", "unknown %q (want %s or %s)", o.Optimizer, LBFGS, Adam)
	case !(o.LR >= 0) || math.IsInf(o.LR, 0):
		return field.Errorf("LR", "want a finite rate ≥ 0 (0: the default), got %g", o.LR)
	case o.Steps < 1:
		return field.Errorf("Steps", "must be at least 1, got %d", o.Steps)
	case o.Scales < 0 || o.Scales > 8:
		return field.Errorf("Scales", "want 1 to 8 sizes, got %d", o.Scales)
	case !(o.Tolerance >= 0 && o.Tolerance < 1):
		return field.Errorf("Tolerance", "want a fraction from 0 (off) to below 1, got %g", o.Tolerance)
	case o.Init == "":
		return field.Errorf("Init", "empty (want %s, %s or an image file)", InitContent, InitNoise)
	}
	return nil
}

// checkObjective checks the fields a Problem uses: layers, weights,
// normalization and threads.
func (o Options) checkObjective() error {
	if len(o.ContentLayers) == 0 && len(o.StyleLayers) == 0 {
		return field.Errorf("ContentLayers/StyleLayers", "both are empty, nothing to match")
	}
	if err := o.Weights.validate(); err != nil {
		return field.Prefix("Weights", err)
	}
	if err := o.checkLayerWeights(); err != nil {
		return err
	}
	switch {
	case !o.Normalization.valid():
		return field.Errorf("Normalization", "unknown %q (want %s or %s)", o.Normalization, Default, Tutorial)
	case o.Pooling != vgg.Max && o.Pooling != vgg.Average:
		return field.Errorf("Pooling", "unknown %s (want max or avg)", o.Pooling)
	case o.Threads < 1:
		return field.Errorf("Threads", "must be at least 1, got %d", o.Threads)
	}
	return nil
}

// Fits checks that a w×h image reaches the deepest layer of o (each
// max-pool halves it), naming the Size field.
func (o Options) Fits(w, h int) error { return Fits(w, h, o.ContentLayers, o.StyleLayers) }

// Fits checks that a w×h image reaches the deepest layer of the lists,
// naming the Size field.
func Fits(w, h int, lists ...[]vgg.Point) error {
	for _, ls := range lists {
		for _, p := range ls {
			if side := vgg.MinSide(p); w < side || h < side {
				return field.Errorf("Size", "a %dx%d image is too small for layer %s (it needs %d pixels a side)", w, h, p, side)
			}
		}
	}
	return nil
}

// Depth returns how many convolutions the network needs to reach every
// layer of o.
func (o Options) Depth() int {
	return Depth(o.ContentLayers, o.StyleLayers)
}

// Depth returns how many convolutions the network needs to reach every
// layer of the lists.
func Depth(lists ...[]vgg.Point) int {
	d := 0
	for _, ls := range lists {
		for _, p := range ls {
			d = max(d, p.Conv+1)
		}
	}
	return d
}

func (o Options) checkLayerWeights() error {
	w := o.StyleLayerWeights
	if w == nil {
		return nil
	}
	if len(w) != len(o.StyleLayers) {
		return field.Errorf("StyleLayers", "%d weights for %d layers", len(w), len(o.StyleLayers))
	}
	var sum float64
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return field.Errorf("StyleLayers", "layer %s: want a finite weight ≥ 0, got %g", o.StyleLayers[i], v)
		}
		sum += v
	}
	if len(w) > 0 && sum == 0 {
		return field.Errorf("StyleLayers", "every layer has weight 0")
	}
	return nil
}

// styleWeights returns the weight of each style term in the loss: the
// style weight times the layer's weight, over the sum of the layers'
// weights under the default normalization.
func (o Options) styleWeights() []float64 {
	ws := make([]float64, len(o.StyleLayers))
	var sum float64
	for i := range ws {
		ws[i] = 1
		if o.StyleLayerWeights != nil {
			ws[i] = o.StyleLayerWeights[i]
		}
		sum += ws[i]
	}
	for i := range ws {
		ws[i] *= o.Weights.Style
		if o.Normalization == Default {
			ws[i] /= sum
		}
	}
	return ws
}

func (w Weights) validate() error {
	for _, t := range []struct {
		name string
		v    float64
	}{{"Content", w.Content}, {"Style", w.Style}, {"TV", w.TV}, {"Temporal", w.Temporal}} {
		if !(t.v >= 0) || math.IsInf(t.v, 0) {
			return field.Errorf(t.name, "want a finite weight ≥ 0, got %g", t.v)
		}
	}
	return nil
}

// Start returns the starting image for content as o.Init says: a copy of
// the content, seeded noise, or an image file resampled to its size.
func (o Options) Start(content picture.Image) (picture.Image, error) {
	switch o.Init {
	case InitContent:
		return content.Clone(), nil
	case InitNoise:
		return picture.Noise(content.W, content.H, o.Seed), nil
	}
	im, err := picture.LoadSized(string(o.Init), content.W, content.H)
	if err != nil {
		return picture.Image{}, field.Errorf("Init", "%v", err)
	}
	return im, nil
}

// Normalization says how each layer's loss term is scaled.
type Normalization string

// Normalizations of the loss terms.
const (
	// Default divides each layer's squared error by the squared norm of
	// its target and averages over layers, so a weight means the same for
	// any layer choice, image size or weights file (caffe or torchvision
	// scale): a term of 1 is an error as large as the target itself.
	Default Normalization = "default"
	// Tutorial is PyTorch's "Neural Transfer" tutorial: each layer's term
	// is a mean squared error, summed over layers.
	// content_l = mean((F_l(x) − F_l(c))²), style_l = mean((G_l(x) − G_l(s))²),
	// G = F Fᵀ / (C·h·w).
	Tutorial Normalization = "tutorial"
)

func (n Normalization) valid() bool { return n == Default || n == Tutorial }

// MarshalText returns the name.
func (n Normalization) MarshalText() ([]byte, error) { return []byte(n), nil }

// UnmarshalText sets n from its name.
func (n *Normalization) UnmarshalText(b []byte) error {
	if v := Normalization(b); v.valid() {
		*n = v
		return nil
	}
	return fmt.Errorf("unknown normalization %q (want %s or %s)", b, Default, Tutorial)
}

// Method is an optimization method.
type Method string

// Methods.
const (
	LBFGS Method = "lbfgs" // projected L-BFGS with a backtracking line search
	Adam  Method = "adam"
)

func (m Method) valid() bool { return m == LBFGS || m == Adam }

// MarshalText returns the name.
func (m Method) MarshalText() ([]byte, error) { return []byte(m), nil }

// UnmarshalText sets m from its name.
func (m *Method) UnmarshalText(b []byte) error {
	if v := Method(b); v.valid() {
		*m = v
		return nil
	}
	return fmt.Errorf("unknown optimizer %q (want %s or %s)", b, LBFGS, Adam)
}

// Init is the starting image of an optimization: InitContent, InitNoise,
// or the path of an image file.
type Init string

// Starting images.
const (
	InitContent Init = "content" // the content image
	InitNoise   Init = "noise"   // uniform noise from Options.Seed
)

// MarshalText returns the name or path.
func (i Init) MarshalText() ([]byte, error) { return []byte(i), nil }

// UnmarshalText sets i; any non-empty name is taken (a file is read by
// Options.Start).
func (i *Init) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("empty (want %s, %s or an image file)", InitContent, InitNoise)
	}
	*i = Init(b)
	return nil
}

// Layers is a list of points of the network (see vgg.ParseLayer), written
// comma-separated; "none" (or nothing) is the empty list.
type Layers []vgg.Point

// ParseLayers parses a comma-separated list of layer names.
func ParseLayers(list string) (Layers, error) {
	if strings.TrimSpace(list) == "none" {
		return nil, nil
	}
	ps, err := vgg.ParseLayers(list)
	return Layers(ps), err
}

// ParseWeightedLayers parses a comma-separated list of layer names, each
// with an optional weight after a colon ("relu1_1:0.5,relu2_1"); a layer
// without one weighs 1. weights is nil when no layer has one.
func ParseWeightedLayers(list string) (l Layers, weights []float64, err error) {
	if strings.TrimSpace(list) == "none" || strings.TrimSpace(list) == "" {
		return nil, nil, nil
	}
	var names []string
	for _, item := range strings.Split(list, ",") {
		name, w, ok := strings.Cut(item, ":")
		names = append(names, name)
		v := 1.0
		if ok {
			if v, err = strconv.ParseFloat(strings.TrimSpace(w), 64); err != nil || v < 0 || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("layer %s: bad weight %q (want a number ≥ 0)", strings.TrimSpace(name), w)
			}
		}
		weights = append(weights, v)
	}
	if l, err = ParseLayers(strings.Join(names, ",")); err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(weights, func(v float64) bool { return v != 1 }) {
		weights = nil
	}
	return l, weights, nil
}

// WeightedNames returns the names of the layers l, each followed by its
// weight after a colon where weights has one other than 1: the inverse
// of ParseWeightedLayers.
func WeightedNames(l Layers, weights []float64) []string {
	names := make([]string, len(l))
	for i, p := range l {
		names[i] = p.String()
		if i < len(weights) && weights[i] != 1 {
			names[i] += ":" + strconv.FormatFloat(weights[i], 'g', -1, 64)
		}
	}
	return names
}

// String returns the names, comma-separated ("none" for no layers).
func (l Layers) String() string {
	if len(l) == 0 {
		return "none"
	}
	names := make([]string, len(l))
	for i, p := range l {
		names[i] = p.String()
	}
	return strings.Join(names, ",")
}

// MarshalText returns String.
func (l Layers) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText sets l from a comma-separated list.
func (l *Layers) UnmarshalText(b []byte) error {
	v, err := ParseLayers(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Preset names a choice of content and style layers.
type Preset string

// Layer presets.
const (
	// Gatys is Gatys et al.'s: content relu4_2, style relu1_1..relu5_1,
	// after the ReLUs.
	Gatys Preset = "gatys"
	// TutorialLayers is the PyTorch tutorial's: content conv2_2, style
	// conv1_1..conv3_1, before the ReLUs.
	TutorialLayers Preset = "tutorial"
)

var presets = map[Preset][2]string{
	Gatys:          {"relu4_2", "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"},
	TutorialLayers: {"conv2_2", "conv1_1,conv1_2,conv2_1,conv2_2,conv3_1"},
}

// Layers returns the preset's content and style layers.
func (p Preset) Layers() (content, style Layers) {
	names := presets[p]
	content, _ = ParseLayers(names[0])
	style, _ = ParseLayers(names[1])
	return content, style
}

// MarshalText returns the name.
func (p Preset) MarshalText() ([]byte, error) { return []byte(p), nil }

// UnmarshalText sets p from its name.
func (p *Preset) UnmarshalText(b []byte) error {
	if _, ok := presets[Preset(b)]; ok {
		*p = Preset(b)
		return nil
	}
	return fmt.Errorf("unknown preset %q (want %s or %s)", b, Gatys, TutorialLayers)
}
