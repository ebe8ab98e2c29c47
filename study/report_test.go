package study

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.png", "sub/b.png", "loss.csv"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := Settings{Options: stylize.Options{Normalization: stylize.Default, Weights: stylize.Weights{Content: 1, Style: 10}, Optimizer: stylize.Adam, Steps: 20, Seed: 7, Threads: 2}}
	params := s.Params(48, 32, []vgg.Point{{Conv: 9, ReLU: true}}, nil)
	runs := []Run{{Label: "one <run>", Loss: stylize.Loss{Style: 1.5, Content: 2, Total: 3.5}, Steps: make([]stylize.Step, 20), Elapsed: 1500 * time.Millisecond}}
	var sections []Section
	for _, id := range []string{"reconstruction", "texture", "grid", "init"} {
		sections = append(sections, Section{
			ID: id, Title: "Section " + id, Text: "About " + id + ".", Params: params,
			Figures: []Figure{{Src: "a.png", Caption: "fig " + id}, {Src: "sub/b.png", Width: 96}},
			Tables:  []Table{LossTable("losses of "+id, runs)},
			Files:   []Link{{Href: "loss.csv", Text: "CSV"}},
		})
	}
	if err := WriteReport(dir, Report{Title: "The study", Sections: sections}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		"<!DOCTYPE html>", "<title>The study</title>", "<style>",
		`id="reconstruction"`, `id="texture"`, `id="grid"`, `id="init"`, `href="#grid"`,
		"Section reconstruction", "Section texture", "Section grid", "Section init", "About init.",
		`src="a.png"`, `src="sub/b.png"`, `width="96"`, `href="loss.csv"`, "losses of texture",
		"48×32 px", "relu4_2", "<td>none</td>", "adam (learning rate default)", "<td>7</td>",
		"one &lt;run&gt;", `<td class="num">3.5</td>`, `<td class="num">1.50</td>`, `<td class="num">20</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page has %q: not self-contained", bad)
		}
	}

	for _, src := range []string{"missing.png", "/etc/passwd", "../a.png", "http://example.com/a.png", "sub"} {
		bad := []Section{{ID: "x", Title: "x", Figures: []Figure{{Src: src}}}}
		if err := WriteReport(dir, Report{Sections: bad}); err == nil {
			t.Errorf("a figure at %q was accepted", src)
		}
	}
}
