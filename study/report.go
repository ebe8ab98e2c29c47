package study

import (
	"fmt"
	"html/template"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Report is the study's web page: a static, self-contained HTML file
// whose images and downloads are files beside it, linked relatively.
type Report struct {
	Title    string
	Intro    string
	Sections []Section
}

// Section is one experiment of the report: what was run with which
// parameters, the pictures it made and its losses and timings.
type Section struct {
	ID      string // the section's anchor, e.g. "grid"
	Title   string
	Text    string // a paragraph of explanation
	Params  []Param
	Figures []Figure
	Tables  []Table
	Files   []Link // downloads: loss logs, vector plots
}

// Param is one parameter of a section, e.g. {"steps", "300"}.
type Param struct{ Name, Value string }

// Figure is an image of the report. Src is a slash-separated path relative
// to the report's directory; Width, if not 0, is the width it is shown at
// in CSS pixels (small images are scaled up without smoothing).
type Figure struct {
	Src     string
	Caption string
	Width   int
}

// Table is a table of the report, typically the losses of some runs.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Link is a download of the report, relative like Figure.Src.
type Link struct{ Href, Text string }

// Params are the parameters of runs painted with s at w×h pixels with the
// given layers, for a report section.
func (s Settings) Params(w, h int, contentLayers, styleLayers []vgg.Point) []Param {
	opt := string(s.Optimizer)
	if s.Optimizer == stylize.Adam {
		lr := "default"
		if s.LR > 0 {
			lr = strconv.FormatFloat(s.LR, 'g', -1, 64)
		}
		opt += " (learning rate " + lr + ")"
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return []Param{
		{"size", fmt.Sprintf("%d×%d px", w, h)},
		{"steps", strconv.Itoa(s.Steps)},
		{"content layers", stylize.Layers(contentLayers).String()},
		{"style layers", stylize.Layers(styleLayers).String()},
		{"weights (content, style, tv)", g(s.Weights.Content) + ", " + g(s.Weights.Style) + ", " + g(s.Weights.TV)},
		{"normalization", string(s.Normalization)},
		{"optimizer", opt},
		{"seed", strconv.FormatUint(s.Seed, 10)},
		{"threads", strconv.Itoa(s.Threads)},
	}
}

// LossTable tabulates the final (best) losses and the time of each run:
// the columns run, steps, style, content, tv, total and seconds.
func LossTable(caption string, runs []Run) Table {
	t := Table{Caption: caption, Header: []string{"run", "steps", "style", "content", "tv", "total", "seconds"}}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	for _, r := range runs {
		t.Rows = append(t.Rows, []string{r.Label, strconv.Itoa(len(r.Steps)),
			g(r.Loss.Style), g(r.Loss.Content), g(r.Loss.TV), g(r.Loss.Total),
			strconv.FormatFloat(r.Elapsed.Seconds(), 'f', 2, 64)})
	}
	return t
}

// WriteReport writes r as dir/index.html. Every figure and download must
// be a relative path to an existing file under dir, so that the page can
// be moved or served as a whole: WriteReport fails otherwise.
func WriteReport(dir string, r Report) error {
	for _, s := range r.Sections {
		for _, f := range s.Figures {
			if err := checkLocal(dir, f.Src); err != nil {
				return fmt.Errorf("report section %q: %w", s.Title, err)
			}
		}
		for _, l := range s.Files {
			if err := checkLocal(dir, l.Href); err != nil {
				return fmt.Errorf("report section %q: %w", s.Title, err)
			}
		}
	}
	return atomicfile.WriteFile(filepath.Join(dir, "index.html"), func(w io.Writer) error {
		return reportPage.Execute(w, r)
	})
}

// checkLocal reports whether ref is a relative link to a file under dir.
func checkLocal(dir, ref string) error {
	u, err := url.Parse(ref)
	switch {
	case err != nil:
		return fmt.Errorf("link %q: %w", ref, err)
	case ref == "" || u.Scheme != "" || u.Host != "" || path.IsAbs(ref) || !filepath.IsLocal(filepath.FromSlash(ref)):
		return fmt.Errorf("link %q: not a relative path inside the report's directory", ref)
	}
	st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ref)))
	if err != nil {
		return fmt.Errorf("link %q: %w", ref, err)
	}
	if st.IsDir() {
		return fmt.Errorf("link %q: a directory, not a file", ref)
	}
	return nil
}

var reportPage = template.Must(template.New("index.html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; color: #222; background: #fff; margin: 0 auto; max-width: 1100px; padding: 1em 2em; line-height: 1.4; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #bbb; margin-top: 2em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: .8em 0; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #ccc; padding: .2em .6em; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.params th { text-align: left; font-weight: normal; background: #f4f4f4; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
figure { margin: 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #ddd; }
figure img.scaled { image-rendering: pixelated; }
figcaption { font-size: .9em; color: #444; max-width: 100%; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{with .Intro}}<p>{{.}}</p>{{end}}
<nav>{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}</nav>
{{range .Sections}}
<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{with .Text}}<p>{{.}}</p>{{end}}
{{with .Params}}<table class="params"><caption>Parameters</caption>
{{range .}}<tr><th scope="row">{{.Name}}</th><td>{{.Value}}</td></tr>
{{end}}</table>{{end}}
{{with .Figures}}<div class="figures">
{{range .}}<figure><a href="{{.Src}}"><img src="{{.Src}}" alt="{{.Caption}}"{{if .Width}} width="{{.Width}}" class="scaled"{{end}}></a>{{with .Caption}}<figcaption>{{.}}</figcaption>{{end}}</figure>
{{end}}</div>{{end}}
{{range .Tables}}<table class="losses">{{with .Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $v := .}}{{if $i}}<td class="num">{{$v}}</td>{{else}}<td>{{$v}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table>
{{end}}
{{with .Files}}<p>Downloads: {{range $i, $l := .}}{{if $i}} · {{end}}<a href="{{$l.Href}}">{{$l.Text}}</a>{{end}}</p>{{end}}
</section>
{{end}}
<footer><p>Written by gogh study.</p></footer>
</body>
</html>
`))
