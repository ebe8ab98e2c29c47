package decode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"

	ffmpeg "github.com/u2takey/ffmpeg-go"

	"github.com/gogh-video/gogh/internal/fftool"
)

// seekMargin is how far before the first planned frame decoding starts, in
// seconds, so that the source frame shown at that instant is decoded even
// when it began up to this long before it.
const seekMargin = 1.0

// padFrames is how many copies of the last frame may stand in for frames
// missing at the very end of the video (the last frame's duration is
// sometimes rounded down by a frame when resampling).
const padFrames = 2

// Reader streams raw RGB24 frames (Width·Height·3 bytes each, rows top to
// bottom, no padding) from an ffmpeg process.
type Reader struct {
	ctx    context.Context // the caller's
	path   string
	plan   Plan
	cmd    *exec.Cmd
	cancel context.CancelFunc
	out    *bufio.Reader
	stderr *fftool.Tail
	n      int   // frames delivered
	done   bool  // ffmpeg waited for
	err    error // sticky error (io.EOF after the last frame)
}

// Open starts ffmpeg decoding the frames of p from the video at path. The
// frames are those of p's numbering, so a Plan.Sub decodes only its segment,
// seeking near it, and gives the same pixels as the whole plan. Cancelling
// ctx kills ffmpeg. The caller must Close the Reader.
func Open(ctx context.Context, path string, p Plan) (*Reader, error) {
	if err := fftool.Check(); err != nil {
		return nil, err
	}
	switch {
	case p.Width < 2 || p.Height < 2 || p.Width%2 != 0 || p.Height%2 != 0:
		return nil, fmt.Errorf("decode: %s: bad frame size %d×%d in plan", path, p.Width, p.Height)
	case !(p.FPS > 0):
		return nil, fmt.Errorf("decode: %s: bad frame rate %g in plan", path, p.FPS)
	case p.First < 0 || p.Count <= 0:
		return nil, fmt.Errorf("decode: %s: empty frame range %d+%d in plan", path, p.First, p.Count)
	}

	// Timestamps are kept as in the file (copyts, from 0 at its start), so
	// the fps filter numbers frames the same wherever decoding starts:
	// output frame k is the source frame shown at k/FPS.
	in := ffmpeg.KwArgs{
		"nostdin": "", "hide_banner": "", "loglevel": "error",
		"copyts": "", "start_at_zero": "",
	}
	if seek := float64(p.First)/p.FPS - seekMargin; seek > 0 {
		in["ss"] = strconv.FormatFloat(seek, 'f', 6, 64)
	}
	v := ffmpeg.Input(path, in).Video().
		Filter("fps", nil, ffmpeg.KwArgs{"fps": fftool.Rate(p.FPS)}).
		Filter("trim", nil, ffmpeg.KwArgs{"start_pts": strconv.Itoa(p.First)}).
		Filter("tpad", nil, ffmpeg.KwArgs{"stop_mode": "clone", "stop": strconv.Itoa(padFrames)}).
		Filter("scale", nil, ffmpeg.KwArgs{"w": strconv.Itoa(p.Width), "h": strconv.Itoa(p.Height), "flags": "bicubic"})

	pctx := ctx
	ctx, cancel := context.WithCancel(ctx)
	cmd := ffmpeg.OutputContext(ctx, []*ffmpeg.Stream{v}, "pipe:", ffmpeg.KwArgs{
		"format": "rawvideo", "pix_fmt": "rgb24",
		"vsync": "passthrough", "frames:v": strconv.Itoa(p.Count),
	}).Silent(true).Compile()
	r := &Reader{ctx: pctx, path: path, plan: p, cmd: cmd, cancel: cancel, stderr: &fftool.Tail{}}
	cmd.Stderr = r.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("decode: %s: %w", path, err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("decode: %s: start ffmpeg: %w", path, err)
	}
	r.out = bufio.NewReaderSize(out, min(p.FrameSize(), 1<<20))
	return r, nil
}

// Plan is the plan the Reader decodes.
func (r *Reader) Plan() Plan { return r.plan }

// ReadFrame reads the next frame into dst, which must be exactly
// Width·Height·3 bytes. It returns io.EOF after the plan's last frame, and
// otherwise an error with the tail of ffmpeg's messages on one line when
// ffmpeg fails or ends early.
func (r *Reader) ReadFrame(dst []byte) error {
	if r.err != nil {
		return r.err
	}
	if len(dst) != r.plan.FrameSize() {
		return fmt.Errorf("decode: ReadFrame: buffer of %d bytes for %d×%d RGB frames (%d bytes)",
			len(dst), r.plan.Width, r.plan.Height, r.plan.FrameSize())
	}
	if r.n >= r.plan.Count {
		r.err = io.EOF
		if err := r.wait(); err != nil {
			r.err = err
		}
		return r.err
	}
	if _, err := io.ReadFull(r.out, dst); err != nil {
		if werr := r.wait(); werr != nil {
			r.err = werr
		} else {
			r.err = fmt.Errorf("decode: %s: ffmpeg gave %d of %d frames (from frame %d at %g fps)",
				r.path, r.n, r.plan.Count, r.plan.First, r.plan.FPS)
		}
		return r.err
	}
	r.n++
	return nil
}

// wait reaps ffmpeg once and turns a failure into a one-line error.
func (r *Reader) wait() error {
	if r.done {
		return nil
	}
	r.done = true
	err := r.cmd.Wait()
	r.cancel()
	if err == nil {
		return nil
	}
	return r.failure(err)
}

func (r *Reader) failure(err error) error {
	if cerr := r.ctx.Err(); cerr != nil {
		return fmt.Errorf("decode: %s: %w", r.path, cerr)
	}
	msg := r.stderr.String()
	var ee *exec.ExitError
	if msg == "" || !errors.As(err, &ee) {
		msg = err.Error()
	}
	return fmt.Errorf("decode: %s: ffmpeg failed: %s", r.path, msg)
}

var errClosed = errors.New("decode: reader closed")

// Close stops ffmpeg (killing it if frames remain unread) and reports its
// error, if any, with the tail of its messages on one line. Stopping it
// early is not an error. Close may be called more than once.
func (r *Reader) Close() error {
	if !r.done {
		r.done = true
		if r.err == nil && r.n < r.plan.Count {
			r.cancel() // stopped early: kill ffmpeg, its exit status is ours
			_ = r.cmd.Wait()
		} else if err := r.cmd.Wait(); err != nil && r.err == nil || err != nil && r.err == io.EOF {
			r.err = r.failure(err)
		}
		r.cancel()
	}
	if r.err == nil || r.err == io.EOF || r.err == errClosed {
		r.err = errClosed
		return nil
	}
	return r.err
}
