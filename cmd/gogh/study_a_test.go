package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/study"
)

// readRuns reads a study's runs.csv: its header and rows.
func readRuns(t *testing.T, dir string) (header []string, rows [][]string) {
	t.Helper()
	recs := readRecords(t, filepath.Join(dir, "runs.csv"), "runs.csv")
	return recs[0], recs[1:]
}

// number parses field i of a runs.csv row as a finite number.
func number(t *testing.T, row []string, i int) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(row[i], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		t.Fatalf("runs.csv row %q field %d: not a finite number", row, i+1)
	}
	return v
}

// checkStudyDir checks the files of a study's output directory: the runs'
// PNGs of w×h, a sheet of a row per seed and a column per layer (set) after
// the input's, and no temporary files.
func checkStudyDir(t *testing.T, dir string, files []string, w, h, cols, seeds, size int) {
	t.Helper()
	for _, f := range files {
		im, err := picture.Decode(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("run image: %v", err)
			continue
		}
		if b := im.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s is %dx%d, want %dx%d", f, b.Dx(), b.Dy(), w, h)
		}
	}
	sheet, err := picture.Decode(filepath.Join(dir, "sheet.png"))
	if err != nil {
		t.Fatalf("sheet: %v", err)
	}
	sw, sh := figure.SheetSize((cols+1)*seeds, cols+1, max(size, 128))
	if b := sheet.Bounds(); b.Dx() != sw || b.Dy() != sh {
		t.Errorf("sheet.png is %dx%d, want %dx%d: %d×%d cells of %d pixels", b.Dx(), b.Dy(), sw, sh, cols+1, seeds, max(size, 128))
	}
	want := append(slices.Clone(files), ".", "runs.csv", "sheet.png")
	slices.Sort(want)
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("the directory holds %v, want %v", got, want)
	}
}

func TestReconstructCmd(t *testing.T) {
	weights := shared.Weights(t)
	cat := catPath(t)
	content, err := picture.Load(cat, 32)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a", "recon") // created, parents too
	stdout, _, err := gogh(t, context.Background(), "reconstruct", "--content", cat, "--layers", "conv1_2,relu2_1",
		"--seeds", "2", "--size", "32", "--steps", "5", "--threads", "2", "--weights", weights, "-o", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	files := []string{"conv1_2-seed1.png", "conv1_2-seed2.png", "relu2_1-seed1.png", "relu2_1-seed2.png"}
	checkStudyDir(t, dir, files, content.W, content.H, 2, 2, 32)

	header, rows := readRuns(t, dir)
	if got := strings.Join(header, ","); got != "label,layers,seed,style,content,total,seconds,psnr" {
		t.Errorf("runs.csv header %q", got)
	}
	labels := []string{"conv1_2 (seed 1)", "conv1_2 (seed 2)", "relu2_1 (seed 1)", "relu2_1 (seed 2)"}
	if len(rows) != len(labels) {
		t.Fatalf("runs.csv has %d rows, want %d", len(rows), len(labels))
	}
	for i, row := range rows {
		if len(row) != 8 {
			t.Fatalf("runs.csv row %q: %d fields, want 8", row, len(row))
		}
		if row[0] != labels[i] || row[1] != labels[i][:7] || row[2] != strconv.Itoa(1+i%2) {
			t.Errorf("runs.csv row %d is %q, want %s, its layer and seed", i+1, row, labels[i])
		}
		style, c, total := number(t, row, 3), number(t, row, 4), number(t, row, 5)
		if style != 0 || !(c > 0) || !relClose(c, total, 1e-5) || number(t, row, 6) <= 0 {
			t.Errorf("runs.csv row %q: want no style loss, a positive content loss equal to the total, and the seconds", row)
		}
		// The PSNR is the run's against the content: the saved 8-bit
		// image's is within a small rounding error of it.
		im, err := picture.Load(filepath.Join(dir, files[i]), 0)
		if err != nil {
			t.Fatal(err)
		}
		if psnr, saved := number(t, row, 7), study.PSNR(im, content); math.Abs(psnr-saved) > 0.2 || psnr < 10 {
			t.Errorf("%s: runs.csv PSNR %.3f, the saved image's %.3f", labels[i], psnr, saved)
		}
	}

	line := regexp.MustCompile(`^(.+): style 0  content (\S+)  total (\S+)  psnr (\S+) dB  \S+s -> (.+)$`)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			got = append(got, m[1])
			if i := slices.Index(labels, m[1]); i < 0 || m[5] != filepath.Join(dir, files[i]) {
				t.Errorf("line %q: want a run's label and its file", l)
			}
		}
	}
	if !slices.Equal(got, labels) {
		t.Errorf("progress lines for %q, want %q:\n%s", got, labels, stdout)
	}
	if !strings.Contains(stdout, "done: 4 runs in ") {
		t.Errorf("no done line:\n%s", stdout)
	}

	// Run again into the same directory: its files are replaced.
	if _, _, err := gogh(t, context.Background(), "reconstruct", "--content", cat, "--layers", "conv1_2",
		"--size", "32", "--steps", "2", "--threads", "2", "--weights", weights, "-o", dir); err != nil {
		t.Fatal(err)
	}
	if _, rows := readRuns(t, dir); len(rows) != 1 {
		t.Errorf("rerun: runs.csv has %d rows, want 1", len(rows))
	}
}

func TestTextureCmd(t *testing.T) {
	weights := shared.Weights(t)
	starry := starryPath(t)
	style, err := picture.Load(starry, 32)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stdout, _, err := gogh(t, context.Background(), "texture", "--style", starry, "--layer-sets", "conv1_1; conv1_1,relu2_1",
		"--seeds", "2", "--seed", "5", "--size", "32", "--steps", "5", "--style-weight", "3", "--threads", "2", "--weights", weights, "-o", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	files := []string{"conv1_1+relu2_1-seed5.png", "conv1_1+relu2_1-seed6.png", "conv1_1-seed5.png", "conv1_1-seed6.png"}
	checkStudyDir(t, dir, files, style.W, style.H, 2, 2, 32)
	if !strings.Contains(stdout, "style weight 3\n") {
		t.Errorf("--style-weight 3 not reported:\n%s", stdout)
	}

	header, rows := readRuns(t, dir)
	if got := strings.Join(header, ","); got != "label,layers,seed,style,content,total,seconds" {
		t.Errorf("runs.csv header %q", got)
	}
	want := [][3]string{
		{"conv1_1 (seed 5)", "conv1_1", "5"}, {"conv1_1 (seed 6)", "conv1_1", "6"},
		{"conv1_1+relu2_1 (seed 5)", "conv1_1+relu2_1", "5"}, {"conv1_1+relu2_1 (seed 6)", "conv1_1+relu2_1", "6"},
	}
	if len(rows) != len(want) {
		t.Fatalf("runs.csv has %d rows, want %d", len(rows), len(want))
	}
	for i, row := range rows {
		if len(row) != 7 || [3]string(row[:3]) != want[i] {
			t.Fatalf("runs.csv row %d is %q, want 7 fields starting %q", i+1, row, want[i])
		}
		if style, c, total := number(t, row, 3), number(t, row, 4), number(t, row, 5); !(style > 0) || c != 0 || !relClose(style, total, 1e-5) {
			t.Errorf("runs.csv row %q: want a positive style loss equal to the total and no content loss", row)
		}
		if !strings.Contains(stdout, "\n"+want[i][0]+": style ") {
			t.Errorf("no progress line for %s:\n%s", want[i][0], stdout)
		}
	}
	a, err := picture.Load(filepath.Join(dir, "conv1_1-seed5.png"), 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := picture.Load(filepath.Join(dir, "conv1_1-seed6.png"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if p := study.PSNR(a, b); p > 20 {
		t.Errorf("the textures of seeds 5 and 6 are alike (PSNR %.1f dB): want two noises to give two images", p)
	}
}

// TestStudyInterrupt cancels a study after its first run (as Ctrl-C
// does): the command says so in one line and the finished run stays.
func TestStudyInterrupt(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	for _, tc := range []struct {
		args  []string
		input string // the content or style image
		after string // cancel once this is printed ("": before starting)
		files []string
	}{
		{[]string{"reconstruct", "--content", cat, "--layers", "conv1_1,conv1_2"}, cat, "", nil},
		{[]string{"reconstruct", "--content", cat, "--layers", "conv1_1,conv1_2"}, cat, "conv1_1 (seed 1): ", []string{"conv1_1-seed1.png"}},
		{[]string{"texture", "--style", starry, "--layer-sets", "conv1_1;conv1_2"}, starry, "conv1_1 (seed 1): ", []string{"conv1_1-seed1.png"}},
	} {
		t.Run(tc.args[0]+strconv.Itoa(len(tc.files)), func(t *testing.T) {
			input, err := picture.Load(tc.input, 32)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &cancelAfter{prefix: tc.after, cancel: cancel}
			if tc.after == "" {
				cancel()
			}
			args := append(tc.args, "--size", "32", "--steps", "50", "--threads", "2", "--weights", weights, "-o", dir)
			err = run(ctx, out, &strings.Builder{}, args...)
			want := fmt.Sprintf("interrupted during run %d of 2; the %d finished runs are in %s", len(tc.files)+1, len(tc.files), dir)
			if err == nil || err.Error() != want {
				t.Fatalf("err = %v, want %q", err, want)
			}
			if len(tc.files) == 0 {
				if got := listDir(t, dir); !slices.Equal(got, []string{"."}) {
					t.Errorf("interrupted before any run, the directory holds %v", got)
				}
				return
			}
			checkStudyDir(t, dir, tc.files, input.W, input.H, 2, 1, 32)
			if _, rows := readRuns(t, dir); len(rows) != 1 || rows[0][0] != "conv1_1 (seed 1)" {
				t.Errorf("runs.csv rows %q, want the finished run's", rows)
			}
		})
	}
}

// TestStudyBadInput checks that each mistake fails with a one-line error
// that names the flag or file, and creates no file.
func TestStudyBadInput(t *testing.T) {
	weights := shared.Weights(t)
	cat, starry := catPath(t), starryPath(t)
	rec := []string{"reconstruct", "--content", "{C}", "-o", "{D}/out"}
	tex := []string{"texture", "--style", "{S}", "-o", "{D}/out"}
	with := func(base []string, more ...string) []string { return append(slices.Clone(base), more...) }
	for _, tc := range []struct {
		name string
		args []string // {C}, {S}: the content and style images; {D}: the test's directory
		want []string // substrings of the error
	}{
		{"no content", []string{"reconstruct", "-o", "{D}/out"}, []string{"--content is required"}},
		{"no style", []string{"texture", "-o", "{D}/out"}, []string{"--style is required"}},
		{"reconstruct no output", []string{"reconstruct", "--content", "{C}"}, []string{"-o is required"}},
		{"texture no output", []string{"texture", "--style", "{S}"}, []string{"-o is required"}},
		{"missing content", []string{"reconstruct", "--content", "{D}/nope.png", "-o", "{D}/out"}, []string{"--content", "{D}/nope.png", "no such file"}},
		{"missing style", []string{"texture", "--style", "{D}/nope.png", "-o", "{D}/out"}, []string{"--style", "{D}/nope.png", "no such file"}},
		{"bad layer", with(rec, "--layers", "conv9_9"), []string{"--layers", "conv9_9"}},
		{"no layers", with(rec, "--layers", ""), []string{"--layers", "no layers"}},
		{"layer twice", with(rec, "--layers", "conv1_2,conv2_2,conv1_2"), []string{"--layers", "conv1_2", "twice"}},
		{"no layer sets", with(tex, "--layer-sets", ""), []string{"--layer-sets", "no layer sets"}},
		{"blank layer sets", with(tex, "--layer-sets", " "), []string{"--layer-sets", "no layer sets"}},
		{"empty layer set", with(tex, "--layer-sets", "conv1_1;;conv2_1"), []string{"--layer-sets", "set 2 is empty"}},
		{"trailing semicolon", with(tex, "--layer-sets", "conv1_1;"), []string{"--layer-sets", "set 2 is empty"}},
		{"bad layer in set", with(tex, "--layer-sets", "conv1_1;conv1_1,pool1"), []string{"--layer-sets", "pool1"}},
		{"set twice", with(tex, "--layer-sets", "conv1_1,conv2_1;conv1_1;conv1_1, conv2_1"), []string{"--layer-sets", "sets 1 and 3"}},
		{"reconstruct seeds 0", with(rec, "--seeds", "0"), []string{"--seeds"}},
		{"texture seeds 0", with(tex, "--seeds", "0"), []string{"--seeds"}},
		{"size 0", with(rec, "--size", "0"), []string{"--size"}},
		{"too small", with(rec, "--size", "12"), []string{"--size", "too small", "conv5_2"}},
		{"texture too small", with(tex, "--size", "10", "--layer-sets", "conv1_1;conv4_1"), []string{"--size", "too small", "conv4_1"}},
		{"size beyond memory", with(rec, "--size", "100000"), []string{"--size", "needs about", "of memory"}},
		{"steps 0", with(tex, "--steps", "0"), []string{"--steps"}},
		{"threads 0", with(rec, "--threads", "0"), []string{"--threads"}},
		{"normalization", with(rec, "--normalization", "bogus"), []string{"--normalization", "bogus"}},
		{"optimizer", with(tex, "--optimizer", "sgd"), []string{"--optimizer", "sgd"}},
		{"negative style weight", with(tex, "--style-weight", "-1"), []string{"--style-weight"}},
		{"output is a file", []string{"reconstruct", "--content", "{C}", "-o", "{D}/file"}, []string{"-o", "{D}/file"}},
		{"output under a file", []string{"texture", "--style", "{S}", "-o", "{D}/file/out"}, []string{"-o", "{D}/file/out"}},
		{"weights missing", with(rec, "--weights", "{D}/none.safetensors"), []string{"--weights", "{D}/none.safetensors"}},
		{"arguments", with(rec, "extra"), []string{"extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, dir)
			subst := strings.NewReplacer("{C}", cat, "{S}", starry, "{D}", dir)
			args := []string{tc.args[0], "--threads", "2", "--weights", weights}
			for _, a := range tc.args[1:] {
				args = append(args, subst.Replace(a))
			}
			failsCleanly(t, dir, before, args, tc.want, subst)
		})
	}
}
