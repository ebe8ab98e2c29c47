package optim

import (
	"fmt"
	"math"
)

// Default settings of LBFGS.
const (
	defaultHistory       = 10
	defaultGradTol       = 1e-9
	defaultMaxLineSearch = 20

	// curvatureTol rejects a correction pair (s, y) unless
	// sᵀy > curvatureTol·|s|·|y|, which keeps the inverse Hessian
	// approximation positive definite.
	curvatureTol = 1e-10
)

// LBFGS minimizes a smooth function with the limited-memory BFGS method,
// optionally subject to box constraints.
//
// Every iteration computes a direction with the two-loop recursion, treating
// variables that sit at a bound with the gradient pushing outwards as fixed,
// and then runs a projected backtracking line search along
// x(t) = P(x + t·d), where P clamps to Bounds (see lineSearch). The run stops
// when the evaluation budget is used up, when the projected gradient has
// shrunk by GradTol, or when the line search cannot make progress even from
// the projected steepest-descent direction.
//
// The zero value is ready to use. Minimize keeps 2·History+5 vectors of
// len(x) float32s.
type LBFGS struct {
	// History is the number of correction pairs kept; zero means 10.
	History int

	// Bounds, if not nil, constrains every component of x. The starting
	// point is clamped into the box, and every point evaluated lies in it.
	Bounds *Bounds

	// GradTol stops the run once the largest component of the projected
	// gradient is at most GradTol times its value at the starting point.
	// It must lie in [0, 1); zero means 1e-9.
	GradTol float64

	// MaxLineSearch is the largest number of evaluations one line search
	// may spend; zero means 20.
	MaxLineSearch int

	// Workspace, if not nil, keeps the vectors for the next call.
	Workspace *Workspace
}

// Minimize implements [Optimizer]. It returns an error if the loss at the
// starting point is not finite; a non-finite loss at a trial point only
// makes the line search backtrack.
func (o LBFGS) Minimize(f Func, x []float32, evals int) (loss float64, used int, err error) {
	m := cmpDefault(o.History, defaultHistory)
	gradTol := cmpDefault(o.GradTol, defaultGradTol)
	maxLS := cmpDefault(o.MaxLineSearch, defaultMaxLineSearch)
	switch {
	case m < 1:
		err = fmt.Errorf("history %d, want at least 1", o.History)
	case !(gradTol > 0 && gradTol < 1):
		err = fmt.Errorf("gradient tolerance %v, want it in [0, 1)", o.GradTol)
	case maxLS < 1:
		err = fmt.Errorf("line search limit %d, want at least 1", o.MaxLineSearch)
	default:
		err = o.Bounds.check()
	}
	if err == nil {
		err = checkBudget(evals)
	}
	if err != nil {
		return math.NaN(), 0, fmt.Errorf("optim: lbfgs: %w", err)
	}

	o.Bounds.project(x)
	n := len(x)
	ws := o.Workspace
	ws.reset()
	r := &lbfgsRun{
		tr:     newTracker(f, n, evals, ws),
		ws:     ws,
		bounds: o.Bounds,
		maxLS:  maxLS,
		x:      x,
		g:      ws.vec(n),
		xt:     ws.vec(n),
		gt:     ws.vec(n),
		d:      ws.vec(n),
		s:      make([][]float32, m),
		y:      make([][]float32, m),
		rho:    make([]float64, m),
		alpha:  make([]float64, m),
	}
	err = r.run(gradTol)
	loss = r.tr.finish(x)
	if err != nil {
		return loss, r.tr.used, fmt.Errorf("optim: lbfgs: %w", err)
	}
	return loss, r.tr.used, nil
}

// cmpDefault returns v, or def if v is zero.
func cmpDefault[T int | float64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// lbfgsRun is the state of one call of LBFGS.Minimize.
type lbfgsRun struct {
	tr     *tracker
	ws     *Workspace
	bounds *Bounds
	maxLS  int

	x, g   []float32 // current iterate and its gradient
	xt, gt []float32 // line-search trial point and its gradient
	d      []float32 // search direction

	// Correction pairs in a ring buffer: s[head], y[head] is the newest of
	// k pairs. Vectors are allocated when first needed.
	s, y    [][]float32
	rho     []float64 // 1/sᵀy for each pair
	alpha   []float64 // two-loop coefficients, newest first
	head, k int
	gamma   float64 // sᵀy/yᵀy of the newest pair; 0 before the first pair
}

// run iterates until the budget is used up or no more progress is possible.
func (r *lbfgsRun) run(gradTol float64) error {
	fx, err := r.tr.eval(r.x, r.g)
	if err != nil {
		return err
	}
	if !isFinite(fx) {
		return fmt.Errorf("loss %v at the starting point", fx)
	}
	tol := -1.0
	for r.tr.remaining() > 0 {
		pgMax, pgNorm := r.steepest()
		if tol < 0 {
			tol = gradTol * pgMax
		}
		if pgMax <= tol {
			return nil // converged; also catches a zero projected gradient
		}

		steepest := r.k == 0
		if !steepest {
			// In exact arithmetic -H·pg is a descent direction because
			// H is positive definite; rounding may still spoil it.
			if gd := r.quasiNewton(); !(gd < 0) {
				r.k = 0
				_, pgNorm = r.steepest()
				steepest = true
			}
		}
		t := 1.0
		if steepest {
			// Without curvature pairs the unit step has no natural scale.
			// On the first iteration, try a step of Euclidean length at
			// most 1 (as L-BFGS-B does): for an image with huge gradients
			// that moves each pixel only a little, and no component
			// moves by more than 1. After a reset, reuse the scaling
			// γ = sᵀy/yᵀy of the discarded history instead.
			t = min(1, 1/pgNorm)
			if r.gamma > 0 {
				t = r.gamma
			}
		}

		ft, ok, err := r.lineSearch(fx, t)
		if err != nil {
			return err
		}
		if !ok {
			if steepest {
				return nil // no progress even along steepest descent
			}
			r.k = 0 // retry once from steepest descent
			continue
		}
		r.addPair()
		r.x, r.xt = r.xt, r.x
		r.g, r.gt = r.gt, r.g
		fx = ft
	}
	return nil
}

// fixed reports whether a variable at value x with gradient g sits at a
// bound with the gradient pushing it outwards.
func (r *lbfgsRun) fixed(x, g float32) bool {
	b := r.bounds
	return b != nil && (x <= b.Lo && g > 0 || x >= b.Hi && g < 0)
}

// steepest sets d to the projected steepest-descent direction -pg, where
// pg is the gradient with fixed variables zeroed, and returns the largest
// magnitude and the Euclidean norm of pg.
func (r *lbfgsRun) steepest() (pgMax, pgNorm float64) {
	var ss float64
	for i, g := range r.g {
		if r.fixed(r.x[i], g) {
			r.d[i] = 0
			continue
		}
		r.d[i] = -g
		v := float64(g)
		ss += v * v
		pgMax = max(pgMax, math.Abs(v))
	}
	return pgMax, math.Sqrt(ss)
}

// quasiNewton turns d = -pg into -H·pg with the two-loop recursion, zeroes
// the fixed variables again and returns the directional derivative gᵀd.
func (r *lbfgsRun) quasiNewton() float64 {
	q := r.d
	m := len(r.s)
	for i := range r.k { // newest to oldest
		j := (r.head - i + m) % m
		r.alpha[i] = r.rho[j] * dot(r.s[j], q)
		axpy(-r.alpha[i], r.y[j], q)
	}
	scale(r.gamma, q)
	for i := r.k - 1; i >= 0; i-- { // oldest to newest
		j := (r.head - i + m) % m
		beta := r.rho[j] * dot(r.y[j], q)
		axpy(r.alpha[i]-beta, r.s[j], q)
	}
	var gd float64
	for i, g := range r.g {
		if r.fixed(r.x[i], g) {
			q[i] = 0
			continue
		}
		gd += float64(g) * float64(q[i])
	}
	return gd
}

// addPair stores the correction pair s = xt - x, y = gt - g of an accepted
// step, unless its curvature sᵀy is too small to keep H positive definite.
func (r *lbfgsRun) addPair() {
	var sy, ss, yy float64
	for i, xt := range r.xt {
		s := float64(xt) - float64(r.x[i])
		y := float64(r.gt[i]) - float64(r.g[i])
		sy += s * y
		ss += s * s
		yy += y * y
	}
	if !(sy > curvatureTol*math.Sqrt(ss)*math.Sqrt(yy)) {
		return
	}
	m := len(r.s)
	j := (r.head + 1) % m
	if r.s[j] == nil {
		r.s[j] = r.ws.vec(len(r.x))
		r.y[j] = r.ws.vec(len(r.x))
	}
	s, y := r.s[j], r.y[j]
	for i, xt := range r.xt {
		s[i] = xt - r.x[i]
		y[i] = r.gt[i] - r.g[i]
	}
	r.rho[j] = 1 / sy
	r.gamma = sy / yy
	r.head = j
	r.k = min(r.k+1, m)
}
