package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// runFlags are the image flags the study's commands share (their layer
// flags differ: reconstruct and texture take layer lists of their own).
type runFlags struct {
	weightsPath   string
	threads       int
	size          int
	steps         int
	optimizer     string
	lr            float64
	seed          uint64
	normalization string
	contentWeight float64
	styleWeight   float64
	tvWeight      float64
}

func (r *runFlags) addFlags(fs *pflag.FlagSet, size, steps int) {
	fs.StringVar(&r.weightsPath, "weights", "", "VGG19 weights (safetensors); default $GOGH_WEIGHTS, then the user cache (gogh weights install)")
	fs.IntVar(&r.threads, "threads", runtime.NumCPU(), "CPU threads to use")
	fs.IntVar(&r.size, "size", size, "longer side of the images in pixels")
	fs.IntVar(&r.steps, "steps", steps, "loss+gradient evaluations per run")
	fs.StringVar(&r.optimizer, "optimizer", "lbfgs", "lbfgs or adam")
	fs.Float64Var(&r.lr, "lr", 0, "Adam learning rate (default 0.02)")
	fs.Uint64Var(&r.seed, "seed", 1, "first noise seed (run i uses seed+i)")
	fs.StringVar(&r.normalization, "normalization", stylize.Default, "loss normalization: default or tutorial")
	fs.Float64Var(&r.contentWeight, "content-weight", 1, "content loss weight")
	fs.Float64Var(&r.styleWeight, "style-weight", 10, "style loss weight")
	fs.Float64Var(&r.tvWeight, "tv-weight", 0, "total variation weight")
}

// settings checks the flags and loads the weights for a network that
// reaches the deepest of layers.
func (r *runFlags) settings(layers ...[]vgg.Point) (study.Settings, error) {
	switch {
	case r.threads < 1:
		return study.Settings{}, fmt.Errorf("--threads: must be at least 1, got %d", r.threads)
	case r.size < 1:
		return study.Settings{}, fmt.Errorf("--size: must be at least 1, got %d", r.size)
	case r.steps < 1:
		return study.Settings{}, fmt.Errorf("--steps: must be at least 1, got %d", r.steps)
	case r.normalization != stylize.Default && r.normalization != stylize.Tutorial:
		return study.Settings{}, fmt.Errorf("--normalization: unknown %q (want %s or %s)", r.normalization, stylize.Default, stylize.Tutorial)
	case r.lr < 0:
		return study.Settings{}, fmt.Errorf("--lr: must not be negative, got %g", r.lr)
	}
	if err := checkWeights(r.contentWeight, r.styleWeight, r.tvWeight); err != nil {
		return study.Settings{}, err
	}
	if _, err := stylize.NewOptimizer(r.optimizer, r.lr); err != nil {
		return study.Settings{}, err
	}
	w, err := loadNetwork(r.weightsPath, layers...)
	if err != nil {
		return study.Settings{}, err
	}
	runtime.GOMAXPROCS(r.threads)
	return study.Settings{
		Weights:       w,
		Normalization: r.normalization,
		ContentWeight: r.contentWeight,
		StyleWeight:   r.styleWeight,
		TVWeight:      r.tvWeight,
		Optimizer:     r.optimizer,
		LR:            r.lr,
		Steps:         r.steps,
		Seed:          r.seed,
		Threads:       r.threads,
	}, nil
}
