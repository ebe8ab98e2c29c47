package temporal

import "math"

// Variational refinement of a dense flow W, after OpenCV's
// VariationalRefinement (itself after Brox et al. 2004 and Zimmer et al.
// 2011): an increment dW minimizes
//
//	Σ_x δ·Ψ(ρ_b²) + γ·Ψ(ρ_g²) + α·Ψ(|∇(W+dW)|²),   Ψ(s²) = √(s² + ε²),
//
// where ρ_b is the brightness constancy residual I1(x+W) − I0(x)
// linearized in dW and normalized by |∇I|, and ρ_g the same for the
// image gradient (gradient constancy). Each fixed-point iteration freezes
// the Ψ′ weights at the current dW and solves the resulting linear
// system by red-black SOR sweeps.
//
// ρ_b² and ρ_g² are quadratic forms in (du, dv, 1) whose coefficients
// (the "motion tensors") are fixed for a level, so they are computed
// once. All buffers use a layout padded by one pixel on every side (row
// length w+2): the padding holds zero increments and zero edge weights,
// so the SOR stencil needs no border tests.
type refiner struct {
	w, d []flowVec      // W and dW
	s    []flowVec      // smoothness weights of the edges to the right (u) and down (v)
	t    []motionTensor // motion tensors
	sys  []sorRow
	// Scratch: the average of I0 and warped I1, their difference, and the
	// average's derivatives, each with its border replicated into the
	// padding.
	img, iz, ix, iy []float32
}

type flowVec struct{ u, v float32 }

// motionTensor holds the brightness (b) and gradient (g) motion tensors of a
// pixel: the coefficients of du², du·dv, dv², du, dv and 1 (see tensors).
type motionTensor struct{ b, g [6]float32 }

// sorRow is a pixel's row of the linear system for dW: 1/A11, A12, 1/A22,
// b1, b2, and the weights of the edges to its left, right, upper and lower
// neighbours.
type sorRow struct{ ia11, a12, ia22, b1, b2, el, er, eu, ed float32 }

const (
	refZeta2 = 0.01 // ζ²: regularizes the gradient normalization and the system's diagonal
	refEps2  = 1e-6 // ε² of the robust penalty Ψ
	refOmega = 1.8  // SOR over-relaxation factor (converges within a few sweeps)
)

func (r *refiner) alloc(n int) {
	r.w, r.d, r.s = make([]flowVec, n), make([]flowVec, n), make([]flowVec, n)
	r.t, r.sys = make([]motionTensor, n), make([]sorRow, n)
	for _, p := range []*[]float32{&r.img, &r.iz, &r.ix, &r.iy} {
		*p = make([]float32, n)
	}
}

// replicate copies the border pixels of the padded-layout w×h image a
// into its padding, so that central differences need no border tests.
func replicate(a []float32, w, h int) {
	pw := w + 2
	for y := 1; y <= h; y++ {
		a[y*pw] = a[y*pw+1]
		a[y*pw+w+1] = a[y*pw+w]
	}
	copy(a[:pw], a[pw:2*pw])
	copy(a[(h+1)*pw:][:pw], a[h*pw:][:pw])
}

// refine refines the dense flow of level l in place with iters
// fixed-point iterations.
func (e *Estimator) refine(l *pyrLevel, iters int) {
	r, w, h := &e.r, l.w, l.h
	pw := w + 2
	np := pw * (h + 2)
	clear(r.w[:np])
	clear(r.d[:np])
	clear(r.s[:np])
	ppw, xmax, ymax := w+2*e.ps, float32(w-1), float32(h-1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i, p := y*w+x, (y+1)*pw+x+1
			u, v := l.u[i], l.v[i]
			r.w[p] = flowVec{u, v}
			// I1 warped by W, bilinear, border clamped.
			sx, sy := min(max(float32(x)+u, 0), xmax), min(max(float32(y)+v, 0), ymax)
			ix, iy := int(sx), int(sy)
			ax, ay := sx-float32(ix), sy-float32(iy)
			o := (iy+e.ps)*ppw + ix + e.ps
			top := l.pad[o] + ax*(l.pad[o+1]-l.pad[o])
			bot := l.pad[o+ppw] + ax*(l.pad[o+ppw+1]-l.pad[o+ppw])
			warped := top + ay*(bot-top)
			r.iz[p] = warped - l.i0[i]
			r.img[p] = 0.5 * (warped + l.i0[i])
		}
	}
	replicate(r.img, w, h)
	replicate(r.iz, w, h)
	for y := 1; y <= h; y++ {
		o := y * pw
		im, i0, ip := r.img[o-pw:][:pw], r.img[o:][:pw], r.img[o+pw:][:pw]
		ix, iy := r.ix[o:][:pw], r.iy[o:][:pw]
		for x := 1; x < pw-1; x++ {
			ix[x] = 0.5 * (i0[x+1] - i0[x-1])
			iy[x] = 0.5 * (ip[x] - im[x])
		}
	}
	replicate(r.ix, w, h)
	replicate(r.iy, w, h)
	r.tensors(w, h)
	for it := 0; it < iters; it++ {
		r.linearize(w, h, e.opt.Alpha/2, e.opt.Delta/2, e.opt.Gamma/2)
		for s := 0; s < e.opt.SORIters; s++ {
			r.sor(w, h, 0)
			r.sor(w, h, 1)
		}
	}
	for y := 0; y < h; y++ {
		u, v := l.u[y*w:][:w], l.v[y*w:][:w]
		d := r.d[(y+1)*pw+1:][:w]
		for x, dw := range d {
			u[x] += dw.u
			v[x] += dw.v
		}
	}
}

// tensors sets the motion tensors from the image derivatives (central
// differences): for the brightness residual ρ = (iz + ix·du + iy·dv)/|∇I|,
//
//	ρ² = b0·du² + 2·b1·du·dv + b2·dv² + 2·b3·du + 2·b4·dv + b5,
//
// and likewise g for the gradient residuals, the x and y derivatives of
// the image each normalized by their own gradient.
func (r *refiner) tensors(w, h int) {
	pw := w + 2
	for y := 1; y <= h; y++ {
		o := y * pw
		zm, z0, zp := r.iz[o-pw:][:pw], r.iz[o:][:pw], r.iz[o+pw:][:pw]
		xm, x0, xp := r.ix[o-pw:][:pw], r.ix[o:][:pw], r.ix[o+pw:][:pw]
		ym, y0, yp := r.iy[o-pw:][:pw], r.iy[o:][:pw], r.iy[o+pw:][:pw]
		t := r.t[o:][:pw]
		for x := 1; x < pw-1; x++ {
			ix, iy, iz := x0[x], y0[x], z0[x]
			ixz, iyz := 0.5*(z0[x+1]-z0[x-1]), 0.5*(zp[x]-zm[x])
			ixx, ixy, iyy := 0.5*(x0[x+1]-x0[x-1]), 0.5*(xp[x]-xm[x]), 0.5*(yp[x]-ym[x])
			n := 1 / (ix*ix + iy*iy + refZeta2)
			n1 := 1 / (ixx*ixx + ixy*ixy + refZeta2)
			n2 := 1 / (iyy*iyy + ixy*ixy + refZeta2)
			t[x] = motionTensor{
				b: [6]float32{ix * ix * n, ix * iy * n, iy * iy * n, ix * iz * n, iy * iz * n, iz * iz * n},
				g: [6]float32{
					ixx*ixx*n1 + ixy*ixy*n2,
					ixx*ixy*n1 + ixy*iyy*n2,
					ixy*ixy*n1 + iyy*iyy*n2,
					ixx*ixz*n1 + ixy*iyz*n2,
					ixy*ixz*n1 + iyy*iyz*n2,
					ixz*ixz*n1 + iyz*iyz*n2,
				},
			}
		}
	}
}

// linearize sets the linear system of the next fixed-point iteration from
// the current dW: the smoothness weights a2·Ψ′ on the edges (forward
// differences of W + dW; no edge leaves the image), the data weights
// d2·Ψ′ and g2·Ψ′, and the coefficients.
func (r *refiner) linearize(w, h int, a2, d2, g2 float32) {
	pw := w + 2
	for y := 1; y <= h; y++ {
		o := y * pw
		wm, w0, wp := r.w[o-pw:][:pw], r.w[o:][:pw], r.w[o+pw:][:pw]
		d0, dp := r.d[o:][:pw], r.d[o+pw:][:pw]
		sm, s0 := r.s[o-pw:][:pw], r.s[o:][:pw]
		t, sys := r.t[o:][:pw], r.sys[o:][:pw]
		for x := 1; x < pw-1; x++ {
			d, c := d0[x], w0[x]
			u, v := c.u+d.u, c.v+d.v
			var ux, vx, uy, vy float32
			if x < w {
				ux, vx = w0[x+1].u+d0[x+1].u-u, w0[x+1].v+d0[x+1].v-v
			}
			if y < h {
				uy, vy = wp[x].u+dp[x].u-u, wp[x].v+dp[x].v-v
			}
			sw := a2 / sqrt32(ux*ux+vx*vx+uy*uy+vy*vy+refEps2)
			var er, ed float32
			if x < w {
				er = sw
			}
			if y < h {
				ed = sw
			}
			s0[x] = flowVec{er, ed}
			el, eu := s0[x-1].u, sm[x].v
			tx := &t[x]
			wb := d2 / sqrt32(quad(&tx.b, d.u, d.v)+refEps2)
			wg := g2 / sqrt32(quad(&tx.g, d.u, d.v)+refEps2)
			diag := el + er + eu + ed + refZeta2
			l, rt, up, dn := w0[x-1], w0[x+1], wm[x], wp[x]
			sys[x] = sorRow{
				ia11: 1 / (wb*tx.b[0] + wg*tx.g[0] + diag),
				a12:  wb*tx.b[1] + wg*tx.g[1],
				ia22: 1 / (wb*tx.b[2] + wg*tx.g[2] + diag),
				b1:   el*(l.u-c.u) + er*(rt.u-c.u) + eu*(up.u-c.u) + ed*(dn.u-c.u) - wb*tx.b[3] - wg*tx.g[3],
				b2:   el*(l.v-c.v) + er*(rt.v-c.v) + eu*(up.v-c.v) + ed*(dn.v-c.v) - wb*tx.b[4] - wg*tx.g[4],
				el:   el, er: er, eu: eu, ed: ed,
			}
		}
	}
}

// quad evaluates the quadratic form of a motion tensor (a square, so
// clamped at 0 against rounding).
func quad(j *[6]float32, du, dv float32) float32 {
	return max(0, j[0]*du*du+2*j[1]*du*dv+j[2]*dv*dv+2*(j[3]*du+j[4]*dv)+j[5])
}

// sor runs one half-sweep of red-black SOR over the pixels with
// x + y ≡ color (mod 2); they depend only on pixels of the other color.
func (r *refiner) sor(w, h, color int) {
	pw := w + 2
	for y := 1; y <= h; y++ {
		o := y * pw
		dm, d, dp := r.d[o-pw:][:pw], r.d[o:][:pw], r.d[o+pw:][:pw]
		sys := r.sys[o:][:pw]
		x0 := 1 // first pixel of the color in the row, padded coordinates
		if (y+color)%2 == 0 {
			x0 = 2
		}
		for x := x0; x < pw-1; x += 2 {
			q := &sys[x]
			l, rt, up, dn := d[x-1], d[x+1], dm[x], dp[x]
			nu := q.el*l.u + q.er*rt.u + q.eu*up.u + q.ed*dn.u
			nv := q.el*l.v + q.er*rt.v + q.eu*up.v + q.ed*dn.v
			c := d[x]
			c.u += refOmega * ((nu+q.b1-q.a12*c.v)*q.ia11 - c.u)
			c.v += refOmega * ((nv+q.b2-q.a12*c.u)*q.ia22 - c.v)
			d[x] = c
		}
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
