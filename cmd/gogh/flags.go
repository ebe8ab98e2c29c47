package main

import (
	"fmt"
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
	weightsPath   string
	threads       int
	preset        string
	contentLayers string
	styleLayers   string
	contentWeight float64
	styleWeight   float64
	tvWeight      float64
	normalization string
}

func (o *objective) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.weightsPath, "weights", "", "VGG19 weights (safetensors); default $GOGH_WEIGHTS, then the user cache (gogh weights install)")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "CPU threads to use")
	fs.StringVar(&o.preset, "layers", "gatys", "layer preset: gatys (content relu4_2, style relu1_1..relu5_1) or tutorial (content conv2_2, style conv1_1..conv3_1)")
	fs.StringVar(&o.contentLayers, "content-layers", "", "content layers, comma-separated (convA_B, reluA_B or conv_N); overrides --layers; \"none\" for none")
	fs.StringVar(&o.styleLayers, "style-layers", "", "style layers, comma-separated; overrides --layers; \"none\" for none")
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
	p, ok := presets[o.preset]
	if !ok {
		return stylize.Spec{}, fmt.Errorf("--layers: unknown preset %q (want gatys or tutorial)", o.preset)
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
	cl, err := pick("--content-layers", o.contentLayers, p[0])
	if err != nil {
		return stylize.Spec{}, err
	}
	sl, err := pick("--style-layers", o.styleLayers, p[1])
	if err != nil {
		return stylize.Spec{}, err
	}
	if len(cl) == 0 && len(sl) == 0 {
		return stylize.Spec{}, fmt.Errorf("--content-layers and --style-layers: both are none, nothing to match")
	}
	sw := o.styleWeight
	for _, w := range []struct {
		flag string
		v    float64
	}{{"--content-weight", o.contentWeight}, {"--style-weight", sw}, {"--tv-weight", o.tvWeight}} {
		if w.v < 0 {
			return stylize.Spec{}, fmt.Errorf("%s: must not be negative, got %g", w.flag, w.v)
		}
	}
	runtime.GOMAXPROCS(o.threads) // all parallel work is goroutines: this bounds it
	return stylize.Spec{
		ContentLayers: cl,
		StyleLayers:   sl,
		Weights:       stylize.Weights{Content: o.contentWeight, Style: sw, TV: o.tvWeight},
		Normalization: o.normalization,
		Threads:       o.threads,
	}, nil
}

// network loads the VGG19 weights the spec needs.
func (o *objective) network(spec stylize.Spec) (*vgg.Weights, error) {
	path, err := weights.Resolve(o.weightsPath)
	if err != nil {
		return nil, err
	}
	depth := 0
	for _, p := range append(append([]vgg.Point(nil), spec.ContentLayers...), spec.StyleLayers...) {
		depth = max(depth, p.Conv+1)
	}
	return vgg.Load(path, depth)
}
