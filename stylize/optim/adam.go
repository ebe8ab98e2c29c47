package optim

import (
	"fmt"
	"math"
)

// Adam minimizes a function with the Adam method (Kingma and Ba, 2015),
// using bias-corrected first and second moment estimates of the gradient.
// Each step costs exactly one evaluation.
//
// The zero value is ready to use. Minimize keeps 3 vectors of len(x)
// float32s besides x.
type Adam struct {
	// LR is the step size; zero means 0.02.
	LR float64
	// Beta1 and Beta2 are the decay rates of the first and second moment
	// estimates, in (0, 1); zero means 0.9 and 0.999.
	Beta1, Beta2 float64
	// Eps is added to the root of the second moment; zero means 1e-8.
	Eps float64

	// Bounds, if not nil, constrains every component of x: the starting
	// point is clamped into the box, and so is x after every step.
	Bounds *Bounds

	// Workspace, if not nil, keeps the vectors for the next call.
	Workspace *Workspace
}

// Minimize implements [Optimizer]. A non-finite loss stops the run with an
// error, because its gradient would corrupt the moment estimates.
func (o Adam) Minimize(f Func, x []float32, evals int) (loss float64, used int, err error) {
	lr := cmpDefault(o.LR, 0.02)
	b1 := cmpDefault(o.Beta1, 0.9)
	b2 := cmpDefault(o.Beta2, 0.999)
	eps := cmpDefault(o.Eps, 1e-8)
	switch {
	case !(lr > 0):
		err = fmt.Errorf("learning rate %v, want it positive", o.LR)
	case !(b1 > 0 && b1 < 1) || !(b2 > 0 && b2 < 1):
		err = fmt.Errorf("betas %v, %v, want them in (0, 1)", o.Beta1, o.Beta2)
	case !(eps > 0):
		err = fmt.Errorf("epsilon %v, want it positive", o.Eps)
	default:
		err = o.Bounds.check()
	}
	if err == nil {
		err = checkBudget(evals)
	}
	if err != nil {
		return math.NaN(), 0, fmt.Errorf("optim: adam: %w", err)
	}

	o.Bounds.project(x)
	n := len(x)
	o.Workspace.reset()
	tr := newTracker(f, n, evals, o.Workspace)
	g, m, v := o.Workspace.vec(n), o.Workspace.vec(n), o.Workspace.vec(n)
	for step := 1; ; step++ {
		fx, err := tr.eval(x, g)
		if err == nil && !isFinite(fx) {
			err = fmt.Errorf("loss %v at evaluation %d", fx, tr.used)
		}
		if err != nil {
			loss = tr.finish(x)
			return loss, tr.used, fmt.Errorf("optim: adam: %w", err)
		}
		if tr.remaining() == 0 {
			break // a further step could not be evaluated
		}
		c1 := 1 - math.Pow(b1, float64(step))
		c2 := 1 - math.Pow(b2, float64(step))
		for i, gi := range g {
			gf := float64(gi)
			mi := b1*float64(m[i]) + (1-b1)*gf
			vi := b2*float64(v[i]) + (1-b2)*gf*gf
			m[i], v[i] = float32(mi), float32(vi)
			x[i] = float32(float64(x[i]) - lr*(mi/c1)/(math.Sqrt(vi/c2)+eps))
		}
		o.Bounds.project(x)
	}
	return tr.finish(x), tr.used, nil
}
