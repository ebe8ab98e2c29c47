// Package fftool holds what decode, encode and samples share about the
// ffmpeg and ffprobe programs: whether they are installed, their frame
// rate syntax, and their diagnostics squeezed into one line.
package fftool

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// ErrMissing is wrapped by the error of Check when ffmpeg or ffprobe is
// missing.
var ErrMissing = errors.New("not found on PATH")

// Check reports, as a one-line error, whether ffmpeg or ffprobe is missing
// from PATH.
func Check() error {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s %w: install it (Debian/Ubuntu: sudo apt-get install ffmpeg)", tool, ErrMissing)
		}
	}
	return nil
}

// Tail is an io.Writer keeping the last bytes written to it: ffmpeg's
// stderr, reported on one line when the process fails. Safe for
// concurrent use; the zero value is ready.
type Tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 8 << 10

// Write keeps the last 8 KiB of what it is given.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(p), nil
}

// String returns the last few non-empty lines joined into one line.
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return OneLine(string(t.buf))
}

// ffmpegTag matches the "[mov,mp4,… @ 0x55…] " prefix of ffmpeg's log lines.
var ffmpegTag = regexp.MustCompile(`\[[^\]\n]* @ 0x[0-9a-f]+\] `)

// OneLine squeezes a tool's multi-line diagnostic output into one line of
// at most about 300 characters: its last non-empty lines joined by " | ".
func OneLine(s string) string {
	var lines []string
	s = ffmpegTag.ReplaceAllString(s, "")
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(strings.TrimRight(l, "\r")); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	out := strings.Join(lines, " | ")
	if len(out) > 300 {
		out = "…" + out[len(out)-300:]
	}
	return out
}

// Rate formats a frame rate for ffmpeg's command line, exactly for the
// NTSC family (29.97… → "30000/1001").
func Rate(fps float64) string {
	if fps != math.Trunc(fps) {
		n := math.Round(fps * 1001 / 1000)
		if math.Abs(n*1000/1001-fps) < 1e-6 {
			return strconv.FormatInt(int64(n)*1000, 10) + "/1001"
		}
	}
	return strconv.FormatFloat(fps, 'f', -1, 64)
}
