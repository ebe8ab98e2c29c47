package temporal

// Patch inverse search and densification, the two DIS steps run on every
// pyramid level before the variational refinement.

// patchGrid holds the sparse, per-patch state of one level: patch (is,
// js) has its top-left corner at (js·stride, is·stride).
type patchGrid struct {
	ws, hs int
	su, sv []float32 // flow of each patch
	// Patch sums of the first image's gradients: Σgx², Σgy², Σgx·gy, Σgx,
	// Σgy (the Gauss–Newton Hessian and the mean normalization).
	xx, yy, xy, sx, sy []float32
	aux                [5][]float32 // the same sums along rows, h × ws
	// The forward sweep's fit of each patch's flow, and whether
	// Gauss–Newton converged there.
	fits []patchFit
	done []bool
}

func (g *patchGrid) alloc(w, h, ps, st int) {
	n := (1 + (w-ps)/st) * (1 + (h-ps)/st)
	for _, p := range []*[]float32{&g.su, &g.sv, &g.xx, &g.yy, &g.xy, &g.sx, &g.sy} {
		*p = make([]float32, n)
	}
	for i := range g.aux {
		g.aux[i] = make([]float32, h*(1+(w-ps)/st))
	}
	g.fits, g.done = make([]patchFit, n), make([]bool, n)
}

// patchSums fills the patch sums of level l, by rows then by columns.
func (e *Estimator) patchSums(l *pyrLevel) {
	g, ps, st, w := &e.g, e.ps, e.st, l.w
	for y := 0; y < l.h; y++ {
		gx, gy := l.gx[y*w:][:w], l.gy[y*w:][:w]
		for js := 0; js < g.ws; js++ {
			var xx, yy, xy, sx, sy float32
			for x := js * st; x < js*st+ps; x++ {
				a, b := gx[x], gy[x]
				xx += a * a
				yy += b * b
				xy += a * b
				sx += a
				sy += b
			}
			k := y*g.ws + js
			g.aux[0][k], g.aux[1][k], g.aux[2][k], g.aux[3][k], g.aux[4][k] = xx, yy, xy, sx, sy
		}
	}
	dst := [5][]float32{g.xx, g.yy, g.xy, g.sx, g.sy}
	for c, a := range g.aux {
		d := dst[c]
		for is := 0; is < g.hs; is++ {
			row := d[is*g.ws:][:g.ws]
			clear(row)
			for y := is * st; y < is*st+ps; y++ {
				for js, v := range a[y*g.ws:][:g.ws] {
					row[js] += v
				}
			}
		}
	}
}

// patchFit is the match of one patch at one displacement: the
// mean-normalized SSD and the Gauss–Newton gradient Σ r·∇I0.
type patchFit struct{ ssd, bx, by float32 }

// origin clamps the coordinate x where a patch of size pixels
// (1 ≤ size ≤ n) is sampled bilinearly, along an axis of n pixels padded
// by pad on each side, so that the patch keeps at least one pixel inside
// the image and reads nothing beyond the padding. It returns x in padded
// coordinates.
func origin(x float32, n, size, pad int) float32 {
	lo := float32(max(1-size, -pad))
	hi := float32(min(n-1, n+pad-1-size))
	return min(max(x, lo), hi) + float32(pad)
}

// fit compares patch k, top-left (px, py) in the first image, with the
// second image at (px+u, py+v), sampled bilinearly (the position clamped
// by origin).
func (e *Estimator) fit(l *pyrLevel, k, px, py int, u, v float32) patchFit {
	ps := e.ps
	pw := l.w + 2*ps
	fp := float32(ps)
	x, y := origin(float32(px)+u, l.w, ps, ps), origin(float32(py)+v, l.h, ps, ps)
	ix, iy := int(x), int(y)
	ax, ay := x-float32(ix), y-float32(iy)
	w00, w01, w10, w11 := (1-ax)*(1-ay), ax*(1-ay), (1-ax)*ay, ax*ay
	var sd, sdd, sgx, sgy float32
	for r := 0; r < ps; r++ {
		q := (py+r)*l.w + px
		i0 := l.i0[q:][:ps]
		gx, gy := l.gx[q:][:len(i0)], l.gy[q:][:len(i0)]
		o := (iy+r)*pw + ix
		a, b := l.pad[o:][:len(i0)+1], l.pad[o+pw:][:len(i0)+1]
		for c, z := range i0 {
			d := w00*a[c] + w01*a[c+1] + w10*b[c] + w11*b[c+1] - z
			sd += d
			sdd += d * d
			sgx += d * gx[c]
			sgy += d * gy[c]
		}
	}
	mean := sd / (fp * fp)
	return patchFit{ssd: sdd - sd*mean, bx: sgx - mean*e.g.sx[k], by: sgy - mean*e.g.sy[k]}
}

// search estimates the flow of every patch of level l: initialized from
// the level's dense flow at the patch centre, then a forward sweep (row
// by row) and a backward sweep, where each patch starts from the best of
// its own flow and its already visited grid neighbours' and refines it by
// inverse-compositional Gauss–Newton.
func (e *Estimator) search(l *pyrLevel) {
	g, ps, st := &e.g, e.ps, e.st
	g.ws, g.hs = 1+(l.w-ps)/st, 1+(l.h-ps)/st
	e.patchSums(l)
	for is := 0; is < g.hs; is++ {
		for js := 0; js < g.ws; js++ {
			i := (is*st+ps/2)*l.w + js*st + ps/2
			g.su[is*g.ws+js], g.sv[is*g.ws+js] = l.u[i], l.v[i]
		}
	}
	n := g.ws * g.hs
	for k := 0; k < n; k++ {
		e.searchPatch(l, k, true)
	}
	for k := n - 1; k >= 0; k-- {
		e.searchPatch(l, k, false)
	}
}

// searchPatch runs one sweep's search for patch k.
func (e *Estimator) searchPatch(l *pyrLevel, k int, forward bool) {
	g, ps, st := &e.g, e.ps, e.st
	is, js := k/g.ws, k%g.ws
	px, py := js*st, is*st
	u, v := g.su[k], g.sv[k]
	var best patchFit
	if forward {
		best = e.fit(l, k, px, py, u, v)
	} else {
		best = g.fits[k] // the forward sweep's result, at (u, v)
	}
	moved := false
	try := func(c int) {
		cu, cv := g.su[c], g.sv[c]
		if cu == u && cv == v {
			return
		}
		if f := e.fit(l, k, px, py, cu, cv); f.ssd < best.ssd {
			best, u, v, moved = f, cu, cv, true
		}
	}
	if forward {
		if js > 0 {
			try(k - 1)
		}
		if is > 0 {
			try(k - g.ws)
		}
	} else {
		if js < g.ws-1 {
			try(k + 1)
		}
		if is < g.hs-1 {
			try(k + g.ws)
		}
		if !moved && g.done[k] {
			return // Gauss–Newton already converged here
		}
	}
	u0, v0, start := u, v, best
	// Hessian of the mean-normalized residual, and its inverse.
	inv := 1 / float32(ps*ps)
	hxx := g.xx[k] - g.sx[k]*g.sx[k]*inv
	hyy := g.yy[k] - g.sy[k]*g.sy[k]*inv
	hxy := g.xy[k] - g.sx[k]*g.sy[k]*inv
	det := hxx*hyy - hxy*hxy
	if det < detEps {
		det = detEps
	}
	h11, h12, h22 := hyy/det, -hxy/det, hxx/det
	done := false
	for t := 0; t < e.opt.GDIters && !done; t++ {
		du := h11*best.bx + h12*best.by
		dv := h12*best.bx + h22*best.by
		f := e.fit(l, k, px, py, u-du, v-dv)
		if !(f.ssd < best.ssd) {
			// Overshot: try half the step once.
			du, dv = du/2, dv/2
			if f = e.fit(l, k, px, py, u-du, v-dv); !(f.ssd < best.ssd) {
				done = true
				break
			}
		}
		best, u, v = f, u-du, v-dv
		done = du*du+dv*dv < gdConverged
	}
	// A patch that wandered further than its own size from its start has
	// most likely locked onto something else: keep the start.
	if d := (u-u0)*(u-u0) + (v-v0)*(v-v0); d > float32(ps*ps) {
		u, v, best, done = u0, v0, start, true
	}
	g.su[k], g.sv[k], g.fits[k], g.done[k] = u, v, best, done
}

const (
	detEps      = 1e-3 // floor of the patch Hessian's determinant
	gdConverged = 1e-4 // squared step (px²) below which Gauss–Newton stops
)

// densify sets the dense flow of level l: each pixel averages the flows
// of the patches covering it, weighted by 1/max(1, |I1(x+u) − I0(x)|).
// Pixels right of or below the last patch take the last patch's flow, as
// if it extended to the image border.
func (e *Estimator) densify(l *pyrLevel) {
	g, ps, st := &e.g, e.ps, e.st
	w, h := l.w, l.h
	su, sv, sw := l.u, l.v, e.weight[:w*h]
	clear(su)
	clear(sv)
	clear(sw)
	pw := w + 2*ps
	for is := 0; is < g.hs; is++ {
		py, ph := is*st, ps
		if is == g.hs-1 {
			ph = h - py
		}
		for r := 0; r < ph; r++ {
			q := (py + r) * w
			i0, ou, ov, ow := l.i0[q:][:w], su[q:][:w], sv[q:][:w], sw[q:][:w]
			for js := 0; js < g.ws; js++ {
				px, pwid := js*st, ps
				if js == g.ws-1 {
					pwid = w - px
				}
				u, v := g.su[is*g.ws+js], g.sv[is*g.ws+js]
				x, y := origin(float32(px)+u, w, pwid, ps), origin(float32(py)+v, h, ph, ps)
				ix, iy := int(x), int(y)
				ax, ay := x-float32(ix), y-float32(iy)
				w00, w01, w10, w11 := (1-ax)*(1-ay), ax*(1-ay), (1-ax)*ay, ax*ay
				o := (iy+r)*pw + ix
				z := i0[px:][:pwid]
				a, b := l.pad[o:][:len(z)+1], l.pad[o+pw:][:len(z)+1]
				pu, pv, pwt := ou[px:][:len(z)], ov[px:][:len(z)], ow[px:][:len(z)]
				for c, z := range z {
					d := w00*a[c] + w01*a[c+1] + w10*b[c] + w11*b[c+1] - z
					if d < 0 {
						d = -d
					}
					wt := 1 / max(1, d)
					pu[c] += wt * u
					pv[c] += wt * v
					pwt[c] += wt
				}
			}
		}
	}
	for i, wt := range sw {
		su[i] /= wt
		sv[i] /= wt
	}
}
