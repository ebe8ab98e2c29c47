package pipeline

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"io/fs"
	"os"
)

// Encode reads the frames 0..frames−1 from workdir, in order, and writes
// them to enc as RGB24: each frame's seam version where one is saved (see
// Seams), else the frame itself. Every frame must have the size of the
// first. Encode holds two frames in memory, and the work dir's lock
// shared (see lockName), waiting for it while a process deletes frames.
func Encode(ctx context.Context, workdir string, frames int, enc FrameWriter) error {
	var held locks
	defer held.release()
	if err := held.take(ctx, workdir, lockName, true, true); err != nil {
		return err
	}
	var w, h int
	var rgb []byte
	for i := range frames {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("encoding stopped: %w", err)
		}
		path := SeamPath(workdir, i)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			path = FramePath(workdir, i)
		}
		if i == 0 {
			var err error
			if w, h, err = pngSize(path); err != nil {
				return frameError(i, err)
			}
			rgb = make([]byte, 3*w*h)
		}
		if err := readPNG(path, w, h, rgb); err != nil {
			return frameError(i, err)
		}
		if err := enc.WriteFrame(rgb); err != nil {
			return fmt.Errorf("encoding frame %d: %w", i, err)
		}
	}
	return nil
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
