package samples

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
)

// isolate gives the test an empty user cache and no $GOGH_SHARED.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("GOGH_SHARED", "")
	dir, err := CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// serve points urlOf at a test server answering each item's file name with
// body(item) and returns a counter of the requests.
func serve(t *testing.T, body func(Item) ([]byte, int)) *atomic.Int32 {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		for _, it := range manifest {
			if r.URL.Path == "/"+it.File {
				b, code := body(it)
				w.WriteHeader(code)
				w.Write(b)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	old := urlOf
	urlOf = func(it Item) string { return srv.URL + "/" + it.File }
	t.Cleanup(func() { urlOf = old })
	return &hits
}

// sharedBytes returns the workspace's copy of it.
func sharedBytes(t *testing.T, it Item) []byte {
	t.Helper()
	b, err := os.ReadFile(shared.Path(t, "data/"+it.Shared))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustLookup(t *testing.T, name string) Item {
	t.Helper()
	it, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// The manifest's sha256 and size are those of the shared copies, which are
// byte-for-byte the files at the pinned URLs (see ../shared/data/MANIFEST.md).
func TestManifestMatchesShared(t *testing.T) {
	names := map[string]bool{}
	for _, it := range Items() {
		if names[it.Name] {
			t.Errorf("duplicate name %q", it.Name)
		}
		names[it.Name] = true
		if it.Kind != Style && it.Kind != Clip && it.Kind != Photo {
			t.Errorf("%s: kind %q", it.Name, it.Kind)
		}
		if !strings.HasPrefix(it.URL, "https://raw.githubusercontent.com/") || it.License == "" || it.Credit == "" || it.File == "" {
			t.Errorf("%s: incomplete entry %+v", it.Name, it)
		}
		if err := verify(shared.Path(t, "data/"+it.Shared), it); err != nil {
			t.Errorf("%s: %v", it.Name, err)
		}
	}
	for _, n := range []string{DefaultStyle, DefaultClip, "flower"} {
		if !names[n] {
			t.Errorf("no item %q", n)
		}
	}
	if _, err := Lookup("mona-lisa"); err == nil || !strings.Contains(err.Error(), "mona-lisa") {
		t.Errorf("Lookup of an unknown name: %v", err)
	}
}

func TestGetPrefersShared(t *testing.T) {
	isolate(t)
	dir := shared.Dir(t)
	t.Setenv("GOGH_SHARED", dir)
	hits := serve(t, func(Item) ([]byte, int) { return nil, http.StatusInternalServerError })
	for _, it := range Items() {
		want := shared.Path(t, "data/"+it.Shared)
		got, err := Get(context.Background(), it.Name, nil)
		if err != nil || got != want {
			t.Errorf("Get(%s) = %q, %v; want %q", it.Name, got, err, want)
		}
		if where, _ := Locate(it); where != InShared {
			t.Errorf("Locate(%s) = %s, want %s", it.Name, where, InShared)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d downloads, want none", hits.Load())
	}
}

func TestGetDownloadsThenCaches(t *testing.T) {
	cache := isolate(t)
	it := mustLookup(t, DefaultStyle)
	body := sharedBytes(t, it)
	hits := serve(t, func(Item) ([]byte, int) { return body, http.StatusOK })
	ctx := context.Background()
	if where, _ := Locate(it); where != Missing {
		t.Fatalf("Locate before download = %s", where)
	}

	var bar bytes.Buffer
	p, err := Get(ctx, it.Name, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, it.File); p != want {
		t.Errorf("path %q, want %q", p, want)
	}
	if err := verify(p, it); err != nil {
		t.Error(err)
	}
	if !strings.Contains(bar.String(), "downloading "+it.Name) {
		t.Errorf("no progress bar: %q", bar.String())
	}
	if where, _ := Locate(it); where != InCache {
		t.Errorf("Locate after download = %s, want %s", where, InCache)
	}

	// A second Get uses the cache.
	if _, err := Get(ctx, it.Name, nil); err != nil || hits.Load() != 1 {
		t.Errorf("second Get: %v, %d requests, want 1", err, hits.Load())
	}
	// A damaged cached file is downloaded again.
	if err := os.WriteFile(p, body[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Get(ctx, it.Name, nil); err != nil || hits.Load() != 2 {
		t.Errorf("Get over a damaged cache: %v, %d requests, want 2", err, hits.Load())
	}
	if err := verify(p, it); err != nil {
		t.Error(err)
	}
	leftovers(t, cache, it.File)
}

func TestGetRejects(t *testing.T) {
	it := mustLookup(t, DefaultStyle)
	good := sharedBytes(t, it)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0xff
	for _, tc := range []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"sha256 mismatch", flipped, http.StatusOK, "sha256"},
		{"short", good[:1000], http.StatusOK, "bytes"},
		{"long", append(bytes.Clone(good), 0), http.StatusOK, "bytes"},
		{"404", []byte("gone"), http.StatusNotFound, "404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := isolate(t)
			serve(t, func(Item) ([]byte, int) { return tc.body, tc.code })
			p, err := Get(context.Background(), it.Name, nil)
			if err == nil {
				t.Fatalf("no error, got %s", p)
			}
			t.Log(err)
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, it.Name) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and %q", msg, it.Name, tc.want)
			}
			leftovers(t, cache)
		})
	}
}

// leftovers fails the test if dir holds files other than keep.
func leftovers(t *testing.T, dir string, keep ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !slices.Contains(keep, e.Name()) {
			t.Errorf("left in %s: %s", dir, e.Name())
		}
	}
}

func TestGenerate(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", GeneratedFile)
	if err := Generate(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,codec_name,pix_fmt,width,height,r_frame_rate:format=duration", "-of", "json", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Streams []struct {
			CodecType  string `json:"codec_type"`
			CodecName  string `json:"codec_name"`
			PixFmt     string `json:"pix_fmt"`
			Width      int    `json:"width"`
			Height     int    `json:"height"`
			RFrameRate string `json:"r_frame_rate"`
		}
		Format struct{ Duration string }
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	var video, audio bool
	for _, s := range info.Streams {
		switch s.CodecType {
		case "video":
			video = s.CodecName == "h264" && s.PixFmt == "yuv420p" && s.Width == 640 && s.Height == 360 && s.RFrameRate == "20/1"
			if !video {
				t.Errorf("video stream %+v, want h264 yuv420p 640x360 at 20/1", s)
			}
		case "audio":
			audio = true
		}
	}
	if !video || !audio {
		t.Errorf("streams %+v: want h264 video and audio", info.Streams)
	}
	if d, _ := strconv.ParseFloat(info.Format.Duration, 64); d < 5.9 || d > 6.2 {
		t.Errorf("duration %s s, want 6", info.Format.Duration)
	}
	leftovers(t, filepath.Dir(p), GeneratedFile)

	// A cancelled run leaves nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q := filepath.Join(dir, "cancelled.mp4")
	if err := Generate(ctx, q); err == nil {
		t.Error("no error from a cancelled Generate")
	}
	leftovers(t, dir, "sub")
}
