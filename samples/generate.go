package samples

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/fftool"
)

// GeneratedFile is the cache file name of the clip Generate makes.
const GeneratedFile = "generated-mandelbrot-640x360.mp4"

// Generate writes the offline stand-in clip to path: 6 s of ffmpeg's
// lavfi mandelbrot source (a continuous zoom into the Mandelbrot set, so
// motion and fine texture in every frame) at 640×360 and 20 fps, H.264
// yuv420p, with a beeping sine tone as AAC audio, in MP4. The clip is
// encoded into a temporary file beside path and renamed once complete: on
// error, including cancellation of ctx, path is not touched and no
// temporary file is left.
func Generate(ctx context.Context, path string) error {
	if err := fftool.Check(); err != nil {
		return fmt.Errorf("generating a clip: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("generating a clip: %w", err)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("generating a clip: %w", err)
	}
	defer f.Cleanup()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-y",
		"-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=20",
		"-f", "lavfi", "-i", "sine=frequency=220:beep_factor=4:sample_rate=44100",
		"-t", "6", "-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart",
		"-f", "mp4", f.Name())
	stderr := &fftool.Tail{}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("generating a clip: %w", ctx.Err())
		}
		return fmt.Errorf("generating a clip with ffmpeg: %v: %s", err, stderr)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("generating a clip: %w", err)
	}
	return nil
}
