package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gogh-video/gogh/internal/shared"
)

// The fault-injection tests run gogh as a process of its own, to kill it:
// the test binary is gogh when GOGH_AS_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("GOGH_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process starts gogh with args as a process of its own, one BLAS thread,
// its output collected in out.
func process(t *testing.T, out *bytes.Buffer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOGH_AS_MAIN=1", "OPENBLAS_NUM_THREADS=1")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// files returns the bytes of every file under dir but the locks and the
// frames log, by path relative to dir.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasPrefix(info.Name(), "lock") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestKill9 runs gogh video 12 times, each killed with SIGKILL at a
// random moment of a run's length (loading, painting, saving, encoding),
// then once to the end: the frames, job.json and the video must be those
// of an uninterrupted run, byte for byte, and no temporary file may be
// left once a later run has passed over it.
func TestKill9(t *testing.T) {
	shared.NeedFFmpeg(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	args := func(dir string) []string {
		return []string{"video", in, "-s", starryPath(t), "-o", filepath.Join(dir, "out.mp4"), "--weights", shared.Weights(t),
			"--frames", "0:8", "--fps", "10", "--size", "40", "--steps-first", "6", "--steps", "3", "--threads", "1"}
	}
	ref := t.TempDir()
	var out bytes.Buffer
	start := time.Now()
	if err := process(t, &out, args(ref)...).Wait(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out.String())
	}
	whole := time.Since(start)
	want := files(t, ref)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("uninterrupted run %v; kill points drawn with seed %d", whole.Round(time.Millisecond), seed)
	dir := t.TempDir()
	kills := 0
	for try := range 13 {
		out.Reset()
		cmd := process(t, &out, args(dir)...)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		kill := time.After(time.Duration(rng.Float64() * float64(whole)))
		if try == 12 {
			kill = nil // the last run goes to the end
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d failed: %v\n%s", try, err, out.String())
			}
		case <-kill:
			_ = cmd.Process.Kill()
			if err := <-done; err != nil {
				kills++
			}
			// A killed run's ffmpeg, orphaned, finishes its temporary
			// file on its own; what it left is old by the time a user
			// runs again.
			settle(dir)
			backdate(t, dir, time.Hour)
		}
	}
	t.Logf("%d of 12 runs killed before they ended", kills)
	got := files(t, dir)
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from the uninterrupted run's (%d bytes, want %d)", name, len(got[name]), len(b))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s left behind", name)
		}
	}
}

// settle waits (at most 5 s) until the hidden files under dir stop
// changing for 300 ms.
func settle(dir string) {
	state := func() string {
		var b strings.Builder
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && strings.HasPrefix(info.Name(), ".") {
				fmt.Fprintln(&b, p, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
		return b.String()
	}
	prev := state()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		cur := state()
		if cur == prev {
			return
		}
		prev = cur
	}
}

// backdate sets the modification time of the hidden files under dir
// (temporary files) to age ago.
func backdate(t *testing.T, dir string, age time.Duration) {
	t.Helper()
	old := time.Now().Add(-age)
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(info.Name(), ".") && !info.IsDir() {
			_ = os.Chtimes(p, old, old)
		}
		return nil
	})
}

// TestConcurrentRuns starts a second run on a work dir while a first one
// paints it, with another style: the second fails at once naming the
// first's pid; after the first has finished it is refused for its style,
// as is a run whose style file was replaced behind the same path; the
// first run's frames are untouched.
func TestConcurrentRuns(t *testing.T) {
	shared.NeedFFmpeg(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	dir := t.TempDir()
	style := filepath.Join(dir, "style.jpg")
	copyFile(t, starryPath(t), style)
	wave := shared.Path(t, "data/styles/great_wave_kanagawa_hokusai.jpg")
	work := filepath.Join(dir, "work")
	args := func(style string) []string {
		return []string{"video", in, "-s", style, "-o", filepath.Join(dir, "out.mp4"), "--weights", shared.Weights(t), "--workdir", work,
			"--frames", "0:50", "--fps", "10", "--size", "40", "--steps-first", "6", "--steps", "3", "--threads", "1"}
	}
	var first bytes.Buffer
	cmd := process(t, &first, args(style)...)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(filepath.Join(work, "lock.segment-0")); len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first run never took the lock:\n%s", first.String())
		}
	}
	_, _, err := gogh(t, t.Context(), args(wave)...)
	wantPid := fmt.Sprintf("pid %d on ", cmd.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), "--workdir") || !strings.Contains(err.Error(), wantPid) || strings.Contains(err.Error(), "\n") {
		t.Errorf("second run: %v; want one line naming --workdir and %q", err, wantPid)
	}
	t.Log(err)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, first.String())
	}
	before := files(t, work)

	copyFile(t, wave, style) // another painting behind the same path
	for _, s := range []string{wave, style} {
		_, _, err = gogh(t, t.Context(), args(s)...)
		if err == nil || !strings.Contains(err.Error(), "holds 50 frames painted with other settings (-s: ") ||
			!strings.Contains(err.Error(), "--discard") || strings.Contains(err.Error(), "\n") {
			t.Errorf("-s %s: %v; want one line refusing for the style, with the choices", s, err)
		}
		t.Log(err)
	}
	after := files(t, work)
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed", name)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
