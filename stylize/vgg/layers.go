package vgg

import (
	"fmt"
	"strconv"
	"strings"
)

// ConvNames are VGG19's sixteen 3×3 convolutions in network order.
var ConvNames = [NumConv]string{
	"conv1_1", "conv1_2",
	"conv2_1", "conv2_2",
	"conv3_1", "conv3_2", "conv3_3", "conv3_4",
	"conv4_1", "conv4_2", "conv4_3", "conv4_4",
	"conv5_1", "conv5_2", "conv5_3", "conv5_4",
}

// Channels is the number of output channels of each convolution.
var Channels = [NumConv]int{64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512}

// NumConv is the number of convolutions in VGG19's feature extractor.
const NumConv = 16

// featureIndex is the index of each convolution in torchvision's
// vgg19().features, which names the keys of a weights file.
var featureIndex = [NumConv]int{0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34}

// Pooling is how the network shrinks its activations between blocks.
type Pooling int

// The poolings of 2×2 windows with stride 2.
const (
	Max     Pooling = iota // the largest of the four, as VGG19 was trained
	Average                // their mean, which Gatys et al. preferred for painting
)

// String returns "max" or "avg".
func (p Pooling) String() string {
	switch p {
	case Max:
		return "max"
	case Average:
		return "avg"
	}
	return fmt.Sprintf("Pooling(%d)", int(p))
}

// MarshalText returns String.
func (p Pooling) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText sets p from "max" or "avg".
func (p *Pooling) UnmarshalText(b []byte) error {
	switch string(b) {
	case "max":
		*p = Max
	case "avg":
		*p = Average
	default:
		return fmt.Errorf("unknown pooling %q (want max or avg)", b)
	}
	return nil
}

// PoolAfter reports whether a 2×2 pool follows convolution i (0-based).
func PoolAfter(i int) bool { return i == 1 || i == 3 || i == 7 || i == 11 || i == 15 }

// MinSide is the smallest image side that still reaches p: each pool
// before its convolution halves the image.
func MinSide(p Point) int {
	side := 1
	for i := 0; i < p.Conv; i++ {
		if PoolAfter(i) {
			side *= 2
		}
	}
	return side
}

// Point is a place in the network whose activation can be read: the output
// of convolution Conv (0-based), before its ReLU or, with ReLU set, after it.
type Point struct {
	Conv int
	ReLU bool
}

// String returns the point's canonical name, e.g. "conv2_2" or "relu4_2".
func (p Point) String() string {
	name := ConvNames[p.Conv]
	if p.ReLU {
		return "relu" + name[len("conv"):]
	}
	return name
}

// ParseLayer parses a layer name: "convA_B" (before the ReLU), "reluA_B"
// (after it), or the PyTorch tutorial's "conv_N" / "relu_N", where N counts
// convolutions from 1 (conv_4 is conv2_2, conv_5 is conv3_1).
func ParseLayer(name string) (Point, error) {
	s := strings.TrimSpace(name)
	var p Point
	switch {
	case strings.HasPrefix(s, "conv"):
		s = s[len("conv"):]
	case strings.HasPrefix(s, "relu"):
		s, p.ReLU = s[len("relu"):], true
	default:
		return Point{}, fmt.Errorf("unknown layer %q: want convA_B, reluA_B, conv_N or relu_N", name)
	}
	if n, ok := strings.CutPrefix(s, "_"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || i > NumConv {
			return Point{}, fmt.Errorf("unknown layer %q: N in conv_N must be 1..%d", name, NumConv)
		}
		p.Conv = i - 1
		return p, nil
	}
	for i, c := range ConvNames {
		if c[len("conv"):] == s {
			p.Conv = i
			return p, nil
		}
	}
	return Point{}, fmt.Errorf("unknown layer %q: VGG19 has conv1_1..conv1_2, conv2_1..conv2_2, conv3_1..conv3_4, conv4_1..conv4_4, conv5_1..conv5_4", name)
}

// ParseLayers parses a comma-separated list of layer names.
func ParseLayers(list string) ([]Point, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var ps []Point
	for _, name := range strings.Split(list, ",") {
		p, err := ParseLayer(name)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}
