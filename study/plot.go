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
	"github.com/gogh-video/gogh/stylize"
)

// Size of the loss plot: 768×480 pixels as PNG.
const (
	plotW = 8 * vg.Inch
	plotH = 5 * vg.Inch
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
	return savePlot(p, "loss plot", pngPath, svgPath)
}

// Series is one line of a SeriesPlot: points (X[i], Y[i]); NaN and
// infinite values are left out.
type Series struct {
	Name string
	X, Y []float64
}

// SeriesPlot draws series as lines (a colour and marker each, linear
// axes, y from zero, x ticks on whole numbers when every x is one) and writes the chart as a PNG to pngPath and an SVG to
// svgPath (either may be empty to skip it).
func SeriesPlot(title, xLabel, yLabel string, series []Series, pngPath, svgPath string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	points, whole := 0, true
	for k, s := range series {
		var xys plotter.XYs
		for i, x := range s.X {
			if y := s.Y[i]; !math.IsNaN(y) && !math.IsInf(y, 0) && !math.IsNaN(x) && !math.IsInf(x, 0) {
				xys = append(xys, plotter.XY{X: x, Y: y})
				whole = whole && x == math.Trunc(x)
			}
		}
		if len(xys) == 0 {
			continue
		}
		points += len(xys)
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("plot %q: %s: %w", title, s.Name, err)
		}
		l.Color, sc.Color = plotutil.Color(k), plotutil.Color(k)
		l.Width = vg.Points(1.5)
		sc.Shape = plotutil.Shape(k)
		p.Add(l, sc)
		p.Legend.Add(s.Name, l, sc)
	}
	if points == 0 {
		return fmt.Errorf("plot %q: no points to plot", title)
	}
	if whole {
		p.X.Tick.Marker = wholeTicks{}
	}
	return savePlot(p, "plot "+title, pngPath, svgPath)
}

// savePlot writes p as a PNG to pngPath and an SVG to svgPath, skipping
// an empty path; what names the plot in errors.
func savePlot(p *plot.Plot, what, pngPath, svgPath string) error {
	for _, out := range []struct{ path, format string }{{pngPath, "png"}, {svgPath, "svg"}} {
		if out.path == "" {
			continue
		}
		c, err := p.WriterTo(plotW, plotH, out.format)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := atomicfile.WriteFile(out.path, func(w io.Writer) error { _, err := c.WriteTo(w); return err }); err != nil {
			return err
		}
	}
	return nil
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

// wholeTicks are the default ticks with labels only on whole numbers.
type wholeTicks struct{}

// Ticks implements plot.Ticker.
func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			if t.Value == math.Trunc(t.Value) {
				ticks[i].Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
			} else {
				ticks[i].Label = ""
			}
		}
	}
	return ticks
}
