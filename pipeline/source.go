package pipeline

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/picture"
)

// Source supplies the content frames, as RGB24 (3 bytes a pixel, rows top
// to bottom, no padding) of the size given in [Config].
type Source interface {
	// Open returns a reader of frames [first, first+count).
	Open(ctx context.Context, first, count int) (FrameReader, error)
}

// FrameReader reads frames one at a time.
type FrameReader interface {
	// ReadFrame fills dst with the next frame; it returns io.EOF after
	// the last.
	ReadFrame(dst []byte) error
	Close() error
}

// FrameWriter takes stylized frames in order, as RGB24.
type FrameWriter interface {
	WriteFrame(rgb []byte) error
}

// FramePath returns the checkpoint file of frame i in workdir.
func FramePath(workdir string, i int) string {
	return filepath.Join(workdir, fmt.Sprintf("frame-%06d.png", i))
}

// readPNG reads a frame checkpoint as RGB24 into dst (w×h×3 bytes).
func readPNG(path string, w, h int, dst []byte) error {
	m, err := decodePNG(path, w, h)
	if err != nil {
		return err
	}
	picture.RGB24(m, dst)
	return nil
}

// decodePNG decodes the PNG at path, which must be w×h.
func decodePNG(path string, w, h int) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
		return nil, fmt.Errorf("%s is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	return m, nil
}

// Video is the Source of the planned frames of a video file, decoded by
// ffmpeg; each Open decodes only its part of the plan.
type Video struct {
	Path string
	Plan decode.Plan
}

// Open implements Source.
func (v Video) Open(ctx context.Context, first, count int) (FrameReader, error) {
	return decode.Open(ctx, v.Path, v.Plan.Sub(first, count))
}
