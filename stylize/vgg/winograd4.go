package vgg

// Winograd's F(4×4, 3×3) computes each 4×4 block of outputs from a 6×6
// block of inputs with 36 multiplications per channel pair instead of 144:
// 2.25 outputs per multiplication where F(2×2, 3×3) gets 1 and im2col 1/9.
// Its transforms are those of Lavin & Gray with interpolation points
// 0, ±1, ±2 and ∞:
//
//	Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0;
//	      0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//	G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
//	Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
//
// Rotating a kernel does not permute these points (2 would become ½), so
// the backward pass keeps kernels of its own (wino4Kernels with back set).

// wino4G is G, in float64 so that the kernels are rounded once.
var wino4G = [6][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// wino4Kernels transforms kernels wt ([out][in][3][3]) into U
// ([36][out][in]), or with back set, the kernels of the backward
// convolution (each rotated 180°, in and out swapped) into [36][in][out].
func wino4Kernels(wt []float32, cout, cin int, back bool) []float32 {
	u := make([]float32, 36*cout*cin)
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			var g [3][3]float64
			for k, v := range wt[(co*cin+ci)*9:][:9] {
				if back {
					k = 8 - k
				}
				g[k/3][k%3] = float64(v)
			}
			at := co*cin + ci
			if back {
				at = ci*cout + co
			}
			var t [6][3]float64 // G g
			for i := range 6 {
				for j := range 3 {
					t[i][j] = wino4G[i][0]*g[0][j] + wino4G[i][1]*g[1][j] + wino4G[i][2]*g[2][j]
				}
			}
			for i := range 6 { // (G g) Gᵀ
				for j := range 6 {
					v := t[i][0]*wino4G[j][0] + t[i][1]*wino4G[j][1] + t[i][2]*wino4G[j][2]
					u[(i*6+j)*cout*cin+at] = float32(v)
				}
			}
		}
	}
	return u
}

// wino4InputGo writes V = Bᵀ d B for every channel and 6×6 tile of tile
// rows ty0..ty1: v[ξ][ci][tile]. Tile (ty, tx) reads input rows
// 4ty−1..4ty+4 and columns 4tx−1..4tx+4, zero outside the image.
func wino4InputGo(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	tw := (w + 3) / 4
	tiles := (ty1 - ty0) * tw
	stride := cin * tiles
	pw := 4*tw + 2 // padded row: columns −1 .. 4tw
	var t [6][]float32
	for r := range t {
		t[r] = make([]float32, pw) // the padding columns stay zero
	}
	zero := make([]float32, w)
	for ci := 0; ci < cin; ci++ {
		plane := in[ci*h*w:][:h*w]
		for ty := ty0; ty < ty1; ty++ {
			var d [6][]float32
			for r := range d {
				d[r] = zero
				if y := 4*ty - 1 + r; y >= 0 && y < h {
					d[r] = plane[y*w:][:w]
				}
			}
			d0, d1, d2, d3, d4, d5 := d[0], d[1][:w], d[2][:w], d[3][:w], d[4][:w], d[5][:w]
			t0, t1, t2 := t[0][1:][:w], t[1][1:][:w], t[2][1:][:w]
			t3, t4, t5 := t[3][1:][:w], t[4][1:][:w], t[5][1:][:w]
			for x, a0 := range d0 {
				a1, a2, a3, a4, a5 := d1[x], d2[x], d3[x], d4[x], d5[x]
				t0[x] = 4*a0 - 5*a2 + a4
				t1[x] = -4*a1 - 4*a2 + a3 + a4
				t2[x] = 4*a1 - 4*a2 - a3 + a4
				t3[x] = -2*a1 - a2 + 2*a3 + a4
				t4[x] = 2*a1 - a2 - 2*a3 + a4
				t5[x] = 4*a1 - 5*a3 + a5
			}
			k := ci*tiles + (ty-ty0)*tw
			for i, ti := range t {
				v0 := v[(6*i+0)*stride+k:][:tw]
				v1 := v[(6*i+1)*stride+k:][:tw]
				v2 := v[(6*i+2)*stride+k:][:tw]
				v3 := v[(6*i+3)*stride+k:][:tw]
				v4 := v[(6*i+4)*stride+k:][:tw]
				v5 := v[(6*i+5)*stride+k:][:tw]
				for tx := range v0 {
					c := ti[4*tx:][:6]
					v0[tx] = 4*c[0] - 5*c[2] + c[4]
					v1[tx] = -4*c[1] - 4*c[2] + c[3] + c[4]
					v2[tx] = 4*c[1] - 4*c[2] - c[3] + c[4]
					v3[tx] = -2*c[1] - c[2] + 2*c[3] + c[4]
					v4[tx] = 2*c[1] - c[2] - 2*c[3] + c[4]
					v5[tx] = 4*c[1] - 5*c[3] + c[5]
				}
			}
		}
	}
}

// wino4OutputGo writes Y = Aᵀ m A for every output channel and tile of
// tile rows ty0..ty1 into out ([cout][h][w]), or through ep, dropping the
// outputs of tiles that overhang the image.
func wino4OutputGo(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	tw := (w + 3) / 4
	tiles := (ty1 - ty0) * tw
	stride := cout * tiles
	var s [4][6][]float32
	for i := range s {
		for j := range s[i] {
			s[i][j] = make([]float32, tw)
		}
	}
	row := make([]float32, 4*tw)
	for co := 0; co < cout; co++ {
		var bias float32
		if ep != nil {
			bias = ep.bias[co]
		}
		for ty := ty0; ty < ty1; ty++ {
			k := co*tiles + (ty-ty0)*tw
			// s = Aᵀ m over the rows of each tile.
			for j := 0; j < 6; j++ {
				m0, m1 := m[j*stride+k:][:tw], m[(6+j)*stride+k:][:tw]
				m2, m3 := m[(12+j)*stride+k:][:tw], m[(18+j)*stride+k:][:tw]
				m4, m5 := m[(24+j)*stride+k:][:tw], m[(30+j)*stride+k:][:tw]
				s0, s1, s2, s3 := s[0][j][:tw], s[1][j][:tw], s[2][j][:tw], s[3][j][:tw]
				for tx := range s0 {
					s0[tx] = m0[tx] + m1[tx] + m2[tx] + m3[tx] + m4[tx]
					s1[tx] = m1[tx] - m2[tx] + 2*m3[tx] - 2*m4[tx]
					s2[tx] = m1[tx] + m2[tx] + 4*m3[tx] + 4*m4[tx]
					s3[tx] = m1[tx] - m2[tx] + 8*m3[tx] - 8*m4[tx] + m5[tx]
				}
			}
			// Y = s A over the columns, one output row per row of s.
			for i := 0; i < 4 && 4*ty+i < h; i++ {
				a0, a1, a2 := s[i][0][:tw], s[i][1][:tw], s[i][2][:tw]
				a3, a4, a5 := s[i][3][:tw], s[i][4][:tw], s[i][5][:tw]
				for tx := range a0 {
					r := row[4*tx:][:4]
					r[0] = a0[tx] + a1[tx] + a2[tx] + a3[tx] + a4[tx] + bias
					r[1] = a1[tx] - a2[tx] + 2*a3[tx] - 2*a4[tx] + bias
					r[2] = a1[tx] + a2[tx] + 4*a3[tx] + 4*a4[tx] + bias
					r[3] = a1[tx] - a2[tx] + 8*a3[tx] - 8*a4[tx] + a5[tx] + bias
				}
				emit(row[:w], (co*h+4*ty+i)*w, out, ep)
			}
		}
	}
}

// emit writes one output row at offset at: into out, or through ep.
func emit(row []float32, at int, out []float32, ep *epilogue) {
	w := len(row)
	if ep == nil {
		copy(out[at:][:w], row)
		return
	}
	if ep.pre != nil {
		copy(ep.pre[at:][:w], row)
	}
	act := ep.act[at:][:w]
	for x, v := range row {
		act[x] = max(v, 0)
	}
}

// winoTile chooses the output tile of a Winograd convolution with c
// output channels on h×w activations: 4 where its fewer multiplications
// pay for its dearer transforms and smaller matrix products, 2 elsewhere.
// Measured per layer shape on 2 threads (BenchmarkWinoTile, forward and
// backward): F(4×4) is 1.2–1.3× faster for up to 256 channels on at
// least 64×36 activations, and slower (0.6–0.96×) with 512 channels or on
// smaller activations, where the kernels outweigh the few tiles.
func winoTile(c, h, w int) int {
	if c <= 256 && h*w >= 64*36 {
		return 4
	}
	return 2
}
