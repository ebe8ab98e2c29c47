package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/stylize"
)

// snapshot returns the bytes of the frame files in dir, by name.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, n := range names {
		if m[filepath.Base(n)], err = os.ReadFile(n); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// counted runs c, counting the frames reported resumed, painted and
// damaged.
func counted(t *testing.T, c Config) (resumed, painted, damaged int, err error) {
	w, style, _ := setup(t)
	c.OnFrame = func(r FrameResult) {
		switch {
		case r.Damaged != nil:
			damaged++
		case r.Resumed:
			resumed++
		default:
			painted++
		}
	}
	err = run(context.Background(), w, style, movingGradient(c.Frames), c)
	return
}

// identified returns c with its job's files identified by the content of
// three files in dir (input, style, weights) written from texts.
func identified(t *testing.T, c Config, dir string, texts ...string) Config {
	t.Helper()
	var paths []string
	for i, s := range texts {
		p := filepath.Join(dir, fmt.Sprint("file", i))
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if err := c.Job.Identify(paths[0], paths[2], stylize.StyleSpec{Files: paths[1:2]}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWorkdirKeepsFrames paints a work dir, then runs into it again: with
// the same job (no flag needed) nothing is painted again; with another
// setting or another file behind the same path it is refused, naming the
// setting, and the frames stay byte for byte; Discard starts over.
func TestWorkdirKeepsFrames(t *testing.T) {
	_, _, spec := setup(t)
	files := t.TempDir()
	dir := filepath.Join(t.TempDir(), "work")
	base := identified(t, config(t, dir, spec), files, "clip", "starry", "vgg")
	base.Frames = 4
	if _, painted, _, err := counted(t, base); err != nil || painted != 4 {
		t.Fatalf("first run: %d painted, %v", painted, err)
	}
	before := snapshot(t, dir)

	other := base
	other.Weights.Style = 20
	otherStyle := identified(t, base, files, "clip", "the great wave", "vgg")
	movedFiles := identified(t, base, t.TempDir(), "clip", "starry", "vgg")
	for _, tc := range []struct {
		name             string
		c                Config
		field            string // the setting named in the refusal; "" = accepted
		resumed, painted int
	}{
		{"same job continues", base, "", 4, 0},
		{"same files moved continue", movedFiles, "", 4, 0},
		{"other style weight refused", other, "Weights.Style", 0, 0},
		{"other style image at the same path refused", otherStyle, "Style", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resumed, painted, _, err := counted(t, tc.c)
			if tc.field == "" {
				if err != nil || resumed != tc.resumed || painted != tc.painted {
					t.Fatalf("%d resumed, %d painted, %v; want %d, %d", resumed, painted, err, tc.resumed, tc.painted)
				}
			} else {
				var fe *field.Error
				if !errors.Is(err, ErrOtherSettings) || !errors.As(err, &fe) || fe.Name != tc.field {
					t.Fatalf("got %v, want a refusal naming %s", err, tc.field)
				}
				if !strings.Contains(err.Error(), dir+" holds 4 frames painted with other settings (") || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q does not say what the work dir holds on one line", err)
				}
				t.Log(err)
			}
			if !sameFiles(before, snapshot(t, dir)) {
				t.Fatal("the saved frames changed")
			}
		})
	}
	other.Discard = true
	if resumed, painted, _, err := counted(t, other); err != nil || resumed != 0 || painted != 4 {
		t.Fatalf("discard: %d resumed, %d painted, %v; want 0, 4", resumed, painted, err)
	}
}

// TestWorkdirWithoutJob refuses a work dir holding frames but no job.json
// (or a damaged one) unless told to discard them.
func TestWorkdirWithoutJob(t *testing.T) {
	_, _, spec := setup(t)
	for _, job := range []string{"", "{not json"} {
		dir := t.TempDir()
		if err := os.WriteFile(FramePath(dir, 0), []byte("a frame"), 0o644); err != nil {
			t.Fatal(err)
		}
		if job != "" {
			if err := os.WriteFile(filepath.Join(dir, jobFile), []byte(job), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c := config(t, dir, spec)
		c.Frames = 2
		if _, _, _, err := counted(t, c); !errors.Is(err, ErrOtherSettings) {
			t.Fatalf("job.json %q: got %v, want a refusal", job, err)
		}
		if got, _ := os.ReadFile(FramePath(dir, 0)); string(got) != "a frame" {
			t.Fatal("the frame was touched")
		}
		c.Discard = true
		if _, painted, _, err := counted(t, c); err != nil || painted != 2 {
			t.Fatalf("discard: %d painted, %v", painted, err)
		}
	}
}

// TestWorkdirLock runs into a work dir whose lock another holder has: the
// run fails at once naming the holder's pid, and touches nothing.
func TestWorkdirLock(t *testing.T) {
	_, _, spec := setup(t)
	dir := t.TempDir()
	var other locks // another process painting the first segment
	if err := other.take(t.Context(), dir, segmentLock(0), false, false); err != nil {
		t.Fatal(err)
	}
	c := config(t, dir, spec)
	_, painted, _, err := counted(t, c)
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != "Workdir" || !strings.Contains(err.Error(), fmt.Sprintf("pid %d on ", os.Getpid())) || painted != 0 {
		t.Fatalf("got %v with %d painted, want a refusal naming pid %d", err, painted, os.Getpid())
	}
	t.Log(err)
	if _, err := os.Stat(filepath.Join(dir, jobFile)); err == nil {
		t.Error("the refused run wrote job.json")
	}
	other.release()
	if _, painted, _, err := counted(t, c); err != nil || painted != c.Frames {
		t.Fatalf("after unlock: %d painted, %v", painted, err)
	}
}

// TestDamagedFrame damages a frame in the middle of a finished chain: the
// next run reports it, paints that frame alone again (the chain reads the
// frames after it back) and ends with the uninterrupted run's frames.
func TestDamagedFrame(t *testing.T) {
	_, _, spec := setup(t)
	dir := t.TempDir()
	c := config(t, dir, spec)
	c.Workers, c.WarmStart, c.Weights.Temporal = 1, WarmFlow, 100
	if _, _, _, err := counted(t, c); err != nil {
		t.Fatal(err)
	}
	want := frames(t, dir, c.Frames)
	for _, damage := range []func(string) error{
		func(p string) error { return os.Truncate(p, 100) },                                 // cut short
		func(p string) error { return os.WriteFile(p, []byte("\x89PNG\r\n\x1a\n"), 0o644) }, // header only
	} {
		if err := damage(FramePath(dir, 2)); err != nil {
			t.Fatal(err)
		}
		resumed, painted, damaged, err := counted(t, c)
		if err != nil || resumed != c.Frames-1 || painted != 1 || damaged != 1 {
			t.Fatalf("%d resumed, %d painted, %d damaged, %v; want %d, 1, 1", resumed, painted, damaged, err, c.Frames-1)
		}
		got := frames(t, dir, c.Frames)
		for i := range want {
			if d := maxDiff(got[i], want[i]); d > 1 {
				t.Fatalf("frame %d differs from the uninterrupted run's by %d levels", i, d)
			}
		}
	}
}
