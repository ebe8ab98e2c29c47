package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/stylize"
)

// styleFlags are the flags that choose the style images and how they are
// used (stylize.StyleSpec), shared by the commands that paint.
type styleFlags struct {
	spec stylize.StyleSpec
	colorFlags
	fs *pflag.FlagSet
}

// colorFlags are --original-colors and --color-transfer.
type colorFlags struct {
	original bool   // --original-colors
	transfer string // --color-transfer
}

// add binds the flags; what is added to --color-transfer's usage.
func (c *colorFlags) add(fs *pflag.FlagSet, what string) {
	fs.BoolVar(&c.original, "original-colors", false, "keep the photo's colours (see --color-transfer)")
	fs.StringVar(&c.transfer, "color-transfer", string(stylize.Luminance), "with --original-colors: "+what)
}

// colors returns the colours the flags of fs ask for.
func (c *colorFlags) colors(fs *pflag.FlagSet) (stylize.Colors, error) {
	if c.original {
		return stylize.Colors(c.transfer), nil
	}
	if fs.Changed("color-transfer") {
		return "", fmt.Errorf("--color-transfer needs --original-colors")
	}
	return stylize.StyleColors, nil
}

// add binds the flags; usage is -s's.
func (s *styleFlags) add(fs *pflag.FlagSet, usage string) {
	fs.StringSliceVarP(&s.spec.Files, "style", "s", nil, usage+"; several, comma-separated, are blended (see --style-blend)")
	fs.Float64SliceVar(&s.spec.Blend, "style-blend", nil, "weight of each style image, comma-separated, e.g. 3,1 (default: equal)")
	fs.Float64Var(&s.spec.Scale, "style-scale", 1, "size of the style images relative to the output: below 1 smaller strokes, above larger")
	fs.StringSliceVar(&s.spec.Masks, "style-mask", nil, "image white where the style paints and black where the photo stays (grey blends); one per style image, comma-separated")
	s.colorFlags.add(fs, "luminance (the painting's luminance with the photo's chroma) or histogram (the style images' colours matched to the photo's before painting)")
	s.fs = fs
}

// parse fills in the spec's colours and checks it.
func (s *styleFlags) parse() error {
	var err error
	if s.spec.Colors, err = s.colors(s.fs); err != nil {
		return err
	}
	if s.spec.Scale == 0 {
		return fmt.Errorf("--style-scale must be a positive factor, got 0")
	}
	spec := s.spec
	if len(spec.Files) == 0 {
		spec.Files = []string{"the default"} // video's sample, resolved later
	}
	return spec.Validate()
}

// files returns the style images and masks as flag, path pairs (see
// outpath.NotInput and newRecord), the style images under label.
func (s *styleFlags) files(label string) []string {
	var f []string
	for _, p := range s.spec.Files {
		f = append(f, label, p)
	}
	for _, p := range s.spec.Masks {
		f = append(f, "--style-mask", p)
	}
	return f
}
