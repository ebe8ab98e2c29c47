package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/record"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
)

// TestLike paints an image with settings away from the defaults, reads
// them back (gogh info), and paints again with --like: the same pixels;
// a flag given anew overrides the record; changed inputs are refused.
func TestLike(t *testing.T) {
	t.Setenv("GOGH_WEIGHTS", shared.Weights(t))
	dir := t.TempDir()
	content := filepath.Join(dir, "content.png")
	data, err := os.ReadFile(catPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(content, data, 0o644); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "first.png")
	if _, _, err := gogh(t, context.Background(), "image", "--content", content, "--style", starryPath(t), "-o", first,
		"--size", "48", "--steps", "8", "--init", "noise", "--seed", "7", "--pooling", "avg", "--style-layers", "relu1_1:2,relu2_1",
		"--original-colors", "--threads", "2", "--log-every", "0"); err != nil {
		t.Fatal(err)
	}
	info, _, err := gogh(t, context.Background(), "info", first)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"command: gogh image", "--seed 7", "--pooling avg", "--style-layers relu1_1:2,relu2_1", "--original-colors true", "file --content " + content + " (SHA-256 "} {
		if !strings.Contains(info, want) {
			t.Errorf("gogh info does not say %q:\n%s", want, info)
		}
	}
	load := func(p string) []float32 {
		im, err := picture.Load(p, 0)
		if err != nil {
			t.Fatal(err)
		}
		return im.Pix
	}
	again := filepath.Join(dir, "again.png")
	if _, _, err := gogh(t, context.Background(), "image", "--like", first, "-o", again, "--log-every", "0"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(load(first), load(again)) {
		t.Error("--like painted other pixels")
	}
	r, err := record.Read(context.Background(), again)
	if err != nil || r.Command != "image" {
		t.Errorf("the repeat's record: %+v, %v", r, err)
	}
	other := filepath.Join(dir, "other.png")
	if _, _, err := gogh(t, context.Background(), "image", "--like", first, "-o", other, "--seed", "8", "--log-every", "0"); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(load(first), load(other)) {
		t.Error("--like with --seed 8 painted the same pixels as seed 7")
	}
	if err := os.WriteFile(content, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = gogh(t, context.Background(), "image", "--like", first, "-o", other)
	if err == nil || !strings.Contains(err.Error(), "--like") || !strings.Contains(err.Error(), content+" has changed") {
		t.Errorf("--like after the content changed: %v, want it refused naming the file", err)
	}
	plain := filepath.Join(dir, "plain.png")
	if err := picture.SavePNG(plain, picture.New(4, 4)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gogh(t, context.Background(), "info", plain); err == nil || !strings.Contains(err.Error(), "no settings of gogh") {
		t.Errorf("gogh info on a PNG gogh did not write: %v", err)
	}
}

// TestImageBatch paints a folder of contents into a folder: one PNG for
// each, the same pixels as each painted alone.
func TestImageBatch(t *testing.T) {
	t.Setenv("GOGH_WEIGHTS", shared.Weights(t))
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	tub := shared.Path(t, "data/content/tubingen_neckarfront.jpg")
	for _, f := range []string{catPath(t), tub} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	args := []string{"image", "--style", starryPath(t), "--size", "40", "--steps", "5", "--threads", "2", "--log-every", "0"}
	stdout, _, err := gogh(t, context.Background(), append(args, "--content", in, "-o", out)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "[2/2] "+filepath.Join(in, "tubingen_neckarfront.jpg")) {
		t.Errorf("no progress line for the second content:\n%s", stdout)
	}
	got, _ := filepath.Glob(filepath.Join(out, "*.png"))
	want := []string{filepath.Join(out, "chelsea_cat.png"), filepath.Join(out, "tubingen_neckarfront.png")}
	if !slices.Equal(got, want) {
		t.Fatalf("outputs %v, want %v", got, want)
	}
	alone := filepath.Join(dir, "alone.png")
	if _, _, err := gogh(t, context.Background(), append(args, "--content", filepath.Join(in, "tubingen_neckarfront.jpg"), "-o", alone)...); err != nil {
		t.Fatal(err)
	}
	a, err := picture.Load(alone, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := picture.Load(want[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Pix, b.Pix) {
		t.Error("the batch painted other pixels than a painting of the content alone")
	}
	r, err := record.Read(context.Background(), want[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Flags {
		if f.Name == "content" && f.Value != filepath.Join(in, "tubingen_neckarfront.jpg") {
			t.Errorf("the record's --content is %s, want the one content", f.Value)
		}
	}
	if _, _, err := gogh(t, context.Background(), append(args, "--content", in, "-o", filepath.Join(dir, "x.png"))...); err == nil || !strings.Contains(err.Error(), "names a folder") {
		t.Errorf("a batch into x.png: %v", err)
	}
}
