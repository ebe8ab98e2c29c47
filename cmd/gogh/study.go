package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/internal/outpath"
	"github.com/gogh-video/gogh/internal/progress"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// runFlags are the flags the study's commands share: the loss (and, for
// transfers, its layers), the optimizer, the first seed and the size.
type runFlags struct {
	opts stylize.Options
	net  network
	size int
}

func (r *runFlags) addFlags(fs *pflag.FlagSet, size, steps int, preset stylize.Preset) {
	r.opts = stylize.DefaultOptions()
	r.opts.Steps, r.net.preset = steps, preset
	if preset != "" {
		objectiveFlags(fs, &r.opts, &r.net)
	} else {
		// Each run chooses its own layers: the preset's stand in only so
		// that the shared options are complete.
		r.net.preset = stylize.Gatys
		lossFlags(fs, &r.opts, &r.net)
	}
	optimizerFlags(fs, &r.opts, "steps", "loss+gradient evaluations per run")
	fs.Uint64Var(&r.opts.Seed, "seed", r.opts.Seed, "first noise seed (run i uses seed+i)")
	fs.IntVar(&r.size, "size", size, "longer side of the images in pixels")
}

// check checks the flags that need no file.
func (r *runFlags) check() error {
	if r.size < 1 {
		return fmt.Errorf("--size: must be at least 1, got %d", r.size)
	}
	return r.net.layers(&r.opts)
}

// settings loads the network for layers and returns the runs' settings,
// with a progress bar of total steps.
func (r *runFlags) settings(verb string, total int, layers ...[]vgg.Point) (study.Settings, progress.Bar, error) {
	w, err := r.net.load(layers...)
	if err != nil {
		return study.Settings{}, progress.Bar{}, err
	}
	b := progress.New(total, verb)
	return study.Settings{Options: r.opts, Net: w, OnStep: func(string, stylize.Step) { b.Add(1) }}, b, nil
}

// images checks that the comma-separated image files of flag reach the
// layers and that painting them fits in memory, then loads them (see
// study.LoadNamed).
func (r *runFlags) images(flag, list string, layers ...[]vgg.Point) ([]study.Named, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("%s is required", flag)
	}
	paths := strings.Split(list, ",")
	for i, p := range paths {
		if paths[i] = strings.TrimSpace(p); paths[i] == "" {
			return nil, fmt.Errorf("%s %s: an empty file name in the list", flag, list)
		}
	}
	o := r.opts
	o.ContentLayers, o.StyleLayers = nil, slices.Concat(layers...)
	for _, p := range paths {
		w, h, err := picture.Dims(p, r.size)
		if err != nil {
			return nil, fileError(flag, err)
		}
		if err := o.CheckSize(w, h, 1); err != nil {
			return nil, err
		}
	}
	ims, err := study.LoadNamed(paths, r.size)
	if err != nil {
		return nil, fileError(flag, err)
	}
	return ims, nil
}

const defaultSets = "conv1_1;conv1_1,conv2_1;conv1_1,conv2_1,conv3_1;conv1_1,conv2_1,conv3_1,conv4_1;conv1_1,conv2_1,conv3_1,conv4_1,conv5_1"

// countNoun says how many nouns there are: "1 seed", "2 seeds".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// seriesFlags are the flags of reconstruct and texture: an input image,
// its runs (a layer list each), the seeds of each and the directory.
type seriesFlags struct {
	runFlags
	input, runs, out string
	seeds            int
}

func (f *seriesFlags) addSeriesFlags(fs *pflag.FlagSet, input, inputUsage, runs, runsDefault, runsUsage string) {
	fs.StringVar(&f.input, input, "", inputUsage)
	fs.StringVar(&f.runs, runs, runsDefault, runsUsage)
	fs.IntVar(&f.seeds, "seeds", 1, "noise images per run (the k-th from seed --seed+k)")
	fs.StringVarP(&f.out, "output", "o", "", "output directory (created if missing)")
	f.addFlags(fs, 256, 300, "")
}

// run checks the flags, loads the input image (named by flag) and the
// network for the runs' layers (parsed by parse from the flag runsFlag),
// and calls paint, which prints its header and paints into f.out.
func (f *seriesFlags) run(cmd *cobra.Command, flag, runsFlag, verb string, parse func(string) ([][]vgg.Point, error),
	paint func(s study.Settings, in study.Named, runs [][]vgg.Point, log io.Writer) error) error {
	if err := required(flag, f.input, "-o", f.out); err != nil {
		return err
	}
	runs, err := parse(f.runs)
	if err != nil {
		return fmt.Errorf("%s: %w", runsFlag, err)
	}
	if err := checkSeeds(f.seeds); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	ims, err := f.images(flag, f.input, runs...)
	if err != nil {
		return err
	}
	s, b, err := f.settings(verb, len(runs)*f.seeds*f.opts.Steps, runs...)
	if err != nil {
		return err
	}
	if err := outputDir(f.out); err != nil {
		return err
	}
	start := time.Now()
	err = paint(s, ims[0], runs, b.Writer(cmd.OutOrStdout()))
	b.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "done: %d runs in %s -> %s, %s\n", len(runs)*f.seeds, time.Since(start).Round(time.Millisecond),
		filepath.Join(f.out, "sheet.png"), filepath.Join(f.out, "runs.csv"))
	return nil
}

func newReconstructCmd() *cobra.Command {
	var f seriesFlags
	cmd := &cobra.Command{
		Use:   "reconstruct --content C -o DIR",
		Short: "Reconstruct a photo from the features of one layer at a time",
		Long: `Reconstruct the content image from its VGG19 features at each layer in turn:
starting from noise, optimize with the content loss at that one layer only, no
style. Shallow layers give the photo back almost exactly; deep layers keep its
layout but lose detail and colour.

DIR (created if missing) receives one PNG per layer and seed (conv3_2-seed1.png),
sheet.png (the content image, then a row per seed, a column per layer; cells of
--size pixels, at least 128 and at most 512) and runs.csv (per run: label, layers,
seed, final style, content and total loss, seconds, PSNR against the content).
They are rewritten as each run finishes, so an interrupted study keeps its
finished runs.`,
		Args: cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, "--content", "--layers", "reconstructing", singles, func(s study.Settings, c study.Named, runs [][]vgg.Point, log io.Writer) error {
				fmt.Fprintf(log, "reconstructing %s (%dx%d) from noise at %s × %s: %d steps of %s each, %s normalization\n",
					filepath.Base(f.input), c.Image.W, c.Image.H, countNoun(len(runs), "layer"), countNoun(f.seeds, "seed"), s.Steps, s.Optimizer, s.Normalization)
				layers := make([]vgg.Point, len(runs))
				for i, r := range runs {
					layers[i] = r[0]
				}
				_, _, err := s.ReconstructInto(cmd.Context(), c, layers, f.seeds, f.out, log)
				return err
			})
		}),
	}
	f.addSeriesFlags(cmd.Flags(), "content", "content image (PNG, JPEG, GIF, WebP)",
		"layers", "conv1_2,conv2_2,conv3_2,conv4_2,conv5_2", "layers to reconstruct from, comma-separated (convA_B, reluA_B or conv_N), a run each")
	return cmd
}

// singles parses a list of layers, a run each.
func singles(list string) ([][]vgg.Point, error) {
	ps, err := study.ParseRuns(list)
	runs := make([][]vgg.Point, len(ps))
	for i, p := range ps {
		runs[i] = []vgg.Point{p}
	}
	return runs, err
}

func newTextureCmd() *cobra.Command {
	var f seriesFlags
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
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, "--style", "--layer-sets", "texturing", study.ParseLayerSets, func(s study.Settings, st study.Named, sets [][]vgg.Point, log io.Writer) error {
				fmt.Fprintf(log, "synthesizing %dx%d textures of %s at %s × %s: %d steps of %s each, %s normalization, style weight %g\n",
					st.Image.W, st.Image.H, filepath.Base(f.input), countNoun(len(sets), "layer set"), countNoun(f.seeds, "seed"), s.Steps, s.Optimizer, s.Normalization, s.Weights.Style)
				_, err := s.TextureInto(cmd.Context(), st, sets, f.seeds, f.out, log)
				return err
			})
		}),
	}
	f.addSeriesFlags(cmd.Flags(), "style", "style image (PNG, JPEG, GIF, WebP)",
		"layer-sets", defaultSets, "sets of style layers, a run each: semicolon-separated comma lists")
	return cmd
}

// checkSeeds checks --seeds.
func checkSeeds(seeds int) error {
	if seeds < 1 {
		return fmt.Errorf("--seeds: must be at least 1, got %d", seeds)
	}
	return nil
}

// outputDir creates the -o directory dir if missing and checks that it
// can be written.
func outputDir(dir string) error {
	err := study.OutputDir(dir)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path != dir {
		return fmt.Errorf("-o %s: %s: %w", dir, pe.Path, pe.Err)
	}
	if err != nil {
		return fileError("-o", err)
	}
	return nil
}

func newGridCmd() *cobra.Command {
	var (
		r                runFlags
		contents, styles string
		out              string
		cell             int
		scale            float64
		color            colorFlags
	)
	cmd := &cobra.Command{
		Use:   "grid --content A,B[,...] --style X,Y[,...] -o GRID.png",
		Short: "Paint every content image in every style, as a labelled grid",
		Long: `Paint every content image in the style of every style image, each from its content
image, and lay the results out as a labelled grid: the style images along the first
row, the content images down the first column, and each painting where its content's
row meets its style's column, labelled with its final loss.

Pairs run in parallel, as many at once as --threads allows (each pair gets
--threads divided by the pairs running), so together they never use more than
--threads. A line is printed as each pair finishes.`,
		Args: cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			if err := required("--content", contents, "--style", styles, "-o", out); err != nil {
				return err
			}
			if err := outpath.Ext("-o", out, ".png", ".jpg", ".jpeg"); err != nil {
				return err
			}
			if err := outpath.Writable("-o", out); err != nil {
				return err
			}
			if cell < 0 {
				return fmt.Errorf("--cell: must not be negative, got %d", cell)
			}
			if !(scale > 0) || math.IsInf(scale, 0) {
				return fmt.Errorf("--style-scale: must be a positive factor, got %g", scale)
			}
			colors, err := color.colors(cmd.Flags())
			if err != nil {
				return err
			}
			if err := (stylize.StyleSpec{Files: []string{styles}, Colors: colors}).Validate(); err != nil {
				return err
			}
			if err := r.check(); err != nil {
				return err
			}
			cl, sl := r.opts.ContentLayers, r.opts.StyleLayers
			cs, err := r.images("--content", contents, cl, sl)
			if err != nil {
				return err
			}
			ss, err := r.images("--style", styles, cl, sl)
			if err != nil {
				return err
			}
			s, b, err := r.settings("painting", len(cs)*len(ss)*r.opts.Steps, cl, sl)
			if err != nil {
				return err
			}
			s.StyleScale, s.Colors = scale, colors
			runs, err := s.GridInto(cmd.Context(), cs, ss, cl, sl, "", b.Writer(cmd.OutOrStdout()))
			b.Finish()
			if err != nil {
				return err
			}
			if cell == 0 {
				cell = study.DefaultCell(r.size)
			}
			var files []string
			for _, list := range [][2]string{{"--content", contents}, {"--style", styles}} {
				for _, p := range strings.Split(list[1], ",") {
					files = append(files, list[0], strings.TrimSpace(p))
				}
			}
			rec, err := newRecord(cmd, append(files, "--weights", r.net.file)...)
			if err != nil {
				return err
			}
			if err := saveRecorded(out, picture.FromImage(study.GridImage(study.Cells(cs), study.Cells(ss), runs, cell)), rec); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "grid -> %s\n", out)
			return nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&contents, "content", "", "content images, comma-separated")
	fs.StringVar(&styles, "style", "", "style images, comma-separated")
	fs.StringVarP(&out, "output", "o", "", "output grid image (.png or .jpg)")
	fs.IntVar(&cell, "cell", 0, "cell size of the grid in pixels (0: --size, at least 128 and at most 512)")
	fs.Float64Var(&scale, "style-scale", 1, "size of the style images relative to the paintings: below 1 smaller strokes, above larger")
	color.add(fs, "luminance or histogram (as for gogh image)")
	r.addFlags(fs, 256, 300, stylize.Gatys)
	return cmd
}

func newInitCompareCmd() *cobra.Command {
	var (
		r              runFlags
		content, style string
		out            string
	)
	cmd := &cobra.Command{
		Use:   "init-compare --content C --style S -o DIR",
		Short: "Paint the same transfer from the content image and from noise, and compare",
		Long: `Paint the content image in the style of the style image twice, one run after the
other with every thread: once starting from the content image, once from uniform
noise (seed --seed), for the same number of steps.

DIR (created if missing) receives the two paintings (content-init.png,
noise-init.png), every step's weighted losses of both (loss.csv: run, step,
style, content, tv, total, seconds), a plot of the style and content losses
against the step on a log scale (loss.png and loss.svg), and the final losses
and time of each run (runs.csv).`,
		Args: cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			if err := required("--content", content, "--style", style, "-o", out); err != nil {
				return err
			}
			if err := r.check(); err != nil {
				return err
			}
			cl, sl := r.opts.ContentLayers, r.opts.StyleLayers
			c, err := r.images("--content", content, cl, sl)
			if err != nil {
				return err
			}
			st, err := r.images("--style", style, cl, sl)
			if err != nil {
				return err
			}
			if err := outputDir(out); err != nil {
				return err
			}
			s, b, err := r.settings("painting", 2*r.opts.Steps, cl, sl)
			if err != nil {
				return err
			}
			_, _, err = s.InitCompareInto(cmd.Context(), c[0], st[0], cl, sl, out, b.Writer(cmd.OutOrStdout()))
			b.Finish()
			return err
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&content, "content", "", "content image (PNG, JPEG, GIF, WebP)")
	fs.StringVar(&style, "style", "", "style image")
	fs.StringVarP(&out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300, stylize.Gatys)
	return cmd
}

// The study's default images, under --data.
var (
	studyContents = []string{"content/tubingen_neckarfront.jpg", "content/chelsea_cat.png"}
	studyStyles   = []string{"styles/starry_night_vangogh.jpg", "styles/the_scream_munch.jpg"}
)

func newStudyCmd() *cobra.Command {
	var (
		r                           runFlags
		contents, styles, data, out string
		quick                       bool
		seeds                       int
		reconLayers, sets           string
	)
	cmd := &cobra.Command{
		Use:   "study [--quick] -o DIR",
		Short: "Run the whole study and write it up as a web page",
		Long: `Run every experiment of the study and write DIR/index.html, a static page with no
external assets (open it from disk) that shows every image, contact sheet and plot,
the loss tables and the timings, each section with the parameters it used:

  reconstruction  the first content image rebuilt from noise with the content loss
                  at one layer at a time (--reconstruct-layers)        DIR/reconstruct/
  texture         textures of the first style image from noise with the style loss
                  at growing sets of layers (--layer-sets)             DIR/texture/
  grid            every content image painted in every style           DIR/grid/
  init            the first content in the first style, from the content image and
                  from noise, with both loss logs and a plot           DIR/init/

The images are --content and --style (comma-separated); by default the Tübingen
photo and a cat, Van Gogh's Starry Night and Munch's Scream, read from --data
(default $GOGH_SHARED/data). The transfers default to the study's conventions: the
PyTorch tutorial's layers (--layers tutorial) and normalization. --quick runs at
48 px, 20 steps and one seed (unless --size, --steps or --seeds are given), for a
smoke test in seconds.`,
		Args: cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			if quick && !fs.Changed("size") {
				r.size = 48
			}
			if quick && !fs.Changed("steps") {
				r.opts.Steps = 20
			}
			if quick && !fs.Changed("seeds") {
				seeds = 1
			}
			if err := required("-o", out); err != nil {
				return err
			}
			contentFlag, contentList, err := studyImages("--content", contents, data, studyContents)
			if err != nil {
				return err
			}
			styleFlag, styleList, err := studyImages("--style", styles, data, studyStyles)
			if err != nil {
				return err
			}
			recon, err := study.ParseRuns(reconLayers)
			if err != nil {
				return fmt.Errorf("--reconstruct-layers: %w", err)
			}
			layerSets, err := study.ParseLayerSets(sets)
			if err != nil {
				return fmt.Errorf("--layer-sets: %w", err)
			}
			if err := checkSeeds(seeds); err != nil {
				return err
			}
			if err := r.check(); err != nil {
				return err
			}
			cl, sl := r.opts.ContentLayers, r.opts.StyleLayers
			st := study.Study{ReconLayers: recon, LayerSets: layerSets, Seeds: seeds, Size: r.size}
			if st.Contents, err = r.images(contentFlag, contentList, recon, cl, sl); err != nil {
				return err
			}
			if st.Styles, err = r.images(styleFlag, styleList, append(layerSets, cl, sl)...); err != nil {
				return err
			}
			runs := len(recon)*seeds + len(layerSets)*seeds + len(st.Contents)*len(st.Styles) + 2
			var b progress.Bar
			if st.Settings, b, err = r.settings("studying", runs*r.opts.Steps, append(layerSets, recon, cl, sl)...); err != nil {
				return err
			}
			defer b.Finish()
			st.Log = b.Writer(cmd.OutOrStdout())
			st.Intro = "the default weights."
			if r.net.path != "" {
				st.Intro = "weights " + filepath.Base(r.net.path) + "."
			}
			if quick {
				st.Intro += " A quick run (--quick): small images and few steps, a smoke test rather than results."
			}
			if err := outputDir(out); err != nil {
				return err
			}
			return st.Run(cmd.Context(), out)
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&contents, "content", "", "content images, comma-separated (default: the study's two photos under --data)")
	fs.StringVar(&styles, "style", "", "style images, comma-separated (default: the study's two paintings under --data)")
	if d := os.Getenv("GOGH_SHARED"); d != "" {
		data = filepath.Join(d, "data")
	}
	fs.StringVar(&data, "data", data, "directory holding the default images: "+strings.Join(append(append([]string(nil), studyContents...), studyStyles...), ", ")+" (default $GOGH_SHARED/data)")
	fs.BoolVar(&quick, "quick", false, "small and fast: 48 px, 20 steps, one seed")
	fs.IntVar(&seeds, "seeds", 2, "noise images per reconstruction layer and texture layer set")
	fs.StringVar(&reconLayers, "reconstruct-layers", "conv1_2,conv2_2,conv3_2,conv4_2,conv5_2", "layers to reconstruct the content from, a run each")
	fs.StringVar(&sets, "layer-sets", defaultSets, "texture layer sets, a run each: semicolon-separated comma lists")
	fs.StringVarP(&out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300, stylize.TutorialLayers)
	// The study's conventions: the tutorial's normalization.
	r.opts.Normalization = stylize.Tutorial
	fs.Lookup("normalization").DefValue = string(stylize.Tutorial)
	return cmd
}

// studyImages returns the flag that names the images and their list: the
// flag's own, or else the defaults under the data directory.
func studyImages(flag, list, data string, defaults []string) (string, string, error) {
	if list != "" {
		return flag, list, nil
	}
	if data == "" {
		return "", "", fmt.Errorf("%s: no images given; name them or give --data DIR (or set $GOGH_SHARED) holding %s", flag, strings.Join(defaults, " and "))
	}
	var paths []string
	for _, d := range defaults {
		paths = append(paths, filepath.Join(data, filepath.FromSlash(d)))
	}
	return "--data", strings.Join(paths, ","), nil
}
