package pipeline

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/gogh-video/gogh/stylize"
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

// WarmPath returns the file in workdir of the warm-up version of frame i:
// frame i as painted by the chain of the next segment while warming up
// (see [Segment] and [Encode]).
func WarmPath(workdir string, i int) string {
	return filepath.Join(workdir, fmt.Sprintf("warm-%06d.png", i))
}

// RGBToImage converts an RGB24 frame into im's planes (im's size), with
// the same 8-bit to float conversion as stylize.FromImage.
func RGBToImage(rgb []byte, im stylize.Image) {
	n := im.W * im.H
	for i := range n {
		im.Pix[i] = float32(rgb[3*i]) / 255
		im.Pix[n+i] = float32(rgb[3*i+1]) / 255
		im.Pix[2*n+i] = float32(rgb[3*i+2]) / 255
	}
}

// readPNG reads a frame checkpoint as RGB24 into dst (w×h×3 bytes).
func readPNG(path string, w, h int, dst []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	b := m.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return fmt.Errorf("%s is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	if nrgba, ok := m.(*image.NRGBA); ok {
		for y := range h {
			row := nrgba.Pix[y*nrgba.Stride:]
			for x := range w {
				copy(dst[3*(y*w+x):3*(y*w+x)+3], row[4*x:4*x+3])
			}
		}
		return nil
	}
	for y := range h {
		for x := range w {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*w + x)
			dst[i], dst[i+1], dst[i+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
	return nil
}
