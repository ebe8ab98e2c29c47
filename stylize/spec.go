package stylize

import (
	"errors"
	"fmt"
	"io/fs"
	"math"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Colors is how a painting keeps the photo's colours.
type Colors string

const (
	// StyleColors leaves the painting in the style's colours.
	StyleColors Colors = ""
	// Luminance keeps the painting's luminance and takes the photo's
	// chroma (YCbCr) once it is painted.
	Luminance Colors = "luminance"
	// Histogram matches the style images' colour distribution to the
	// photo's (per channel) before their Gram matrices are computed.
	Histogram Colors = "histogram"
)

// StyleSpec names the style images of a painting and how they are used:
// blended, scaled, each painting its own masked region, in the photo's
// colours or their own.
type StyleSpec struct {
	Files []string  // style images, one at least
	Blend []float64 // weight of each (nil: equal)
	// Size is the longer side of the style images in pixels; 0 for Scale
	// times the output's longer side.
	Size   int
	Scale  float64  // 0 means 1: smaller strokes below 1, larger above
	Masks  []string // images, white where each style paints (nil: everywhere)
	Colors Colors
}

// Validate checks what needs no file, naming the field at fault.
func (s StyleSpec) Validate() error {
	switch {
	case len(s.Files) == 0:
		return field.Errorf("Style", "no style image")
	case s.Masks != nil && len(s.Masks) != len(s.Files):
		return field.Errorf("StyleMasks", "%d masks for %d style images: give one for each", len(s.Masks), len(s.Files))
	case s.Size < 0:
		return field.Errorf("StyleSize", "must not be negative, got %d", s.Size)
	case s.Scale < 0 || math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0):
		return field.Errorf("StyleScale", "must be a positive factor, got %g", s.Scale)
	case s.Colors != StyleColors && s.Colors != Luminance && s.Colors != Histogram:
		return field.Errorf("Colors", "want luminance or histogram, got %q", s.Colors)
	}
	for _, f := range s.Files {
		if f == "" {
			return field.Errorf("Style", "an empty name in the list of style images")
		}
	}
	if s.Blend != nil {
		if _, err := blendSum(s.Blend, len(s.Files)); err != nil {
			return err
		}
	}
	return nil
}

// StyleSide returns the longer side the style images are scaled to for
// an output whose longer side is side.
func (s StyleSpec) StyleSide(side int) int {
	if s.Size > 0 {
		return s.Size
	}
	if s.Scale > 0 {
		return max(1, int(math.Round(s.Scale*float64(side))))
	}
	return side
}

// Load reads the style images (and masks) of s and computes the style
// targets of o's layers for painting content (see Read and Images.Style).
func (s StyleSpec) Load(w *vgg.Weights, content picture.Image, o Options) (*Style, error) {
	im, err := s.Read(content, o)
	if err != nil {
		return nil, err
	}
	return im.Style(w, o)
}

// Images are the style images and masks of a StyleSpec, read.
type Images struct {
	spec   StyleSpec
	images []picture.Image
	masks  []Mask
}

// Read reads the style images (and masks) of s for painting content,
// whose colours Histogram matches and whose size the masks are resampled
// to, and checks that they reach o's style layers. Errors name the file
// and its field.
func (s StyleSpec) Read(content picture.Image, o Options) (*Images, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	side := s.StyleSide(max(content.W, content.H))
	so := o
	so.ContentLayers = nil
	im := &Images{spec: s}
	for _, f := range s.Files {
		img, err := picture.Load(f, side)
		if err != nil {
			return nil, fileError("Style", err)
		}
		if s.Colors == Histogram {
			picture.MatchHistogram(img, content)
		}
		if err := so.Fits(img.W, img.H); err != nil {
			var fe *field.Error
			if errors.As(err, &fe) {
				err = errors.New(fe.Msg)
			}
			return nil, field.Errorf("StyleScale", "style image %s at %dx%d: %v", f, img.W, img.H, err)
		}
		im.images = append(im.images, img)
	}
	for _, f := range s.Masks {
		img, err := picture.LoadSized(f, content.W, content.H)
		if err != nil {
			return nil, fileError("StyleMasks", err)
		}
		im.masks = append(im.masks, MaskOf(img))
	}
	return im, nil
}

// Style computes the style targets of the images at o's style layers,
// blended as their spec says (see Blend).
func (im *Images) Style(w *vgg.Weights, o Options) (*Style, error) {
	var styles []*Style
	for i, img := range im.images {
		st, err := NewStyle(w, img, o.StyleLayers, o.Pooling, o.Threads)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", im.spec.Files[i], err)
		}
		styles = append(styles, st)
	}
	if len(styles) == 1 && im.masks == nil {
		return styles[0], nil
	}
	return Blend(styles, im.spec.Blend, im.masks)
}

// Finish gives a painting x of content its finishing touches: the photo
// where style paints nothing (Composite), and with Luminance the photo's
// chroma.
func Finish(x, content picture.Image, style *Style, colors Colors) {
	Composite(x, content, style)
	if colors == Luminance {
		picture.KeepChroma(x, content)
	}
}

// fileError names the file of a read error under the field that named
// it: "Style: x.png: no such file or directory".
func fileError(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return field.Errorf(name, "%s: %v", pe.Path, pe.Err)
	}
	return field.Errorf(name, "%v", err)
}
