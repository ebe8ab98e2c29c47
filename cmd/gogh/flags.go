package main

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
	"github.com/gogh-video/gogh/stylize/weights"
)

// flagOf is the flag that sets each library field named by a
// *field.Error (see flagError); a command whose flags set a field
// differently says so in its own table.
var flagOf = map[string]string{
	// stylize.Options
	"ContentLayers": "--content-layers", "StyleLayers": "--style-layers",
	"Weights.Content": "--content-weight", "Weights.Style": "--style-weight", "Weights.TV": "--tv-weight",
	"Weights.Temporal": "--temporal-weight", "Normalization": "--normalization", "Optimizer": "--optimizer",
	"Pooling": "--pooling",
	// stylize.StyleSpec
	"StyleBlend": "--style-blend", "StyleScale": "--style-scale", "StyleSize": "--style-size",
	"StyleMasks": "--style-mask", "Colors": "--color-transfer",
	"LR": "--lr", "Steps": "--steps", "Tolerance": "--tol", "Scales": "--scales", "Init": "--init", "Seed": "--seed", "Threads": "--threads",
	// decode.Options; image sizes
	"Size": "--size", "FPS": "--fps", "Start": "--start", "End": "--end", "FromFrame": "--frames", "ToFrame": "--frames",
	// pipeline.Config, compare.Options, encode.Options
	"WarmSteps": "--steps", "Workers": "--workers", "Overlap": "--overlap", "WarmStart": "--warm-start",
	"Shard": "--shard", "Shards": "--shard", "Seam": "--seam", "Discard": "--discard",
	"TemporalFrames": "--temporal-frames", "Workdir": "--workdir", "Parallel": "--parallel", "Dir": "-o",
	"Interpolate": "--interpolate", "Resample": "--out-fps", "Style": "-s", "WeightsFile": "--weights", "Input": "IN",
}

// videoFlags are where gogh video and gogh compare differ from flagOf:
// --steps-first is a cold frame's steps, --steps a warm one's.
var videoFlags = map[string]string{"Steps": "--steps-first", "WarmSteps": "--steps"}

// flagError rewrites the *field.Error in err, if any, to name the flags
// that set its fields (over first, then flagOf): "Weights.Style: …"
// becomes "--style-weight: …".
func flagError(err error, over map[string]string) error {
	var fe *field.Error
	if err == nil || !errors.As(err, &fe) {
		return err
	}
	var flags []string
	for _, name := range strings.Split(fe.Name, "/") {
		f, ok := over[name]
		if !ok {
			if f, ok = flagOf[name]; !ok {
				f = strings.ToLower(name)
			}
		}
		if !strings.Contains(strings.Join(flags, "/")+"/", f+"/") {
			flags = append(flags, f)
		}
	}
	return errors.New(strings.Replace(err.Error(), fe.Error(), strings.Join(flags, "/")+": "+fe.Msg, 1))
}

// runE returns a cobra RunE that runs f and names flags in its errors
// (over as for flagError).
func runE(over map[string]string, f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error { return flagError(f(cmd, args), over) }
}

// objectiveFlags binds the flags of the objective (layers, loss weights,
// normalization, threads) to o, whose values are the defaults, and the
// weights file and layer preset to the fields of n.
func objectiveFlags(fs *pflag.FlagSet, o *stylize.Options, n *network) {
	lossFlags(fs, o, n)
	fs.TextVar(&n.preset, "layers", n.preset, "layer preset: gatys (content relu4_2, style relu1_1..relu5_1) or tutorial (content conv2_2, style conv1_1..conv3_1)")
	fs.TextVar(&o.ContentLayers, "content-layers", stylize.Layers(nil), "content layers, comma-separated (convA_B, reluA_B or conv_N); overrides --layers; \"none\" for none")
	fs.Var(styleLayers{o}, "style-layers", "style layers, comma-separated, each with an optional weight (relu1_1:0.5; default 1); overrides --layers; \"none\" for none")
}

// styleLayers is the value of --style-layers: o's style layers and their
// weights.
type styleLayers struct{ o *stylize.Options }

func (s styleLayers) String() string {
	if s.o == nil || len(s.o.StyleLayers) == 0 {
		return ""
	}
	return strings.Join(stylize.WeightedNames(s.o.StyleLayers, s.o.StyleLayerWeights), ",")
}

func (s styleLayers) Set(v string) (err error) {
	s.o.StyleLayers, s.o.StyleLayerWeights, err = stylize.ParseWeightedLayers(v)
	return err
}

func (styleLayers) Type() string { return "layers" }

// lossFlags binds the flags of the loss but its layers (weights,
// normalization), the threads and the weights file.
func lossFlags(fs *pflag.FlagSet, o *stylize.Options, n *network) {
	o.Threads = runtime.NumCPU()
	fs.StringVar(&n.path, "weights", "", "VGG19 weights (safetensors); default $GOGH_WEIGHTS, then the user cache (gogh weights install)")
	fs.IntVar(&o.Threads, "threads", o.Threads, "CPU threads to use")
	fs.Float64Var(&o.Weights.Content, "content-weight", o.Weights.Content, "content loss weight")
	fs.Float64Var(&o.Weights.Style, "style-weight", o.Weights.Style, "style loss weight")
	fs.Float64Var(&o.Weights.TV, "tv-weight", o.Weights.TV, "total variation weight (smooths the image)")
	fs.TextVar(&o.Normalization, "normalization", o.Normalization, "loss normalization: default (each layer relative to its target) or tutorial (PyTorch tutorial's plain MSEs)")
	fs.TextVar(&o.Pooling, "pooling", o.Pooling, "pooling between the network's blocks: max (VGG19's own) or avg (Gatys et al.'s choice: smoother)")
	n.fs = fs
}

// optimizerFlags binds the flags of the optimization (optimizer, learning
// rate, steps under the name steps) to o, whose values are the defaults.
func optimizerFlags(fs *pflag.FlagSet, o *stylize.Options, steps, stepsUsage string) {
	fs.TextVar(&o.Optimizer, "optimizer", o.Optimizer, "lbfgs or adam")
	fs.Float64Var(&o.LR, "lr", o.LR, "Adam learning rate (default 0.02)")
	fs.IntVar(&o.Steps, steps, o.Steps, stepsUsage)
	fs.Float64Var(&o.Tolerance, "tol", o.Tolerance, "stop a run early once its loss falls by less than this fraction over 10 evaluations (0: always use every step)")
	fs.IntVar(&o.Scales, "scales", o.Scales, "sizes a painting from scratch goes through, coarse to fine, each half the next, --"+steps+" evaluations at each (1: full size only)")
}

// network is where the weights come from and the layer preset, with the
// flag set that tells given flags from defaults.
type network struct {
	path   string // --weights
	file   string // the weights file load read
	preset stylize.Preset
	fs     *pflag.FlagSet
}

// layers fills in o's layers from the preset where no layer flag was
// given, bounds the process's threads by o.Threads, and checks o.
func (n *network) layers(o *stylize.Options) error {
	c, s := n.preset.Layers()
	if !n.fs.Changed("content-layers") {
		o.ContentLayers = c
	}
	if !n.fs.Changed("style-layers") {
		o.StyleLayers = s
	}
	if o.Threads >= 1 {
		runtime.GOMAXPROCS(o.Threads) // all parallel work is goroutines: this bounds it
	}
	return o.Validate()
}

// load loads the VGG19 weights (--weights, else $GOGH_WEIGHTS, else the
// user cache) as deep as the deepest of layers.
func (n *network) load(layers ...[]vgg.Point) (*vgg.Weights, error) {
	file, err := weights.Resolve(n.path)
	if err != nil {
		return nil, err
	}
	n.file = file
	return vgg.Load(file, stylize.Depth(layers...))
}

// secondsFlag is a flag holding a time in seconds, given as "2.5" or "2.5s".
type secondsFlag float64

func (s *secondsFlag) String() string { return strconv.FormatFloat(float64(*s), 'g', -1, 64) }
func (s *secondsFlag) Type() string   { return "seconds" }
func (s *secondsFlag) Set(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "s"), 64)
	if err != nil || f < 0 {
		return fmt.Errorf("want seconds such as 2.5 or 2.5s")
	}
	*s = secondsFlag(f)
	return nil
}

// required fails naming the first flag with an empty value.
func required(flags ...string) error {
	for i := 0; i+1 < len(flags); i += 2 {
		if flags[i+1] == "" {
			return fmt.Errorf("%s is required", flags[i])
		}
	}
	return nil
}

// fileError prefixes an error reading a file with the flag that named it:
// "--content x.png: no such file or directory" rather than
// "--content open x.png: ...".
func fileError(flag string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", flag, pe.Path, pe.Err)
	}
	return fmt.Errorf("%s %w", flag, err)
}
