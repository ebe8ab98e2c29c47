package decode

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/shared"
)

const (
	clip420 = "data/video/cockatoo_720p_14s_yuv420.mp4"
	clip444 = "data/video/cockatoo_720p_14s_yuv444.mp4"
	clipVFR = "data/video/stream_of_water_360p_3s.mp4"
	clipBBB = "data/video/big_buck_bunny_720p_5s.mp4"
)

// TestProbeNoFFmpeg checks the error without ffmpeg on PATH.
func TestProbeNoFFmpeg(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	want := "ffmpeg not found on PATH: install it (Debian/Ubuntu: sudo apt-get install ffmpeg)"
	if _, err := Probe(context.Background(), "x.mp4"); err == nil || err.Error() != want {
		t.Errorf("Probe without ffmpeg = %v, want %q", err, want)
	}
}

func TestProbe(t *testing.T) {
	shared.NeedFFmpeg(t)
	// The yuv420 cockatoo has no audio track despite MANIFEST.md's table
	// (ffprobe: one stream); the yuv444 one carries the mp3.
	for _, c := range []struct {
		clip string
		want Info
	}{
		{clip420, Info{Width: 1280, Height: 720, FPS: 20, Duration: 14, Frames: 280, HasAudio: false, Codec: "h264", PixFmt: "yuv420p"}},
		{clip444, Info{Width: 1280, Height: 720, FPS: 20, Duration: 14, Frames: 280, HasAudio: true, Codec: "h264", PixFmt: "yuv444p"}},
		{clipVFR, Info{Width: 480, Height: 360, FPS: 30000.0 / 1001, Duration: 3.001667, Frames: 90, HasAudio: true, Codec: "h264", PixFmt: "yuv420p"}},
		{clipBBB, Info{Width: 1280, Height: 720, FPS: 25, Duration: 5.28, Frames: 132, HasAudio: true, Codec: "h264", PixFmt: "yuv420p"}},
	} {
		t.Run(filepath.Base(c.clip), func(t *testing.T) {
			got, err := Probe(context.Background(), shared.Path(t, c.clip))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.FPS-c.want.FPS) > 1e-6 || math.Abs(got.Duration-c.want.Duration) > 0.01 {
				t.Errorf("FPS, Duration = %v, %v; want %v, %v", got.FPS, got.Duration, c.want.FPS, c.want.Duration)
			}
			got.FPS, got.Duration = c.want.FPS, c.want.Duration
			if got != c.want {
				t.Errorf("Probe = %+v\nwant    %+v", got, c.want)
			}
		})
	}
}

// synth writes a small test-pattern video with ffmpeg's lavfi source.
func synth(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", src,
		"-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", p).CombinedOutput()
	if err != nil {
		t.Fatalf("making %s: %v: %s", name, err, out)
	}
	return p
}

func TestProbeRotated(t *testing.T) {
	shared.NeedFFmpeg(t)
	p := synth(t, "plain.mp4", "testsrc=size=64x36:rate=10:duration=1")
	rot := filepath.Join(filepath.Dir(p), "rot.mp4")
	// ffmpeg ≥ 6 sets the display matrix with -display_rotation; 5.x from
	// the rotate tag.
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-display_rotation", "90", "-i", p,
		"-c", "copy", rot).CombinedOutput()
	if err != nil {
		out, err = exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", p,
			"-c", "copy", "-metadata:s:v:0", "rotate=90", rot).CombinedOutput()
	}
	if err != nil {
		t.Fatalf("tagging a rotation: %v: %s", err, out)
	}
	in, err := Probe(context.Background(), rot)
	if err != nil {
		t.Fatal(err)
	}
	if in.Rotation != 90 && in.Rotation != 270 || in.Width != 36 || in.Height != 64 {
		t.Errorf("rotated: %+v, want Rotation 90 or 270 and a 36×64 display size", in)
	}
	pl, err := in.Plan(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), rot, pl)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ReadFrame(make([]byte, 36*64*3)); err != nil {
		t.Errorf("reading the rotated video: %v", err)
	}
}

func TestProbeNotVideo(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("this is not a video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pic := filepath.Join(dir, "still.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pic, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	audio := filepath.Join(dir, "tone.m4a")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
		"sine=duration=0.5", audio).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, p := range []string{text, pic, audio, filepath.Join(dir, "missing.mp4"), dir} {
		_, err := Probe(context.Background(), p)
		shared.OneLine(t, err, p)
		t.Log(err)
	}
}

var cockatoo = Info{Width: 1280, Height: 720, FPS: 20, Duration: 14, Frames: 280, Codec: "h264", PixFmt: "yuv420p"}

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		name string
		info Info
		o    Options
		want Plan
	}{
		{"whole", cockatoo, Options{}, Plan{Width: 1280, Height: 720, FPS: 20, First: 0, Count: 280, Start: 0, End: 14}},
		{"fps 10 over 0-3s", cockatoo, Options{End: 3, FPS: 10}, Plan{Width: 1280, Height: 720, FPS: 10, Count: 30, End: 3}},
		{"2.5-4s at 20fps", cockatoo, Options{Start: 2.5, End: 4}, Plan{Width: 1280, Height: 720, FPS: 20, First: 50, Count: 30, Start: 2.5, End: 4}},
		{"frames 30:60", cockatoo, Options{FromFrame: 30, ToFrame: 60}, Plan{Width: 1280, Height: 720, FPS: 20, First: 30, Count: 30, Start: 1.5, End: 3}},
		{"frames 30: at fps 10", cockatoo, Options{FromFrame: 30, FPS: 10}, Plan{Width: 1280, Height: 720, FPS: 10, First: 30, Count: 110, Start: 3, End: 14}},
		{"start to end", cockatoo, Options{Start: 13}, Plan{Width: 1280, Height: 720, FPS: 20, First: 260, Count: 20, Start: 13, End: 14}},
		{"size 64", cockatoo, Options{Size: 64}, Plan{Width: 64, Height: 36, FPS: 20, Count: 280, End: 14}},
		{"size 63 rounds down to even", cockatoo, Options{Size: 63}, Plan{Width: 62, Height: 34, FPS: 20, Count: 280, End: 14}},
		{"portrait size 64", Info{Width: 720, Height: 1280, FPS: 20, Duration: 1, Frames: 20}, Options{Size: 64}, Plan{Width: 36, Height: 64, FPS: 20, Count: 20, End: 1}},
		{"odd source size", Info{Width: 853, Height: 481, FPS: 25, Duration: 2, Frames: 50}, Options{}, Plan{Width: 852, Height: 480, FPS: 25, Count: 50, End: 2}},
		{"upsampled fps", Info{Width: 480, Height: 360, FPS: 30000.0 / 1001, Duration: 3.001667, Frames: 90}, Options{FPS: 60, Upsample: true}, Plan{Width: 480, Height: 360, FPS: 60, Count: 180, End: 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.info.Plan(c.o)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Start-c.want.Start) > 1e-9 || math.Abs(got.End-c.want.End) > 1e-9 {
				t.Errorf("Start, End = %v, %v; want %v, %v", got.Start, got.End, c.want.Start, c.want.End)
			}
			got.Start, got.End = c.want.Start, c.want.End
			if got != c.want {
				t.Errorf("Plan = %+v\nwant   %+v", got, c.want)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		o     Options
		field string // the fields the error names
	}{
		{"start past end", Options{Start: 14}, "Start"},
		{"end past end", Options{Start: 10, End: 15}, "End"},
		{"empty time range", Options{Start: 3, End: 3}, "Start/End"},
		{"reversed time range", Options{Start: 4, End: 3}, "Start/End"},
		{"too short for the rate", Options{Start: 1, End: 1.01}, "Start/End"},
		{"negative start", Options{Start: -1}, "Start"},
		{"negative end", Options{End: -1}, "End"},
		{"frames past end", Options{FromFrame: 270, ToFrame: 290}, "FromFrame/ToFrame"},
		{"frames start past end", Options{FromFrame: 280}, "FromFrame/ToFrame"},
		{"frames past end at fps 10", Options{FromFrame: 100, ToFrame: 141, FPS: 10}, "FromFrame/ToFrame"},
		{"empty frames", Options{FromFrame: 60, ToFrame: 60}, "FromFrame/ToFrame"},
		{"negative frames", Options{FromFrame: -5}, "FromFrame/ToFrame"},
		{"times and frames", Options{Start: 1, ToFrame: 60}, "Start/End/FromFrame/ToFrame"},
		{"negative fps", Options{FPS: -1}, "FPS"},
		{"nan fps", Options{FPS: math.NaN()}, "FPS"},
		{"fps above the video's", Options{FPS: 100000, End: 0.2}, "FPS"},
		{"fps just above the video's", Options{FPS: 20.5}, "FPS"},
		{"negative size", Options{Size: -64}, "Size"},
		{"size too small", Options{Size: 2}, "Size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := cockatoo.Plan(c.o)
			if err == nil {
				t.Fatalf("no error, plan %+v", p)
			}
			shared.OneLine(t, err)
			var fe *field.Error
			if !errors.As(err, &fe) || fe.Name != c.field {
				t.Errorf("error %q: want a field error naming %s", err, c.field)
			}
		})
	}
}

func TestSubPanics(t *testing.T) {
	p := Plan{Width: 64, Height: 36, FPS: 20, First: 10, Count: 5}
	if s := p.Sub(1, 4); s.First != 11 || s.Count != 4 || s.Start != 0.55 || s.End != 0.75 {
		t.Errorf("Sub(1, 4) = %+v", s)
	}
	defer func() {
		if recover() == nil {
			t.Error("Sub past the plan's end did not panic")
		}
	}()
	p.Sub(2, 4)
}

// readAll decodes a whole plan, checking the frame count and io.EOF.
func readAll(t *testing.T, path string, p Plan) [][]byte {
	t.Helper()
	r, err := Open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames [][]byte
	for {
		f := make([]byte, p.Width*p.Height*3)
		err := r.ReadFrame(f)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(frames), err)
		}
		frames = append(frames, f)
		if len(frames) > p.Count {
			t.Fatalf("more than %d frames", p.Count)
		}
	}
	if len(frames) != p.Count {
		t.Fatalf("read %d frames, want %d", len(frames), p.Count)
	}
	if err := r.ReadFrame(make([]byte, p.Width*p.Height*3)); err != io.EOF {
		t.Errorf("ReadFrame after the end = %v, want io.EOF", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return frames
}

func plan(t *testing.T, path string, o Options) Plan {
	t.Helper()
	in, err := Probe(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := in.Plan(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReader(t *testing.T) {
	shared.NeedFFmpeg(t)
	for _, c := range []struct {
		clip  string
		o     Options
		count int
	}{
		{clip420, Options{Start: 2, End: 3, Size: 64}, 20},
		{clip444, Options{Start: 2, End: 3, Size: 64}, 20},
		{clip420, Options{FromFrame: 3, ToFrame: 9, Size: 32, FPS: 10}, 6},
		// The ends of videos, at the source rate and resampled.
		{clip420, Options{Start: 13.5, Size: 32}, 10},
		{clipVFR, Options{FromFrame: 80, Size: 32}, 10},
		{clipVFR, Options{Start: 2.5, Size: 32, FPS: 24}, 12},
		{clipBBB, Options{Start: 4.5, Size: 32, FPS: 10}, 8},
	} {
		t.Run(filepath.Base(c.clip), func(t *testing.T) {
			p := plan(t, shared.Path(t, c.clip), c.o)
			if p.Count != c.count {
				t.Fatalf("plan %+v has %d frames, want %d", p, p.Count, c.count)
			}
			frames := readAll(t, shared.Path(t, c.clip), p)
			// Real footage: not a blank frame.
			lo, hi := byte(255), byte(0)
			for _, b := range frames[0] {
				lo, hi = min(lo, b), max(hi, b)
			}
			if hi-lo < 32 {
				t.Errorf("first frame looks blank: values %d..%d", lo, hi)
			}
		})
	}
}

// Frames of the 420 and 444 encodings of the same footage agree closely,
// so both are decoded the same way, and the channel order is RGB.
func TestReaderColors(t *testing.T) {
	shared.NeedFFmpeg(t)
	p := Plan{Width: 16, Height: 16, FPS: 20, First: 40, Count: 1}
	a := readAll(t, shared.Path(t, clip420), p)[0]
	b := readAll(t, shared.Path(t, clip444), p)[0]
	var d float64
	for i := range a {
		d += math.Abs(float64(a[i]) - float64(b[i]))
	}
	if d /= float64(len(a)); d > 8 {
		t.Errorf("420 and 444 frames differ by %.1f on average", d)
	}

	// A red/blue test picture: channel 0 is red.
	red := synth(t, "red.mp4", "color=c=red:size=32x32:rate=10:duration=0.5")
	f := readAll(t, red, Plan{Width: 32, Height: 32, FPS: 10, Count: 2})[1]
	if f[0] < 200 || f[1] > 60 || f[2] > 60 {
		t.Errorf("red pixel decoded as %v", f[:3])
	}
}

func TestSub(t *testing.T) {
	shared.NeedFFmpeg(t)
	path := shared.Path(t, clip420)
	for _, c := range []struct {
		name string
		o    Options
		subs [][2]int
	}{
		// From the start (no seek) against segments that seek.
		{"source rate from 0", Options{End: 2, Size: 32}, [][2]int{{0, 3}, {25, 10}, {37, 3}}},
		{"fps 10", Options{Start: 2, End: 3.5, Size: 48, FPS: 10}, [][2]int{{5, 6}, {0, 2}, {12, 3}}},
		// Upsampled: repeated source frames, and segment edges inside a repeat.
		{"fps 30", Options{Start: 1, End: 2, Size: 32, FPS: 30, Upsample: true}, [][2]int{{7, 10}, {1, 1}, {29, 1}}},
		{"fps 7", Options{Start: 3, End: 5, Size: 32, FPS: 7}, [][2]int{{3, 5}, {13, 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := cockatoo.Plan(c.o)
			if err != nil {
				t.Fatal(err)
			}
			full := readAll(t, path, p)
			for _, s := range c.subs {
				a, n := s[0], s[1]
				part := readAll(t, path, p.Sub(a, n))
				shifted := false
				for k := range part {
					if !bytes.Equal(part[k], full[a+k]) {
						t.Errorf("Sub(%d, %d) frame %d differs from frame %d of the plan", a, n, k, a+k)
					}
					if a+k > 0 && !bytes.Equal(part[k], full[a+k-1]) {
						shifted = true
					}
				}
				if n > 2 && !shifted {
					t.Errorf("Sub(%d, %d): frames equal their predecessors too; the comparison cannot tell an off-by-one", a, n)
				}
			}
		})
	}
}

// An MPEG-TS file starts at a non-zero timestamp and has no frame count.
func TestSubTS(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.ts")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
		"testsrc=size=64x36:rate=10:duration=3", "-c:v", "libx264", "-g", "7", "-pix_fmt", "yuv420p",
		path).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	p := plan(t, path, Options{})
	if p.Count != 30 {
		t.Fatalf("plan %+v, want 30 frames", p)
	}
	full := readAll(t, path, p)
	for _, s := range [][2]int{{12, 5}, {25, 5}} {
		part := readAll(t, path, p.Sub(s[0], s[1]))
		for k := range part {
			if !bytes.Equal(part[k], full[s[0]+k]) {
				t.Errorf("Sub(%d, %d) frame %d differs from frame %d of the plan", s[0], s[1], k, s[0]+k)
			}
		}
	}
	if bytes.Equal(full[12], full[13]) {
		t.Error("test pattern frames 12 and 13 are equal")
	}
}

func TestReaderStopsEarly(t *testing.T) {
	shared.NeedFFmpeg(t)
	path := shared.Path(t, clip420)
	p := Plan{Width: 32, Height: 18, FPS: 20, First: 0, Count: 200}
	r, err := Open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, p.FrameSize())
	if err := r.ReadFrame(buf); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadFrame(buf[:10]); err == nil {
		t.Error("ReadFrame into a short buffer did not fail")
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close after reading part: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	r, err = Open(ctx, path, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.ReadFrame(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	for range p.Count {
		if err = r.ReadFrame(buf); err != nil {
			break
		}
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFrame after cancel = %v, want context.Canceled", err)
	}
}

// A plan reaching past the video's real end (a bad duration) fails at the
// end instead of inventing frames (beyond a copy or two of the last one).
func TestReaderShort(t *testing.T) {
	shared.NeedFFmpeg(t)
	p := Plan{Width: 32, Height: 18, FPS: 20, First: 275, Count: 10}
	r, err := Open(context.Background(), shared.Path(t, clip420), p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, p.FrameSize())
	for err == nil {
		err = r.ReadFrame(buf)
	}
	shared.OneLine(t, err, "ffmpeg gave 7 of 10 frames")
}

func TestReaderCorrupt(t *testing.T) {
	shared.NeedFFmpeg(t)
	path := synth(t, "clip.mp4", "testsrc=size=64x36:rate=10:duration=1")
	p := plan(t, path, Options{})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the file short: its index (moov, written last) is gone.
	if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Probe(context.Background(), path)
	shared.OneLine(t, err, path)
	t.Log(err)

	r, err := Open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	err = r.ReadFrame(make([]byte, p.FrameSize()))
	shared.OneLine(t, err, path, "ffmpeg failed", "moov atom not found")
	t.Log(err)
	if cerr := r.Close(); cerr == nil || cerr.Error() != err.Error() {
		t.Errorf("Close = %v, want %v", cerr, err)
	}

	// Garbage over the middle of the stream: ffmpeg conceals, so either
	// the probe fails with a one-line error naming the file, or frames
	// arrive until the end (or a one-line error naming the file), within
	// a deadline: never a hang, a panic or an endless stream.
	path2 := synth(t, "clip2.mp4", "testsrc=size=64x36:rate=10:duration=1")
	data, _ = os.ReadFile(path2)
	for i := len(data) / 4; i < len(data)/2; i++ {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(path2, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := Probe(ctx, path2)
	if err != nil {
		shared.OneLine(t, err, path2)
		t.Log("garbled, probe:", err)
		return
	}
	p, err = in.Plan(Options{})
	if err != nil {
		t.Fatalf("plan of the garbled clip: %v", err)
	}
	r, err = Open(ctx, path2, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, p.FrameSize())
	n := 0
	for err = r.ReadFrame(buf); err == nil && n <= p.Count; err = r.ReadFrame(buf) {
		n++
	}
	switch {
	case ctx.Err() != nil:
		t.Fatalf("reading the garbled clip did not end in 30 s (%d frames)", n)
	case err == nil:
		t.Errorf("the garbled clip gave more than its %d frames", p.Count)
	case err == io.EOF:
		if n == 0 {
			t.Errorf("the garbled clip ended without a frame and without an error")
		}
	default:
		shared.OneLine(t, err, path2)
	}
	t.Logf("garbled: %d of %d frames, then %v", n, p.Count, err)
}
