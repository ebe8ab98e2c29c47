// Package progress draws a progress bar on standard error when it is a
// terminal, and nothing otherwise: the commands print a line per step
// instead where output goes to a file or a pipe.
package progress

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
)

// Bar is a progress bar; the zero Bar draws nothing.
type Bar struct{ pb *progressbar.ProgressBar }

// New returns a bar of total steps, described by desc, or the zero Bar
// when standard error is not a terminal.
func New(total int, desc string) Bar {
	st, err := os.Stderr.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return Bar{}
	}
	return Bar{progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc), progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())}
}

// On reports whether the bar is drawn.
func (b Bar) On() bool { return b.pb != nil }

// Add advances the bar by n steps.
func (b Bar) Add(n int) {
	if b.pb != nil {
		_ = b.pb.Add(n)
	}
}

// Clear erases the bar before a line is printed.
func (b Bar) Clear() {
	if b.pb != nil {
		_ = b.pb.Clear()
	}
}

// Describe sets the text before the bar.
func (b Bar) Describe(s string) {
	if b.pb != nil {
		b.pb.Describe(s)
	}
}

// Finish completes and erases the bar.
func (b Bar) Finish() {
	if b.pb != nil {
		_ = b.pb.Finish()
	}
}

// Writer returns a writer that prints to w above the bar.
func (b Bar) Writer(w io.Writer) io.Writer { return barWriter{b, w} }

type barWriter struct {
	b Bar
	w io.Writer
}

func (w barWriter) Write(p []byte) (int, error) {
	w.b.Clear()
	return w.w.Write(p)
}
