package study

import (
	"context"
	"fmt"
	"strings"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Texture synthesizes textures of style: for each layer set, and for each
// of seeds noise images of w×h (seed s.Seed+k for the k-th), it paints
// from that noise with the style loss at the set's layers only, no
// content. Different seeds give different images with the same style
// statistics; deeper sets reproduce larger structures. Runs are labelled
// like "conv1_1+conv2_1 (seed 1)" (TextureLabel) and returned set by set,
// seeds in order. They run one after the other, each with all of
// s.Threads.
func (s Settings) Texture(ctx context.Context, style picture.Image, sets [][]vgg.Point, seeds, w, h int) ([]Run, error) {
	return s.TextureEach(ctx, style, sets, seeds, w, h, nil)
}

// TextureEach is Texture that calls done (if not nil) as each run
// finishes, with the indices of its layer set and seed; an error from done
// stops it. On an error it returns the runs finished before it.
func (s Settings) TextureEach(ctx context.Context, style picture.Image, sets [][]vgg.Point, seeds, w, h int, done func(set, seed int, r Run) error) ([]Run, error) {
	if len(sets) == 0 {
		return nil, fmt.Errorf("texture: no layer sets")
	}
	for i, set := range sets {
		if len(set) == 0 {
			return nil, fmt.Errorf("texture: layer set %d is empty", i+1)
		}
	}
	if seeds < 1 {
		return nil, fmt.Errorf("texture: %d seeds, want at least 1", seeds)
	}
	if w < 1 || h < 1 {
		return nil, fmt.Errorf("texture: bad size %dx%d", w, h)
	}
	var runs []Run
	for i, set := range sets {
		for k := range seeds {
			seed := s.Seed + uint64(k)
			r, err := s.Paint(ctx, TextureLabel(set, seed), picture.Image{}, style, picture.Noise(w, h, seed), nil, set)
			if err != nil {
				return runs, fmt.Errorf("texture: %w", err)
			}
			runs = append(runs, r)
			if done != nil {
				if err := done(i, k, r); err != nil {
					return runs, err
				}
			}
		}
	}
	return runs, nil
}

// TextureLabel is the label of the texture of a layer set starting from
// the noise of seed: "conv1_1+conv2_1 (seed 1)".
func TextureLabel(set []vgg.Point, seed uint64) string {
	return fmt.Sprintf("%s (seed %d)", SetName(set), seed)
}

// SetName names a set of layers by joining theirs with "+", as in
// "conv1_1+conv2_1".
func SetName(set []vgg.Point) string {
	names := make([]string, len(set))
	for i, p := range set {
		names[i] = p.String()
	}
	return strings.Join(names, "+")
}
