package pipeline

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// SegmentStatus is how far one segment (a shard) of a work dir is.
type SegmentStatus struct {
	Segment
	Done int // frames saved
	// Running names the process painting the segment ("pid P on HOST"),
	// if one is.
	Running string
	// Earliest and Latest are when the first and last of its saved frames
	// were written.
	Earliest, Latest time.Time
}

// PerFrame returns the seconds a frame has taken, from the times its
// saved frames were written (0 with fewer than two).
func (s SegmentStatus) PerFrame() float64 {
	if s.Done < 2 {
		return 0
	}
	return s.Latest.Sub(s.Earliest).Seconds() / float64(s.Done-1)
}

// Status is how far a work dir's job is.
type Status struct {
	Job      Job
	Segments []SegmentStatus
	// Seams is the number of seams painted whole, of SeamCount.
	Seams, SeamCount int
}

// ReadStatus reads the status of the work dir dir from its job.json and
// the frames it holds.
func ReadStatus(dir string) (Status, error) {
	job, err := ReadJob(dir)
	if err != nil {
		return Status{}, err
	}
	c := job.config()
	st := Status{Job: job}
	segs := c.split()
	for k, seg := range segs {
		s := SegmentStatus{Segment: seg}
		if ok, who := held(dir, segmentLock(k)); ok {
			s.Running = who
		}
		for i := seg.First; i < seg.First+seg.Count; i++ {
			info, err := os.Stat(FramePath(dir, i))
			if err != nil {
				continue
			}
			s.Done++
			if t := info.ModTime(); s.Earliest.IsZero() || t.Before(s.Earliest) {
				s.Earliest = t
			}
			if t := info.ModTime(); t.After(s.Latest) {
				s.Latest = t
			}
		}
		st.Segments = append(st.Segments, s)
		if b, n := c.seamWindow(seg); k > 0 && n > 0 {
			st.SeamCount++
			if exists(SeamPath(dir, b+n-1)) {
				st.Seams++
			}
		}
	}
	return st, nil
}

// String describes the status in lines: each shard's frames, pace and
// state, then the totals and the ETA.
func (s Status) String() string {
	var b strings.Builder
	done := 0
	for k, g := range s.Segments {
		state := "waiting"
		switch {
		case g.Running != "":
			state = "painting (" + g.Running + ")"
		case g.Done == g.Count:
			state = "done"
		case g.Done > 0:
			state = "stopped: run it again to continue"
		}
		fmt.Fprintf(&b, "shard %d/%d  frames %d-%d  %d/%d done  %.1f s/frame  %s\n",
			k, len(s.Segments), g.First, g.First+g.Count-1, g.Done, g.Count, g.PerFrame(), state)
		done += g.Done
	}
	fmt.Fprintf(&b, "%d/%d frames done, seams %d/%d", done, s.Job.Frames, s.Seams, s.SeamCount)
	if eta := s.ETA(); eta > 0 && done < s.Job.Frames {
		fmt.Fprintf(&b, ", ETA %s (if the unfinished shards run at once)", eta.Round(time.Second))
	}
	return b.String()
}

// ETA estimates the time left: the slowest segment's frames left at its
// own pace (segments run at once), with segments not started at the pace
// of the others; 0 when none has a pace yet or all are done.
func (s Status) ETA() time.Duration {
	var pace, sum float64
	n := 0
	for _, g := range s.Segments {
		if p := g.PerFrame(); p > 0 {
			sum += p
			n++
		}
	}
	if n > 0 {
		pace = sum / float64(n)
	}
	var left float64
	for _, g := range s.Segments {
		p := g.PerFrame()
		if p == 0 {
			p = pace
		}
		left = max(left, p*float64(g.Count-g.Done))
	}
	return time.Duration(left * float64(time.Second))
}

// Missing returns nil if every frame of segs is saved in dir, or an
// error naming the segments (shards) with frames missing and the first
// missing frames of each.
func Missing(dir string, frames int, segs []Segment) error {
	var parts []string
	total := 0
	for k, seg := range segs {
		var miss []int
		for i := seg.First; i < seg.First+seg.Count; i++ {
			if !exists(FramePath(dir, i)) {
				miss = append(miss, i)
			}
		}
		if len(miss) == 0 {
			continue
		}
		total += len(miss)
		desc := fmt.Sprintf("shard %d/%d lacks %d of %d frames (%s)", k, len(segs), len(miss), seg.Count, ranges(miss))
		if ok, who := held(dir, segmentLock(k)); ok {
			desc += ", still painting (" + who + ")"
		}
		parts = append(parts, desc)
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("work dir %s is missing %d of %d frames: %s", dir, total, frames, strings.Join(parts, "; "))
}

// ranges writes ascending frame numbers as a-b ranges, the first few.
func ranges(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if len(parts) == 3 {
			parts = append(parts, "…")
			break
		}
		if i == j {
			parts = append(parts, fmt.Sprint(ns[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
