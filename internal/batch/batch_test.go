package batch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.JPG", "a.png", "notes.txt", "c.webp"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	exts := []string{".png", ".jpg", ".webp"}
	for _, tc := range []struct {
		arg  string
		want []string // "" for an error
		many bool
	}{
		{dir, []string{dir + "/a.png", dir + "/b.JPG", dir + "/c.webp"}, true},
		{"x.png, y.jpg", []string{"x.png", "y.jpg"}, true},
		{"x.png", []string{"x.png"}, false},
		{"x.png,,y.png", []string{""}, true},
		{filepath.Join(dir, "sub.png"), []string{""}, true},
	} {
		got, err := Inputs("--content", tc.arg, exts...)
		if tc.want[0] == "" {
			if err == nil || !strings.HasPrefix(err.Error(), "--content ") {
				t.Errorf("%s: %v, %v: want an error naming --content", tc.arg, got, err)
			}
		} else if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.arg, got, err, tc.want)
		}
		if Many(tc.arg) != tc.many {
			t.Errorf("Many(%s) = %v", tc.arg, !tc.many)
		}
	}
}

func TestOutputs(t *testing.T) {
	got := Outputs("out", []string{"a/cat.jpg", "b/cat.png", "dog.webp", "c/cat.gif", "cat-2.png"}, ".png")
	want := []string{"out/cat.png", "out/cat-2.png", "out/dog.png", "out/cat-3.png", "out/cat-2-2.png"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
