package samples

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gogh-video/gogh/internal/field"
)

// StyleOrDefault returns style, or, when it is empty, the sample DefaultStyle
// (see Get: fetched into the cache once), writing any download progress to
// log. The style has no offline stand-in: without it the error (naming the
// Style field) says what to do.
func StyleOrDefault(ctx context.Context, style string, log io.Writer) (string, error) {
	if style != "" {
		return style, nil
	}
	p, err := Get(ctx, DefaultStyle, log)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", field.Errorf("Style", "none given and the default style %s is unavailable (%v): connect to the network once, or give a style image", DefaultStyle, err)
	}
	return p, nil
}

// ClipOrDefault returns in, or, when it is empty, the sample DefaultClip
// (see Get); when that cannot be fetched, a clip generated with ffmpeg
// (see Generate) kept in the cache, said so in one line on log.
func ClipOrDefault(ctx context.Context, in string, log io.Writer) (string, error) {
	if in != "" {
		return in, nil
	}
	p, err := Get(ctx, DefaultClip, log)
	if err == nil {
		return p, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	dir, derr := CacheDir()
	if derr != nil {
		return "", fmt.Errorf("no input given and the sample clip %s is unavailable (%v): %w", DefaultClip, err, derr)
	}
	gen := filepath.Join(dir, GeneratedFile)
	fmt.Fprintf(log, "gogh: sample clip %s unavailable (%v); using a clip generated with ffmpeg: %s\n", DefaultClip, err, gen)
	if _, serr := os.Stat(gen); serr != nil {
		if err := Generate(ctx, gen); err != nil {
			return "", err
		}
	}
	return gen, nil
}
