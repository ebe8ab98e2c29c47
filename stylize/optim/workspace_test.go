package optim

import (
	"testing"
)

// TestWorkspaceReuse checks that a workspace changes no result and that
// a second run on a same-sized problem allocates no new vectors.
func TestWorkspaceReuse(t *testing.T) {
	q := newQuadratic(5, 40, 100, true, -0.5, 1.5)
	unit := &Bounds{Lo: 0, Hi: 1}
	for _, opt := range []struct {
		name  string
		fresh Optimizer
		mk    func(*Workspace) Optimizer
	}{
		{"lbfgs", LBFGS{Bounds: unit}, func(ws *Workspace) Optimizer { return LBFGS{Bounds: unit, Workspace: ws} }},
		{"adam", Adam{Bounds: unit}, func(ws *Workspace) Optimizer { return Adam{Bounds: unit, Workspace: ws} }},
	} {
		t.Run(opt.name, func(t *testing.T) {
			x0 := make([]float32, q.n)
			want := append([]float32(nil), x0...)
			wantF, _, err := opt.fresh.Minimize(q.objective().Func(), want, 50)
			if err != nil {
				t.Fatal(err)
			}
			ws := &Workspace{}
			o := opt.mk(ws)
			var first []*float32
			for run := 0; run < 2; run++ {
				x := append([]float32(nil), x0...)
				f, _, err := o.Minimize(q.objective().Func(), x, 50)
				if err != nil {
					t.Fatal(err)
				}
				if f != wantF {
					t.Errorf("run %d: loss %v with a workspace, %v without", run, f, wantF)
				}
				for i := range x {
					if x[i] != want[i] {
						t.Fatalf("run %d: x[%d] = %v with a workspace, %v without", run, i, x[i], want[i])
					}
				}
				var ptrs []*float32
				for _, v := range ws.vecs {
					ptrs = append(ptrs, &v[:1][0])
				}
				if run == 0 {
					first = ptrs
					continue
				}
				if len(ptrs) != len(first) {
					t.Fatalf("second run grew the workspace from %d to %d vectors", len(first), len(ptrs))
				}
				for i := range ptrs {
					if ptrs[i] != first[i] {
						t.Errorf("second run replaced vector %d", i)
					}
				}
			}
		})
	}
}
