// Package weights finds and installs the pretrained VGG19 weights that gogh
// computes its style and content features with.
//
// Weights are a safetensors file with torchvision's vgg19().features keys
// (see package vgg). Resolve picks the file to use from a command-line
// flag, the GOGH_WEIGHTS environment variable or the user's cache, and
// Install fetches a file from a URL or a local path, checks it and stores
// a slim copy holding only the convolution tensors.
package weights

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/fetch"
	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/stylize/safetensors"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// DefaultURL is where Install downloads the weights from when given no
// source: timm's copy of torchvision's ImageNet VGG19 (548 MB including
// the classifier, of which Install keeps the ~80 MB of convolutions).
const DefaultURL = "https://huggingface.co/timm/vgg19.tv_in1k/resolve/main/model.safetensors"

// errNone is returned by Resolve when no weights file is configured.
var errNone = errors.New(`no VGG19 weights: run "gogh weights install", give a weights file, or set GOGH_WEIGHTS`)

// CachePath returns where Install puts the weights by default and where
// Resolve looks for them last: gogh/vgg19-features.safetensors under the
// user's cache directory.
func CachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("weights cache: %w", err)
	}
	return filepath.Join(dir, "gogh", "vgg19-features.safetensors"), nil
}

// Resolve returns the weights file to use: file if it is not empty, else
// $GOGH_WEIGHTS if it is not empty, else the file at CachePath if it
// exists. A file given or named by the environment must exist; the error
// says where the missing name came from (for file, a *field.Error naming
// WeightsFile). If no file is configured the error says how to install
// one.
func Resolve(file string) (string, error) {
	if file != "" {
		p, err := check(file, file)
		if err != nil {
			return "", field.Errorf("WeightsFile", "%v", err)
		}
		return p, nil
	}
	if env := os.Getenv("GOGH_WEIGHTS"); env != "" {
		return check("$GOGH_WEIGHTS="+env, env)
	}
	p, err := CachePath()
	if err != nil {
		return "", errNone
	}
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", errNone
		}
		return "", fmt.Errorf("weights cache: %w", err)
	}
	return p, nil
}

// check returns path if it names a regular file, else an error that
// starts with from, the place the path came from.
func check(from, path string) (string, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s: no such file", from)
	case err != nil:
		return "", fmt.Errorf("%s: %w", from, err)
	case st.IsDir():
		return "", fmt.Errorf("%s: is a directory", from)
	}
	return path, nil
}

// Install fetches VGG19 weights from src, checks them and writes the 32
// features.* tensors with the file's metadata to dst, adding a "source"
// metadata entry that records src.
//
// src is an http or https URL, a local file name, or empty for DefaultURL.
// A URL is downloaded into a temporary file beside dst while a byte
// progress bar is written to progress (nil shows no bar). The directory of
// dst is created if needed, and dst is replaced only once the new file is
// complete: on error, including cancellation of ctx, neither dst nor any
// temporary file is left behind.
func Install(ctx context.Context, src, dst string, progress io.Writer) error {
	if src == "" {
		src = DefaultURL
	}
	if dst == "" {
		return errors.New("installing weights: no destination file")
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("installing weights: %w", err)
	}

	path := src
	if isURL(src) {
		tmp, err := download(ctx, src, dir, progress)
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		path = tmp
	}

	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("installing weights: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("installing weights: %w", err)
	}
	f, err := safetensors.NewFile(fh, st.Size())
	if err != nil {
		return fmt.Errorf("weights from %s: %w", src, err)
	}
	w, err := vgg.FromFile(f, 0)
	if err != nil {
		return fmt.Errorf("weights from %s: %w", src, err)
	}

	meta := maps.Clone(f.Metadata)
	if meta == nil {
		meta = make(map[string]string)
	}
	meta["source"] = src
	if err := writeFile(ctx, dst, slim(w), meta); err != nil {
		return fmt.Errorf("installing weights to %s: %w", dst, err)
	}
	return nil
}

// isURL reports whether src is to be downloaded rather than opened.
func isURL(src string) bool {
	u, err := url.Parse(src)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// slim returns the convolutions of w under torchvision's vgg19().features
// keys: a convolution and its ReLU take two indices, and the max-pool that
// ends each block one more.
func slim(w *vgg.Weights) []safetensors.Named {
	var ts []safetensors.Named
	idx := 0
	for i, c := range w.Conv {
		key := fmt.Sprintf("features.%d.", idx)
		ts = append(ts,
			safetensors.Named{Name: key + "weight", Tensor: safetensors.Tensor{Shape: []int{c.Out, c.In, 3, 3}, Data: c.W}},
			safetensors.Named{Name: key + "bias", Tensor: safetensors.Tensor{Shape: []int{c.Out}, Data: c.B}},
		)
		idx += 2
		if i+1 < vgg.NumConv && block(i+1) != block(i) {
			idx++
		}
	}
	return ts
}

// block returns the block number of convolution i: '1' for conv1_1.
func block(i int) byte { return vgg.ConvNames[i][len("conv")] }

// download fetches src into a temporary file in dir (removed on error)
// and returns its path.
func download(ctx context.Context, src, dir string, progress io.Writer) (string, error) {
	f, err := os.CreateTemp(dir, ".vgg19-download-*")
	if err != nil {
		return "", fmt.Errorf("downloading %s: %w", src, err)
	}
	_, err = fetch.Get(ctx, fetch.Request{URL: src, Desc: "downloading", Progress: progress}, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("downloading %s: %w", src, cerr)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// writeFile writes the tensors and metadata to dst atomically (see
// atomicfile); cancelling ctx stops it and leaves dst untouched.
func writeFile(ctx context.Context, dst string, tensors []safetensors.Named, meta map[string]string) error {
	return atomicfile.WriteFile(dst, func(f io.Writer) error {
		bw := bufio.NewWriterSize(ctxWriter{ctx, f}, 1<<20)
		if err := safetensors.Write(bw, tensors, meta); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// ctxWriter is a writer that fails once its context is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
