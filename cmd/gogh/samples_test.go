package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/samples"
)

// isolateSamples gives the test an empty user cache and sets $GOGH_SHARED
// to sharedDir ("" for none).
func isolateSamples(t *testing.T, sharedDir string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("GOGH_SHARED", sharedDir)
}

// offline cuts gogh off the network ($GOGH_OFFLINE) and hides the named
// samples from the shared material, as on a machine that never downloaded
// them; the others stay available (as links to the shared copies).
func offline(t *testing.T, names ...string) {
	t.Helper()
	t.Setenv(samples.OfflineEnv, "1")
	src, dir := os.Getenv("GOGH_SHARED"), t.TempDir()
	for _, it := range samples.Items() {
		if src == "" || it.Shared == "" || slices.Contains(names, it.Name) {
			continue
		}
		to := filepath.Join(dir, "data", filepath.FromSlash(it.Shared))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(src, "data", filepath.FromSlash(it.Shared)), to); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOGH_SHARED", dir)
}

func TestSamplesList(t *testing.T) {
	dir := shared.Dir(t)
	shared.Path(t, "data/styles/starry_night_vangogh.jpg")
	for _, tc := range []struct{ shared, where string }{{dir, "shared " + dir}, {"", "not downloaded"}} {
		isolateSamples(t, tc.shared)
		stdout, _, err := gogh(t, context.Background(), "samples")
		if err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + stdout)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != len(samples.Items())+1 || !strings.HasPrefix(lines[0], "NAME") {
			t.Fatalf("want a header and %d rows:\n%s", len(samples.Items()), stdout)
		}
		for i, it := range samples.Items() {
			if l := lines[i+1]; !strings.HasPrefix(l, it.Name+" ") || !strings.Contains(l, it.Kind) ||
				!strings.Contains(l, it.License) || !strings.Contains(l, tc.where) {
				t.Errorf("row %q: want %s, %s, %s, %s", l, it.Name, it.Kind, it.License, tc.where)
			}
		}
	}
}

func TestSamplesGet(t *testing.T) {
	dir := shared.Dir(t)
	want := shared.Path(t, "data/video/flower_timelapse_540p_5s.mp4")
	isolateSamples(t, dir)
	stdout, _, err := gogh(t, context.Background(), "samples", "get", "flower")
	if err != nil || stdout != "flower\t"+want+"\n" {
		t.Errorf("samples get flower: %q, %v", stdout, err)
	}
	for _, args := range [][]string{{"samples", "get"}, {"samples", "get", "flower", "mona-lisa"}} {
		_, _, err := gogh(t, context.Background(), args...)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line", args, err)
		}
	}
}

// jobOf reads the job.json a video run left in its work dir.
func jobOf(t *testing.T, workdir string) (input, style string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(workdir, "job.json"))
	if err != nil {
		t.Fatal(err)
	}
	var j struct{ Input, Style string }
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	return j.Input, j.Style
}

// The main job on defaults: no IN, no -s.
func TestVideoDefaults(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	weights := shared.Weights(t)
	clip := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	style := starryPath(t)
	isolateSamples(t, shared.Dir(t))
	out := filepath.Join(t.TempDir(), "starry.mp4")
	stdout, stderr, err := gogh(t, context.Background(), "video", "-o", out, "--weights", weights,
		"--size", "32", "--frames", "0:2", "--steps-first", "2", "--steps", "1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "of "+clip) || stderr != "" {
		t.Errorf("want the shared cockatoo and nothing on stderr; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if in, st := jobOf(t, out+".frames"); in != clip || st != style {
		t.Errorf("job input %s, style %s; want %s, %s", in, st, clip, style)
	}
	if v := streamOf(probe(t, out), "video"); v == nil || v["nb_read_frames"] != "2" {
		t.Errorf("video stream %v, want 2 frames", v)
	}
}

// Offline with no IN: a generated clip, said so on one line of stderr.
func TestVideoDefaultsOffline(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	weights := shared.Weights(t)
	style := starryPath(t)
	isolateSamples(t, shared.Dir(t))
	offline(t, samples.DefaultClip)
	out := filepath.Join(t.TempDir(), "preview.mp4")
	_, stderr, err := gogh(t, context.Background(), "video", "-o", out, "--weights", weights,
		"--size", "32", "--frames", "0:2", "--steps-first", "2", "--steps", "1")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := samples.CacheDir()
	gen := filepath.Join(dir, samples.GeneratedFile)
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, samples.DefaultClip) || !strings.Contains(stderr, gen) {
		t.Errorf("stderr %q: want one line naming %s and %s", stderr, samples.DefaultClip, gen)
	}
	in, st := jobOf(t, out+".frames")
	if real, err := filepath.EvalSymlinks(st); err == nil {
		st = real
	}
	if in != gen || st != style {
		t.Errorf("job input %s, style %s; want %s, %s", in, st, gen, style)
	}
	streams := probe(t, out)
	if v := streamOf(streams, "video"); v == nil || v["nb_read_frames"] != "2" {
		t.Errorf("video stream %v, want 2 frames", v)
	}
	if streamOf(streams, "audio") == nil {
		t.Error("no audio: the generated clip's tone is lost")
	}
}

// Offline with no -s: a one-line error saying what to do.
func TestVideoNoStyleOffline(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	clip := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	isolateSamples(t, "")
	offline(t, samples.DefaultStyle, samples.DefaultClip)
	dir := t.TempDir()
	_, _, err := gogh(t, context.Background(), "video", clip, "-o", filepath.Join(dir, "out.mp4"))
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
	if msg := err.Error(); !strings.Contains(msg, samples.DefaultStyle) || !strings.HasPrefix(msg, "-s: ") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming -s and %s", msg, samples.DefaultStyle)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("left behind %v", left)
	}
}
