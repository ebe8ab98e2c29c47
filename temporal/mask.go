package temporal

// Reliability returns Ruder, Dosovitskiy and Brox's (2016) per-pixel
// reliability mask c for warping frame t−1 into frame t, on frame t's grid
// (length W·H, values 0 or 1).
//
// bwd is w, the backward flow of frame t (from t to t−1, on frame t's
// grid: frame t at x matches frame t−1 at x + w(x)) — the flow Warp uses
// to carry frame t−1 into frame t. fwd is the forward flow of frame t−1
// (from t−1 to t, on frame t−1's grid); ŵ(x) = fwd sampled bilinearly at
// x + w(x). Both must have the same size. c(x) is 0 where
//
//   - x + w(x) leaves the image;
//   - the flows disagree (disocclusion): |w + ŵ|² > 0.01(|w|² + |ŵ|²) + 0.5;
//   - at motion boundaries of w: |∇u|² + |∇v|² > 0.01|w|² + 0.002, with
//     the gradients of w = (u, v) taken by central differences
//     (one-sided at the image border);
//
// and 1 elsewhere. It panics if the flows are malformed or differ in size.
func Reliability(fwd, bwd Flow) []float32 {
	c := make([]float32, bwd.W*bwd.H)
	reliability(fwd, bwd, c)
	return c
}

// reliability writes Reliability(fwd, bwd) into c.
func reliability(fwd, bwd Flow, c []float32) {
	mustMatch("Reliability", fwd, bwd.W, bwd.H)
	mustMatch("Reliability", bwd, fwd.W, fwd.H)
	w, h := bwd.W, bwd.H
	clear(c)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			u, v := bwd.U[i], bwd.V[i]
			s := newSample(float32(x)+u, float32(y)+v, w, h)
			if !s.in {
				continue
			}
			fu, fv := s.at(fwd.U), s.at(fwd.V)
			wn := u*u + v*v
			du, dv := u+fu, v+fv
			if du*du+dv*dv > 0.01*(wn+fu*fu+fv*fv)+0.5 {
				continue
			}
			ux, vx := diff(bwd.U, bwd.V, y*w+max(x-1, 0), y*w+min(x+1, w-1), min(x+1, w-1)-max(x-1, 0))
			uy, vy := diff(bwd.U, bwd.V, max(y-1, 0)*w+x, min(y+1, h-1)*w+x, min(y+1, h-1)-max(y-1, 0))
			if ux*ux+uy*uy+vx*vx+vy*vy > 0.01*wn+0.002 {
				continue
			}
			c[i] = 1
		}
	}
}

// diff returns the differences of u and v between indices a and b, over
// a step of d pixels (0 when d is 0, a one-pixel-wide image).
func diff(u, v []float32, a, b, d int) (float32, float32) {
	if d == 0 {
		return 0, 0
	}
	return (u[b] - u[a]) / float32(d), (v[b] - v[a]) / float32(d)
}
