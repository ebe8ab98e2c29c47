// Package runlog is how the commands report a run as it goes: the steps
// of a painting (Steps) and the frames of a video (Frames), each as a
// progress bar on a terminal, else printed lines, and as rows of a log
// file.
package runlog

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gogh-video/gogh/internal/progress"
	"github.com/gogh-video/gogh/pipeline"
)

// Frames reports a video's frames: a progress bar on a terminal, else a
// line a frame with an ETA, and a JSON line a frame (pipeline.Record) in
// a log file. Its Frame method is a pipeline.Config.OnFrame.
type Frames struct {
	Total int       // frames to report
	Saved int       // frames saved, in this run or an earlier one
	Start time.Time // when the log was made
	out   io.Writer
	bar   progress.Bar
	jsonl io.WriteCloser
	done  int   // frames painted in this run
	err   error // the first failed write to the log file
}

// NewFrames returns a report of total frames printing to out and, if path
// is not empty, writing JSON lines to the file at path: appended to it
// when resume is set, else replacing it.
func NewFrames(path string, resume bool, total int, out io.Writer) (*Frames, error) {
	l := &Frames{out: out, Total: total, Start: time.Now(), bar: progress.New(total, "stylizing")}
	if path != "" {
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if resume {
			flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if err != nil {
			return nil, err
		}
		l.jsonl = f
	}
	return l, nil
}

// Frame reports one frame.
func (l *Frames) Frame(r pipeline.FrameResult) {
	what := "frame"
	if r.Seam {
		what = "seam frame"
	}
	switch {
	case r.Damaged != nil:
		l.bar.Clear()
		fmt.Fprintf(l.out, "%s %d: %v: painting it again\n", what, r.Index+1, r.Damaged)
		return
	case r.Seam:
		l.bar.Clear()
		fmt.Fprintf(l.out, "seam frame %d (painted again, continuing the chain before the boundary)  steps %d  %.1fs\n", r.Index+1, r.Steps, r.Seconds)
		return
	}
	l.Saved++
	if r.Resumed {
		l.bar.Add(1)
		return
	}
	l.done++
	if l.jsonl != nil {
		if _, err := l.jsonl.Write(r.Record().Line()); err != nil && l.err == nil {
			l.err = err
		}
	}
	per := time.Since(l.Start).Seconds() / float64(l.done) // wall time per frame, all workers together
	eta := time.Duration(per * float64(l.Total-l.Saved) * float64(time.Second))
	if l.bar.On() {
		l.bar.Describe(fmt.Sprintf("stylizing %.1fs/frame", per))
		l.bar.Add(1)
		return
	}
	fmt.Fprintf(l.out, "frame %d  style %.4g  content %.4g  steps %d  %.1fs  (%d/%d done, ETA %s)\n",
		r.Index+1, r.Loss.Style, r.Loss.Content, r.Steps, r.Seconds, l.Saved, l.Total, eta.Round(time.Second))
}

// Close ends the progress bar and closes the log file, returning the
// first error writing it.
func (l *Frames) Close() error {
	l.bar.Finish()
	if l.jsonl != nil {
		if err := l.jsonl.Close(); err != nil && l.err == nil {
			l.err = err
		}
	}
	return l.err
}
