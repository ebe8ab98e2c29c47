package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// The study's default images, under --data.
var (
	studyContents = []string{"content/tubingen_neckarfront.jpg", "content/chelsea_cat.png"}
	studyStyles   = []string{"styles/starry_night_vangogh.jpg", "styles/the_scream_munch.jpg"}
)

// Subdirectories of gogh study's output, one per experiment.
const (
	studyInputs      = "inputs"
	studyReconstruct = "reconstruct"
	studyTexture     = "texture"
	studyGrid        = "grid"
	studyInit        = "init"
)

// studyRun holds the flags of gogh study.
type studyRun struct {
	runFlags
	transferLayers
	contents, styles string
	data             string
	quick            bool
	seeds            int
	reconLayers      string
	layerSets        string
	out              string
}

func newStudyCmd() *cobra.Command {
	r := &studyRun{}
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			if r.quick {
				if !fs.Changed("size") {
					r.size = 48
				}
				if !fs.Changed("steps") {
					r.steps = 20
				}
				if !fs.Changed("seeds") {
					r.seeds = 1
				}
			}
			return r.run(cmd.Context(), cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&r.contents, "content", "", "content images, comma-separated (default: the study's two photos under --data)")
	fs.StringVar(&r.styles, "style", "", "style images, comma-separated (default: the study's two paintings under --data)")
	data := ""
	if d := os.Getenv("GOGH_SHARED"); d != "" {
		data = filepath.Join(d, "data")
	}
	fs.StringVar(&r.data, "data", data, "directory holding the default images: "+strings.Join(append(append([]string(nil), studyContents...), studyStyles...), ", ")+" (default $GOGH_SHARED/data)")
	fs.BoolVar(&r.quick, "quick", false, "small and fast: 48 px, 20 steps, one seed")
	fs.IntVar(&r.seeds, "seeds", 2, "noise images per reconstruction layer and texture layer set")
	fs.StringVar(&r.reconLayers, "reconstruct-layers", "conv1_2,conv2_2,conv3_2,conv4_2,conv5_2", "layers to reconstruct the content from, a run each")
	fs.StringVar(&r.layerSets, "layer-sets", "conv1_1;conv1_1,conv2_1;conv1_1,conv2_1,conv3_1;conv1_1,conv2_1,conv3_1,conv4_1;conv1_1,conv2_1,conv3_1,conv4_1,conv5_1",
		"texture layer sets, a run each: semicolon-separated comma lists")
	fs.StringVarP(&r.out, "output", "o", "", "output directory (created if missing)")
	r.addFlags(fs, 256, 300)
	r.addLayerFlags(fs, "tutorial")
	// The study's conventions: the tutorial's normalization.
	norm := fs.Lookup("normalization")
	norm.DefValue = stylize.Tutorial
	norm.Value.Set(stylize.Tutorial)
	return cmd
}

// studyImages returns the files of flag's list, or else the defaults under
// the data directory, and the flag that named them.
func (r *studyRun) studyImages(flag, list string, defaults []string) ([]string, string, error) {
	if list != "" {
		paths, err := splitList(flag, list)
		return paths, flag, err
	}
	if r.data == "" {
		return nil, "", fmt.Errorf("%s: no images given; name them or give --data DIR (or set $GOGH_SHARED) holding %s", flag, strings.Join(defaults, " and "))
	}
	var paths []string
	for _, d := range defaults {
		paths = append(paths, filepath.Join(r.data, filepath.FromSlash(d)))
	}
	return paths, "--data", nil
}

func (r *studyRun) run(ctx context.Context, stdout io.Writer) error {
	if r.out == "" {
		return fmt.Errorf("-o is required")
	}
	if r.size < 1 {
		return fmt.Errorf("--size: must be at least 1, got %d", r.size)
	}
	contentPaths, contentFlag, err := r.studyImages("--content", r.contents, studyContents)
	if err != nil {
		return err
	}
	stylePaths, styleFlag, err := r.studyImages("--style", r.styles, studyStyles)
	if err != nil {
		return err
	}
	reconLayers, err := parseLayerList("--reconstruct-layers", r.reconLayers)
	if err != nil {
		return err
	}
	sets, err := parseLayerSets("--layer-sets", r.layerSets)
	if err != nil {
		return err
	}
	if err := checkSeriesFlags(r.seeds, r.size); err != nil {
		return err
	}
	cl, sl, err := r.points()
	if err != nil {
		return err
	}
	contents, err := loadImages(contentFlag, contentPaths, r.size)
	if err != nil {
		return err
	}
	styles, err := loadImages(styleFlag, stylePaths, r.size)
	if err != nil {
		return err
	}
	if err := checkImagesFit(contents, cl, sl, reconLayers); err != nil {
		return err
	}
	if err := checkImagesFit(styles, append([][]vgg.Point{cl, sl}, sets...)...); err != nil {
		return err
	}
	all := append([][]vgg.Point{cl, sl, reconLayers}, sets...)
	s, err := r.settings(all...)
	if err != nil {
		return err
	}
	for _, sub := range []string{"", studyInputs, studyReconstruct, studyTexture, studyGrid, studyInit} {
		if err := makeOutputDir("-o", filepath.Join(r.out, sub)); err != nil {
			return err
		}
	}
	start := time.Now()
	weights := "the default weights"
	if r.weightsPath != "" {
		weights = "weights " + filepath.Base(r.weightsPath)
	}
	intro := fmt.Sprintf("Content images %s; style images %s; %d px (longer side), %d steps of %s per run, %d threads, %s.",
		names(contents), names(styles), r.size, s.Steps, s.Optimizer, s.Threads, weights)
	if r.quick {
		intro += " A quick run (--quick): small images and few steps, a smoke test rather than results."
	}
	rep := study.Report{Title: "gogh study: neural style transfer, step by step", Intro: intro}
	for _, n := range append(append([]namedImage(nil), contents...), styles...) {
		if err := picture.SavePNG(filepath.Join(r.out, studyInputs, fileSafe(n.name)+".png"), n.im); err != nil {
			return err
		}
	}
	for _, part := range []func() (study.Section, error){
		func() (study.Section, error) { return r.reconstruction(ctx, s, contents[0], reconLayers, stdout) },
		func() (study.Section, error) { return r.texture(ctx, s, styles[0], sets, stdout) },
		func() (study.Section, error) { return r.grid(ctx, s, contents, styles, cl, sl, stdout) },
		func() (study.Section, error) { return r.inits(ctx, s, contents[0], styles[0], cl, sl, stdout) },
	} {
		sec, err := part()
		if err != nil {
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return fmt.Errorf("%w; no report written, the finished experiments are in %s", err, r.out)
			}
			return err
		}
		rep.Sections = append(rep.Sections, sec)
	}
	if err := study.WriteReport(r.out, rep); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "study done in %s -> %s\n", time.Since(start).Round(time.Millisecond), filepath.Join(r.out, "index.html"))
	return nil
}

// names lists the images' names.
func names(ims []namedImage) string {
	var ns []string
	for _, n := range ims {
		ns = append(ns, n.name)
	}
	return strings.Join(ns, ", ")
}

// inputFigure is the figure of an input image saved under inputs/.
func inputFigure(n namedImage, caption string) study.Figure {
	return study.Figure{Src: path.Join(studyInputs, fileSafe(n.name)+".png"), Caption: caption + ": " + n.name, Width: shownWidth(n.im.W, n.im.H)}
}

// shownWidth is the width a w×h image is shown at on the page: small
// images are scaled up by a whole factor to about 160 pixels.
func shownWidth(w, h int) int {
	if k := (160 + max(w, h) - 1) / max(w, h); k > 1 {
		return w * k
	}
	return 0
}

// sectionParams are s's parameters for a section, with what differs
// between its runs renamed or replaced.
func sectionParams(s study.Settings, w, h int, cl, sl []vgg.Point, replace map[string]study.Param, extra ...study.Param) []study.Param {
	ps := s.Params(w, h, cl, sl)
	for i, p := range ps {
		if q, ok := replace[p.Name]; ok {
			ps[i] = q
		}
	}
	return append(ps, extra...)
}

// runFigures are the figures of runs saved in dir under runFileName.
func runFigures(dir string, runs []study.Run) []study.Figure {
	var fs []study.Figure
	for _, r := range runs {
		fs = append(fs, study.Figure{Src: path.Join(dir, runFileName(r.Label)), Caption: r.Label, Width: shownWidth(r.Image.W, r.Image.H)})
	}
	return fs
}

// logFiles writes the loss log and plot of runs into the section's
// directory and returns their links.
func logFiles(out, dir string, runs []study.Run) ([]study.Link, error) {
	if err := study.WriteCSV(filepath.Join(out, dir, "loss.csv"), runs); err != nil {
		return nil, err
	}
	if err := study.LossPlot(runs, filepath.Join(out, dir, "loss.png"), filepath.Join(out, dir, "loss.svg")); err != nil {
		return nil, err
	}
	return []study.Link{
		{Href: path.Join(dir, "loss.csv"), Text: "every step's losses (CSV)"},
		{Href: path.Join(dir, "loss.svg"), Text: "loss plot (SVG)"},
	}, nil
}

func (r *studyRun) reconstruction(ctx context.Context, s study.Settings, content namedImage, layers []vgg.Point, stdout io.Writer) (study.Section, error) {
	fmt.Fprintf(stdout, "== reconstruction of %s from noise at %d layers × %d seeds\n", content.name, len(layers), r.seeds)
	start := time.Now()
	dir := filepath.Join(r.out, studyReconstruct)
	ser, err := newSeries(dir, stdout, "reconstructing", s, figure.Cell{Label: content.name, Image: content.im.NRGBA()},
		len(layers), r.seeds, max(content.im.W, content.im.H), "psnr")
	if err != nil {
		return study.Section{}, err
	}
	s.OnStep = ser.step
	var psnr []float64
	runs, err := s.ReconstructEach(ctx, content.im, layers, r.seeds, func(i, k int, run study.Run) error {
		p := study.PSNR(run.Image, content.im)
		psnr = append(psnr, p)
		return ser.finish(i, k, run, layers[i].String(), []string{formatFloat(p)}, fmt.Sprintf("  psnr %.2f dB", p))
	})
	if err := ser.close(err); err != nil {
		return study.Section{}, err
	}
	links, err := logFiles(r.out, studyReconstruct, runs)
	if err != nil {
		return study.Section{}, err
	}
	table := study.LossTable("Final losses, PSNR against the content image and time of each run", runs)
	table.Header = append(table.Header, "psnr (dB)")
	for i := range table.Rows {
		table.Rows[i] = append(table.Rows[i], strconv.FormatFloat(psnr[i], 'f', 2, 64))
	}
	return study.Section{
		ID:    "reconstruction",
		Title: "Content reconstruction",
		Text: fmt.Sprintf("%s rebuilt from noise with the content loss at one layer at a time and no style loss, a run per layer and seed. "+
			"Shallow layers give the photo back almost exactly; deeper ones keep its layout but lose detail and colour.", content.name),
		Params: sectionParams(s, content.im.W, content.im.H, layers, nil, map[string]study.Param{
			"content layers": {Name: "content layer", Value: study.LayerNames(layers) + " (a run each)"},
			"seed":           {Name: "seeds", Value: seedRange(s.Seed, r.seeds)},
		}, study.Param{Name: "time", Value: seconds(time.Since(start))}),
		Figures: append(append([]study.Figure{inputFigure(content, "content"), {Src: path.Join(studyReconstruct, "sheet.png"), Caption: "contact sheet: a column per layer, a row per seed"}},
			runFigures(studyReconstruct, runs)...), study.Figure{Src: path.Join(studyReconstruct, "loss.png"), Caption: "content loss against step"}),
		Tables: []study.Table{table},
		Files:  append([]study.Link{{Href: path.Join(studyReconstruct, "runs.csv"), Text: "final losses (CSV)"}}, links...),
	}, nil
}

func (r *studyRun) texture(ctx context.Context, s study.Settings, style namedImage, sets [][]vgg.Point, stdout io.Writer) (study.Section, error) {
	fmt.Fprintf(stdout, "== textures of %s from noise at %d layer sets × %d seeds\n", style.name, len(sets), r.seeds)
	start := time.Now()
	dir := filepath.Join(r.out, studyTexture)
	ser, err := newSeries(dir, stdout, "texturing", s, figure.Cell{Label: style.name, Image: style.im.NRGBA()},
		len(sets), r.seeds, max(style.im.W, style.im.H))
	if err != nil {
		return study.Section{}, err
	}
	s.OnStep = ser.step
	runs, err := s.TextureEach(ctx, style.im, sets, r.seeds, style.im.W, style.im.H, func(i, k int, run study.Run) error {
		return ser.finish(i, k, run, study.SetName(sets[i]), nil, "")
	})
	if err := ser.close(err); err != nil {
		return study.Section{}, err
	}
	links, err := logFiles(r.out, studyTexture, runs)
	if err != nil {
		return study.Section{}, err
	}
	var setNames []string
	for _, set := range sets {
		setNames = append(setNames, study.SetName(set))
	}
	return study.Section{
		ID:    "texture",
		Title: "Texture synthesis",
		Text: fmt.Sprintf("Textures of %s: from noise, with the style loss alone at growing sets of layers, a run per set and seed. "+
			"Each texture has the painting's feature statistics; deeper sets reproduce larger structures.", style.name),
		Params: sectionParams(s, style.im.W, style.im.H, nil, nil, map[string]study.Param{
			"style layers": {Name: "style layer sets", Value: strings.Join(setNames, "; ") + " (a run each)"},
			"seed":         {Name: "seeds", Value: seedRange(s.Seed, r.seeds)},
		}, study.Param{Name: "time", Value: seconds(time.Since(start))}),
		Figures: append(append([]study.Figure{inputFigure(style, "style"), {Src: path.Join(studyTexture, "sheet.png"), Caption: "contact sheet: a column per layer set, a row per seed"}},
			runFigures(studyTexture, runs)...), study.Figure{Src: path.Join(studyTexture, "loss.png"), Caption: "style loss against step"}),
		Tables: []study.Table{study.LossTable("Final losses and time of each run", runs)},
		Files:  append([]study.Link{{Href: path.Join(studyTexture, "runs.csv"), Text: "final losses (CSV)"}}, links...),
	}, nil
}

func (r *studyRun) grid(ctx context.Context, s study.Settings, contents, styles []namedImage, cl, sl []vgg.Point, stdout io.Writer) (study.Section, error) {
	fmt.Fprintf(stdout, "== grid of %d contents × %d styles\n", len(contents), len(styles))
	start := time.Now()
	runs, err := paintGrid(ctx, s, contents, styles, cl, sl, stdout, filepath.Join(r.out, studyGrid))
	if err != nil {
		return study.Section{}, err
	}
	elapsed := time.Since(start)
	if err := figure.SavePNG(filepath.Join(r.out, studyGrid, "grid.png"), study.GridImage(cells(contents), cells(styles), runs, defaultCell(r.size))); err != nil {
		return study.Section{}, err
	}
	var flat []study.Run
	figs := []study.Figure{{Src: path.Join(studyGrid, "grid.png"), Caption: "styles along the top, contents down the side"}}
	for i, row := range runs {
		for j, run := range row {
			flat = append(flat, run)
			figs = append(figs, study.Figure{Src: path.Join(studyGrid, gridFileName(contents[i].name, styles[j].name)), Caption: run.Label, Width: shownWidth(run.Image.W, run.Image.H)})
		}
	}
	if err := study.WriteCSV(filepath.Join(r.out, studyGrid, "loss.csv"), flat); err != nil {
		return study.Section{}, err
	}
	table := study.LossTable("Final losses and time of each pair (pairs run in parallel)", flat)
	if err := writeTableCSV(filepath.Join(r.out, studyGrid, "runs.csv"), table); err != nil {
		return study.Section{}, err
	}
	w, h := contents[0].im.W, contents[0].im.H
	workers, each := s.GridSplit(len(flat))
	return study.Section{
		ID:    "grid",
		Title: "Content × style grid",
		Text:  "Every content image painted in the style of every style image, each starting from its content image.",
		Params: sectionParams(s, w, h, cl, sl, map[string]study.Param{
			"size":    {Name: "size", Value: fmt.Sprintf("%d px (longer side; first content %d×%d px)", r.size, w, h)},
			"threads": {Name: "threads", Value: fmt.Sprintf("%d: %d pairs at a time, %d threads each", s.Threads, workers, each)},
		}, study.Param{Name: "time", Value: seconds(elapsed)}),
		Figures: figs,
		Tables:  []study.Table{table},
		Files: []study.Link{
			{Href: path.Join(studyGrid, "runs.csv"), Text: "final losses (CSV)"},
			{Href: path.Join(studyGrid, "loss.csv"), Text: "every step's losses (CSV)"},
		},
	}, nil
}

func (r *studyRun) inits(ctx context.Context, s study.Settings, content, style namedImage, cl, sl []vgg.Point, stdout io.Writer) (study.Section, error) {
	fmt.Fprintln(stdout, "== init comparison")
	dir := filepath.Join(r.out, studyInit)
	fromContent, fromNoise, err := compareInits(ctx, s, content, style, cl, sl, stdout, dir)
	if err != nil {
		return study.Section{}, err
	}
	runs := []study.Run{fromContent, fromNoise}
	sw := shownWidth(content.im.W, content.im.H)
	verdict := initVerdict(fromContent, fromNoise)
	return study.Section{
		ID:    "init",
		Title: "Content init against noise init",
		Text: fmt.Sprintf("%s in the style of %s, the same transfer starting from the content image and from uniform noise. %s.",
			content.name, style.name, strings.ToUpper(verdict[:1])+verdict[1:]),
		Params: sectionParams(s, content.im.W, content.im.H, cl, sl, map[string]study.Param{
			"seed": {Name: "seed", Value: fmt.Sprintf("%d (the noise)", s.Seed)},
		}),
		Figures: []study.Figure{
			inputFigure(content, "content"), inputFigure(style, "style"),
			{Src: path.Join(studyInit, initContentPNG), Caption: study.FromContentLabel, Width: sw},
			{Src: path.Join(studyInit, initNoisePNG), Caption: study.FromNoiseLabel, Width: sw},
			{Src: path.Join(studyInit, initLossPNG), Caption: "style (solid) and content (dashed) loss against step, log scale"},
		},
		Tables: []study.Table{study.LossTable("Final losses and time of each run", runs)},
		Files: []study.Link{
			{Href: path.Join(studyInit, initLossCSV), Text: "every step's losses (CSV)"},
			{Href: path.Join(studyInit, initLossSVG), Text: "loss plot (SVG)"},
			{Href: path.Join(studyInit, initRunsCSV), Text: "final losses (CSV)"},
		},
	}, nil
}

// seedRange describes the seeds n runs use from first.
func seedRange(first uint64, n int) string {
	if n == 1 {
		return strconv.FormatUint(first, 10)
	}
	return fmt.Sprintf("%d..%d", first, first+uint64(n)-1)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s" }
