// Package fetch downloads a URL with a byte progress bar: what installing
// the weights and the samples share.
package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Request says what to download.
type Request struct {
	URL      string
	Desc     string    // the progress bar's description
	Size     int64     // size for the bar when the server does not say (0: unknown)
	Limit    int64     // read at most this many bytes (0: no limit)
	Progress io.Writer // where the bar is drawn (nil: no bar)
}

// Get downloads r.URL into dst and returns the number of bytes read.
func Get(ctx context.Context, r Request, dst io.Writer) (n int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return 0, fmt.Errorf("downloading %s: %w", r.URL, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("downloading %s: %w", r.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("downloading %s: %s", r.URL, resp.Status)
	}
	w := dst
	if r.Progress != nil {
		size := resp.ContentLength
		if size < 0 && r.Size > 0 {
			size = r.Size
		}
		bar := NewBar(size, r.Progress, r.Desc)
		defer func() {
			if !bar.IsFinished() {
				bar.Exit()
			}
		}()
		w = io.MultiWriter(w, barWriter{bar})
	}
	var body io.Reader = resp.Body
	if r.Limit > 0 {
		body = io.LimitReader(body, r.Limit)
	}
	if n, err = io.Copy(w, body); err != nil {
		return n, fmt.Errorf("downloading %s: %w", r.URL, err)
	}
	return n, nil
}

// NewBar returns a byte progress bar in the style of
// progressbar.DefaultBytes that writes to w; size is -1 when unknown. The
// bar runs no goroutine of its own, so it never writes to w once the
// download has returned.
func NewBar(size int64, w io.Writer, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(size,
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// barWriter advances a progress bar by the bytes written to it. A bar
// cannot fail a download: its errors are ignored.
type barWriter struct{ bar *progressbar.ProgressBar }

func (b barWriter) Write(p []byte) (int, error) {
	b.bar.Add(len(p))
	return len(p), nil
}
