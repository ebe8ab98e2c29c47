package study

import (
	"context"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Labels of InitCompare's runs.
const (
	FromContentLabel = "content init"
	FromNoiseLabel   = "noise init"
)

// InitCompare paints the same transfer twice, one run after the other so
// that each has all of s.Threads and its Elapsed is comparable: once
// starting from the content image and once from uniform noise of seed
// s.Seed. In the study, after the same number of steps the run from noise
// still has the higher loss.
func (s Settings) InitCompare(ctx context.Context, content, style picture.Image, contentLayers, styleLayers []vgg.Point) (fromContent, fromNoise Run, err error) {
	return s.InitCompareEach(ctx, content, style, contentLayers, styleLayers, nil)
}

// InitCompareEach is InitCompare that calls done (if not nil) after each
// run; an error from done stops it.
func (s Settings) InitCompareEach(ctx context.Context, content, style picture.Image, contentLayers, styleLayers []vgg.Point, done func(Run) error) (fromContent, fromNoise Run, err error) {
	if done == nil {
		done = func(Run) error { return nil }
	}
	fromContent, err = s.Paint(ctx, FromContentLabel, content, style, content, contentLayers, styleLayers)
	if err == nil {
		err = done(fromContent)
	}
	if err != nil {
		return fromContent, fromNoise, err
	}
	noise := picture.Noise(content.W, content.H, s.Seed)
	fromNoise, err = s.Paint(ctx, FromNoiseLabel, content, style, noise, contentLayers, styleLayers)
	if err == nil {
		err = done(fromNoise)
	}
	return fromContent, fromNoise, err
}
