package main

import (
	"context"
	"encoding/csv"
	"html"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/study"
)

// TestStudyQuick runs "gogh study --quick" on the shared images and checks
// the page it writes: every file it references exists and decodes, the
// tables hold numbers, the init comparison's log shows the study's
// finding, and Chromium renders the page.
func TestStudyQuick(t *testing.T) {
	weights := shared.Weights(t)
	data := shared.Path(t, "data")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	stdout, _, err := gogh(t, ctx, "study", "--quick", "--weights", weights, "--data", data, "-o", dir, "--threads", "2")
	if err != nil {
		t.Fatalf("gogh study: %v\n%s", err, stdout)
	}
	t.Logf("gogh study --quick took %s", time.Since(start).Round(time.Millisecond))
	// Progress: a line per finished run (5 reconstructions, 5 textures,
	// 4 grid pairs in any order, 2 inits).
	for _, want := range []string{"conv5_2 (seed 1): ", "conv1_1+conv2_1+conv3_1+conv4_1+conv5_1 (seed 1): ", "[4/4] ", "] chelsea_cat × the_scream_munch: ",
		"] tubingen_neckarfront × starry_night_vangogh: ", "content init: ", "noise init: ", "study done in "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the output lacks %q:\n%s", want, stdout)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("page", func(t *testing.T) { checkStudyPage(t, dir, string(page)) })

	t.Run("finding", func(t *testing.T) {
		// The study's finding, on the logged CSV: after the same number of
		// steps the run from noise has the higher loss.
		best, steps := bestTotals(t, filepath.Join(dir, "init", "loss.csv"))
		c, n := best[study.FromContentLabel], best[study.FromNoiseLabel]
		t.Logf("content init %.4g, noise init %.4g after %d steps", c, n, steps[study.FromNoiseLabel])
		if steps[study.FromContentLabel] != 20 || steps[study.FromNoiseLabel] != 20 {
			t.Errorf("steps logged: %v, want 20 for each run", steps)
		}
		if !(n > c) {
			t.Errorf("noise init ended at total %g, not higher than content init's %g", n, c)
		}
	})

	t.Run("chromium", func(t *testing.T) { checkRendered(t, dir) })
}

// checkStudyPage checks the page of gogh study in dir.
func checkStudyPage(t *testing.T, dir, page string) {
	for _, id := range []string{"reconstruction", "texture", "grid", "init"} {
		if !strings.Contains(page, `<section id="`+id+`">`) {
			t.Errorf("the page has no %s section", id)
		}
	}
	// Each section states its parameters.
	if n := strings.Count(page, `<th scope="row">steps</th><td>20</td>`); n != 4 {
		t.Errorf("%d sections state 20 steps, want 4", n)
	}
	for _, bad := range []string{"<script", "<link", "://", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page has %q: not self-contained", bad)
		}
	}
	refs := regexp.MustCompile(`\b(src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	images := 0
	for _, m := range refs {
		ref := html.UnescapeString(m[2])
		if strings.HasPrefix(ref, "#") {
			continue
		}
		p, err := url.PathUnescape(ref)
		if err != nil || !filepath.IsLocal(filepath.FromSlash(p)) {
			t.Errorf("%s=%q is not a relative path inside the directory", m[1], ref)
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(p))
		b, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s=%q: %v", m[1], ref, err)
			continue
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".png", ".jpg", ".jpeg":
			im, _, err := image.Decode(strings.NewReader(string(b)))
			if err != nil {
				t.Errorf("%s=%q does not decode: %v", m[1], ref, err)
				continue
			}
			if im.Bounds().Empty() {
				t.Errorf("%s=%q is empty", m[1], ref)
			}
			if m[1] == "src" {
				images++
			}
		case ".svg":
			if !strings.Contains(string(b), "<svg") {
				t.Errorf("%s=%q is not an SVG", m[1], ref)
			}
		case ".csv":
			rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
			if err != nil || len(rows) < 2 {
				t.Errorf("%s=%q: %d rows, %v", m[1], ref, len(rows), err)
			}
		}
	}
	// Inputs, sheets, every run's painting, the grid and the plots.
	if images < 5+5+4+2+6 {
		t.Errorf("the page shows %d images, want at least %d", images, 5+5+4+2+6)
	}
	tables := regexp.MustCompile(`(?s)<table class="losses">(.*?)</table>`).FindAllStringSubmatch(page, -1)
	if len(tables) != 4 {
		t.Fatalf("the page has %d loss tables, want 4", len(tables))
	}
	wantRows := []int{5, 5, 4, 2}
	row := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	num := regexp.MustCompile(`<td class="num">([^<]*)</td>`)
	for i, tb := range tables {
		body := tb[1][strings.Index(tb[1], "<tbody>"):]
		rows := row.FindAllStringSubmatch(body, -1)
		if len(rows) != wantRows[i] {
			t.Errorf("loss table %d has %d rows, want %d", i+1, len(rows), wantRows[i])
		}
		for _, r := range rows {
			cells := num.FindAllStringSubmatch(r[1], -1)
			if len(cells) < 6 { // steps, style, content, tv, total, seconds
				t.Errorf("loss table %d: row %q has %d numbers, want at least 6", i+1, r[1], len(cells))
			}
			for _, c := range cells {
				if v, err := strconv.ParseFloat(html.UnescapeString(c[1]), 64); err != nil || v < 0 {
					t.Errorf("loss table %d: %q is not a non-negative number", i+1, c[1])
				}
			}
		}
	}
}

// bestTotals reads a loss log and returns each run's lowest total and its
// number of steps.
func bestTotals(t *testing.T, path string) (best map[string]float64, steps map[string]int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "run,step,style,content,tv,total,seconds" {
		t.Fatalf("%s: header %v", path, rows[0])
	}
	best, steps = map[string]float64{}, map[string]int{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[5], 64)
		if err != nil {
			t.Fatalf("%s: row %v: total is not a number", path, r)
		}
		if b, ok := best[r[0]]; !ok || v < b {
			best[r[0]] = v
		}
		steps[r[0]]++
	}
	return best, steps
}

// checkRendered renders dir/index.html in headless Chromium and checks the
// screenshot shows the page and its pictures. Without Chromium the check
// is skipped, or fails under CI (which installs Debian's chromium).
func checkRendered(t *testing.T, dir string) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is missing under CI: %v", err)
		}
		t.Skipf("chromium is missing: %v", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--screenshot="+shot, "--window-size=1200,2000", (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String())
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot does not decode: %v", err)
	}
	b := m.Bounds()
	// Ink (text, tables, pictures) and colour (the pictures alone: the
	// page's own colours are greys and link blue, in thin lines).
	var ink, colour int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 235 || g < 235 || bl < 235 {
				ink++
			}
			if max(r, g, bl)-min(r, g, bl) > 60 {
				colour++
			}
		}
	}
	total := b.Dx() * b.Dy()
	t.Logf("screenshot %v: %d non-white pixels, %d coloured", b.Size(), ink, colour)
	if ink < total/50 {
		t.Errorf("the screenshot is nearly blank: %d non-white pixels of %d", ink, total)
	}
	if colour < 20000 {
		t.Errorf("the screenshot shows no pictures: %d coloured pixels", colour)
	}
}

// TestGridAndInitCompareCommands runs gogh grid and gogh init-compare on
// tiny images and checks what they write.
func TestGridAndInitCompareCommands(t *testing.T) {
	weights := shared.Weights(t)
	cat, tub, starry := catPath(t), shared.Path(t, "data/content/tubingen_neckarfront.jpg"), starryPath(t)
	dir := t.TempDir()
	ctx := context.Background()
	out := filepath.Join(dir, "grid.png")
	stdout, _, err := gogh(t, ctx, "grid", "--content", cat+","+tub, "--style", starry, "-o", out,
		"--weights", weights, "--size", "32", "--steps", "3", "--threads", "2", "--layers", "tutorial")
	if err != nil {
		t.Fatalf("gogh grid: %v\n%s", err, stdout)
	}
	for _, want := range []string{"[1/2] ", "[2/2] ", "chelsea_cat × starry_night_vangogh", "tubingen_neckarfront × starry_night_vangogh", "2 pairs at a time with 1 threads each"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("gogh grid's output lacks %q:\n%s", want, stdout)
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if w, h := figure.SheetSize(3*2, 2, 128); m.Bounds().Dx() != w || m.Bounds().Dy() != h {
		t.Errorf("the grid is %v, want %dx%d: 3 rows of 2 cells of 128 px", m.Bounds().Size(), w, h)
	}

	idir := filepath.Join(dir, "init")
	stdout, _, err = gogh(t, ctx, "init-compare", "--content", cat, "--style", starry, "-o", idir,
		"--weights", weights, "--size", "32", "--steps", "4", "--threads", "2", "--layers", "tutorial")
	if err != nil {
		t.Fatalf("gogh init-compare: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "noise init ends") {
		t.Errorf("gogh init-compare does not compare the runs:\n%s", stdout)
	}
	for _, name := range []string{"content-init.png", "noise-init.png", "loss.csv", "loss.png", "loss.svg", "runs.csv"} {
		if st, err := os.Stat(filepath.Join(idir, name)); err != nil || st.Size() == 0 {
			t.Errorf("gogh init-compare wrote no %s: %v", name, err)
		}
	}
	if _, steps := bestTotals(t, filepath.Join(idir, "loss.csv")); steps[study.FromContentLabel] != 4 || steps[study.FromNoiseLabel] != 4 {
		t.Errorf("loss.csv has %v steps, want 4 per run", steps)
	}
}

// TestStudyCommandErrors checks that the study commands name the flag at
// fault before doing any work.
func TestStudyCommandErrors(t *testing.T) {
	t.Setenv("GOGH_SHARED", "")
	dir := t.TempDir()
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"study", "-o", dir}, "--content: no images given"},
		{[]string{"study"}, "-o is required"},
		{[]string{"study", "-o", dir, "--data", dir}, "--data " + filepath.Join(dir, "content", "tubingen_neckarfront.jpg") + ": no such file"},
		{[]string{"study", "-o", dir, "--content", "a.png", "--style", "b.png", "--layers", "picasso"}, "--layers\" flag: unknown preset"},
		{[]string{"study", "-o", dir, "--content", "a.png", "--style", "b.png", "--reconstruct-layers", "conv9_9"}, "--reconstruct-layers: unknown layer"},
		{[]string{"grid", "--style", "b.png", "-o", "g.png"}, "--content is required"},
		{[]string{"grid", "--content", "a.png,", "--style", "b.png", "-o", "g.png"}, "--content a.png,: an empty file name"},
		{[]string{"grid", "--content", "a.png", "--style", "b.png", "-o", "g.gif"}, "-o g.gif: the output must end in .png"},
		{[]string{"grid", "--content", "a.png", "--style", "b.png", "-o", filepath.Join(dir, "g.png")}, "--content a.png: no such file"},
		{[]string{"init-compare", "--content", "a.png", "-o", dir}, "--style is required"},
		{[]string{"init-compare", "--content", "a.png", "--style", "b.png", "-o", dir, "--style-layers", "none", "--content-layers", "none"}, "both are empty"},
	} {
		_, _, err := gogh(t, ctx, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("gogh %s: error %v, want one containing %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
