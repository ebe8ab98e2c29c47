package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/safetensors"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// gogh runs the command line args in-process and returns what it printed.
func gogh(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(ctx, &out, &errOut, args...)
	return out.String(), errOut.String(), err
}

func run(ctx context.Context, out, errOut interface{ Write([]byte) (int, error) }, args ...string) error {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errOut)
	return root.ExecuteContext(ctx)
}

// Shared test material.
func catPath(t *testing.T) string    { return shared.Path(t, "data/content/chelsea_cat.png") }
func starryPath(t *testing.T) string { return shared.Path(t, "data/styles/starry_night_vangogh.jpg") }

// writeRefPNG writes a reference tensor ([3,H,W] RGB in 0..1, exact 8-bit
// values) as a PNG and returns its name.
func writeRefPNG(t *testing.T, ref *safetensors.File, key, name string) string {
	t.Helper()
	x, err := ref.Tensor(key)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Shape) != 3 || x.Shape[0] != 3 {
		t.Fatalf("%s has shape %v, want [3,H,W]", key, x.Shape)
	}
	im := picture.Image{W: x.Shape[2], H: x.Shape[1], Pix: x.Data}
	if err := picture.SavePNG(name, im); err != nil {
		t.Fatal(err)
	}
	// The PNG must hold exactly the reference values, or the comparison
	// below would test the round trip rather than the loss.
	back, err := picture.Load(name, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range back.Pix {
		if math.Abs(float64(v-x.Data[i])) > 1e-6 {
			t.Fatalf("%s: PNG value %d is %v, reference %v", key, i, v, x.Data[i])
		}
	}
	return name
}

// TestLossMatchesPyTorch runs "gogh loss" on the PyTorch reference images
// and compares every term, the total and the gradient with PyTorch's.
func TestLossMatchesPyTorch(t *testing.T) {
	weights := shared.Weights(t)
	for _, file := range []string{"tutorial-64x96", "gatys-96x64"} {
		t.Run(file, func(t *testing.T) {
			ref := shared.Reference(t, file)
			meta := ref.Metadata
			var scalars map[string]float64
			if err := json.Unmarshal([]byte(meta["scalars"]), &scalars); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			c := writeRefPNG(t, ref, "content_image", filepath.Join(dir, "c.png"))
			s := writeRefPNG(t, ref, "style_image", filepath.Join(dir, "s.png"))
			x := writeRefPNG(t, ref, "x", filepath.Join(dir, "x.png"))
			g := filepath.Join(dir, "g.safetensors")
			stdout, _, err := gogh(t, context.Background(), "loss", "--content", c, "--style", s, "--x", x,
				"--json", "--grad", g, "--weights", weights, "--normalization", "tutorial",
				"--content-layers", meta["content_layers"], "--style-layers", meta["style_layers"],
				"--content-weight", meta["content_weight"], "--style-weight", meta["style_weight"], "--threads", "2")
			if err != nil {
				t.Fatal(err)
			}
			var rep struct {
				Content map[string]float64 `json:"content"`
				Style   map[string]float64 `json:"style"`
				TV      *float64           `json:"tv"`
				Total   *float64           `json:"total"`
			}
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rep); err != nil {
				t.Fatalf("output is not the loss JSON: %v\n%s", err, stdout)
			}
			if rep.TV == nil || rep.Total == nil {
				t.Fatalf("JSON lacks tv or total:\n%s", stdout)
			}
			check := func(name string, got float64) {
				t.Helper()
				want, ok := scalars[name]
				if !ok {
					t.Errorf("gogh reports %s, which the reference has not", name)
					return
				}
				if e := math.Abs(got-want) / math.Abs(want); !(e <= 1e-4) {
					t.Errorf("%s = %.7g, PyTorch %.7g (relative error %.2g)", name, got, want, e)
				}
			}
			for _, list := range []struct {
				kind, layers string
				got          map[string]float64
			}{{"content", meta["content_layers"], rep.Content}, {"style", meta["style_layers"], rep.Style}} {
				names := strings.Split(list.layers, ",")
				if len(list.got) != len(names) {
					t.Errorf("%s terms %v, want one for each of %v", list.kind, list.got, names)
				}
				for _, l := range names {
					v, ok := list.got[l]
					if !ok {
						t.Errorf("no %s term for layer %s in %v", list.kind, l, list.got)
						continue
					}
					check(list.kind+"_loss."+l, v)
				}
			}
			check("total_loss", *rep.Total)
			if *rep.TV != 0 {
				t.Errorf("tv = %g, want 0 without --tv-weight", *rep.TV)
			}

			gf, err := safetensors.Open(g)
			if err != nil {
				t.Fatalf("--grad file: %v", err)
			}
			defer gf.Close()
			got, err := gf.Tensor("grad_x")
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.Tensor("grad_x")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Shape, want.Shape) {
				t.Fatalf("grad_x has shape %v, the reference %v", got.Shape, want.Shape)
			}
			if c := shared.Cosine(got.Data, want.Data); !(c > 0.9999) {
				t.Errorf("grad_x cosine similarity with PyTorch %.6f, want > 0.9999", c)
			}
			if e := shared.RelErr(got.Data, want.Data); !(e < 1e-3) {
				t.Errorf("grad_x relative error %.2g, want < 1e-3", e)
			}
		})
	}
}

var stepLine = regexp.MustCompile(`^step (\d+)  style (\S+)  content (\S+)  total (\S+)  \(\S+s/step\)$`)
var doneLine = regexp.MustCompile(`^done in \S+: style \S+  content \S+  total (\S+) -> (.+)$`)

// readCSV reads a --log file: its header and its rows as numbers.
func readCSV(t *testing.T, name string) (header []string, rows [][]float64) {
	t.Helper()
	recs := readRecords(t, name, "--log file")
	for i, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("--log row %d field %d = %q: not a finite number", i+1, j+1, s)
			}
			row[j] = v
		}
		rows = append(rows, row)
	}
	return recs[0], rows
}

func relClose(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b)) }

// TestImage paints the cat at 48 pixels with each optimizer, start and
// layer preset and checks the image, the printed log and the CSV log.
func TestImage(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	catIm, err := picture.Decode(cat)
	if err != nil {
		t.Fatal(err)
	}
	cw, ch := catIm.Bounds().Dx(), catIm.Bounds().Dy()
	for _, tc := range []struct {
		name string
		out  string
		args []string
	}{
		{"lbfgs", "out.png", []string{"--optimizer", "lbfgs"}},
		{"adam-jpeg", "out.jpg", []string{"--optimizer", "adam"}},
		{"noise", "out.png", []string{"--init", "noise", "--seed", "7"}},
		{"tutorial", "out.png", []string{"--layers", "tutorial", "--normalization", "tutorial"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, logCSV := filepath.Join(dir, tc.out), filepath.Join(dir, "steps.csv")
			args := append([]string{"image", "--content", cat, "--style", starry, "-o", out,
				"--size", "48", "--steps", "12", "--log-every", "4", "--log", logCSV,
				"--threads", "2", "--weights", weights}, tc.args...)
			stdout, _, err := gogh(t, context.Background(), args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}

			im, err := picture.Decode(out)
			if err != nil {
				t.Fatalf("output: %v", err)
			}
			w, h := im.Bounds().Dx(), im.Bounds().Dy()
			if max(w, h) != 48 || w < h {
				t.Errorf("output is %dx%d, want the landscape cat at 48 pixels wide", w, h)
			}
			if wantH := 48 * float64(ch) / float64(cw); math.Abs(float64(h)-wantH) > 0.5 {
				t.Errorf("output is %dx%d, want height %.1f for the cat's %dx%d", w, h, wantH, cw, ch)
			}

			header, rows := readCSV(t, logCSV)
			if got := strings.Join(header, ","); got != "step,style,content,tv,total,seconds" {
				t.Errorf("CSV header %q", got)
			}
			if len(rows) != 12 {
				t.Fatalf("CSV has %d rows, want 12 (one per step)", len(rows))
			}
			best := math.Inf(1)
			for i, r := range rows {
				if len(r) != 6 {
					t.Fatalf("CSV row %d has %d fields, want 6", i+1, len(r))
				}
				if r[0] != float64(i+1) {
					t.Errorf("CSV row %d is step %g", i+1, r[0])
				}
				if sum := r[1] + r[2] + r[3]; !relClose(sum, r[4], 1e-4) {
					t.Errorf("step %d: style+content+tv = %g but total %g", i+1, sum, r[4])
				}
				if r[1] <= 0 || r[4] <= 0 {
					t.Errorf("step %d: style %g, total %g: want positive", i+1, r[1], r[4])
				}
				if i > 0 && r[5] < rows[i-1][5] {
					t.Errorf("step %d: seconds %g went back from %g", i+1, r[5], rows[i-1][5])
				}
				best = min(best, r[4])
			}
			first, last := rows[0][4], rows[11][4]
			t.Logf("total %.4g at step 1, %.4g at step 12 (×%.3g)", first, last, last/first)
			if !(last < 0.9*first) {
				t.Errorf("total went from %g to %g in 12 steps: the optimizer does not work", first, last)
			}

			// Printed every 4th step, agreeing with the CSV, then the best total.
			var steps []int
			var done []string
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if m := stepLine.FindStringSubmatch(line); m != nil {
					n, _ := strconv.Atoi(m[1])
					steps = append(steps, n)
					total, err := strconv.ParseFloat(m[4], 64)
					if err != nil || n < 1 || n > 12 || !relClose(total, rows[n-1][4], 1e-3) {
						t.Errorf("line %q: want the total %g of step %d in the CSV", line, rows[min(max(n, 1), 12)-1][4], n)
					}
				}
				if m := doneLine.FindStringSubmatch(line); m != nil {
					done = m
				}
			}
			if !slices.Equal(steps, []int{4, 8, 12}) {
				t.Errorf("printed steps %v, want [4 8 12]:\n%s", steps, stdout)
			}
			if done == nil {
				t.Fatalf("no done line:\n%s", stdout)
			}
			if total, _ := strconv.ParseFloat(done[1], 64); !relClose(total, best, 1e-3) || done[2] != out {
				t.Errorf("done line %q: want the best total %g and %s", done[0], best, out)
			}
		})
	}
}

// TestStyleWeight checks the default style weight and that an explicit
// --style-weight, 0 included, is taken as given.
func TestStyleWeight(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "default normalization, style weight 10\n"},
		{[]string{"--normalization", "tutorial"}, "tutorial normalization, style weight 10\n"},
		{[]string{"--style-weight", "0"}, "default normalization, style weight 0\n"},
		{[]string{"--normalization", "tutorial", "--style-weight", "3"}, "tutorial normalization, style weight 3\n"},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "o.png")
			args := append([]string{"image", "--content", cat, "--style", starry, "-o", out,
				"--size", "32", "--steps", "1", "--threads", "2", "--weights", weights}, tc.args...)
			stdout, _, err := gogh(t, context.Background(), args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("stdout %q, want %q", stdout, tc.want)
			}
		})
	}
}

// TestBadInput checks that each mistake fails with a one-line error that
// names the flag or file, and leaves no file behind.
func TestBadInput(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	// The commands read $GOGH_WEIGHTS only where these cases pass no --weights.
	t.Setenv("GOGH_WEIGHTS", weights)

	for _, tc := range []struct {
		name string
		// args, with {C}, {S} and {O} replaced by the content, style and
		// output names, and {D} by the test's directory.
		args []string
		want []string // substrings of the error
	}{
		{"no content", []string{"image", "--style", "{S}", "-o", "{O}"}, []string{"--content is required"}},
		{"no style", []string{"image", "--content", "{C}", "-o", "{O}"}, []string{"--style is required"}},
		{"no output", []string{"image", "--content", "{C}", "--style", "{S}"}, []string{"-o is required"}},
		{"missing content", []string{"image", "--content", "{D}/nope.png", "--style", "{S}", "-o", "{O}"}, []string{"--content", "{D}/nope.png", "no such file"}},
		{"random style", []string{"image", "--content", "{C}", "--style", "{D}/s.png", "-o", "{O}"}, []string{"--style", "{D}/s.png", "not a readable image"}},
		{"corrupt PNG style", []string{"image", "--content", "{C}", "--style", "{D}/corrupt.png", "-o", "{O}"}, []string{"--style", "{D}/corrupt.png", "not a readable image"}},
		{"style is a directory", []string{"image", "--content", "{C}", "--style", "{D}", "-o", "{O}"}, []string{"--style", "{D}"}},
		{"missing init", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--init", "{D}/nope.png"}, []string{"--init", "{D}/nope.png"}},
		{"output dir", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{D}/nodir/out.png"}, []string{"-o", "{D}/nodir"}},
		{"output gif", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{D}/out.gif"}, []string{"-o", "out.gif", ".png"}},
		{"steps 0", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--steps", "0"}, []string{"--steps"}},
		{"negative size", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--size", "-1"}, []string{"--size"}},
		{"size beyond memory", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--size", "100000"}, []string{"--size: painting 100000x", "needs about", "available"}},
		{"size below the layers", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--size", "1"}, []string{"--size: a 1x1 image is too small for layer relu4_2"}},
		{"threads 0", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--threads", "0"}, []string{"--threads"}},
		{"layers", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--layers", "bogus"}, []string{"--layers", "bogus"}},
		{"content layers", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--content-layers", "conv9_9"}, []string{"--content-layers", "conv9_9"}},
		{"style layers", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-layers", "relu1_1,pool1"}, []string{"--style-layers", "pool1"}},
		{"no layers", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--content-layers", "none", "--style-layers", "none"}, []string{"--content-layers", "--style-layers"}},
		{"normalization", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--normalization", "bogus"}, []string{"--normalization", "bogus"}},
		{"pooling", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--pooling", "min"}, []string{"--pooling", "min", "max or avg"}},
		{"layer weight", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-layers", "relu1_1:0.5,relu2_1:x"}, []string{"--style-layers", "relu2_1", `"x"`}},
		{"layer weights 0", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-layers", "relu1_1:0,relu2_1:0"}, []string{"--style-layers", "every layer has weight 0"}},
		{"blend weights", []string{"image", "--content", "{C}", "--style", "{S},{S}", "-o", "{O}", "--style-blend", "1,-1"}, []string{"--style-blend", "not negative"}},
		{"blend count", []string{"image", "--content", "{C}", "--style", "{S},{S}", "-o", "{O}", "--style-blend", "1"}, []string{"--style-blend", "1 weights for 2"}},
		{"blend text", []string{"image", "--content", "{C}", "--style", "{S},{S}", "-o", "{O}", "--style-blend", "1,x"}, []string{"--style-blend", `"1,x"`}},
		{"style scale", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-scale", "-2"}, []string{"--style-scale", "-2"}},
		{"style scale too small", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-scale", "0.001"}, []string{"--style-scale", "too small"}},
		{"style scale and size", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-scale", "2", "--style-size", "64"}, []string{"--style-size and --style-scale"}},
		{"color transfer alone", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--color-transfer", "histogram"}, []string{"--color-transfer needs --original-colors"}},
		{"color transfer", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--original-colors", "--color-transfer", "yuv"}, []string{"--color-transfer", `"yuv"`}},
		{"mask count", []string{"image", "--content", "{C}", "--style", "{S},{S}", "-o", "{O}", "--style-mask", "{S}"}, []string{"--style-mask", "1 masks for 2"}},
		{"missing mask", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-mask", "{D}/nope.png"}, []string{"--style-mask", "{D}/nope.png", "no such file"}},
		{"save every", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--save-every", "-5"}, []string{"--save-every", "-5"}},
		{"video pooling", []string{"video", "{C}", "-o", "{D}/out.mp4", "--pooling", "avg2"}, []string{"--pooling", "avg2"}},
		{"negative weight", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--style-weight", "-1"}, []string{"--style-weight"}},
		{"optimizer", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--optimizer", "sgd"}, []string{"--optimizer", "sgd"}},
		{"negative lr", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--optimizer", "adam", "--lr", "-1"}, []string{"--lr"}},
		{"log dir", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--log", "{D}/nodir/steps.csv"}, []string{"--log", "{D}/nodir/steps.csv"}},
		{"weights missing", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--weights", "/nonexistent"}, []string{"--weights", "/nonexistent"}},
		{"weights not safetensors", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--weights", "{C}"}, []string{"{C}", "not a safetensors file"}},
		{"weights missing key", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--weights", "{D}/partial.safetensors"}, []string{"{D}/partial.safetensors", `"features.0.bias"`}},
		{"image too small", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--size", "8"}, []string{"too small"}},
		{"loss sizes", []string{"loss", "--content", "{C}", "--style", "{S}", "--x", "{C}"}, []string{"--style", "--size"}},
		{"loss x size", []string{"loss", "--content", "{D}/small.png", "--style", "{D}/small.png", "--x", "{C}"}, []string{"--x", "--size"}},
		{"loss no x", []string{"loss", "--content", "{C}", "--style", "{S}"}, []string{"--x is required"}},
		{"loss missing x", []string{"loss", "--content", "{C}", "--style", "{S}", "--x", "{D}/nope.png", "--size", "32"}, []string{"--x", "{D}/nope.png"}},
		{"loss grad dir", []string{"loss", "--content", "{C}", "--style", "{S}", "--x", "{C}", "--size", "32", "--grad", "{D}/nodir/g.safetensors"}, []string{"--grad", "{D}/nodir/g.safetensors"}},
		{"unknown flag", []string{"image", "--colour", "red"}, []string{"--colour"}},
		{"output is the content", []string{"image", "--content", "{D}/small.png", "--style", "{S}", "-o", "{D}/small.png"}, []string{"-o", "{D}/small.png", "is the input --content"}},
		{"output links to the style", []string{"image", "--content", "{C}", "--style", "{D}/small.png", "-o", "{D}/link.png"}, []string{"-o", "{D}/link.png", "is the input --style"}},
		{"log is the content", []string{"image", "--content", "{D}/small.png", "--style", "{S}", "-o", "{O}", "--log", "{D}/small.png"}, []string{"--log", "is the input --content"}},
		{"output is a directory", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{D}/adir.png"}, []string{"-o", "{D}/adir.png", "is a directory"}},
		{"NaN weights", []string{"image", "--content", "{C}", "--style", "{S}", "-o", "{O}", "--content-layers", "conv1_1", "--style-layers", "conv1_1", "--weights", "{D}/nan.safetensors"},
			[]string{"{D}/nan.safetensors", `"features.0.weight"`, "NaN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "corrupt.png"), []byte("\x89PNG\r\n\x1a\nthis is not really a PNG \x00\xff"), 0o644); err != nil {
				t.Fatal(err)
			}
			random := make([]byte, 1000)
			for i := range random {
				random[i] = byte(rand.N(256))
			}
			if err := os.WriteFile(filepath.Join(dir, "s.png"), random, 0o644); err != nil {
				t.Fatal(err)
			}
			partial := []safetensors.Named{{Name: "features.0.weight", Tensor: safetensors.Tensor{Shape: []int{64, 3, 3, 3}, Data: make([]float32, 64*3*3*3)}}}
			var buf bytes.Buffer
			if err := safetensors.Write(&buf, partial, nil); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "partial.safetensors"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := picture.SavePNG(filepath.Join(dir, "small.png"), picture.Noise(40, 30, 1)); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("small.png", filepath.Join(dir, "link.png")); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "adir.png"), 0o755); err != nil {
				t.Fatal(err)
			}
			nan := make([]float32, 64*3*3*3)
			nan[5] = float32(math.NaN())
			conv1 := []safetensors.Named{
				{Name: "features.0.weight", Tensor: safetensors.Tensor{Shape: []int{64, 3, 3, 3}, Data: nan}},
				{Name: "features.0.bias", Tensor: safetensors.Tensor{Shape: []int{64}, Data: make([]float32, 64)}},
			}
			if err := safetensors.WriteFile(filepath.Join(dir, "nan.safetensors"), conv1, map[string]string{"preprocess": "caffe"}); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, dir)
			subst := strings.NewReplacer("{C}", cat, "{S}", starry, "{O}", filepath.Join(dir, "out.png"), "{D}", dir)
			// Two threads, unless the case sets them.
			args := []string{tc.args[0], "--threads", "2"}
			for _, a := range tc.args[1:] {
				args = append(args, subst.Replace(a))
			}
			failsCleanly(t, dir, before, args, tc.want, subst)
		})
	}
}

// listDir returns the names under dir, recursively.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestWeightsPath(t *testing.T) {
	weights := shared.Weights(t)
	empty := func(t *testing.T) {
		t.Setenv("GOGH_WEIGHTS", "")
		d := t.TempDir()
		t.Setenv("XDG_CACHE_HOME", d)
		t.Setenv("HOME", d)
	}
	t.Run("flag", func(t *testing.T) {
		empty(t)
		stdout, _, err := gogh(t, context.Background(), "weights", "path", "--weights", weights)
		if err != nil || stdout != weights+"\n" {
			t.Errorf("got %q, %v; want %q", stdout, err, weights)
		}
	})
	t.Run("flag beats env", func(t *testing.T) {
		empty(t)
		t.Setenv("GOGH_WEIGHTS", "/nonexistent")
		stdout, _, err := gogh(t, context.Background(), "weights", "path", "--weights", weights)
		if err != nil || stdout != weights+"\n" {
			t.Errorf("got %q, %v; want %q", stdout, err, weights)
		}
	})
	t.Run("env", func(t *testing.T) {
		empty(t)
		t.Setenv("GOGH_WEIGHTS", weights)
		stdout, _, err := gogh(t, context.Background(), "weights", "path")
		if err != nil || stdout != weights+"\n" {
			t.Errorf("got %q, %v; want %q", stdout, err, weights)
		}
	})
	t.Run("env missing", func(t *testing.T) {
		empty(t)
		t.Setenv("GOGH_WEIGHTS", "/nonexistent/w.safetensors")
		_, _, err := gogh(t, context.Background(), "weights", "path")
		if err == nil || !strings.Contains(err.Error(), "GOGH_WEIGHTS") || !strings.Contains(err.Error(), "/nonexistent/w.safetensors") {
			t.Errorf("err = %v, want it to name $GOGH_WEIGHTS and the file", err)
		}
	})
	t.Run("none", func(t *testing.T) {
		empty(t)
		stdout, _, err := gogh(t, context.Background(), "weights", "path")
		if err == nil || !strings.Contains(err.Error(), "gogh weights install") || strings.Contains(err.Error(), "\n") {
			t.Errorf("got %q, %v; want a one-line error suggesting gogh weights install", stdout, err)
		}
	})
	t.Run("install", func(t *testing.T) {
		empty(t)
		cache := os.Getenv("XDG_CACHE_HOME")
		stdout, _, err := gogh(t, context.Background(), "weights", "install", "--from", weights)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(cache, "gogh", "vgg19-features.safetensors")
		if stdout != "installed "+dst+"\n" {
			t.Errorf("install printed %q, want installed %s", stdout, dst)
		}
		stdout, _, err = gogh(t, context.Background(), "weights", "path")
		if err != nil || stdout != dst+"\n" {
			t.Fatalf("path after install: %q, %v; want %s", stdout, err, dst)
		}
		got, err := vgg.Load(dst, 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := vgg.Load(weights, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Preprocess != want.Preprocess {
			t.Errorf("installed preprocess %q, source %q", got.Preprocess, want.Preprocess)
		}
		for i := range want.Conv {
			if !slices.Equal(got.Conv[i].W, want.Conv[i].W) || !slices.Equal(got.Conv[i].B, want.Conv[i].B) {
				t.Errorf("installed %s differs from the source", vgg.ConvNames[i])
			}
		}
	})
	t.Run("install bad source", func(t *testing.T) {
		empty(t)
		cache := os.Getenv("XDG_CACHE_HOME")
		_, _, err := gogh(t, context.Background(), "weights", "install", "--from", catPath(t))
		if err == nil || !strings.Contains(err.Error(), catPath(t)) {
			t.Errorf("err = %v, want it to name the source", err)
		}
		if _, err := os.Stat(filepath.Join(cache, "gogh", "vgg19-features.safetensors")); err == nil {
			t.Error("a bad source was installed")
		}
	})
}

// cancelAfter is a writer that cancels a context once it has been written
// a line starting "step N ".
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.prefix) {
		c.cancel()
	}
	return len(p), nil
}

// TestInterrupt cancels a long run (as Ctrl-C does) and checks that the
// command says so and keeps the best image so far.
func TestInterrupt(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	content, err := picture.Load(cat, 48)
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{0, 3} {
		t.Run(strconv.Itoa(after), func(t *testing.T) {
			dir := t.TempDir()
			out, logCSV := filepath.Join(dir, "out.png"), filepath.Join(dir, "steps.csv")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelAfter{prefix: "step " + strconv.Itoa(after) + " ", cancel: cancel}
			if after == 0 {
				cancel()
			}
			err := run(ctx, w, &bytes.Buffer{}, "image", "--content", cat, "--style", starry, "-o", out,
				"--size", "48", "--steps", "1000", "--log-every", "1", "--log", logCSV, "--threads", "2", "--weights", weights)
			want := "interrupted after " + strconv.Itoa(after) + " steps"
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), out) {
				t.Fatalf("err = %v, want %q naming %s", err, want, out)
			}
			if _, rows := readCSV(t, logCSV); len(rows) != after {
				t.Errorf("CSV has %d rows, want %d", len(rows), after)
			}
			got, err := picture.Load(out, 0)
			if err != nil {
				t.Fatalf("no image kept: %v", err)
			}
			if got.W != content.W || got.H != content.H {
				t.Fatalf("kept image is %dx%d, want %dx%d", got.W, got.H, content.W, content.H)
			}
			var diff float64
			for i, v := range got.Pix {
				diff = max(diff, math.Abs(float64(v-content.Pix[i])))
			}
			if after == 0 && diff > 0 {
				t.Errorf("interrupted before any step, the image differs from the content by %g", diff)
			}
			t.Logf("after %d steps the kept image differs from the content by up to %.1f levels", after, 255*diff)
			if after > 0 && diff < 2.0/255 {
				t.Errorf("after %d steps the kept image is the content image (max difference %g)", after, diff)
			}
		})
	}
}

// failsCleanly runs gogh with args and checks that it fails with a
// one-line error mentioning every string of want (after subst), prints
// nothing itself, and leaves dir's listing as before.
func failsCleanly(t *testing.T, dir string, before, args, want []string, subst *strings.Replacer) {
	t.Helper()
	stdout, stderr, err := gogh(t, context.Background(), args...)
	if err == nil {
		t.Fatalf("gogh %s: no error\n%s", strings.Join(args, " "), stdout)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range want {
		if w = subst.Replace(w); !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing (the caller prints the error)", stderr)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("files before %v, after %v: want none created", before, after)
	}
}

// readRecords reads a non-empty CSV file, naming it as what in failures.
func readRecords(t *testing.T, name, what string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s is empty", what)
	}
	return recs
}
