package pipeline

// Segment is one worker's share of the frames: it saves frames
// [First, First+Count) and starts its warm-start chain Warmup frames
// earlier, at First−Warmup. Warm-up frames belong to the previous
// segment, which saves them as frames; the last Fade of them are also saved
// as warm-up frames (see WarmPath), for Encode to cross-fade from the
// previous chain into this one.
type Segment struct {
	First, Count, Warmup int
	// Fade is min(Warmup, the previous segment's Count − 1): the
	// cross-fade stays inside the previous segment and never reaches its
	// first frame, so the warm-up frames of two boundaries never touch
	// and Encode can tell them apart.
	Fade int
}

// Split divides frames into at most workers contiguous segments of nearly
// equal length that together cover every frame exactly once. Every segment
// but the first gets a warm-up of overlap frames (fewer if it starts
// earlier than that), so that its first saved frame is warm-started like
// the frames inside a chain, and the video can cross-fade over the
// warm-up (see the package documentation).
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
		seg := Segment{First: first, Count: count, Warmup: min(overlap, first)}
		if i > 0 {
			seg.Fade = min(seg.Warmup, segs[i-1].Count-1)
		}
		segs = append(segs, seg)
		first += count
	}
	return segs
}
