package study

import (
	"context"
	"fmt"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Reconstruct inverts the network one layer at a time: for each layer,
// and for each of seeds noise images (seed s.Seed+k for the k-th), it
// paints from that noise with the content loss at that layer only, no
// style. Shallow layers give the photo back almost exactly; deeper ones
// keep its layout but lose detail and colour. Runs are labelled like
// "conv3_2 (seed 2)" (ReconstructLabel) and returned layer by layer, seeds
// in order. They run one after the other, each with all of s.Threads.
func (s Settings) Reconstruct(ctx context.Context, content picture.Image, layers []vgg.Point, seeds int) ([]Run, error) {
	return s.ReconstructEach(ctx, content, layers, seeds, nil)
}

// ReconstructEach is Reconstruct that calls done (if not nil) as each run
// finishes, with the indices of its layer and seed; an error from done
// stops it. On an error it returns the runs finished before it.
func (s Settings) ReconstructEach(ctx context.Context, content picture.Image, layers []vgg.Point, seeds int, done func(layer, seed int, r Run) error) ([]Run, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("reconstruct: no layers")
	}
	if seeds < 1 {
		return nil, fmt.Errorf("reconstruct: %d seeds, want at least 1", seeds)
	}
	var runs []Run
	for i, l := range layers {
		for k := range seeds {
			seed := s.Seed + uint64(k)
			noise := picture.Noise(content.W, content.H, seed)
			r, err := s.Paint(ctx, ReconstructLabel(l, seed), content, picture.Image{}, noise, []vgg.Point{l}, nil)
			if err != nil {
				return runs, fmt.Errorf("reconstruct: %w", err)
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

// ReconstructLabel is the label of the reconstruction from layer starting
// from the noise of seed: "conv3_2 (seed 2)".
func ReconstructLabel(layer vgg.Point, seed uint64) string {
	return fmt.Sprintf("%s (seed %d)", layer, seed)
}
