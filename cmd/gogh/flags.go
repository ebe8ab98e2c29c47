package main

import (
	"fmt"
	"math"
	"runtime"

	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/stylize/weights"
)

// Layer presets: Gatys et al.'s post-ReLU layers (the default) and the
// PyTorch tutorial's pre-ReLU ones.
var presets = map[string][2]string{
	"gatys":    {"relu4_2", "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1"},
	"tutorial": {"conv2_2", "conv1_1,conv1_2,conv2_1,conv2_2,conv3_1"},
}

// objective holds the flags that define the loss: layers, weights,
// normalization, and where the network's weights come from.
type objective struct {
	weightsPath string
	threads     int
	transferLayers
	contentWeight float64
	styleWeight   float64
	tvWeight      float64
	normalization string
}

func (o *objective) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.weightsPath, "weights", "", "VGG19 weights (safetensors); default $GOGH_WEIGHTS, then the user cache (gogh weights install)")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "CPU threads to use")
	o.addLayerFlags(fs, "gatys")
	fs.Float64Var(&o.contentWeight, "content-weight", 1, "content loss weight")
	fs.Float64Var(&o.styleWeight, "style-weight", 10, "style loss weight")
	fs.Float64Var(&o.tvWeight, "tv-weight", 0, "total variation weight (smooths the image)")
	fs.StringVar(&o.normalization, "normalization", stylize.Default, "loss normalization: default (each layer relative to its target) or tutorial (PyTorch tutorial's plain MSEs)")
}

// spec turns the flags into the objective's specification.
func (o *objective) spec() (stylize.Spec, error) {
	if o.threads < 1 {
		return stylize.Spec{}, fmt.Errorf("--threads: must be at least 1, got %d", o.threads)
	}
	if o.normalization != stylize.Default && o.normalization != stylize.Tutorial {
		return stylize.Spec{}, fmt.Errorf("--normalization: unknown %q (want %s or %s)", o.normalization, stylize.Default, stylize.Tutorial)
	}
	cl, sl, err := o.points()
	if err != nil {
		return stylize.Spec{}, err
	}
	if err := checkWeights(o.contentWeight, o.styleWeight, o.tvWeight); err != nil {
		return stylize.Spec{}, err
	}
	runtime.GOMAXPROCS(o.threads) // all parallel work is goroutines: this bounds it
	return stylize.Spec{
		ContentLayers: cl,
		StyleLayers:   sl,
		Weights:       stylize.Weights{Content: o.contentWeight, Style: o.styleWeight, TV: o.tvWeight},
		Normalization: o.normalization,
		Threads:       o.threads,
	}, nil
}

// network loads the VGG19 weights the spec needs.
func (o *objective) network(spec stylize.Spec) (*vgg.Weights, error) {
	return loadNetwork(o.weightsPath, spec.ContentLayers, spec.StyleLayers)
}

// checkWeights checks the loss weight flags: finite and not negative.
func checkWeights(content, style, tv float64) error {
	for _, w := range []struct {
		flag string
		v    float64
	}{{"--content-weight", content}, {"--style-weight", style}, {"--tv-weight", tv}} {
		if !(w.v >= 0) || math.IsInf(w.v, 0) {
			return fmt.Errorf("%s: want a finite weight ≥ 0, got %g", w.flag, w.v)
		}
	}
	return nil
}

// loadNetwork loads the VGG19 weights found from path (--weights, else
// $GOGH_WEIGHTS, else the user cache) as deep as the deepest of layers.
func loadNetwork(path string, layers ...[]vgg.Point) (*vgg.Weights, error) {
	file, err := weights.Resolve(path)
	if err != nil {
		return nil, err
	}
	depth := 0
	for _, ls := range layers {
		for _, p := range ls {
			depth = max(depth, p.Conv+1)
		}
	}
	return vgg.Load(file, depth)
}

// transferLayers are the layer flags of gogh image and of the study
// commands that paint a content image in a style: a preset, and lists that
// override its content or style layers.
type transferLayers struct {
	preset, content, style string
}

func (l *transferLayers) addLayerFlags(fs *pflag.FlagSet, preset string) {
	fs.StringVar(&l.preset, "layers", preset, "layer preset: gatys (content relu4_2, style relu1_1..relu5_1) or tutorial (content conv2_2, style conv1_1..conv3_1)")
	fs.StringVar(&l.content, "content-layers", "", "content layers, comma-separated (convA_B, reluA_B or conv_N); overrides --layers; \"none\" for none")
	fs.StringVar(&l.style, "style-layers", "", "style layers, comma-separated; overrides --layers; \"none\" for none")
}

// points returns the content and style layers the flags select.
func (l *transferLayers) points() (contentLayers, styleLayers []vgg.Point, err error) {
	p, ok := presets[l.preset]
	if !ok {
		return nil, nil, fmt.Errorf("--layers: unknown preset %q (want gatys or tutorial)", l.preset)
	}
	pick := func(flag, value, preset string) ([]vgg.Point, error) {
		switch value {
		case "":
			value = preset
		case "none":
			return nil, nil
		}
		return stylize.ParseLayers(flag, value)
	}
	if contentLayers, err = pick("--content-layers", l.content, p[0]); err != nil {
		return nil, nil, err
	}
	if styleLayers, err = pick("--style-layers", l.style, p[1]); err != nil {
		return nil, nil, err
	}
	if len(contentLayers) == 0 && len(styleLayers) == 0 {
		return nil, nil, fmt.Errorf("--content-layers and --style-layers: both are none, nothing to match")
	}
	return contentLayers, styleLayers, nil
}
