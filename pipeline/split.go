package pipeline

// Segment is one worker's share of the frames: it saves frames
// [First, First+Count) and starts its warm-start chain Warmup frames
// earlier, at First−Warmup. Warm-up frames are painted only to warm the
// chain up and are not saved (another segment saves them).
type Segment struct {
	First, Count, Warmup int
}

// Split divides frames into at most workers contiguous segments of nearly
// equal length that together cover every frame exactly once. Every segment
// but the first gets a warm-up of overlap frames (fewer if it starts
// earlier than that), so that its first saved frame is warm-started like
// the frames inside a chain, which narrows the jump at the boundary (see
// the package documentation for how much).
func Split(frames, workers, overlap int) []Segment {
	if frames <= 0 {
		return nil
	}
	n := min(max(workers, 1), frames)
	overlap = max(overlap, 0)
	segs := make([]Segment, 0, n)
	first := 0
	for i := range n {
		count := frames / n
		if i < frames%n {
			count++
		}
		segs = append(segs, Segment{First: first, Count: count, Warmup: min(overlap, first)})
		first += count
	}
	return segs
}
