package optim

// Line search constants.
const (
	armijoC1 = 1e-4 // sufficient decrease parameter

	// Each backtracking step shrinks t to the minimizer of a quadratic
	// model, safeguarded to [shrinkMin·t, shrinkMax·t].
	shrinkMin = 0.1
	shrinkMax = 0.5

	// maxShrinks bounds the number of trial steps of one line search,
	// including those rejected without evaluation.
	maxShrinks = 100
)

// lineSearch is a projected backtracking line search along the path
// x(t) = P(x + t·d), starting at step t. It accepts the first trial point
// that satisfies the Armijo condition on the projected step,
//
//	f(x(t)) <= f(x) + c1·gᵀ(x(t) - x),
//
// and then holds it in xt with its gradient in gt. It reports false when
// the budget or MaxLineSearch evaluations run out, or when the step becomes
// too small to change x in float32.
//
// Only backtracking is done: there is no expansion phase and no curvature
// (Wolfe) condition. Each trial costs a full evaluation, and after the first
// iteration the L-BFGS step t = 1 is well scaled, so it is usually accepted
// at once and an iteration costs one evaluation; testing curvature would
// cost extra evaluations on exactly those iterations. Pairs with too little
// curvature are skipped instead (see addPair). Shrinking uses the minimizer
// of the quadratic through f(x), the slope gᵀ(x(t) - x)/t and f(x(t)), which
// is exact for quadratics and jumps quickly past the large overshoots of a
// badly scaled problem; a non-finite loss shrinks t by the largest factor.
func (r *lbfgsRun) lineSearch(fx, t float64) (ft float64, ok bool, err error) {
	evals := 0
	for range maxShrinks {
		gs, moved := r.trialPoint(t)
		if !moved {
			return 0, false, nil
		}
		if !(gs < 0) {
			// Projection has turned the step into a non-descent one;
			// a shorter step is clipped less. No evaluation needed.
			t *= shrinkMax
			continue
		}
		if evals == r.maxLS || r.tr.remaining() == 0 {
			return 0, false, nil
		}
		evals++
		ft, err = r.tr.eval(r.xt, r.gt)
		if err != nil {
			return 0, false, err
		}
		if ft <= fx+armijoC1*gs {
			return ft, true, nil
		}
		t = backtrack(t, fx, ft, gs)
	}
	return 0, false, nil
}

// trialPoint sets xt = P(x + t·d) and returns gᵀ(xt - x) and whether xt
// differs from x at all.
func (r *lbfgsRun) trialPoint(t float64) (gs float64, moved bool) {
	b := r.bounds
	for i, x := range r.x {
		v := float32(float64(x) + t*float64(r.d[i]))
		if b != nil {
			v = min(max(v, b.Lo), b.Hi)
		}
		r.xt[i] = v
		if v != x {
			moved = true
			gs += float64(r.g[i]) * (float64(v) - float64(x))
		}
	}
	return gs, moved
}

// backtrack returns the next, shorter step after t failed the Armijo test
// with loss ft, given f(x) = fx and the predicted change gs = gᵀ(x(t) - x) < 0.
func backtrack(t, fx, ft, gs float64) float64 {
	// Minimizer of q(τ) = fx + (gs/t)·τ + c·τ² with q(t) = ft.
	tq := t * -gs / (2 * (ft - fx - gs))
	if !(tq >= shrinkMin*t) { // also NaN from a non-finite ft
		return shrinkMin * t
	}
	return min(tq, shrinkMax*t)
}
