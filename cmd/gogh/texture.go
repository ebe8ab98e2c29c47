package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// textureRun holds the flags of gogh texture.
type textureRun struct {
	runFlags
	style string
	sets  string
	seeds int
	out   string
}

func newTextureCmd() *cobra.Command {
	r := &textureRun{}
	cmd := &cobra.Command{
		Use:   "texture --style S -o DIR",
		Short: "Synthesize textures of a painting from the Gram matrices of sets of layers",
		Long: `Synthesize textures of the style image: starting from noise, optimize with the
style loss at a set of layers only, no content, for each set in turn. Each set
gives a texture with the painting's feature statistics; deeper sets reproduce
larger structures. Different seeds give different images of the same style.
The style image is scaled to --size (longer side) and the textures have its size.

DIR (created if missing) receives one PNG per layer set and seed
(conv1_1+conv2_1-seed1.png), sheet.png (the style image, then a row per seed, a
column per layer set; cells of --size pixels, at least 128 and at most 512) and
runs.csv (per run: label, layers, seed, final style, content and total loss,
seconds). They are rewritten as each run finishes, so an interrupted study keeps
its finished runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fs := cmd.Flags()
	fs.StringVar(&r.style, "style", "", "style image (PNG, JPEG, GIF, WebP)")
	fs.StringVar(&r.sets, "layer-sets", "conv1_1;conv1_1,conv2_1;conv1_1,conv2_1,conv3_1;conv1_1,conv2_1,conv3_1,conv4_1;conv1_1,conv2_1,conv3_1,conv4_1,conv5_1",
		"sets of style layers, a run each: semicolon-separated comma lists")
	fs.IntVar(&r.seeds, "seeds", 1, "noise images per layer set (the k-th from seed --seed+k)")
	fs.StringVarP(&r.out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300)
	return cmd
}

func (r *textureRun) run(ctx context.Context, stdout io.Writer) error {
	for _, f := range []struct{ flag, v string }{{"--style", r.style}, {"-o", r.out}} {
		if f.v == "" {
			return fmt.Errorf("%s is required", f.flag)
		}
	}
	sets, err := parseLayerSets("--layer-sets", r.sets)
	if err != nil {
		return err
	}
	if err := checkSeriesFlags(r.seeds, r.size); err != nil {
		return err
	}
	style, err := loadImage("--style", r.style, r.size)
	if err != nil {
		return err
	}
	if err := checkNetSize(style.W, style.H, sets...); err != nil {
		return err
	}
	s, err := r.settings(sets...)
	if err != nil {
		return err
	}
	ser, err := newSeries(r.out, stdout, "texturing", s, figure.Cell{Label: "style", Image: style.NRGBA()},
		len(sets), r.seeds, max(style.W, style.H))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "synthesizing %dx%d textures of %s at %s × %s: %d steps of %s each, %s normalization, style weight %g\n",
		style.W, style.H, filepath.Base(r.style), countNoun(len(sets), "layer set"), countNoun(r.seeds, "seed"), s.Steps, s.Optimizer, s.Normalization, s.StyleWeight)
	s.OnStep = ser.step
	_, err = s.TextureEach(ctx, style, sets, r.seeds, style.W, style.H, func(i, k int, run study.Run) error {
		return ser.finish(i, k, run, study.SetName(sets[i]), nil, "")
	})
	return ser.close(err)
}

// parseLayerSets parses semicolon-separated comma lists of layers, every
// set and every layer of a set distinct.
func parseLayerSets(flag, value string) ([][]vgg.Point, error) {
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("%s: no layer sets given", flag)
	}
	var sets [][]vgg.Point
	names := map[string]int{}
	for i, list := range strings.Split(value, ";") {
		set, err := parseLayerList(flag, list)
		if err != nil {
			if strings.TrimSpace(list) == "" {
				return nil, fmt.Errorf("%s: set %d is empty", flag, i+1)
			}
			return nil, err
		}
		name := study.SetName(set)
		if j, ok := names[name]; ok {
			return nil, fmt.Errorf("%s: sets %d and %d are both %s", flag, j+1, i+1, name)
		}
		names[name] = i
		sets = append(sets, set)
	}
	return sets, nil
}
