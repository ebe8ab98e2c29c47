package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"os"
)

// Encode reads the frame PNGs 0..frames−1 from workdir, in order, and
// writes them to enc as RGB24. Every frame must have the size of the
// first.
//
// Where the next segment's chain saved its warm-up frames (see WarmPath),
// Encode cross-fades from the chain that saved the frames into it: over a
// run of warm-up frames a..b−1 (frame b being the first of the next
// segment), frame i is (1−α)·frame + α·warm-up with α = (i−a+1)/(b−a+1),
// so the look moves in equal steps from one chain to the other and ends
// at the warm-up frame b−1 that frame b was painted from. Encode holds
// two frames in memory, and the work dir's lock (see Run), waiting for it
// while another process holds it.
func Encode(ctx context.Context, workdir string, frames int, enc FrameWriter) error {
	unlock, err := lock(ctx, workdir, true)
	if err != nil {
		return err
	}
	defer unlock()
	var w, h int
	var rgb, warm []byte
	fadeFrom, fadeEnd := -1, -1 // the run of warm-up frames [fadeFrom, fadeEnd) frame i is in
	for i := range frames {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("encoding stopped: %w", err)
		}
		path := FramePath(workdir, i)
		if i == 0 {
			if w, h, err = pngSize(path); err != nil {
				return frameError(i, err)
			}
			rgb = make([]byte, 3*w*h)
		}
		if err := readPNG(path, w, h, rgb); err != nil {
			return frameError(i, err)
		}
		if i >= fadeEnd {
			hasWarm, err := warmExists(workdir, i)
			if err != nil {
				return err
			}
			fadeFrom, fadeEnd = -1, -1
			if hasWarm {
				fadeFrom, fadeEnd = i, i+1
				for {
					ok, err := warmExists(workdir, fadeEnd)
					if err != nil {
						return err
					}
					if !ok {
						break
					}
					fadeEnd++
				}
			}
		}
		if i >= fadeFrom && i < fadeEnd {
			if warm == nil {
				warm = make([]byte, len(rgb))
			}
			if err := readPNG(WarmPath(workdir, i), w, h, warm); err != nil {
				return fmt.Errorf("warm-up frame %d: %w", i, err)
			}
			blend(rgb, warm, i-fadeFrom+1, fadeEnd-fadeFrom+1)
		}
		if err := enc.WriteFrame(rgb); err != nil {
			return fmt.Errorf("encoding frame %d: %w", i, err)
		}
	}
	return nil
}

// blend sets a to (1−α)·a + α·b, rounded, with α = num/den.
func blend(a, b []byte, num, den int) {
	for j := range a {
		a[j] = uint8((int(a[j])*(den-num) + int(b[j])*num + den/2) / den)
	}
}

func warmExists(workdir string, i int) (bool, error) {
	_, err := os.Stat(WarmPath(workdir, i))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("warm-up frame %d: %w", i, err)
	}
	return true, nil
}

func frameError(i int, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("frame %d is missing from the work dir (resume the job to paint it): %w", i, err)
	}
	return fmt.Errorf("frame %d: %w", i, err)
}

func pngSize(path string) (int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return cfg.Width, cfg.Height, nil
}
