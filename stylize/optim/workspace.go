package optim

// Workspace keeps an optimizer's vectors from one Minimize call to the
// next, so that a sequence of same-sized problems (the frames of a video)
// allocates them once: on some machines first touching fresh memory costs
// more than the arithmetic done in it. The zero value is ready to use. A
// Workspace must not be shared by optimizers running at the same time.
type Workspace struct {
	vecs [][]float32
	next int
}

// reset hands out the workspace's vectors again from the first.
func (w *Workspace) reset() {
	if w != nil {
		w.next = 0
	}
}

// vec returns a zeroed vector of length n: the workspace's next one when
// it fits, else a new one that the workspace keeps. A nil workspace always
// allocates.
func (w *Workspace) vec(n int) []float32 {
	if w == nil {
		return make([]float32, n)
	}
	if w.next == len(w.vecs) {
		w.vecs = append(w.vecs, nil)
	}
	v := w.vecs[w.next]
	if cap(v) < n {
		v = make([]float32, n)
		w.vecs[w.next] = v
	}
	w.next++
	v = v[:n]
	clear(v)
	return v
}
