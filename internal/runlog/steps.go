package runlog

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gogh-video/gogh/internal/progress"
	"github.com/gogh-video/gogh/stylize"
)

// Steps reports a painting's steps: a line every K steps, a progress bar,
// and a CSV row a step in a log file. Its Step method is a stylize.Run
// callback.
type Steps struct {
	N       int           // steps done
	Elapsed time.Duration // time they took
	every   int
	out     io.Writer
	csv     *os.File
	bar     progress.Bar
}

// NewSteps returns a report of steps printing a line every every steps
// (never for 0) to out and, if path is not empty, writing CSV rows to the
// file at path.
func NewSteps(path string, every, steps int, out io.Writer) (*Steps, error) {
	l := &Steps{every: every, out: out, bar: progress.New(steps, "painting")}
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		if _, err := fmt.Fprintln(f, "step,style,content,tv,total,seconds"); err != nil {
			f.Close()
			return nil, err
		}
		l.csv = f
	}
	return l, nil
}

// Step reports one step.
func (l *Steps) Step(s stylize.Step) {
	l.N, l.Elapsed = s.N, s.Elapsed
	if l.csv != nil {
		fmt.Fprintf(l.csv, "%d,%.6g,%.6g,%.6g,%.6g,%.3f\n", s.N, s.Loss.Style, s.Loss.Content, s.Loss.TV, s.Loss.Total, s.Elapsed.Seconds())
	}
	if l.every > 0 && s.N%l.every == 0 {
		l.bar.Clear()
		fmt.Fprintf(l.out, "step %d  style %.4g  content %.4g  total %.4g  (%.2fs/step)\n",
			s.N, s.Loss.Style, s.Loss.Content, s.Loss.Total, s.Elapsed.Seconds()/float64(s.N))
	}
	l.bar.Add(1)
}

// Close ends the progress bar and closes the log file.
func (l *Steps) Close() error {
	l.bar.Finish()
	if l.csv != nil {
		return l.csv.Close()
	}
	return nil
}
