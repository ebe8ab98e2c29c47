// Package encode turns RGB frames into an H.264 (yuv420p, BT.709) MP4 that
// plays in browsers, optionally with a range of another file's audio, by
// piping them into ffmpeg. The output appears at its path only when
// complete.
package encode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"

	ffmpeg "github.com/u2takey/ffmpeg-go"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/fftool"
	"github.com/gogh-video/gogh/internal/field"
)

// Options shape the encoded video.
type Options struct {
	FPS                  float64 // output frame rate (input frames are shown 1/FPS each)
	AudioFrom            string  // file whose audio to mux in ("" = none)
	AudioStart, AudioEnd float64 // the range of that audio, seconds (AudioEnd 0 = to its end)
	CRF                  int     // x264 quality, 1 (best) .. 51; 0 = 18

	// Resample, if positive, converts the video to this frame rate while
	// keeping its timing (frames still last 1/FPS of input time), as
	// Interpolate says: Dup repeats or drops frames, MCI synthesizes the
	// in-between frames by motion-compensated interpolation (ffmpeg's
	// minterpolate).
	Resample    float64
	Interpolate Interpolation

	// Comment is kept in the file's metadata (MP4's comment tag).
	Comment string
}

// Interpolation is a way to resample a video to another frame rate.
type Interpolation string

// Interpolations.
const (
	Dup Interpolation = "dup" // repeat (or drop) frames
	MCI Interpolation = "mci" // motion-compensated interpolation
)

func (i Interpolation) valid() bool { return i == "" || i == Dup || i == MCI }

// MarshalText returns the name.
func (i Interpolation) MarshalText() ([]byte, error) { return []byte(i), nil }

// UnmarshalText sets i from its name.
func (i *Interpolation) UnmarshalText(b []byte) error {
	if v := Interpolation(b); v.valid() && v != "" {
		*i = v
		return nil
	}
	return fmt.Errorf("unknown interpolation %q (want %s or %s)", b, Dup, MCI)
}

// Timing returns the options of a video whose frames were taken at fps
// and are to be played at outFPS (0: fps). Without an interpolation
// (how "") each frame is shown 1/outFPS, so a different rate changes the
// clip's speed (slow motion below fps); with Dup or MCI the speed is kept
// and the video resampled to outFPS (0: sourceFPS, the input's own rate).
func Timing(fps, outFPS float64, how Interpolation, sourceFPS float64) Options {
	if how == "" {
		if outFPS == 0 {
			outFPS = fps
		}
		return Options{FPS: outFPS}
	}
	if outFPS == 0 {
		outFPS = sourceFPS
	}
	return Options{FPS: fps, Resample: outFPS, Interpolate: how}
}

// Validate checks the options, naming the first invalid field in a
// *field.Error.
func (o Options) Validate() error {
	switch {
	case !(o.FPS > 0) || math.IsInf(o.FPS, 0):
		return field.Errorf("FPS", "frame rate %g must be positive", o.FPS)
	case !o.Interpolate.valid():
		return field.Errorf("Interpolate", "unknown %q (want %s or %s)", o.Interpolate, Dup, MCI)
	case o.Interpolate != "" && (!(o.Resample > 0) || math.IsInf(o.Resample, 0)):
		return field.Errorf("Resample", "frame rate %g must be positive", o.Resample)
	case o.CRF < 0 || o.CRF > 51:
		return field.Errorf("CRF", "%d outside 0..51", o.CRF)
	case o.AudioFrom != "" && (o.AudioStart < 0 || o.AudioEnd < 0 || o.AudioEnd != 0 && o.AudioEnd <= o.AudioStart):
		return field.Errorf("AudioStart/AudioEnd", "empty or negative audio range %g..%g s", o.AudioStart, o.AudioEnd)
	}
	return nil
}

// Writer feeds RGB24 frames to an ffmpeg process encoding into a temporary
// file beside the output path.
type Writer struct {
	ctx       context.Context // the caller's
	cancel    context.CancelFunc
	path      string
	tmp       *atomicfile.File // ffmpeg writes it by name
	opts      Options
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	stderr    *fftool.Tail
	frameSize int
	frames    int
	done      bool
	err       error // sticky
}

// Create starts ffmpeg writing a width×height video to a temporary file
// beside path; Close finishes it and renames it to path; Abort kills ffmpeg
// and removes the temporary file. A half-written video never appears at
// path. Both sides must be even (yuv420p). Cancelling ctx kills ffmpeg: the
// next WriteFrame or Close fails and the temporary file is removed.
func Create(ctx context.Context, path string, width, height int, o Options) (*Writer, error) {
	if err := fftool.Check(); err != nil {
		return nil, err
	}
	if width < 2 || height < 2 || width%2 != 0 || height%2 != 0 {
		return nil, fmt.Errorf("encode: %s: frame size %d×%d must be positive and even", path, width, height)
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("encode: %s: %w", path, err)
	}
	if o.AudioFrom != "" {
		if _, err := os.Stat(o.AudioFrom); err != nil {
			return nil, fmt.Errorf("encode: audio source: %w", err)
		}
	}
	crf := o.CRF
	if crf == 0 {
		crf = 18
	}

	tmp, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}

	video := ffmpeg.Input("pipe:", ffmpeg.KwArgs{
		"hide_banner": "", "loglevel": "error",
		"f": "rawvideo", "pix_fmt": "rgb24",
		"video_size": fmt.Sprintf("%dx%d", width, height),
		"framerate":  fftool.Rate(o.FPS),
	}).Video()
	switch o.Interpolate {
	case Dup:
		video = video.Filter("fps", nil, ffmpeg.KwArgs{"fps": fftool.Rate(o.Resample)})
	case MCI:
		// minterpolate only fills gaps between frames and drops the last
		// one: holding the last frame two more periods keeps the clip's
		// length (measured: 6 frames at 6 fps → 18 frames, 1.0 s, at 18).
		video = video.Filter("tpad", nil, ffmpeg.KwArgs{"stop_mode": "clone", "stop": "2"}).
			Filter("minterpolate", nil, ffmpeg.KwArgs{"fps": fftool.Rate(o.Resample), "mi_mode": "mci"})
	}
	video = video.
		Filter("scale", nil, ffmpeg.KwArgs{"out_color_matrix": "bt709", "out_range": "tv"}).
		Filter("format", nil, ffmpeg.KwArgs{"pix_fmts": "yuv420p"})
	streams := []*ffmpeg.Stream{video}
	out := ffmpeg.KwArgs{
		"format": "mp4", "movflags": "+faststart",
		"c:v": "libx264", "crf": strconv.Itoa(crf), "preset": "medium",
		"pix_fmt": "yuv420p", "colorspace": "bt709", "color_primaries": "bt709",
		"color_trc": "bt709", "color_range": "tv",
	}
	if o.Comment != "" {
		out["metadata"] = "comment=" + o.Comment
	}
	if o.AudioFrom != "" {
		in := ffmpeg.KwArgs{}
		if o.AudioStart > 0 {
			in["ss"] = strconv.FormatFloat(o.AudioStart, 'f', 6, 64)
		}
		if o.AudioEnd > 0 {
			in["t"] = strconv.FormatFloat(o.AudioEnd-o.AudioStart, 'f', 6, 64)
		}
		// "?": a source without audio gives a silent video, not an error.
		streams = append(streams, ffmpeg.Input(o.AudioFrom, in).Get("a:0?"))
		out["c:a"] = "aac"
		out["b:a"] = "160k"
	}

	pctx := ctx
	ctx, cancel := context.WithCancel(ctx)
	cmd := ffmpeg.OutputContext(ctx, streams, tmp.Name(), out).OverWriteOutput().Silent(true).Compile()
	w := &Writer{ctx: pctx, cancel: cancel, path: path, tmp: tmp, cmd: cmd,
		stderr: &fftool.Tail{}, frameSize: width * height * 3, opts: o}
	cmd.Stderr = w.stderr
	if w.stdin, err = cmd.StdinPipe(); err == nil {
		err = cmd.Start()
	}
	if err != nil {
		cancel()
		tmp.Cleanup()
		return nil, fmt.Errorf("encode: %s: start ffmpeg: %w", path, err)
	}
	return w, nil
}

// WriteFrame appends one frame: width·height·3 bytes of RGB24, rows top to
// bottom. An error (ffmpeg failed, ctx cancelled) is final; Close or Abort
// then removes the temporary file.
func (w *Writer) WriteFrame(rgb []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("encode: %s: WriteFrame after Close", w.path)
	}
	if len(rgb) != w.frameSize {
		return fmt.Errorf("encode: %s: frame of %d bytes, want %d", w.path, len(rgb), w.frameSize)
	}
	if _, err := w.stdin.Write(rgb); err != nil {
		w.stdin.Close()
		w.err = w.failure(w.cmd.Wait(), err)
		w.done = true
		w.tmp.Cleanup()
		return w.err
	}
	w.frames++
	return nil
}

// Close finishes the video, checks that the file ffmpeg wrote holds every
// frame (ffmpeg may exit 0 after failing to write a file's end, as on a
// full disk), and renames it to its path. On any failure the
// temporary file is removed and path is left untouched. Close after Close
// or Abort returns the first result again.
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	w.done = true
	defer w.cancel()
	werr := w.stdin.Close()
	if err := w.cmd.Wait(); err != nil || werr != nil {
		w.err = w.failure(err, werr)
	} else if w.frames == 0 {
		w.err = fmt.Errorf("encode: %s: no frames written", w.path)
	} else if err := w.check(); err != nil {
		w.err = err
	} else if err := w.tmp.CloseAtomicallyReplace(); err != nil {
		w.err = fmt.Errorf("encode: %s: %w", w.path, err)
	}
	if w.err != nil {
		w.tmp.Cleanup()
	}
	return w.err
}

// Abort kills ffmpeg and removes the temporary file; nothing is written at
// path. It is a no-op after Close.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.err = fmt.Errorf("encode: %s: aborted", w.path)
	w.cancel()
	w.stdin.Close()
	_ = w.cmd.Wait()
	w.tmp.Cleanup()
}

// check reads the video ffmpeg wrote back with ffprobe and fails unless
// it holds the frames expected (see Options.frames).
func (w *Writer) check() error {
	cmd := exec.CommandContext(w.ctx, "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
		"-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", "--", w.tmp.Name())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cerr := w.ctx.Err(); cerr != nil {
		return fmt.Errorf("encode: %s: %w", w.path, cerr)
	}
	n, perr := strconv.Atoi(strings.TrimSpace(stdout.String()))
	lo, hi := w.opts.frames(w.frames)
	if err == nil && perr == nil && n >= lo && n <= hi {
		return nil
	}
	why := fftool.OneLine(w.stderr.String()) // ffmpeg's own complaint, if any
	if why == "" {
		why = fftool.OneLine(stderr.String())
	}
	if why == "" {
		why = fmt.Sprintf("it holds %s frames of %d", strings.TrimSpace(stdout.String()), lo)
	}
	why = strings.ReplaceAll(why, w.tmp.Name(), w.path)
	return fmt.Errorf("encode: %s: ffmpeg wrote a broken video: %s", w.path, why)
}

// frames returns the range of frames a video of n input frames must hold:
// n, or about n·Resample/FPS when resampled.
func (o Options) frames(n int) (lo, hi int) {
	if o.Interpolate == "" {
		return n, n
	}
	m := float64(n) * o.Resample / o.FPS
	return int(math.Floor(m)) - 2, int(math.Ceil(m)) + 2
}

// failure explains ffmpeg's exit (err) or a broken pipe (perr) on one line.
func (w *Writer) failure(err, perr error) error {
	if cerr := w.ctx.Err(); cerr != nil {
		return fmt.Errorf("encode: %s: %w", w.path, cerr)
	}
	msg := w.stderr.String()
	if msg == "" {
		msg = errors.Join(err, perr).Error()
		msg = fftool.OneLine(msg)
	}
	return fmt.Errorf("encode: %s: ffmpeg failed: %s", w.path, msg)
}
