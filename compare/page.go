package compare

import (
	"fmt"
	"html/template"
	"io"
	"path/filepath"

	"github.com/gogh-video/gogh/internal/atomicfile"
)

// PageHTML is the page WriteHTML writes beside the other files.
const PageHTML = "index.html"

// WriteHTML writes dir/index.html: the side-by-side video (playing, on a
// loop), the warping error plot and the metrics table, with links to the
// metrics files. It links only to the files Write and Run put in dir, so
// the folder can be moved or served as a whole.
func (r *Report) WriteHTML(dir string) error {
	type row struct {
		Mode, Label                 string
		Warp, WarpVsNone, Style     string
		StyleVsNone, Worst, Content string
		Seconds                     string
	}
	none := r.Modes[0]
	var rows []row
	for k, m := range r.Modes {
		sec := "–"
		if m.SecondsPerFrame != nil {
			sec = fmt.Sprintf("%.2f", *m.SecondsPerFrame)
		}
		label := m.Mode
		if k < len(Modes) {
			label = Modes[k].Label
		}
		rows = append(rows, row{m.Mode, label, fmt.Sprintf("%.5f", m.WarpingError), fmt.Sprintf("%.2f", m.WarpingError/none.WarpingError),
			fmt.Sprintf("%.4g", m.StyleLoss), fmt.Sprintf("%.2f", m.StyleLoss/none.StyleLoss), fmt.Sprintf("%.2f", m.StyleWorst),
			fmt.Sprintf("%.4g", m.ContentLoss), sec})
	}
	data := struct {
		R          *Report
		Rows       []row
		Video      string
		Plot       string
		JSON, CSV  string
		InputError string
		Reliable   string
	}{r, rows, VideoFile, "", MetricsJSON, MetricsCSV, fmt.Sprintf("%.5f", r.InputError), fmt.Sprintf("%.0f%%", 100*r.Reliable)}
	if r.Frames >= 2 {
		data.Plot = PlotSVG
	}
	return atomicfile.WriteFile(filepath.Join(dir, PageHTML), func(w io.Writer) error { return page.Execute(w, data) })
}

var page = template.Must(template.New(PageHTML).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gogh compare: {{.R.Input}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.sub { color: #555; margin-top: 0; }
video { width: 100%; max-width: 900px; display: block; margin: 1em 0; background: #000; }
img { max-width: 100%; height: auto; display: block; margin: 1em 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body>
<h1>Painting with and without the temporal warm start</h1>
<p class="sub">{{.R.Input}} in the style of {{.R.Style}}: {{.R.Frames}} frames from frame {{.R.First}} at {{.R.FPS}} fps, {{.R.Width}}×{{.R.Height}};
{{.R.StepsFirst}} steps for a cold frame, {{.R.Steps}} for a warm one, temporal weight {{.R.TemporalWeight}}.</p>
<h2>The four ways side by side</h2>
<video src="{{.Video}}" autoplay loop muted controls playsinline></video>
{{if .Plot}}<h2>Warping error, frame by frame</h2>
<p>How much each stylized frame differs from the previous one warped along the optical flow of the input (mean squared, over the pixels the flow tracks reliably): lower is steadier.</p>
<img src="{{.Plot}}" alt="warping error per frame, one line per way of painting">{{end}}
<h2>Metrics</h2>
<table>
<tr><th>way</th><th>warping error</th><th>vs none</th><th>style loss</th><th>vs none</th><th>worst frame vs none</th><th>content loss</th><th>s/frame</th></tr>
{{range .Rows}}<tr><td>{{.Label}}{{if ne .Label .Mode}} ({{.Mode}}){{end}}</td><td>{{.Warp}}</td><td>{{.WarpVsNone}}</td><td>{{.Style}}</td><td>{{.StyleVsNone}}</td><td>{{.Worst}}</td><td>{{.Content}}</td><td>{{.Seconds}}</td></tr>
{{end}}</table>
<p>The input frames themselves: warping error {{.InputError}}, {{.Reliable}} of pixels tracked reliably.
Every frame's figures: <a href="{{.CSV}}">{{.CSV}}</a>, <a href="{{.JSON}}">{{.JSON}}</a>.</p>
</body>
</html>
`))
