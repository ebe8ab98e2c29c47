package study

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/stylize"
)

// LossPlot draws the weighted style and content losses of runs against the
// step on a log scale, one line per run and term (style solid, content
// dashed, a colour per run), and writes the chart as a PNG to pngPath and
// as an SVG to svgPath (either may be empty to skip it). Losses that are
// not positive, which a log scale cannot show (the content loss of a run
// from the content image is 0 at its first step), are left out.
func LossPlot(runs []Run, pngPath, svgPath string) error {
	p := plot.New()
	p.Title.Text = "Style and content loss against step"
	p.X.Label.Text = "step (loss and gradient evaluations)"
	p.Y.Label.Text = "weighted loss (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, r := range runs {
		for _, term := range []struct {
			name   string
			dashes int
			value  func(stylize.Step) float64
		}{
			{"style", 0, func(s stylize.Step) float64 { return s.Loss.Style }},
			{"content", 1, func(s stylize.Step) float64 { return s.Loss.Content }},
		} {
			var xys plotter.XYs
			for _, s := range r.Steps {
				v := term.value(s)
				if v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
					xys = append(xys, plotter.XY{X: float64(s.N), Y: v})
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
			if len(xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return fmt.Errorf("loss plot: %s %s: %w", r.Label, term.name, err)
			}
			l.Color = plotutil.Color(k)
			l.Dashes = plotutil.Dashes(term.dashes)
			l.Width = vg.Points(1.5)
			p.Add(l)
			p.Legend.Add(r.Label+": "+term.name, l)
		}
	}
	if lo > hi {
		return fmt.Errorf("loss plot: no positive losses to plot")
	}
	// Whole decades, so that the log axis always has labelled ticks.
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = 10 * p.Y.Min
	}
	return figure.SavePlot(p, "loss plot", pngPath, svgPath)
}

// WriteCSV writes every step of every run to path as CSV, one row per
// step, with the columns run (its label), step, style, content, tv and
// total (the weighted losses) and seconds (since the run started).
func WriteCSV(path string, runs []Run) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"run", "step", "style", "content", "tv", "total", "seconds"}); err != nil {
			return err
		}
		g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		for _, r := range runs {
			for _, s := range r.Steps {
				row := []string{r.Label, strconv.Itoa(s.N), g(s.Loss.Style), g(s.Loss.Content), g(s.Loss.TV), g(s.Loss.Total),
					strconv.FormatFloat(s.Elapsed.Seconds(), 'f', 3, 64)}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
		cw.Flush()
		return cw.Error()
	})
}
