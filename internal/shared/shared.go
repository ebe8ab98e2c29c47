// Package shared locates the workspace's shared test material (pretrained
// weights, PyTorch reference tensors, sample media) for tests and
// benchmarks. The product itself never reads it.
//
// The weights file is $GOGH_WEIGHTS; the material directory is
// $GOGH_SHARED, else ../shared beside the module root. Relative paths are
// taken from the module root, so `GOGH_WEIGHTS=../shared/...` works from
// any package's tests. When material is missing a test is skipped, unless
// $CI is set, where it fails: CI must never pass by skipping.
package shared

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/fftool"

	"github.com/gogh-video/gogh/stylize/safetensors"
)

// Root returns the module root (the directory holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared: no go.mod above the test's directory")
		}
		dir = parent
	}
}

func resolve(t testing.TB, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(Root(t), p)
}

// Dir returns the shared material directory.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("GOGH_SHARED"); d != "" {
		return resolve(t, d)
	}
	return filepath.Join(Root(t), "..", "shared")
}

// Path returns a file under the shared directory, skipping (or, under CI,
// failing) the test when it does not exist.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return need(t, filepath.Join(Dir(t), rel))
}

// Weights returns the pretrained VGG19 weights file.
func Weights(t testing.TB) string {
	t.Helper()
	if w := os.Getenv("GOGH_WEIGHTS"); w != "" {
		return need(t, resolve(t, w))
	}
	return Path(t, "models/vgg19-conv.safetensors")
}

func need(t testing.TB, p string) string {
	t.Helper()
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared material missing under CI: %v", err)
		}
		t.Skipf("shared material missing: %v", err)
	}
	return p
}

// RelErr is the comparison the reference tolerances are stated in: the
// largest absolute error over the largest absolute reference value.
func RelErr(got, want []float32) float64 {
	var e, m float64
	for i := range want {
		e = max(e, math.Abs(float64(got[i]-want[i])))
		m = max(m, math.Abs(float64(want[i])))
	}
	return e / m
}

// Cosine is the cosine similarity of two vectors, as gradients are compared.
func Cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// Reference opens the PyTorch reference file reference/NAME.safetensors,
// closed when the test ends.
func Reference(t testing.TB, name string) *safetensors.File {
	t.Helper()
	f, err := safetensors.Open(Path(t, "reference/"+name+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// NeedFFmpeg skips the test (fails it under CI) when ffmpeg or ffprobe is
// missing.
func NeedFFmpeg(t testing.TB) {
	t.Helper()
	if err := fftool.Check(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// OneLine checks that err is an error of one line containing every want.
func OneLine(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

// SmallDisk returns a new directory on a filesystem of its own that holds
// only size bytes (a tmpfs, unmounted when the test ends), to test what a
// full disk does. Mounting needs root: elsewhere the test is skipped, even
// under CI.
func SmallDisk(t testing.TB, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("no small filesystem to fill (mounting a tmpfs needs root): %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}
