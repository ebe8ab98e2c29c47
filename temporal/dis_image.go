package temporal

import "github.com/gogh-video/gogh/picture"

// Image plumbing for the Estimator: grayscale conversion, the 2× box
// pyramid, padding, gradients and flow upsampling. Every function writes
// into caller-owned buffers.

// luminance writes im's Rec. 601 luma, scaled to 0…255, into dst.
func luminance(im picture.Image, dst []float32) {
	n := im.W * im.H
	r, g, b := im.Pix[:n], im.Pix[n:2*n], im.Pix[2*n:3*n]
	dst = dst[:n]
	for i := range dst {
		dst[i] = 255 * (0.299*r[i] + 0.587*g[i] + 0.114*b[i])
	}
}

// halve box-filters the sw×sh src into the dw×dh dst, dw = sw/2 and
// dh = sh/2 (an odd last row or column is dropped): pixel (x, y) of dst
// covers pixels 2x…2x+1, 2y…2y+1 of src.
func halve(src []float32, sw, sh int, dst []float32, dw, dh int) {
	for y := 0; y < dh; y++ {
		a := src[2*y*sw : 2*y*sw+2*dw]
		b := src[(2*y+1)*sw : (2*y+1)*sw+2*dw]
		d := dst[y*dw : y*dw+dw]
		for x := range d {
			d[x] = 0.25 * (a[2*x] + a[2*x+1] + b[2*x] + b[2*x+1])
		}
	}
}

// padReplicate copies the w×h src into the middle of dst, (w+2b)×(h+2b),
// repeating the edge pixels into the border.
func padReplicate(src []float32, w, h int, dst []float32, b int) {
	pw := w + 2*b
	for y := -b; y < h+b; y++ {
		s := src[min(max(y, 0), h-1)*w:][:w]
		d := dst[(y+b)*pw:][:pw]
		copy(d[b:b+w], s)
		for x := 0; x < b; x++ {
			d[x] = s[0]
			d[b+w+x] = s[w-1]
		}
	}
}

// sobel writes the 3×3 Sobel derivatives of the w×h src, normalized to
// intensity per pixel (divided by 8), into gx and gy; the border is
// replicated.
func sobel(src []float32, w, h int, gx, gy []float32) {
	for y := 0; y < h; y++ {
		up := src[max(y-1, 0)*w:][:w]
		mid := src[y*w:][:w]
		dn := src[min(y+1, h-1)*w:][:w]
		ox, oy := gx[y*w:][:w], gy[y*w:][:w]
		for x := range ox {
			l, r := max(x-1, 0), min(x+1, w-1)
			ox[x] = 0.125 * (up[r] - up[l] + 2*(mid[r]-mid[l]) + dn[r] - dn[l])
			oy[x] = 0.125 * (dn[l] - up[l] + 2*(dn[x]-up[x]) + dn[r] - up[r])
		}
	}
}

// sampleX is a precomputed bilinear sampling position along one axis.
type sampleX struct {
	i0, i1 int
	a      float32
}

// axisSample maps coordinate x of a fine grid onto a coarse grid of n
// samples that is 2^k times coarser, pixel centres aligned, clamped.
func axisSample(x, k, n int) sampleX {
	c := (float32(x)+0.5)/float32(int(1)<<k) - 0.5
	c = min(max(c, 0), float32(n-1))
	i := int(c)
	return sampleX{i0: i, i1: min(i+1, n-1), a: c - float32(i)}
}

// upsample resamples the sw×sh flow (su, sv) bilinearly onto the dw×dh
// grid 2^k times finer (pixel centres aligned), scaling the vectors by 2^k.
func (e *Estimator) upsample(su, sv []float32, sw, sh int, du, dv []float32, dw, dh, k int) {
	if k == 0 && sw == dw && sh == dh {
		copy(du, su[:dw*dh])
		copy(dv, sv[:dw*dh])
		return
	}
	s := float32(int(1) << k)
	cols := e.colX[:dw]
	for x := range cols {
		cols[x] = axisSample(x, k, sw)
	}
	for y := 0; y < dh; y++ {
		r := axisSample(y, k, sh)
		u0, u1 := su[r.i0*sw:][:sw], su[r.i1*sw:][:sw]
		v0, v1 := sv[r.i0*sw:][:sw], sv[r.i1*sw:][:sw]
		ou, ov := du[y*dw:][:dw], dv[y*dw:][:dw]
		b := s * r.a
		a := s - b
		for x, c := range cols {
			tu := u0[c.i0] + c.a*(u0[c.i1]-u0[c.i0])
			bu := u1[c.i0] + c.a*(u1[c.i1]-u1[c.i0])
			tv := v0[c.i0] + c.a*(v0[c.i1]-v0[c.i0])
			bv := v1[c.i0] + c.a*(v1[c.i1]-v1[c.i0])
			ou[x] = a*tu + b*bu
			ov[x] = a*tv + b*bv
		}
	}
}
