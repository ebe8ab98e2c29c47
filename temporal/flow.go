// Package temporal provides the groundwork for temporal consistency in
// video style transfer: optical flow fields and their Middlebury .flo
// files, backward warping, Ruder et al.'s reliability (occlusion / motion
// boundary) masks, and a consistency metric.
//
// Flows are estimated by Estimator, a pure-Go Dense Inverse Search
// (Kroeger et al. 2016, as in OpenCV's DISOpticalFlow): coarse-to-fine
// inverse-compositional patch matching on a luminance pyramid, patch
// flows densified by photometrically weighted averaging, and a
// variational refinement on every scale. It is single-threaded and
// allocation-free after NewEstimator; run one Estimator per goroutine to
// use several cores. Flows can also be read from .flo files.
package temporal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// Flow is a dense optical flow field on a W×H grid: the pixel at (x, y)
// is displaced by (U[i], V[i]) pixels, i = y·W + x (row-major), U along x
// (right) and V along y (down).
type Flow struct {
	W, H int
	U, V []float32
}

// NewFlow returns a zero w×h flow.
func NewFlow(w, h int) Flow {
	return Flow{W: w, H: h, U: make([]float32, w*h), V: make([]float32, w*h)}
}

// check reports whether f is well formed.
func (f Flow) check() error {
	if f.W <= 0 || f.H <= 0 {
		return fmt.Errorf("temporal: flow size %dx%d not positive", f.W, f.H)
	}
	if len(f.U) != f.W*f.H || len(f.V) != f.W*f.H {
		return fmt.Errorf("temporal: flow %dx%d has %d u and %d v values, want %d",
			f.W, f.H, len(f.U), len(f.V), f.W*f.H)
	}
	return nil
}

// floMagic is the float32 tag that opens a Middlebury .flo file ("PIEH").
const floMagic = 202021.25

// maxFloSide bounds each side of a .flo file, so that a corrupt header
// cannot request an absurd allocation.
const maxFloSide = 1 << 15

// ErrFlo is wrapped by every error about a malformed .flo file.
var ErrFlo = errors.New("malformed .flo")

// ReadFlo reads a Middlebury .flo file: float32 magic 202021.25, int32
// width, int32 height, then width·height interleaved (u, v) float32 pairs,
// row-major, all little-endian. A bad magic, absurd size, truncated or
// over-long file gives an error wrapping ErrFlo.
func ReadFlo(path string) (Flow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Flow{}, fmt.Errorf("temporal: read flo: %w", err)
	}
	f, err := decodeFlo(data)
	if err != nil {
		return Flow{}, fmt.Errorf("temporal: read flo %s: %w", path, err)
	}
	return f, nil
}

func decodeFlo(data []byte) (Flow, error) {
	le := binary.LittleEndian
	if len(data) < 12 {
		return Flow{}, fmt.Errorf("%w: truncated header (%d bytes, want 12)", ErrFlo, len(data))
	}
	if m := math.Float32frombits(le.Uint32(data)); m != floMagic {
		return Flow{}, fmt.Errorf("%w: bad magic %v (bytes % x), want %v", ErrFlo, m, data[:4], floMagic)
	}
	w, h := int64(int32(le.Uint32(data[4:]))), int64(int32(le.Uint32(data[8:])))
	if w <= 0 || h <= 0 || w > maxFloSide || h > maxFloSide {
		return Flow{}, fmt.Errorf("%w: absurd size %dx%d", ErrFlo, w, h)
	}
	want := 12 + 8*w*h
	if n := int64(len(data)); n < want {
		return Flow{}, fmt.Errorf("%w: truncated: %dx%d needs %d bytes, have %d", ErrFlo, w, h, want, n)
	} else if n > want {
		return Flow{}, fmt.Errorf("%w: %d trailing bytes after %dx%d flow", ErrFlo, n-want, w, h)
	}
	f := NewFlow(int(w), int(h))
	p := data[12:]
	for i := range f.U {
		f.U[i] = math.Float32frombits(le.Uint32(p[8*i:]))
		f.V[i] = math.Float32frombits(le.Uint32(p[8*i+4:]))
	}
	return f, nil
}

// WriteFlo writes f to path as a Middlebury .flo file (see ReadFlo).
func WriteFlo(path string, f Flow) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("temporal: write flo %s: %w", path, err)
	}
	if f.W > maxFloSide || f.H > maxFloSide {
		return fmt.Errorf("temporal: write flo %s: size %dx%d exceeds %d", path, f.W, f.H, maxFloSide)
	}
	le := binary.LittleEndian
	buf := make([]byte, 12+8*f.W*f.H)
	le.PutUint32(buf, math.Float32bits(floMagic))
	le.PutUint32(buf[4:], uint32(f.W))
	le.PutUint32(buf[8:], uint32(f.H))
	p := buf[12:]
	for i := range f.U {
		le.PutUint32(p[8*i:], math.Float32bits(f.U[i]))
		le.PutUint32(p[8*i+4:], math.Float32bits(f.V[i]))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("temporal: write flo: %w", err)
	}
	return nil
}
