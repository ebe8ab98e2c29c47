package pipeline

import (
	"fmt"
	"strconv"
	"strings"
)

// Segment is one chain's share of the frames: it saves frames
// [First, First+Count) and starts its warm-start chain Warmup frames
// earlier, at First−Warmup. Warm-up frames belong to the previous
// segment: they are painted to start the chain, not saved.
type Segment struct {
	First, Count, Warmup int
}

// Split divides frames into at most n contiguous segments that together
// cover every frame exactly once: segment k holds frames
// [⌊k·frames/n⌋, ⌊(k+1)·frames/n⌋), so any process can tell which frames
// a shard paints from k, n and the frame count alone. Every segment but
// the first gets a warm-up of overlap frames (fewer if it starts earlier
// than that), so that its first saved frame is warm-started like the
// frames inside a chain (see the package documentation).
func Split(frames, n, overlap int) []Segment {
	if frames <= 0 {
		return nil
	}
	n = min(max(n, 1), frames)
	overlap = max(overlap, 0)
	segs := make([]Segment, n)
	for k := range segs {
		first, next := k*frames/n, (k+1)*frames/n
		segs[k] = Segment{First: first, Count: next - first, Warmup: min(overlap, first)}
	}
	return segs
}

// Shard is shard K (from 0) of N: segment K of Split(frames, N, …).
type Shard struct{ K, N int }

// String returns "K/N", or "" for no shard (N = 0).
func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// MarshalText returns "K/N".
func (s Shard) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText sets s from "K/N" (e.g. "0/3"), checking 0 ≤ K < N.
func (s *Shard) UnmarshalText(b []byte) error {
	a, c, ok := strings.Cut(string(b), "/")
	k, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(c)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return fmt.Errorf("%q: want K/N with 0 ≤ K < N, e.g. 0/3", b)
	}
	*s = Shard{k, n}
	return nil
}

// MinChainFrames is the fewest frames AutoWorkers gives a chain. Every
// chain but the first costs a cold frame and its warm-up, every boundary
// Seam frames painted again, and each boundary shows a little in the
// warping error (README, "Speed"): on this project's 2-core machine two
// chains of one thread paint the 280 frames of the sample clip faster
// than one chain of two threads, and 60 frames only as fast.
const MinChainFrames = 100

// AutoWorkers returns the number of chains for frames frames on threads
// threads: one per thread (a chain's evaluations use more threads less
// well than chains use cores), as long as each chain gets at least
// MinChainFrames frames; at least 1.
func AutoWorkers(frames, threads int) int {
	return max(1, min(threads, frames/MinChainFrames))
}

// ChooseWorkers returns the workers of c when c.Workers is 0 (automatic):
// 1 for a shard; the number its work dir was started with when that dir
// holds the same job but for the workers (a run continues as it began,
// whatever the frames or threads would choose now, as long as each
// worker has a thread, and unless c.Discard starts it over); else
// AutoWorkers(c.Frames, c.Threads). With
// c.Workers set it returns c.Workers.
func ChooseWorkers(c Config) int {
	switch {
	case c.Workers != 0:
		return c.Workers
	case c.Shard.N > 0:
		return 1
	}
	if prev, err := ReadJob(c.Workdir); err == nil && !c.Discard && prev.Workers >= 1 && prev.Workers <= c.Threads {
		c.Workers = prev.Workers
		if prev.diff(c.job()) == nil {
			return prev.Workers
		}
	}
	return AutoWorkers(c.Frames, c.Threads)
}
