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
	Size  int
	Scale float64  // 0 means 1: smaller strokes below 1, larger above
	Masks []string // images, white where each style paints (nil: everywhere)
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
// targets of o's layers for painting content (whose colours Histogram
// matches and whose size the masks are resampled to). Errors name the
// file and its field.
func (s StyleSpec) Load(w *vgg.Weights, content picture.Image, o Options) (*Style, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	side := s.StyleSide(max(content.W, content.H))
	var styles []*Style
	for _, f := range s.Files {
		img, err := picture.Load(f, side)
		if err != nil {
			return nil, fileError("Style", err)
		}
		if s.Colors == Histogram {
			picture.MatchHistogram(img, content)
		}
		so := o
		so.ContentLayers = nil
		if err := so.Fits(img.W, img.H); err != nil {
			var fe *field.Error
			if errors.As(err, &fe) {
				err = errors.New(fe.Msg)
			}
			return nil, field.Errorf("StyleScale", "style image %s at %dx%d: %v", f, img.W, img.H, err)
		}
		st, err := NewStyle(w, img, o.StyleLayers, o.Pooling, o.Threads)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		styles = append(styles, st)
	}
	var masks []Mask
	for _, f := range s.Masks {
		img, err := picture.LoadSized(f, content.W, content.H)
		if err != nil {
			return nil, fileError("StyleMasks", err)
		}
		masks = append(masks, MaskOf(img))
	}
	if len(styles) == 1 && masks == nil {
		return styles[0], nil
	}
	return Blend(styles, s.Blend, masks)
}

// Finish gives a painting of content the finishing touches of s: the
// photo where no style paints (Composite), and the photo's chroma with
// Luminance.
func (s StyleSpec) Finish(x, content picture.Image, st *Style) {
	Composite(x, content, st)
	if s.Colors == Luminance {
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
