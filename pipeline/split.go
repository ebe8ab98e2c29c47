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
