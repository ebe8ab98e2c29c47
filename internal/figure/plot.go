package figure

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gogh-video/gogh/internal/atomicfile"
)

// Size of a chart: 768×480 pixels as PNG.
const (
	plotW = 8 * vg.Inch
	plotH = 5 * vg.Inch
)

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
	return SavePlot(p, "plot "+title, pngPath, svgPath)
}

// SavePlot writes p as a PNG to pngPath and an SVG to svgPath, skipping
// an empty path; what names the plot in errors.
func SavePlot(p *plot.Plot, what, pngPath, svgPath string) error {
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
