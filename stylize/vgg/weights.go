package vgg

import (
	"fmt"
	"math"
	"sync"

	"github.com/gogh-video/gogh/stylize/safetensors"
)

// Preprocessing conventions a weights file can declare in its
// __metadata__.preprocess entry.
const (
	// Caffe networks take B, G, R in 0..255 minus the ImageNet mean.
	Caffe = "caffe"
	// Torchvision networks take R, G, B in 0..1 minus the mean, divided by
	// the standard deviation. A file without a preprocess entry uses it.
	Torchvision = "torchvision"
)

// Conv holds one convolution's frozen parameters: W is [Out, In, 3, 3].
type Conv struct {
	In, Out int
	W, B    []float32
}

// Weights are the convolution parameters of VGG19 and the input
// convention they were trained with.
type Weights struct {
	Preprocess string
	Conv       [NumConv]Conv

	wino [NumConv][2]struct { // Winograd kernels by tile (2 and 4), made once and shared by every Net
		once sync.Once
		k    *winoKernel
	}
}

// winograd returns convolution i's kernels transformed for Winograd with
// m×m output tiles (m is 2 or 4).
func (w *Weights) winograd(i, m int) *winoKernel {
	k := &w.wino[i][m/2-1]
	k.once.Do(func() { k.k = newWinoKernel(w.Conv[i], m) })
	return k.k
}

// Load reads VGG19 weights from a safetensors file with torchvision's
// vgg19().features keys. Only the first depth convolutions are read and
// required (depth ≤ 0 means all sixteen).
func Load(path string, depth int) (*Weights, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	defer f.Close()
	w, err := FromFile(f, depth)
	if err != nil {
		return nil, fmt.Errorf("weights %s: %w", path, err)
	}
	return w, nil
}

// FromFile reads and checks VGG19 weights from an open safetensors file.
func FromFile(f *safetensors.File, depth int) (*Weights, error) {
	if depth <= 0 || depth > NumConv {
		depth = NumConv
	}
	w := &Weights{Preprocess: Torchvision}
	switch p := f.Metadata["preprocess"]; p {
	case "", Torchvision, "imagenet":
	case Caffe:
		w.Preprocess = Caffe
	default:
		return nil, fmt.Errorf("unknown __metadata__.preprocess %q (want %q or none)", p, Caffe)
	}
	in := 3
	for i := 0; i < depth; i++ {
		out := Channels[i]
		key := fmt.Sprintf("features.%d.", featureIndex[i])
		wt, err := tensor(f, key+"weight", ConvNames[i], out, in, 3, 3)
		if err != nil {
			return nil, err
		}
		b, err := tensor(f, key+"bias", ConvNames[i], out)
		if err != nil {
			return nil, err
		}
		w.Conv[i] = Conv{In: in, Out: out, W: wt, B: b}
		in = out
	}
	return w, nil
}

// Depth returns how many leading convolutions are loaded.
func (w *Weights) Depth() int {
	for i, c := range w.Conv {
		if c.W == nil {
			return i
		}
	}
	return NumConv
}

func tensor(f *safetensors.File, key, layer string, shape ...int) ([]float32, error) {
	if _, ok := f.Infos[key]; !ok {
		return nil, fmt.Errorf("missing key %q (%s): not a VGG19 features file with torchvision keys", key, layer)
	}
	t, err := f.Tensor(key)
	if err != nil {
		return nil, err
	}
	if fmt.Sprint(t.Shape) != fmt.Sprint(shape) {
		return nil, fmt.Errorf("key %q (%s) has shape %v, want %v", key, layer, t.Shape, shape)
	}
	for i, v := range t.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("key %q (%s) holds %v at value %d: the weights are corrupt", key, layer, v, i)
		}
	}
	return t.Data, nil
}
