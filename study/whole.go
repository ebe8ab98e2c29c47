package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Subdirectories of the whole study's output, one per experiment.
const (
	InputsDir      = "inputs"
	ReconstructDir = "reconstruct"
	TextureDir     = "texture"
	GridDir        = "grid"
	InitDir        = "init"
)

// Study is the whole study: every experiment on its images, written up as
// a web page (see Run).
type Study struct {
	// Settings are every run's; their Options' layers are the transfers'
	// (grid and init comparison).
	Settings
	Contents, Styles []Named       // the first of each is the reconstruction's and the texture's
	ReconLayers      []vgg.Point   // a reconstruction per layer
	LayerSets        [][]vgg.Point // a texture per set
	Seeds            int           // noise images per reconstruction layer and texture set
	Size             int           // the images' longer side, for the report
	Intro            string        // said first on the page, after the settings
	Log              io.Writer     // a line per run and experiment
}

// Run runs every experiment into its subdirectory of out and writes
// out/index.html (see WriteReport). Each experiment's files are written
// as its runs finish; stopped by ctx, the finished ones are kept and no
// page is written.
func (st Study) Run(ctx context.Context, out string) error {
	for _, sub := range []string{"", InputsDir, ReconstructDir, TextureDir, GridDir, InitDir} {
		if err := OutputDir(filepath.Join(out, sub)); err != nil {
			return err
		}
	}
	start := time.Now()
	intro := fmt.Sprintf("Content images %s; style images %s; %d px (longer side), %d steps of %s per run, %d threads, %s",
		names(st.Contents), names(st.Styles), st.Size, st.Steps, st.Optimizer, st.Threads, st.Intro)
	rep := Report{Title: "gogh study: neural style transfer, step by step", Intro: intro}
	for _, n := range append(append([]Named(nil), st.Contents...), st.Styles...) {
		if err := picture.SavePNG(filepath.Join(out, InputsDir, FileSafe(n.Name)+".png"), n.Image); err != nil {
			return err
		}
	}
	for _, part := range []func(context.Context, string) (Section, error){st.reconstruction, st.texture, st.grid, st.inits} {
		sec, err := part(ctx, out)
		if err != nil {
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return fmt.Errorf("%w; no report written, the finished experiments are in %s", err, out)
			}
			return err
		}
		rep.Sections = append(rep.Sections, sec)
	}
	if err := WriteReport(out, rep); err != nil {
		return err
	}
	fmt.Fprintf(st.Log, "study done in %s -> %s\n", time.Since(start).Round(time.Millisecond), filepath.Join(out, "index.html"))
	return nil
}

// names lists the images' names.
func names(ims []Named) string {
	var ns []string
	for _, n := range ims {
		ns = append(ns, n.Name)
	}
	return strings.Join(ns, ", ")
}

// inputFigure is the figure of an input image saved under InputsDir.
func inputFigure(n Named, caption string) Figure {
	return Figure{Src: path.Join(InputsDir, FileSafe(n.Name)+".png"), Caption: caption + ": " + n.Name, Width: shownWidth(n.Image.W, n.Image.H)}
}

// shownWidth is the width a w×h image is shown at on the page: small
// images are scaled up by a whole factor to about 160 pixels.
func shownWidth(w, h int) int {
	if k := (160 + max(w, h) - 1) / max(w, h); k > 1 {
		return w * k
	}
	return 0
}

// sectionParams are the study's parameters for a section, with what
// differs between its runs renamed or replaced.
func (st Study) sectionParams(w, h int, cl, sl []vgg.Point, replace map[string]Param, extra ...Param) []Param {
	ps := st.Params(w, h, cl, sl)
	for i, p := range ps {
		if q, ok := replace[p.Name]; ok {
			ps[i] = q
		}
	}
	return append(ps, extra...)
}

// runFigures are the figures of runs saved in dir under RunFileName.
func runFigures(dir string, runs []Run) []Figure {
	var fs []Figure
	for _, r := range runs {
		fs = append(fs, Figure{Src: path.Join(dir, RunFileName(r.Label)), Caption: r.Label, Width: shownWidth(r.Image.W, r.Image.H)})
	}
	return fs
}

// logFiles writes the loss log and plot of runs into the section's
// directory and returns their links.
func logFiles(out, dir string, runs []Run) ([]Link, error) {
	if err := WriteCSV(filepath.Join(out, dir, "loss.csv"), runs); err != nil {
		return nil, err
	}
	if err := LossPlot(runs, filepath.Join(out, dir, "loss.png"), filepath.Join(out, dir, "loss.svg")); err != nil {
		return nil, err
	}
	return []Link{
		{Href: path.Join(dir, "loss.csv"), Text: "every step's losses (CSV)"},
		{Href: path.Join(dir, "loss.svg"), Text: "loss plot (SVG)"},
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

func (st Study) reconstruction(ctx context.Context, out string) (Section, error) {
	content := st.Contents[0]
	fmt.Fprintf(st.Log, "== reconstruction of %s from noise at %d layers × %d seeds\n", content.Name, len(st.ReconLayers), st.Seeds)
	start := time.Now()
	runs, psnr, err := st.ReconstructInto(ctx, content, st.ReconLayers, st.Seeds, filepath.Join(out, ReconstructDir), st.Log)
	if err != nil {
		return Section{}, err
	}
	links, err := logFiles(out, ReconstructDir, runs)
	if err != nil {
		return Section{}, err
	}
	table := LossTable("Final losses, PSNR against the content image and time of each run", runs)
	table.Header = append(table.Header, "psnr (dB)")
	for i := range table.Rows {
		table.Rows[i] = append(table.Rows[i], strconv.FormatFloat(psnr[i], 'f', 2, 64))
	}
	return Section{
		ID:    "reconstruction",
		Title: "Content reconstruction",
		Text: fmt.Sprintf("%s rebuilt from noise with the content loss at one layer at a time and no style loss, a run per layer and seed. "+
			"Shallow layers give the photo back almost exactly; deeper ones keep its layout but lose detail and colour.", content.Name),
		Params: st.sectionParams(content.Image.W, content.Image.H, st.ReconLayers, nil, map[string]Param{
			"content layers": {Name: "content layer", Value: stylize.Layers(st.ReconLayers).String() + " (a run each)"},
			"seed":           {Name: "seeds", Value: seedRange(st.Seed, st.Seeds)},
		}, Param{Name: "time", Value: seconds(time.Since(start))}),
		Figures: append(append([]Figure{inputFigure(content, "content"), {Src: path.Join(ReconstructDir, "sheet.png"), Caption: "contact sheet: a column per layer, a row per seed"}},
			runFigures(ReconstructDir, runs)...), Figure{Src: path.Join(ReconstructDir, "loss.png"), Caption: "content loss against step"}),
		Tables: []Table{table},
		Files:  append([]Link{{Href: path.Join(ReconstructDir, "runs.csv"), Text: "final losses (CSV)"}}, links...),
	}, nil
}

func (st Study) texture(ctx context.Context, out string) (Section, error) {
	style := st.Styles[0]
	fmt.Fprintf(st.Log, "== textures of %s from noise at %d layer sets × %d seeds\n", style.Name, len(st.LayerSets), st.Seeds)
	start := time.Now()
	runs, err := st.TextureInto(ctx, style, st.LayerSets, st.Seeds, filepath.Join(out, TextureDir), st.Log)
	if err != nil {
		return Section{}, err
	}
	links, err := logFiles(out, TextureDir, runs)
	if err != nil {
		return Section{}, err
	}
	var setNames []string
	for _, set := range st.LayerSets {
		setNames = append(setNames, SetName(set))
	}
	return Section{
		ID:    "texture",
		Title: "Texture synthesis",
		Text: fmt.Sprintf("Textures of %s: from noise, with the style loss alone at growing sets of layers, a run per set and seed. "+
			"Each texture has the painting's feature statistics; deeper sets reproduce larger structures.", style.Name),
		Params: st.sectionParams(style.Image.W, style.Image.H, nil, nil, map[string]Param{
			"style layers": {Name: "style layer sets", Value: strings.Join(setNames, "; ") + " (a run each)"},
			"seed":         {Name: "seeds", Value: seedRange(st.Seed, st.Seeds)},
		}, Param{Name: "time", Value: seconds(time.Since(start))}),
		Figures: append(append([]Figure{inputFigure(style, "style"), {Src: path.Join(TextureDir, "sheet.png"), Caption: "contact sheet: a column per layer set, a row per seed"}},
			runFigures(TextureDir, runs)...), Figure{Src: path.Join(TextureDir, "loss.png"), Caption: "style loss against step"}),
		Tables: []Table{LossTable("Final losses and time of each run", runs)},
		Files:  append([]Link{{Href: path.Join(TextureDir, "runs.csv"), Text: "final losses (CSV)"}}, links...),
	}, nil
}

func (st Study) grid(ctx context.Context, out string) (Section, error) {
	fmt.Fprintf(st.Log, "== grid of %d contents × %d styles\n", len(st.Contents), len(st.Styles))
	start := time.Now()
	cl, sl := st.ContentLayers, st.StyleLayers
	runs, err := st.GridInto(ctx, st.Contents, st.Styles, cl, sl, filepath.Join(out, GridDir), st.Log)
	if err != nil {
		return Section{}, err
	}
	elapsed := time.Since(start)
	if err := figure.SavePNG(filepath.Join(out, GridDir, "grid.png"), GridImage(Cells(st.Contents), Cells(st.Styles), runs, DefaultCell(st.Size))); err != nil {
		return Section{}, err
	}
	var flat []Run
	figs := []Figure{{Src: path.Join(GridDir, "grid.png"), Caption: "styles along the top, contents down the side"}}
	for i, row := range runs {
		for j, run := range row {
			flat = append(flat, run)
			figs = append(figs, Figure{Src: path.Join(GridDir, GridFileName(st.Contents[i].Name, st.Styles[j].Name)), Caption: run.Label, Width: shownWidth(run.Image.W, run.Image.H)})
		}
	}
	if err := WriteCSV(filepath.Join(out, GridDir, "loss.csv"), flat); err != nil {
		return Section{}, err
	}
	table := LossTable("Final losses and time of each pair (pairs run in parallel)", flat)
	if err := WriteTableCSV(filepath.Join(out, GridDir, "runs.csv"), table); err != nil {
		return Section{}, err
	}
	w, h := st.Contents[0].Image.W, st.Contents[0].Image.H
	workers, each := st.GridSplit(len(flat))
	return Section{
		ID:    "grid",
		Title: "Content × style grid",
		Text:  "Every content image painted in the style of every style image, each starting from its content image.",
		Params: st.sectionParams(w, h, cl, sl, map[string]Param{
			"size":    {Name: "size", Value: fmt.Sprintf("%d px (longer side; first content %d×%d px)", st.Size, w, h)},
			"threads": {Name: "threads", Value: fmt.Sprintf("%d: %d pairs at a time, %d threads each", st.Threads, workers, each)},
		}, Param{Name: "time", Value: seconds(elapsed)}),
		Figures: figs,
		Tables:  []Table{table},
		Files: []Link{
			{Href: path.Join(GridDir, "runs.csv"), Text: "final losses (CSV)"},
			{Href: path.Join(GridDir, "loss.csv"), Text: "every step's losses (CSV)"},
		},
	}, nil
}

func (st Study) inits(ctx context.Context, out string) (Section, error) {
	fmt.Fprintln(st.Log, "== init comparison")
	content, style := st.Contents[0], st.Styles[0]
	cl, sl := st.ContentLayers, st.StyleLayers
	fromContent, fromNoise, err := st.InitCompareInto(ctx, content, style, cl, sl, filepath.Join(out, InitDir), st.Log)
	if err != nil {
		return Section{}, err
	}
	runs := []Run{fromContent, fromNoise}
	sw := shownWidth(content.Image.W, content.Image.H)
	verdict := InitVerdict(fromContent, fromNoise)
	return Section{
		ID:    "init",
		Title: "Content init against noise init",
		Text: fmt.Sprintf("%s in the style of %s, the same transfer starting from the content image and from uniform noise. %s.",
			content.Name, style.Name, strings.ToUpper(verdict[:1])+verdict[1:]),
		Params: st.sectionParams(content.Image.W, content.Image.H, cl, sl, map[string]Param{
			"seed": {Name: "seed", Value: fmt.Sprintf("%d (the noise)", st.Seed)},
		}),
		Figures: []Figure{
			inputFigure(content, "content"), inputFigure(style, "style"),
			{Src: path.Join(InitDir, InitContentPNG), Caption: FromContentLabel, Width: sw},
			{Src: path.Join(InitDir, InitNoisePNG), Caption: FromNoiseLabel, Width: sw},
			{Src: path.Join(InitDir, InitLossPNG), Caption: "style (solid) and content (dashed) loss against step, log scale"},
		},
		Tables: []Table{LossTable("Final losses and time of each run", runs)},
		Files: []Link{
			{Href: path.Join(InitDir, InitLossCSV), Text: "every step's losses (CSV)"},
			{Href: path.Join(InitDir, InitLossSVG), Text: "loss plot (SVG)"},
			{Href: path.Join(InitDir, InitRunsCSV), Text: "final losses (CSV)"},
		},
	}, nil
}
