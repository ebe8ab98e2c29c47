package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
)

// probe returns ffprobe's description of a file's streams.
func probe(t *testing.T, path string) []map[string]any {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_type,codec_name,pix_fmt,nb_read_frames,r_frame_rate,width,height:format=duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p struct {
		Streams []map[string]any
		Format  map[string]any
	}
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Streams {
		s["format_duration"] = p.Format["duration"]
	}
	return p.Streams
}

func streamOf(streams []map[string]any, typ string) map[string]any {
	for _, s := range streams {
		if s["codec_type"] == typ {
			return s
		}
	}
	return nil
}

func TestVideo(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	weights := shared.Weights(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	style := starryPath(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	logPath := filepath.Join(dir, "frames.jsonl")
	stdout, _, err := gogh(t, context.Background(), "video", in, "-s", style, "-o", out, "--weights", weights,
		"--frames", "0:4", "--size", "48", "--steps-first", "4", "--steps", "2", "--fps", "10",
		"--workers", "2", "--threads", "2", "--log", logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(stdout)
	if !strings.Contains(stdout, "(4/4 done") || !strings.Contains(stdout, "steps 2") {
		t.Errorf("no per-frame lines in the output:\n%s", stdout)
	}
	v := streamOf(probe(t, out), "video")
	if v == nil {
		t.Fatal("no video stream")
	}
	if v["codec_name"] != "h264" || v["pix_fmt"] != "yuv420p" || v["nb_read_frames"] != "4" || v["r_frame_rate"] != "10/1" {
		t.Errorf("video stream %v, want h264 yuv420p, 4 frames at 10/1", v)
	}
	if d, _ := strconv.ParseFloat(v["format_duration"].(string), 64); d < 0.39 || d > 0.45 {
		t.Errorf("duration %v s, want 0.4", v["format_duration"])
	}
	for i := range 4 {
		if _, err := os.Stat(filepath.Join(out+".frames", "frame-00000"+strconv.Itoa(i)+".png")); err != nil {
			t.Error(err)
		}
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		var rec pipeline.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || rec.Steps < 1 || rec.Seconds <= 0 || !(rec.Style > 0) {
			t.Errorf("log line %q: %v", sc.Text(), err)
		}
	}
	if n != 4 {
		t.Errorf("%d log lines, want 4", n)
	}
}

func TestVideoAudio(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("no ffprobe")
	}
	weights := shared.Weights(t)
	in := shared.Path(t, "data/video/big_buck_bunny_720p_5s.mp4") // has audio; the cockatoo has none
	style := starryPath(t)
	dir := t.TempDir()
	for _, noAudio := range []bool{false, true} {
		// The second run reuses the first's frames (--resume, same job).
		out := filepath.Join(dir, map[bool]string{false: "audio.mp4", true: "silent.mp4"}[noAudio])
		args := []string{"video", in, "-s", style, "-o", out, "--weights", weights, "--start", "1s", "--end", "1.2",
			"--size", "32", "--steps-first", "2", "--steps", "1", "--fps", "10",
			"--workdir", filepath.Join(dir, "frames"), "--resume"}
		if noAudio {
			args = append(args, "--no-audio")
		}
		if _, _, err := gogh(t, context.Background(), args...); err != nil {
			t.Fatal(err)
		}
		streams := probe(t, out)
		if a := streamOf(streams, "audio"); (a == nil) != noAudio {
			t.Errorf("--no-audio %v: audio stream %v", noAudio, a)
		}
		if v := streamOf(streams, "video"); v == nil || v["nb_read_frames"] != "2" {
			t.Errorf("video stream %v, want 2 frames", v)
		}
	}
}

func TestVideoErrors(t *testing.T) {
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	style := starryPath(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jpg")
	if err := os.WriteFile(bad, []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.mp4")
	copyIn := filepath.Join(dir, "in.mp4") // an input in a writable place
	if err := os.Symlink(in, copyIn); err != nil {
		t.Fatal(err)
	}
	styleMP4 := filepath.Join(dir, "style.mp4") // a style named like a video
	if err := os.WriteFile(styleMP4, []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"output is the input", []string{"video", copyIn, "-s", style, "-o", copyIn}, "is the input IN"},
		{"output is the style", []string{"video", in, "-s", styleMP4, "-o", styleMP4}, "is the input -s"},
		{"log is the input", []string{"video", copyIn, "-s", style, "-o", out, "--log", copyIn}, "--log"},
		{"range past the end", []string{"video", in, "-s", style, "-o", out, "--frames", "1000:1004"}, "--frames"},
		{"end past the end", []string{"video", in, "-s", style, "-o", out, "--start", "2", "--end", "99s"}, "--end"},
		{"bad seconds", []string{"video", in, "-s", style, "-o", out, "--start", "soon"}, "--start"},
		{"unreadable input", []string{"video", filepath.Join(dir, "none.mp4"), "-s", style, "-o", out}, "none.mp4"},
		{"corrupt style", []string{"video", in, "-s", bad, "-o", out, "--frames", "0:2"}, "-s: " + bad},
		{"unwritable output", []string{"video", in, "-s", style, "-o", filepath.Join(dir, "no", "out.mp4")}, "-o"},
		{"too many workers", []string{"video", in, "-s", style, "-o", out, "--workers", "3", "--threads", "2"}, "--workers"},
		{"warm start", []string{"video", in, "-s", style, "-o", out, "--warm-start", "next"}, "--warm-start"},
		{"temporal loss without chain", []string{"video", in, "-s", style, "-o", out, "--warm-start", "none", "--temporal-weight", "5"}, "--temporal-weight"},
		{"temporal frames", []string{"video", in, "-s", style, "-o", out, "--temporal-weight", "5", "--temporal-frames", "2,1"}, "--temporal-frames"},
		{"interpolate", []string{"video", in, "-s", style, "-o", out, "--interpolate", "smooth"}, "--interpolate"},
		{"size beyond memory", []string{"video", in, "-s", style, "-o", out, "--size", "100000", "--threads", "2"}, "--size: painting 100000x56250 pixels 2 times at once needs about"},
		{"size below the layers", []string{"video", in, "-s", style, "-o", out, "--size", "6"}, "--size: a 6x2 image is too small"},
		{"shard without a work dir", []string{"video", in, "-s", style, "--shard", "0/2"}, "--workdir"},
		{"shard K not below N", []string{"video", in, "-s", style, "--shard", "2/2", "--workdir", filepath.Join(dir, "w")}, "--shard"},
		{"shard with -o", []string{"video", in, "-s", style, "--shard", "0/2", "--workdir", filepath.Join(dir, "w"), "-o", out}, "gogh assemble"},
		{"shard with workers", []string{"video", in, "-s", style, "--shard", "0/2", "--workdir", filepath.Join(dir, "w"), "--workers", "2"}, "--workers"},
		{"shard with discard", []string{"video", in, "-s", style, "--shard", "0/2", "--workdir", filepath.Join(dir, "w"), "--discard"}, "--discard"},
		{"batch into a file", []string{"video", in, in, "-s", style, "-o", out}, "-o " + out + ": with several inputs -o names a folder"},
		{"batch with a work dir", []string{"video", in, in, "-s", style, "-o", filepath.Join(dir, "b"), "--workdir", filepath.Join(dir, "w")}, "--workdir: one input at a time"},
		{"fps above the video's", []string{"video", in, "-s", style, "-o", out, "--fps", "100000", "--end", "0.2"}, "--fps: 100000 is above the video's own 20 fps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := gogh(t, context.Background(), tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s", msg, tc.want)
			}
			left, _ := filepath.Glob(filepath.Join(dir, "out.mp4*"))
			if len(left) != 0 {
				t.Errorf("left behind %v", left)
			}
		})
	}
}

// TestVideoFullDisk fills a small tmpfs (mounting needs root, as in CI;
// elsewhere the test is skipped): the run stops with a one-line error,
// writes no video, and keeps the frames it finished.
func TestVideoFullDisk(t *testing.T) {
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	dir := shared.SmallDisk(t, 200<<10)
	out := filepath.Join(dir, "out.mp4")
	_, _, err := gogh(t, context.Background(), "video", in, "-s", starryPath(t), "-o", out,
		"--weights", shared.Weights(t), "--frames", "0:40", "--size", "96", "--steps-first", "2", "--steps", "1")
	if err == nil {
		t.Fatal("no error on a full disk")
	}
	if msg := err.Error(); !strings.Contains(msg, "no space left") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line saying the disk is full", msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a video was written")
	}
	saved, _ := filepath.Glob(filepath.Join(dir, "out.mp4.frames", "frame-*.png"))
	if len(saved) == 0 {
		t.Error("no finished frame was kept")
	}
	temps, _ := filepath.Glob(filepath.Join(dir, "out.mp4.frames", ".*"))
	if len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

// TestVideoNoFFmpeg runs without ffmpeg on PATH: the error says how to
// install it, and nothing is written.
func TestVideoNoFFmpeg(t *testing.T) {
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	dir := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(dir, "out.mp4")
	_, _, err := gogh(t, context.Background(), "video", in, "-s", starryPath(t), "-o", out, "--weights", shared.Weights(t))
	if err == nil {
		t.Fatal("no error without ffmpeg")
	}
	if msg := err.Error(); !strings.Contains(msg, "apt-get install ffmpeg") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line saying how to install ffmpeg", msg)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("left behind %v", left)
	}
}

// TestEncodeFullDisk paints into a work dir with room and encodes onto a
// full disk, where ffmpeg exits 0 after failing to write the video's end:
// the run must fail, say how to continue, and leave no video; run again
// with room, it encodes the kept frames without painting any.
func TestEncodeFullDisk(t *testing.T) {
	shared.NeedFFmpeg(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	full := shared.SmallDisk(t, 4<<10)
	work := filepath.Join(t.TempDir(), "work")
	args := func(out string) []string {
		return []string{"video", in, "-s", starryPath(t), "-o", out, "--weights", shared.Weights(t), "--workdir", work,
			"--frames", "0:30", "--size", "96", "--steps-first", "2", "--steps", "1", "--threads", "2"}
	}
	out := filepath.Join(full, "out.mp4")
	_, _, err := gogh(t, t.Context(), args(out)...)
	if err == nil || !strings.Contains(err.Error(), "ffmpeg wrote a broken video") ||
		!strings.Contains(err.Error(), "run the same command again to encode them") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want one line saying the video is broken and how to continue", err)
	}
	t.Log(err)
	if left, _ := os.ReadDir(full); len(left) != 0 {
		t.Errorf("left on the full disk: %v", left)
	}
	roomy := filepath.Join(t.TempDir(), "out.mp4")
	stdout, _, err := gogh(t, t.Context(), args(roomy)...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout, "steps 1") {
		t.Errorf("the second run painted frames:\n%s", stdout)
	}
	if v := streamOf(probe(t, roomy), "video"); v == nil || v["nb_read_frames"] != "30" {
		t.Errorf("video stream %v, want 30 frames", v)
	}
}

// TestHints checks what an error after painting has started says to do.
func TestHints(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{paintError(context.Canceled, 3, 10, "w"), "interrupted: 3 of 10 frames are saved in w; run the same command again to continue"},
		{paintError(errors.New("frame 4: boom"), 3, 10, "w"), "frame 4: boom (3 of 10 frames are saved in w: run the same command again to continue)"},
		{encodeError(fmt.Errorf("encoding stopped: %w", context.Canceled), 10, "w"), "interrupted while encoding: the 10 frames are saved in w; run the same command again to encode them"},
		{encodeError(errors.New("encode: o.mp4: ffmpeg failed: x"), 10, "w"), "encode: o.mp4: ffmpeg failed: x; the 10 painted frames are kept in w: run the same command again to encode them"},
	} {
		if c.err.Error() != c.want {
			t.Errorf("got %q\nwant %q", c.err, c.want)
		}
	}
}

// TestShards paints a clip in two shards, the second first: gogh status
// shows them, assemble refuses while the first is missing, a finished
// shard run again paints nothing; then assembles, and compares with the
// same clip painted by two workers in one process: the same frames, seams
// included.
func TestShards(t *testing.T) {
	shared.NeedFFmpeg(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	common := []string{in, "-s", starryPath(t), "--weights", shared.Weights(t), "--frames", "0:10", "--fps", "10",
		"--size", "48", "--steps-first", "8", "--steps", "3"}
	shard := func(k string) (string, error) {
		out, _, err := gogh(t, context.Background(), append(append([]string{"video"}, common...), "--workdir", work, "--shard", k, "--threads", "1")...)
		return out, err
	}
	if _, err := shard("1/2"); err != nil {
		t.Fatal(err)
	}
	_, _, err := gogh(t, context.Background(), "assemble", work, "-o", filepath.Join(dir, "a.mp4"))
	if err == nil || !strings.Contains(err.Error(), "shard 0/2 lacks 5 of 5 frames (0-4)") || strings.Contains(err.Error(), "\n") {
		t.Errorf("assemble with shard 0 missing: %v", err)
	}
	t.Log(err)
	status, _, err := gogh(t, context.Background(), "status", work)
	if err != nil || !strings.Contains(status, "shard 0/2  frames 0-4  0/5 done") || !strings.Contains(status, "shard 1/2  frames 5-9  5/5 done") {
		t.Errorf("status: %v\n%s", err, status)
	}
	if _, err := shard("0/2"); err != nil {
		t.Fatal(err)
	}
	again, err := shard("0/2") // finished: paints nothing
	if err != nil || !strings.Contains(again, "shard 0/2 done") {
		t.Errorf("shard run again: %v\n%s", err, again)
	}
	if _, _, err := gogh(t, context.Background(), "assemble", work, "-o", filepath.Join(dir, "a.mp4"), "--weights", shared.Weights(t), "--threads", "2"); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "one")
	if _, _, err := gogh(t, context.Background(), append(append([]string{"video"}, common...), "--workdir", one, "--workers", "2", "--threads", "2",
		"-o", filepath.Join(dir, "b.mp4"))...); err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"frame-*.png", "seam-*.png"} {
		names, _ := filepath.Glob(filepath.Join(one, pattern))
		if want := min(pipeline.DefaultSeam, 4); pattern == "seam-*.png" && len(names) != want {
			t.Errorf("%d seam frames, want %d (all of the second shard's but its last)", len(names), want)
		}
		for _, name := range names {
			a, _ := os.ReadFile(name)
			b, err := os.ReadFile(filepath.Join(work, filepath.Base(name)))
			if err != nil || string(a) != string(b) {
				t.Errorf("%s differs between the shards and the workers (%v)", filepath.Base(name), err)
			}
		}
	}
	for _, v := range []string{"a.mp4", "b.mp4"} {
		if n := streamOf(probe(t, filepath.Join(dir, v)), "video")["nb_read_frames"]; n != "10" {
			t.Errorf("%s has %v frames, want 10", v, n)
		}
	}
}

// TestVideoControls paints a clip with two styles blended, masks, a
// style scale and the photo's colours: job.json records them all, and a
// run with another blend is refused as other settings.
func TestVideoControls(t *testing.T) {
	weights := shared.Weights(t)
	in := shared.Path(t, "data/video/cockatoo_720p_14s_yuv420.mp4")
	scream := shared.Path(t, "data/styles/the_scream_munch.jpg")
	dir := t.TempDir()
	mask := filepath.Join(dir, "half.png")
	m := picture.New(4, 2)
	for i := range m.Pix {
		if i%4 < 2 {
			m.Pix[i] = 1
		}
	}
	if err := picture.SavePNG(mask, m); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "w")
	args := []string{"video", in, "-s", starryPath(t) + "," + scream, "--style-mask", mask + "," + mask,
		"--style-scale", "1.5", "--original-colors", "--weights", weights, "--frames", "0:2", "--size", "48",
		"--steps-first", "3", "--steps", "2", "--fps", "10", "--threads", "2", "--workdir", work, "-o", filepath.Join(dir, "out.mp4")}
	if _, _, err := gogh(t, context.Background(), append(args, "--style-blend", "3,1")...); err != nil {
		t.Fatal(err)
	}
	j, err := pipeline.ReadJob(work)
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Styles) != 2 || len(j.StylesSHA256) != 2 || len(j.Masks) != 2 || fmt.Sprint(j.StyleBlend) != "[3 1]" ||
		j.Colors != "luminance" || j.StyleSize != 72 || j.Style != j.Styles[0] {
		t.Errorf("job.json: styles %v, blend %v, masks %v, colors %q, style size %d; want 2 styles blended 3,1, 2 masks, luminance, 72",
			j.Styles, j.StyleBlend, j.Masks, j.Colors, j.StyleSize)
	}
	info, _, err := gogh(t, context.Background(), "info", filepath.Join(dir, "out.mp4"))
	if err != nil || !strings.Contains(info, "command: gogh video") || !strings.Contains(info, `"style_blend": [`) {
		t.Errorf("gogh info on the video: %v\n%s", err, info)
	}
	_, _, err = gogh(t, context.Background(), append(args, "--style-blend", "1,1")...)
	if err == nil || !strings.Contains(err.Error(), "--style-blend") {
		t.Errorf("another blend into the same work dir: %v, want it refused naming --style-blend", err)
	}
	t.Log(err)
}

// TestVideoBatch paints two inputs into a folder: a video and a work dir
// for each.
func TestVideoBatch(t *testing.T) {
	weights := shared.Weights(t)
	a := shared.Path(t, "data/video/stream_of_water_360p_3s.mp4")
	b := shared.Path(t, "data/video/flower_timelapse_540p_5s.mp4")
	out := filepath.Join(t.TempDir(), "out")
	stdout, _, err := gogh(t, context.Background(), "video", a, b, "-s", starryPath(t), "-o", out, "--weights", weights,
		"--frames", "0:2", "--size", "40", "--steps-first", "3", "--steps", "2", "--threads", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "[2/2] "+b) {
		t.Errorf("no progress line for the second input:\n%s", stdout)
	}
	for _, name := range []string{"stream_of_water_360p_3s", "flower_timelapse_540p_5s"} {
		v := streamOf(probe(t, filepath.Join(out, name+".mp4")), "video")
		if v == nil || v["nb_read_frames"] != "2" {
			t.Errorf("%s.mp4: video stream %v, want 2 frames", name, v)
		}
		if j, err := pipeline.ReadJob(filepath.Join(out, name+".mp4.frames")); err != nil || !strings.HasSuffix(j.Input, name+".mp4") {
			t.Errorf("%s: job %+v, %v", name, j.Input, err)
		}
	}
}
