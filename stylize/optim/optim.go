package optim

import (
	"fmt"
	"math"
)

// Func evaluates the objective at x, writes dL/dx into grad
// (len(grad) == len(x)) and returns the loss.
//
// It may return an error (for example on cancellation), which the optimizer
// returns at once, wrapped. Func must not modify x, and must not retain x or
// grad after it returns.
type Func func(x, grad []float32) (float64, error)

// Bounds is an optional box constraint Lo <= x[i] <= Hi applied to every
// component.
type Bounds struct{ Lo, Hi float32 }

// Optimizer minimizes f starting from x (updated in place) using at most
// evals evaluations of f; exactly one call of f counts as one evaluation.
//
// On return x holds the best point evaluated (lowest loss seen), so the
// caller never gets a worse point than the one it started from. Minimize
// returns the loss at the returned x and the number of evaluations used.
// If f fails, Minimize stops at once and returns the error wrapped; x then
// holds the best point evaluated before the failure, or the starting point
// with a NaN loss if there was none.
type Optimizer interface {
	Minimize(f Func, x []float32, evals int) (loss float64, used int, err error)
}

// check reports whether b describes a non-empty box. A nil b is valid.
func (b *Bounds) check() error {
	if b != nil && !(b.Lo <= b.Hi) {
		return fmt.Errorf("invalid bounds [%v, %v]", b.Lo, b.Hi)
	}
	return nil
}

// project clamps every component of x into b. A nil b leaves x unchanged.
func (b *Bounds) project(x []float32) {
	if b == nil {
		return
	}
	for i, v := range x {
		x[i] = min(max(v, b.Lo), b.Hi)
	}
}

// checkBudget reports whether evals allows at least one evaluation.
func checkBudget(evals int) error {
	if evals < 1 {
		return fmt.Errorf("evaluation budget %d, want at least 1", evals)
	}
	return nil
}

// tracker calls f, counts the calls and remembers the best point seen.
type tracker struct {
	f     Func
	limit int
	used  int
	found bool      // whether best holds an evaluated point
	bestF float64   // loss at best
	best  []float32 // point with the lowest loss seen
}

func newTracker(f Func, n, evals int, ws *Workspace) *tracker {
	return &tracker{f: f, limit: evals, bestF: math.Inf(1), best: ws.vec(n)}
}

// remaining returns the number of evaluations left in the budget.
func (t *tracker) remaining() int { return t.limit - t.used }

// eval evaluates f at x, writing the gradient into grad, and records x if it
// is the best point so far. Callers must check remaining first.
func (t *tracker) eval(x, grad []float32) (float64, error) {
	fx, err := t.f(x, grad)
	t.used++
	if err != nil {
		return fx, fmt.Errorf("evaluation %d: %w", t.used, err)
	}
	if fx < t.bestF {
		t.found = true
		t.bestF = fx
		copy(t.best, x)
	}
	return fx, nil
}

// finish copies the best point seen into x and returns its loss. If no
// point had a loss below +Inf, x is left alone and the loss is NaN.
func (t *tracker) finish(x []float32) float64 {
	if !t.found {
		return math.NaN()
	}
	copy(x, t.best)
	return t.bestF
}

// isFinite reports whether v is neither infinite nor NaN.
func isFinite(v float64) bool { return !math.IsInf(v, 0) && !math.IsNaN(v) }
