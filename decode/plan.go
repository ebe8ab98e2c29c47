package decode

import (
	"fmt"
	"math"

	"github.com/gogh-video/gogh/internal/field"
)

// Options select and shape the frames: a time range (Start/End seconds, End
// 0 = to the end) or a frame range (FromFrame/ToFrame, end exclusive,
// ToFrame 0 = to the end; counted at the output frame rate), resampled to
// FPS (0 = the source's), scaled so the longer side is Size (0 = source
// size), aspect kept, both dimensions even.
type Options struct {
	Start, End         float64
	FromFrame, ToFrame int
	FPS                float64
	Size               int
	// Upsample allows an FPS above the video's own rate, whose frames
	// then repeat; otherwise such a rate is refused.
	Upsample bool
	// DefaultEnd, if positive, ends the range (in seconds, at most the
	// video's end) when none is given: a preview rather than the whole
	// video.
	DefaultEnd float64
}

// Plan is Options resolved against a video: the output frame size and
// rate, and the frames to decode, First .. First+Count-1, numbered at FPS
// from the start of the file. Start and End are the same range in seconds
// (First/FPS, (First+Count)/FPS).
type Plan struct {
	Width, Height int
	FPS           float64
	First, Count  int
	Start, End    float64
}

// FrameSize is the byte size of one RGB24 frame of the plan.
func (p Plan) FrameSize() int { return p.Width * p.Height * 3 }

// Sub is the part of p made of its frames first .. first+count-1 (counted
// from p.First): frame k of p.Sub(a, n) is frame a+k of p, pixel for pixel.
// Like slicing, it panics when the part is not inside p.
func (p Plan) Sub(first, count int) Plan {
	if first < 0 || count < 0 || first+count > p.Count {
		panic(fmt.Sprintf("decode: Plan.Sub(%d, %d) outside a plan of %d frames", first, count, p.Count))
	}
	p.First += first
	p.Count = count
	p.Start = float64(p.First) / p.FPS
	p.End = float64(p.First+p.Count) / p.FPS
	return p
}

// Plan resolves o against the video: the output size and rate, the first
// frame and the number of frames. For an invalid, empty or past-the-end
// selection it fails with a one-line *field.Error naming the fields of o
// at fault.
func (i Info) Plan(o Options) (Plan, error) {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	if o.FPS < 0 || bad(o.FPS) {
		return Plan{}, field.Errorf("FPS", "must be positive (or 0 for the video's rate), got %g", o.FPS)
	}
	fps := o.FPS
	if fps == 0 {
		fps = i.FPS
	}
	if fps <= 0 {
		return Plan{}, field.Errorf("FPS", "the video's frame rate is unknown; give one")
	}
	if i.FPS > 0 && fps > i.FPS*1.001 && !o.Upsample {
		return Plan{}, field.Errorf("FPS", "%g is above the video's own %.4g fps: its frames would repeat; "+
			"raise the output's frame rate by interpolation instead", fps, i.FPS)
	}
	if o.Size < 0 {
		return Plan{}, field.Errorf("Size", "must be positive (or 0 for the video's size), got %d", o.Size)
	}
	w, h, err := outSize(i.Width, i.Height, o.Size)
	if err != nil {
		return Plan{}, err
	}

	// Frames in the whole video at the output rate.
	total := int(math.Round(i.Duration * fps))
	if o.FPS == 0 && i.Frames > 0 {
		total = i.Frames
	}
	if total <= 0 {
		return Plan{}, field.Errorf("FPS", "the video (%.3g s) has no frame at %g fps", i.Duration, fps)
	}
	dur := float64(total) / fps

	if o.Start == 0 && o.End == 0 && o.FromFrame == 0 && o.ToFrame == 0 && o.DefaultEnd > 0 && o.DefaultEnd < dur {
		o.End = o.DefaultEnd
	}
	timed := o.Start != 0 || o.End != 0
	framed := o.FromFrame != 0 || o.ToFrame != 0
	first, end := 0, total
	switch {
	case timed && framed:
		return Plan{}, field.Errorf("Start/End/FromFrame/ToFrame", "a time range and a frame range cannot be combined")
	case timed:
		switch {
		case o.Start < 0 || bad(o.Start):
			return Plan{}, field.Errorf("Start", "must not be negative, got %g", o.Start)
		case o.End < 0 || bad(o.End):
			return Plan{}, field.Errorf("End", "must not be negative, got %g", o.End)
		case o.End != 0 && o.End <= o.Start:
			return Plan{}, field.Errorf("Start/End", "%g to %g: empty range, the end must be after the start", o.Start, o.End)
		}
		first = int(math.Round(o.Start * fps))
		if o.End != 0 {
			end = int(math.Round(o.End * fps))
		}
		switch {
		case first >= total:
			return Plan{}, field.Errorf("Start", "%g: past the end of the video (%.2f s)", o.Start, dur)
		case end > total:
			return Plan{}, field.Errorf("End", "%g: past the end of the video (%.2f s)", o.End, dur)
		case end <= first:
			return Plan{}, field.Errorf("Start/End", "%g to %g: empty range, no frame at %g fps", o.Start, o.End, fps)
		}
	case framed:
		switch {
		case o.FromFrame < 0 || o.ToFrame < 0:
			return Plan{}, field.Errorf("FromFrame/ToFrame", "%d:%d: frame numbers must not be negative", o.FromFrame, o.ToFrame)
		case o.ToFrame != 0 && o.ToFrame <= o.FromFrame:
			return Plan{}, field.Errorf("FromFrame/ToFrame", "%d:%d: empty range", o.FromFrame, o.ToFrame)
		}
		first = o.FromFrame
		if o.ToFrame != 0 {
			end = o.ToFrame
		}
		if first >= total || end > total {
			return Plan{}, field.Errorf("FromFrame/ToFrame", "%d:%d: past the end of the video (%d frames at %g fps)", o.FromFrame, o.ToFrame, total, fps)
		}
	}
	return Plan{
		Width: w, Height: h, FPS: fps,
		First: first, Count: end - first,
		Start: float64(first) / fps, End: float64(end) / fps,
	}, nil
}

// outSize scales w×h so that the longer side is size (0 = unchanged), keeps
// the aspect ratio and makes both sides even (each side is rounded to the
// nearest pixel, then down to even), as H.264 in yuv420p needs.
func outSize(w, h, size int) (int, int, error) {
	if w <= 0 || h <= 0 {
		return 0, 0, field.Errorf("Size", "the video's size is unknown")
	}
	fw, fh := float64(w), float64(h)
	if size > 0 {
		long := math.Max(fw, fh)
		fw, fh = fw*float64(size)/long, fh*float64(size)/long
	}
	even := func(x float64) int { return 2 * int(math.Floor((x+0.5)/2)) }
	ow, oh := even(fw), even(fh)
	if ow < 2 || oh < 2 {
		return 0, 0, field.Errorf("Size", "%d: too small for a %d×%d video", size, w, h)
	}
	return ow, oh, nil
}
