package encode

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/internal/shared"
)

const (
	w, h = 64, 36
	// The yuv444 cockatoo carries the mp3 track; the yuv420 one has none.
	withAudio    = "data/video/cockatoo_720p_14s_yuv444.mp4"
	withoutAudio = "data/video/cockatoo_720p_14s_yuv420.mp4"
)

// gradient is frame i of a synthetic clip: red grows left to right, green
// top to bottom, blue with the frame number.
func gradient(i int) []byte {
	f := make([]byte, w*h*3)
	for y := range h {
		for x := range w {
			p := f[(y*w+x)*3:]
			p[0] = byte(40 + x*160/w)
			p[1] = byte(40 + y*160/h)
			p[2] = byte(30 + i*15)
		}
	}
	return f
}

type stream struct {
	CodecType string `json:"codec_type"`
	CodecName string `json:"codec_name"`
	PixFmt    string `json:"pix_fmt"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Duration  string `json:"duration"`
	NbFrames  string `json:"nb_frames"`
	Profile   string `json:"profile"`
}

func probe(t *testing.T, path string) (video, audio *stream) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var pj struct{ Streams []stream }
	if err := json.Unmarshal(out, &pj); err != nil {
		t.Fatal(err)
	}
	for i := range pj.Streams {
		switch s := &pj.Streams[i]; s.CodecType {
		case "video":
			video = s
		case "audio":
			audio = s
		}
	}
	return video, audio
}

func seconds(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("duration %q: %v", s, err)
	}
	return f
}

// onlyFiles fails unless dir holds exactly the named files (no temporary
// file left behind).
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %q, want %q", got, names)
	}
}

func encode(t *testing.T, path string, n int, o Options) error {
	t.Helper()
	wr, err := Create(context.Background(), path, w, h, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := wr.WriteFrame(gradient(i)); err != nil {
			wr.Abort()
			return err
		}
	}
	return wr.Close()
}

func TestEncode(t *testing.T) {
	shared.NeedFFmpeg(t)
	for _, c := range []struct {
		name      string
		o         Options
		audio     float64 // expected audio seconds, 0 = no audio stream
		wantAudio bool
	}{
		{"video only", Options{FPS: 6}, 0, false},
		{"audio 1.5 s", Options{FPS: 6, AudioFrom: withAudio, AudioStart: 3, AudioEnd: 4.5}, 1.5, true},
		{"source without audio", Options{FPS: 6, AudioFrom: withoutAudio, AudioStart: 3, AudioEnd: 4.5}, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.o.AudioFrom != "" {
				c.o.AudioFrom = shared.Path(t, c.o.AudioFrom)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "out.mp4")
			if err := encode(t, path, 12, c.o); err != nil {
				t.Fatal(err)
			}
			onlyFiles(t, dir, "out.mp4")
			v, a := probe(t, path)
			if v == nil {
				t.Fatal("no video stream")
			}
			if v.CodecName != "h264" || v.PixFmt != "yuv420p" || v.Width != w || v.Height != h || v.NbFrames != "12" {
				t.Errorf("video stream %+v, want h264 yuv420p %d×%d, 12 frames", *v, w, h)
			}
			if d := seconds(t, v.Duration); math.Abs(d-2.0) > 0.01 {
				t.Errorf("video lasts %.3f s, want 2.0", d)
			}
			switch {
			case c.wantAudio && a == nil:
				t.Error("no audio stream")
			case !c.wantAudio && a != nil:
				t.Errorf("unexpected audio stream %+v", *a)
			case a != nil:
				if a.CodecName != "aac" {
					t.Errorf("audio codec %s, want aac", a.CodecName)
				}
				if d := seconds(t, a.Duration); math.Abs(d-c.audio) > 0.1 {
					t.Errorf("audio lasts %.3f s, want %.1f", d, c.audio)
				}
			}
		})
	}
}

// TestResample checks that resampling keeps the video's duration and
// reaches the asked frame rate, by repeating frames or interpolating them.
func TestResample(t *testing.T) {
	shared.NeedFFmpeg(t)
	for _, how := range []Interpolation{Dup, MCI} {
		t.Run(string(how), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.mp4")
			if err := encode(t, path, 6, Options{FPS: 6, Resample: 18, Interpolate: how}); err != nil {
				t.Fatal(err)
			}
			v, _ := probe(t, path)
			if d := seconds(t, v.Duration); math.Abs(d-1.0) > 0.06 {
				t.Errorf("video lasts %.3f s, want 1.0", d)
			}
			if n, _ := strconv.Atoi(v.NbFrames); n < 17 || n > 19 {
				t.Errorf("%s frames, want 18", v.NbFrames)
			}
		})
	}
}

// Decoding the encoded clip gives back the frames, in order, close to the
// colours written (BT.709 both ways).
func TestRoundTrip(t *testing.T) {
	shared.NeedFFmpeg(t)
	path := filepath.Join(t.TempDir(), "out.mp4")
	if err := encode(t, path, 12, Options{FPS: 6, CRF: 10}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in, err := decode.Probe(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if in.FPS != 6 || in.Frames != 12 || in.Width != w || in.Height != h {
		t.Errorf("Probe = %+v", in)
	}
	p, err := in.Plan(decode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := decode.Open(ctx, path, p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, w*h*3)
	for i := 0; ; i++ {
		err := r.ReadFrame(buf)
		if err == io.EOF {
			if i != 12 {
				t.Errorf("decoded %d frames, want 12", i)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want := gradient(i)
		var sum float64
		for k := range buf {
			sum += math.Abs(float64(buf[k]) - float64(want[k]))
		}
		if mean := sum / float64(len(buf)); mean > 3 {
			t.Errorf("frame %d: mean error %.2f per channel", i, mean)
		}
	}
}

func TestAbort(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mp4")
	wr, err := Create(context.Background(), path, w, h, Options{FPS: 6})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := wr.WriteFrame(gradient(i)); err != nil {
			t.Fatal(err)
		}
	}
	onlyFiles(t, dir, filepath.Base(wr.tmp.Name())) // the temporary file while writing
	wr.Abort()
	onlyFiles(t, dir)
	if err := wr.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
	wr.Abort()
	onlyFiles(t, dir)

	// An existing file at path survives an aborted or failed write.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	wr, err = Create(context.Background(), path, w, h, Options{FPS: 6})
	if err != nil {
		t.Fatal(err)
	}
	wr.WriteFrame(gradient(0))
	wr.Abort()
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("existing file changed to %q", b)
	}
	wr, err = Create(context.Background(), path, w, h, Options{FPS: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.Close(); err == nil || !strings.Contains(err.Error(), "no frames") {
		t.Errorf("Close without frames = %v", err)
	}
	onlyFiles(t, dir, "out.mp4")
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("existing file changed to %q", b)
	}
}

func TestCancel(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	wr, err := Create(ctx, filepath.Join(dir, "out.mp4"), w, h, Options{FPS: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.WriteFrame(gradient(0)); err != nil {
		t.Fatal(err)
	}
	cancel()
	for i := 0; i < 1000 && err == nil; i++ {
		err = wr.WriteFrame(gradient(i))
	}
	if err == nil {
		err = wr.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("after cancel: %v, want context.Canceled", err)
	}
	wr.Close()
	onlyFiles(t, dir)
}

func TestCreateErrors(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		w, h       int
		o          Options
	}{
		{"read-only dir", filepath.Join(ro, "out.mp4"), w, h, Options{FPS: 6}},
		{"missing dir", filepath.Join(dir, "no", "such", "out.mp4"), w, h, Options{FPS: 6}},
		{"parent is a file", filepath.Join(file, "out.mp4"), w, h, Options{FPS: 6}},
		{"odd size", filepath.Join(dir, "odd.mp4"), 63, h, Options{FPS: 6}},
		{"no fps", filepath.Join(dir, "nofps.mp4"), w, h, Options{}},
		{"bad crf", filepath.Join(dir, "crf.mp4"), w, h, Options{FPS: 6, CRF: 52}},
		{"empty audio range", filepath.Join(dir, "a.mp4"), w, h, Options{FPS: 6, AudioFrom: file, AudioStart: 2, AudioEnd: 1}},
		{"missing audio file", filepath.Join(dir, "a.mp4"), w, h, Options{FPS: 6, AudioFrom: filepath.Join(dir, "nope.mp3")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "read-only dir" && os.Geteuid() == 0 {
				t.Skip("root writes into read-only directories")
			}
			wr, err := Create(context.Background(), c.path, c.w, c.h, c.o)
			if err == nil {
				wr.Abort()
			}
			want := []string{c.path}
			if c.name == "missing audio file" {
				want = []string{c.o.AudioFrom}
			}
			shared.OneLine(t, err, want...)
			t.Log(err)
		})
	}
	onlyFiles(t, dir, "file", "ro")
	onlyFiles(t, ro)
}

// ffmpeg failing (here: "audio" that is a text file) gives a one-line error
// with ffmpeg's own message, and no output file.
func TestFFmpegFails(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not audio\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "out.mp4")
	err := encode(t, path, 12, Options{FPS: 6, AudioFrom: text})
	shared.OneLine(t, err, path, "ffmpeg failed", "Invalid data")
	t.Log(err)
	onlyFiles(t, dir, "notes.txt")
}

func TestTiming(t *testing.T) {
	for _, tc := range []struct {
		name             string
		fps, out, source float64
		how              Interpolation
		want             Options
	}{
		{"as painted", 10, 0, 25, "", Options{FPS: 10}},
		{"slow motion", 10, 5, 25, "", Options{FPS: 5}},
		{"frames repeated up to the source's rate", 10, 0, 25, Dup, Options{FPS: 10, Resample: 25, Interpolate: Dup}},
		{"interpolated to 30", 10, 30, 25, MCI, Options{FPS: 10, Resample: 30, Interpolate: MCI}},
	} {
		if got := Timing(tc.fps, tc.out, tc.how, tc.source); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestFullDisk encodes more than the disk holds: ffmpeg may exit 0 after
// failing to write the file's end, so Close must read the video back and
// fail, leaving nothing at the path.
func TestFullDisk(t *testing.T) {
	shared.NeedFFmpeg(t)
	dir := shared.SmallDisk(t, 16<<10)
	path := filepath.Join(dir, "out.mp4")
	wr, err := Create(context.Background(), path, w, h, Options{FPS: 6})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	frame := make([]byte, w*h*3)
	for range 40 { // noise: about 4 KB a frame
		for j := range frame {
			frame[j] = byte(rng.Uint32())
		}
		if err = wr.WriteFrame(frame); err != nil {
			break
		}
	}
	if err == nil {
		err = wr.Close()
	}
	shared.OneLine(t, err, path)
	t.Log(err)
	onlyFiles(t, dir)
}
