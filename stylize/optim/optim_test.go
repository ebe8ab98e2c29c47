package optim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var (
	_ Optimizer = LBFGS{}
	_ Optimizer = Adam{}
)

// objective is a test function computed in float64.
type objective func(x, g []float32) float64

func (f objective) Func() Func {
	return func(x, g []float32) (float64, error) { return f(x, g), nil }
}

// quadratic is f(x) = scale·½(x-c)ᵀA(x-c) with A symmetric positive definite.
type quadratic struct {
	n     int
	a     []float64 // n×n, row major
	c     []float64
	scale float64
}

// newQuadratic returns a quadratic in n dimensions whose Hessian has
// eigenvalues log-spaced in [1, cond] and a random orthogonal eigenbasis
// (dense) or the identity (separable), with c uniform in [lo, hi].
func newQuadratic(seed uint64, n int, cond float64, dense bool, lo, hi float64) *quadratic {
	rng := rand.New(rand.NewPCG(seed, 1))
	q := &quadratic{n: n, a: make([]float64, n*n), c: make([]float64, n), scale: 1}
	for i := range n {
		lam := math.Pow(cond, float64(i)/float64(n-1))
		q.a[i*n+i] = lam
		q.c[i] = lo + (hi-lo)*rng.Float64()
	}
	if dense {
		// A ← HAH for a few random Householder reflections H = I - 2vvᵀ.
		for range 3 {
			v := make([]float64, n)
			var vv float64
			for i := range v {
				v[i] = rng.NormFloat64()
				vv += v[i] * v[i]
			}
			for i := range v {
				v[i] /= math.Sqrt(vv)
			}
			reflect := func() { // A ← HA, then transpose (A stays symmetric)
				av := make([]float64, n)
				for j := range n {
					for i := range n {
						av[j] += v[i] * q.a[i*n+j]
					}
				}
				for i := range n {
					for j := range n {
						q.a[i*n+j] -= 2 * v[i] * av[j]
					}
				}
				for i := range n {
					for j := range i {
						q.a[i*n+j], q.a[j*n+i] = q.a[j*n+i], q.a[i*n+j]
					}
				}
			}
			reflect()
			reflect()
		}
	}
	return q
}

func (q *quadratic) eval(x []float64, g []float64) float64 {
	n := q.n
	var f float64
	for i := range n {
		var ae float64
		for j := range n {
			ae += q.a[i*n+j] * (x[j] - q.c[j])
		}
		g[i] = q.scale * ae
		f += 0.5 * q.scale * (x[i] - q.c[i]) * ae
	}
	return f
}

func (q *quadratic) objective() objective {
	x64 := make([]float64, q.n)
	g64 := make([]float64, q.n)
	return func(x, g []float32) float64 {
		for i, v := range x {
			x64[i] = float64(v)
		}
		f := q.eval(x64, g64)
		for i, v := range g64 {
			g[i] = float32(v)
		}
		return f
	}
}

// solve returns the minimizer of q in the box b (nil: unconstrained) and the
// minimum, by projected gradient descent in float64.
func (q *quadratic) solve(b *Bounds) ([]float64, float64) {
	x := make([]float64, q.n)
	g := make([]float64, q.n)
	copy(x, q.c)
	if b == nil {
		return x, 0
	}
	var lmax float64 // Gershgorin bound
	for i := range q.n {
		var r float64
		for j := range q.n {
			r += math.Abs(q.a[i*q.n+j])
		}
		lmax = max(lmax, r*q.scale)
	}
	for range 20000 {
		q.eval(x, g)
		for i := range x {
			x[i] = min(max(x[i]-g[i]/lmax, float64(b.Lo)), float64(b.Hi))
		}
	}
	return x, q.eval(x, g)
}

// rosenbrock is the chained Rosenbrock function in len(x) dimensions, with
// minimum 0 at (1, …, 1).
func rosenbrock(x, g []float32) float64 {
	clear(g)
	var f float64
	g64 := make([]float64, len(x))
	for i := range len(x) - 1 {
		a, b := float64(x[i]), float64(x[i+1])
		u, v := b-a*a, 1-a
		f += 100*u*u + v*v
		g64[i] += -400*a*u - 2*v
		g64[i+1] += 200 * u
	}
	for i, v := range g64 {
		g[i] = float32(v)
	}
	return f
}

// pseudoHuber is scale·Σ w_i (sqrt(1 + (x_i-c_i)²/δ²) - 1)·δ², with minimum 0
// at c. Far from c it is nearly linear, so a secant model underestimates the
// curvature near c and full quasi-Newton steps overshoot.
func pseudoHuber(c []float64, delta, scale float64) objective {
	return func(x, g []float32) float64 {
		var f float64
		for i, v := range x {
			w := scale * (1 + float64(i%5))
			r := (float64(v) - c[i]) / delta
			s := math.Sqrt(1 + r*r)
			f += w * (s - 1) * delta * delta
			g[i] = float32(w * r / s * delta)
		}
		return f
	}
}

func fill(n int, v ...float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = v[i%len(v)]
	}
	return x
}

// recorder wraps an objective, checking every call against the budget and
// the box and remembering the lowest loss seen.
type recorder struct {
	t      *testing.T
	f      objective
	b      *Bounds
	limit  int
	calls  int
	lowest float64

	target  float64 // a loss to reach
	reached int     // first call whose loss was at most target; 0 if none
}

func newRecorder(t *testing.T, f objective, b *Bounds, limit int) *recorder {
	return &recorder{t: t, f: f, b: b, limit: limit, lowest: math.Inf(1), target: math.Inf(-1)}
}

func (r *recorder) Func() Func {
	return func(x, g []float32) (float64, error) {
		r.t.Helper()
		r.calls++
		if r.calls > r.limit {
			r.t.Fatalf("call %d exceeds the budget of %d", r.calls, r.limit)
		}
		if r.b != nil {
			for i, v := range x {
				if !(v >= r.b.Lo && v <= r.b.Hi) {
					r.t.Fatalf("call %d: x[%d] = %v outside [%v, %v]", r.calls, i, v, r.b.Lo, r.b.Hi)
				}
			}
		}
		fx := r.f(x, g)
		r.lowest = min(r.lowest, fx)
		if fx <= r.target && r.reached == 0 {
			r.reached = r.calls
		}
		return fx, nil
	}
}

// check verifies the results of a Minimize call made with r.Func().
func (r *recorder) check(x []float32, loss float64, used int) {
	r.t.Helper()
	if used != r.calls {
		r.t.Errorf("used = %d, but f was called %d times", used, r.calls)
	}
	if loss != r.lowest {
		r.t.Errorf("loss = %v, want the lowest loss seen %v", loss, r.lowest)
	}
	g := make([]float32, len(x))
	if fx := r.f(x, g); fx != loss {
		r.t.Errorf("loss = %v, but f(x) = %v at the returned x", loss, fx)
	}
}

func maxAbsDiff(x []float32, want []float64) float64 {
	var d float64
	for i, v := range x {
		d = max(d, math.Abs(float64(v)-want[i]))
	}
	return d
}

func TestLBFGSQuadratic(t *testing.T) {
	unit := &Bounds{Lo: 0, Hi: 1}
	tests := []struct {
		name   string
		q      *quadratic
		bounds *Bounds
		evals  int
	}{
		{"dense", newQuadratic(1, 50, 100, true, 0.2, 0.8), nil, 60},
		{"dense/box-inactive", newQuadratic(1, 50, 100, true, 0.2, 0.8), unit, 60},
		{"separable/box-active", newQuadratic(2, 50, 100, false, -0.5, 1.5), unit, 60},
		{"dense/box-active", newQuadratic(3, 50, 100, true, -0.5, 1.5), unit, 60},
		{"dense/scaled-1e6", func() *quadratic {
			q := newQuadratic(4, 50, 100, true, -1, 1)
			q.scale = 1e6
			return q
		}(), nil, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xstar, fstar := tt.q.solve(tt.bounds)
			f := tt.q.objective()
			x := fill(50, 0.5, 0.1, 0.9)
			f0 := f(x, make([]float32, 50))
			rec := newRecorder(t, f, tt.bounds, tt.evals)
			rec.target = fstar + 1e-8*(f0-fstar)
			loss, used, err := LBFGS{Bounds: tt.bounds}.Minimize(rec.Func(), x, tt.evals)
			if err != nil {
				t.Fatal(err)
			}
			rec.check(x, loss, used)
			rel := (loss - fstar) / (f0 - fstar)
			t.Logf("1e-8 reached at evaluation %d; after %d: (f-f*)/(f0-f*) = %.3g, |x-x*|∞ = %.3g",
				rec.reached, used, rel, maxAbsDiff(x, xstar))
			if rel > 1e-8 {
				t.Errorf("(f-f*)/(f0-f*) = %.3g after %d evaluations, want < 1e-8", rel, used)
			}
			if d := maxAbsDiff(x, xstar); d > 1e-3 {
				t.Errorf("|x-x*|∞ = %.3g, want < 1e-3", d)
			}
		})
	}
}

func TestLBFGSRosenbrock(t *testing.T) {
	tests := []struct {
		name   string
		x0     []float32
		bounds *Bounds
		evals  int
	}{
		{"2d", []float32{-1.2, 1}, nil, 200},
		{"2d/box", []float32{-1.2, 1}, &Bounds{Lo: -2, Hi: 2}, 200},
		{"10d", fill(10, 0), nil, 400},
		{"10d/box", fill(10, -1.2, 1), &Bounds{Lo: 0, Hi: 2}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := append([]float32(nil), tt.x0...)
			rec := newRecorder(t, rosenbrock, tt.bounds, tt.evals)
			rec.target = 1e-10
			loss, used, err := LBFGS{Bounds: tt.bounds}.Minimize(rec.Func(), x, tt.evals)
			if err != nil {
				t.Fatal(err)
			}
			rec.check(x, loss, used)
			ones := make([]float64, len(x))
			for i := range ones {
				ones[i] = 1
			}
			d := maxAbsDiff(x, ones)
			t.Logf("f < 1e-10 at evaluation %d; after %d: f = %.3g, |x-1|∞ = %.3g", rec.reached, used, loss, d)
			if d > 1e-4 {
				t.Errorf("after %d evaluations x = %v (f = %.3g), want all ones", used, x, loss)
			}
		})
	}
}

func TestLBFGSBadlyScaled(t *testing.T) {
	c := make([]float64, 20)
	for i := range c {
		c[i] = 0.1 * float64(i%7)
	}
	tests := []struct {
		name     string
		f        objective
		c        []float64
		evals    int
		unitStep bool // whether a fixed step x - g diverges
	}{
		{"quadratic-1e6", func() objective {
			q := newQuadratic(5, 20, 10, true, 0, 1)
			q.scale = 1e6
			copy(c, q.c)
			return q.objective()
		}(), append([]float64(nil), c...), 100, true},
		{"pseudo-huber", pseudoHuber(c, 0.1, 1), c, 100, false},
		{"pseudo-huber-1e6", pseudoHuber(c, 0.1, 1e6), c, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := fill(len(tt.c), 5, -5, 3)
			g := make([]float32, len(x))
			f0 := tt.f(x, g)
			if tt.unitStep {
				// A fixed step of 1 along -g increases f a lot: this is
				// the failure mode the line search guards against.
				xs := make([]float32, len(x))
				for i := range x {
					xs[i] = x[i] - g[i]
				}
				if fs := tt.f(xs, g); !(fs > 100*f0) {
					t.Fatalf("f(x0 - g0) = %v, f(x0) = %v, want a diverging unit step", fs, f0)
				}
			}
			rec := newRecorder(t, tt.f, nil, tt.evals)
			rec.target = 1e-8 * f0
			loss, used, err := LBFGS{}.Minimize(rec.Func(), x, tt.evals)
			if err != nil {
				t.Fatal(err)
			}
			rec.check(x, loss, used)
			d := maxAbsDiff(x, tt.c)
			t.Logf("f/f0 < 1e-8 at evaluation %d; after %d: f/f0 = %.3g, |x-x*|∞ = %.3g", rec.reached, used, loss/f0, d)
			if loss/f0 > 1e-8 || d > 1e-3 {
				t.Errorf("after %d evaluations f/f0 = %.3g, |x-x*|∞ = %.3g", used, loss/f0, d)
			}
		})
	}
}

// TestBudget checks the accounting on short budgets that end in the middle
// of a line search.
func TestBudget(t *testing.T) {
	unit := &Bounds{Lo: 0, Hi: 1}
	box := newQuadratic(6, 30, 1000, true, -0.5, 1.5).objective()
	tests := []struct {
		name string
		opt  Optimizer
		f    objective
		b    *Bounds
		x0   []float32
	}{
		{"lbfgs/rosenbrock", LBFGS{}, rosenbrock, nil, []float32{-1.2, 1}},
		{"lbfgs/box", LBFGS{Bounds: unit, History: 3}, box, unit, fill(30, 2, -1, 0.5)},
		{"lbfgs/huber", LBFGS{}, pseudoHuber(make([]float64, 5), 1e-3, 1), nil, fill(5, 7)},
		{"adam/box", Adam{Bounds: unit, LR: 0.1}, box, unit, fill(30, 2, -1, 0.5)},
	}
	for _, tt := range tests {
		for _, evals := range []int{1, 2, 3, 5, 8, 13, 21, 34} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, evals), func(t *testing.T) {
				x := append([]float32(nil), tt.x0...)
				rec := newRecorder(t, tt.f, tt.b, evals)
				loss, used, err := tt.opt.Minimize(rec.Func(), x, evals)
				if err != nil {
					t.Fatal(err)
				}
				rec.check(x, loss, used)
				if tt.b != nil {
					for i, v := range x {
						if v < tt.b.Lo || v > tt.b.Hi {
							t.Errorf("x[%d] = %v outside the box", i, v)
						}
					}
				}
			})
		}
	}
}

func TestFuncError(t *testing.T) {
	errStop := errors.New("stop")
	q := newQuadratic(7, 10, 10, true, 0, 1).objective()
	for _, opt := range []Optimizer{LBFGS{}, Adam{}} {
		for _, fail := range []int{1, 2, 6} {
			t.Run(fmt.Sprintf("%T/%d", opt, fail), func(t *testing.T) {
				calls := 0
				lowest := math.Inf(1)
				var bestX []float32
				f := func(x, g []float32) (float64, error) {
					calls++
					if calls == fail {
						return 0, errStop
					}
					if calls > fail {
						t.Fatalf("f called again after failing")
					}
					fx := q(x, g)
					if fx < lowest {
						lowest = fx
						bestX = append(bestX[:0], x...)
					}
					return fx, nil
				}
				x := fill(10, 0.9, 0.1)
				x0 := append([]float32(nil), x...)
				loss, used, err := opt.Minimize(f, x, 100)
				if !errors.Is(err, errStop) {
					t.Fatalf("err = %v, want it to wrap %v", err, errStop)
				}
				if used != fail {
					t.Errorf("used = %d, want %d", used, fail)
				}
				if fail == 1 {
					if !math.IsNaN(loss) || fmt.Sprint(x) != fmt.Sprint(x0) {
						t.Errorf("loss = %v, x = %v; want NaN and the starting point", loss, x)
					}
					return
				}
				if loss != lowest || fmt.Sprint(x) != fmt.Sprint(bestX) {
					t.Errorf("loss = %v, x = %v; want the best point seen (%v, %v)", loss, x, lowest, bestX)
				}
			})
		}
	}
}

func TestAdam(t *testing.T) {
	unit := &Bounds{Lo: 0, Hi: 1}
	tests := []struct {
		name   string
		q      *quadratic
		bounds *Bounds
		evals  int
	}{
		{"dense", newQuadratic(8, 50, 10, true, 0.2, 0.8), nil, 1000},
		{"separable/box-active", newQuadratic(9, 50, 10, false, -0.5, 1.5), unit, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xstar, fstar := tt.q.solve(tt.bounds)
			f := tt.q.objective()
			x := fill(50, 0.5, 0.1, 0.9)
			f0 := f(x, make([]float32, 50))
			rec := newRecorder(t, f, tt.bounds, tt.evals)
			loss, used, err := Adam{Bounds: tt.bounds}.Minimize(rec.Func(), x, tt.evals)
			if err != nil {
				t.Fatal(err)
			}
			rec.check(x, loss, used)
			if used != tt.evals {
				t.Errorf("used = %d, want the whole budget %d", used, tt.evals)
			}
			rel := (loss - fstar) / (f0 - fstar)
			d := maxAbsDiff(x, xstar)
			t.Logf("%d evaluations: (f-f*)/(f0-f*) = %.3g, |x-x*|∞ = %.3g", used, rel, d)
			if rel > 1e-4 || d > 1e-2 {
				t.Errorf("(f-f*)/(f0-f*) = %.3g, |x-x*|∞ = %.3g after %d evaluations", rel, d, used)
			}
		})
	}
}

func TestInvalidArguments(t *testing.T) {
	f := objective(rosenbrock).Func()
	tests := []struct {
		name  string
		opt   Optimizer
		evals int
	}{
		{"lbfgs/budget", LBFGS{}, 0},
		{"lbfgs/history", LBFGS{History: -1}, 10},
		{"lbfgs/gradtol", LBFGS{GradTol: 1}, 10},
		{"lbfgs/bounds", LBFGS{Bounds: &Bounds{Lo: 1, Hi: 0}}, 10},
		{"lbfgs/nan-bounds", LBFGS{Bounds: &Bounds{Lo: float32(math.NaN()), Hi: 1}}, 10},
		{"adam/budget", Adam{}, -1},
		{"adam/beta", Adam{Beta1: 1}, 10},
		{"adam/bounds", Adam{Bounds: &Bounds{Lo: 1, Hi: 0}}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			counted := func(x, g []float32) (float64, error) { calls++; return f(x, g) }
			if _, _, err := tt.opt.Minimize(counted, []float32{0, 0}, tt.evals); err == nil {
				t.Error("no error")
			}
			if calls != 0 {
				t.Errorf("f called %d times", calls)
			}
		})
	}
}

func TestNonFiniteLoss(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		opt    Optimizer
		losses []float64 // losses of successive calls
		used   int       // evaluations before the error
		loss   float64   // loss returned (NaN: none)
	}{
		{"lbfgs/start", LBFGS{}, []float64{nan}, 1, nan},
		{"lbfgs/inf-start", LBFGS{}, []float64{math.Inf(1)}, 1, nan},
		{"adam/start", Adam{}, []float64{nan}, 1, nan},
		{"adam/later", Adam{}, []float64{3, 2, nan}, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			f := func(x, g []float32) (float64, error) {
				clear(g)
				g[0] = 1
				calls++
				return tt.losses[calls-1], nil
			}
			loss, used, err := tt.opt.Minimize(f, []float32{0.5, 0.5}, 10)
			if err == nil {
				t.Fatal("no error")
			}
			if used != tt.used || calls != tt.used {
				t.Errorf("used = %d, calls = %d, want %d", used, calls, tt.used)
			}
			if loss != tt.loss && !(math.IsNaN(loss) && math.IsNaN(tt.loss)) {
				t.Errorf("loss = %v, want %v", loss, tt.loss)
			}
		})
	}
}

// TestLBFGSNonFiniteTrial checks that a trial point with an infinite loss
// makes the line search backtrack rather than fail.
func TestLBFGSNonFiniteTrial(t *testing.T) {
	// f = Σ (x_i - 1)² inside |x_i| < 2, +Inf outside.
	f := func(x, g []float32) (float64, error) {
		var s float64
		for i, v := range x {
			if math.Abs(float64(v)) >= 2 {
				return math.Inf(1), nil
			}
			e := float64(v) - 1
			s += e * e
			g[i] = float32(2 * e)
		}
		return s, nil
	}
	x := []float32{-1.9, 1.5, -1}
	loss, used, err := LBFGS{}.Minimize(f, x, 50)
	if err != nil {
		t.Fatal(err)
	}
	if loss > 1e-10 {
		t.Errorf("loss = %v after %d evaluations, x = %v", loss, used, x)
	}
}
