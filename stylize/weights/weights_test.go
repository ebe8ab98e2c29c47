package weights

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/stylize/safetensors"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// isolate points the user cache directory at a fresh directory and clears
// $GOGH_WEIGHTS, so tests see neither the user's nor the workspace's files.
func isolate(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("GOGH_WEIGHTS", "")
}

func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCachePath(t *testing.T) {
	isolate(t)
	p, err := CachePath()
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "gogh", "vgg19-features.safetensors")
	if p != want {
		t.Errorf("CachePath() = %q, want %q", p, want)
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	flagFile := touch(t, filepath.Join(dir, "flag.safetensors"))
	envFile := touch(t, filepath.Join(dir, "env.safetensors"))
	missing := filepath.Join(dir, "missing.safetensors")

	tests := []struct {
		name    string
		flag    string
		env     string
		cache   bool // create the file at CachePath
		want    string
		wantErr string
	}{
		{name: "flag wins", flag: flagFile, env: envFile, cache: true, want: flagFile},
		{name: "env wins over cache", env: envFile, cache: true, want: envFile},
		{name: "cache", cache: true, want: "CACHE"},
		{name: "missing flag file", flag: missing, env: envFile, cache: true,
			wantErr: "WeightsFile: " + missing + ": no such file"},
		{name: "missing env file", env: missing, cache: true,
			wantErr: "$GOGH_WEIGHTS=" + missing + ": no such file"},
		{name: "flag is a directory", flag: dir,
			wantErr: "WeightsFile: " + dir + ": is a directory"},
		{name: "nothing",
			wantErr: `no VGG19 weights: run "gogh weights install", give a weights file, or set GOGH_WEIGHTS`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("GOGH_WEIGHTS", tt.env)
			cache, err := CachePath()
			if err != nil {
				t.Fatal(err)
			}
			if tt.cache {
				touch(t, cache)
			}
			want := tt.want
			if want == "CACHE" {
				want = cache
			}

			got, err := Resolve(tt.flag)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Resolve(%q) = %q, %v; want error %q", tt.flag, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("Resolve(%q) = %q, %v; want %q", tt.flag, got, err, want)
			}
		})
	}
}

// convs returns the first n convolutions of VGG19 with torchvision keys and
// correct shapes, filled with zeros.
func convs(n int) []safetensors.Named {
	idx := []int{0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34}
	var ts []safetensors.Named
	in := 3
	for i := range n {
		out := vgg.Channels[i]
		w := safetensors.Tensor{Shape: []int{out, in, 3, 3}, Data: make([]float32, out*in*9)}
		b := safetensors.Tensor{Shape: []int{out}, Data: make([]float32, out)}
		ts = append(ts,
			safetensors.Named{Name: fmt.Sprintf("features.%d.weight", idx[i]), Tensor: w},
			safetensors.Named{Name: fmt.Sprintf("features.%d.bias", idx[i]), Tensor: b},
		)
		in = out
	}
	return ts
}

// checkLeft fails the test unless dir holds exactly the files in keep:
// no destination and no temporary file is left behind.
func checkLeft(t *testing.T, dir string, keep ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(keep)
	if !slices.Equal(names, keep) {
		t.Errorf("%s holds %q, want %q", dir, names, keep)
	}
}

func TestInstallInvalid(t *testing.T) {
	src := t.TempDir()
	write := func(name string, ts []safetensors.Named, meta map[string]string) string {
		p := filepath.Join(src, name)
		if err := safetensors.WriteFile(p, ts, meta); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wrongShape := convs(2)
	wrongShape[3].Shape, wrongShape[3].Data = []int{32}, make([]float32, 32)
	nan, inf := convs(16), convs(16)
	nan[8].Data[7] = float32(math.NaN())   // features.10.weight: conv3_1
	inf[5].Data[0] = float32(math.Inf(-1)) // features.5.bias: conv2_1
	junk := filepath.Join(src, "junk.safetensors")
	if err := os.WriteFile(junk, []byte("<html>not found</html>"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		src  string
		want []string // substrings of the error
	}{
		{"missing key", write("missing.safetensors", convs(2), nil),
			[]string{`missing key "features.5.weight"`, "conv2_1"}},
		{"wrong shape", write("shape.safetensors", wrongShape, nil),
			[]string{`"features.2.bias"`, "[32]", "want [64]"}},
		{"NaN weights", write("nan.safetensors", nan, nil), []string{`"features.10.weight"`, "conv3_1", "NaN", "corrupt"}},
		{"infinite bias", write("inf.safetensors", inf, nil), []string{`"features.5.bias"`, "conv2_1", "-Inf", "corrupt"}},
		{"unknown preprocess", write("pre.safetensors", convs(1), map[string]string{"preprocess": "tf"}),
			[]string{`preprocess "tf"`}},
		{"not safetensors", junk, []string{"not a safetensors file"}},
		{"no such file", filepath.Join(src, "nope.safetensors"), []string{"nope.safetensors", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "gogh")
			dst := filepath.Join(dir, "vgg19.safetensors")
			err := Install(context.Background(), tt.src, dst, nil)
			if err == nil {
				t.Fatal("Install succeeded")
			}
			for _, s := range append(tt.want, tt.src) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			checkLeft(t, dir)
		})
	}
}

// checkInstalled checks that dst holds exactly the features.* tensors of
// src, loads as VGG19, and records source in its metadata.
func checkInstalled(t *testing.T, src, dst, source string) {
	t.Helper()
	if _, err := vgg.Load(dst, 0); err != nil {
		t.Fatalf("installed file does not load: %v", err)
	}
	a, err := safetensors.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := safetensors.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	var want []string
	for _, n := range a.Names() {
		if strings.HasPrefix(n, "features.") {
			want = append(want, n)
		}
	}
	if got := b.Names(); len(got) != 2*vgg.NumConv || !slices.Equal(got, want) {
		t.Fatalf("installed tensors %q, want %q", got, want)
	}
	for _, n := range want {
		ta, err := a.Tensor(n)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := b.Tensor(n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ta.Shape, tb.Shape) || !slices.Equal(ta.Data, tb.Data) {
			t.Fatalf("tensor %s differs from the source", n)
		}
	}
	if got := b.Metadata["source"]; got != source {
		t.Errorf("metadata source = %q, want %q", got, source)
	}
	if got, want := b.Metadata["preprocess"], a.Metadata["preprocess"]; got != want {
		t.Errorf("metadata preprocess = %q, want %q", got, want)
	}
}

func TestInstallFile(t *testing.T) {
	src := shared.Weights(t)
	dir := filepath.Join(t.TempDir(), "cache", "gogh")
	dst := filepath.Join(dir, "vgg19-features.safetensors")
	if err := Install(context.Background(), src, dst, nil); err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, src, dst, src)
	checkLeft(t, dir, filepath.Base(dst))
}

func TestInstallCancelledWrite(t *testing.T) {
	// Reading and checking a local file ignores ctx; writing the copy
	// stops at once.
	src := shared.Weights(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Install(ctx, src, filepath.Join(dir, "vgg.safetensors"), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Install = %v, want context.Canceled", err)
	}
	checkLeft(t, dir)
}

func TestInstallURL(t *testing.T) {
	src := shared.Weights(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, src)
	}))
	defer srv.Close()

	dir := filepath.Join(t.TempDir(), "gogh")
	dst := filepath.Join(dir, "vgg19-features.safetensors")
	url := srv.URL + "/model.safetensors"
	var progress bytes.Buffer
	if err := Install(context.Background(), url, dst, &progress); err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, src, dst, url)
	checkLeft(t, dir, filepath.Base(dst))
	if out := progress.String(); !strings.Contains(out, "100%") || !strings.Contains(out, "80 MB") {
		t.Errorf("progress output %q shows no completed 80 MB download", out)
	}
}

func TestInstallURLErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"not found", http.NotFound, "404 Not Found"},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000000")
			w.Write(make([]byte, 1000))
		}, "unexpected EOF"},
		{"unknown length", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // chunked: no Content-Length
			w.Write(make([]byte, 1000))
		}, "not a safetensors file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			dir := t.TempDir()
			dst := filepath.Join(dir, "vgg.safetensors")
			if err := os.WriteFile(dst, []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			url := srv.URL + "/model.safetensors"
			var progress bytes.Buffer
			err := Install(context.Background(), url, dst, &progress)
			if err == nil {
				t.Fatal("Install succeeded")
			}
			for _, s := range []string{tt.want, url} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if b, err := os.ReadFile(dst); err != nil || string(b) != "previous" {
				t.Errorf("dst is now %q, %v; want it untouched", b, err)
			}
			checkLeft(t, dir, filepath.Base(dst))
		})
	}
}

// cancelOnWrite cancels a context the first time it is written to.
type cancelOnWrite struct {
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	c.once.Do(c.cancel)
	return len(p), nil
}

func TestInstallURLCancelled(t *testing.T) {
	// The server sends the start of a body and then stalls; the progress
	// bar's first output, written once the temporary file exists, cancels
	// the download.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000000")
		w.Write(make([]byte, 1<<16))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()

	dir := filepath.Join(t.TempDir(), "gogh")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := Install(ctx, srv.URL, filepath.Join(dir, "vgg.safetensors"), &cancelOnWrite{cancel: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Install = %v, want context.Canceled", err)
	}
	checkLeft(t, dir)
}
