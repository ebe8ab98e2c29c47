package vgg

import "github.com/gogh-video/gogh/stylize/blas"

// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms
// for Convolutional Neural Networks", 2016) computes each 2×2 block of
// outputs from a 4×4 block of inputs with 16 multiplications per channel
// pair instead of 36:
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// Across channels the elementwise product becomes 16 independent matrix
// products, one per position ξ of the 4×4 transformed tile:
// M_ξ[out][tile] = U_ξ[out][in] · V_ξ[in][tile], which SGEMM computes.
// That is 2.25 times fewer multiplications than im2col + SGEMM, and the
// transforms are additions only (Bᵀ and Aᵀ hold 0 and ±1; G holds ½).

// winoKernels transforms kernels wt ([out][in][3][3]) into U ([16][out][in]).
func winoKernels(wt []float32, cout, cin int) []float32 {
	u := make([]float32, 16*cout*cin)
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			g := wt[(co*cin+ci)*9:][:9]
			var t [4][3]float32 // G g
			for j := 0; j < 3; j++ {
				g0, g1, g2 := g[j], g[3+j], g[6+j]
				t[0][j] = g0
				t[1][j] = (g0 + g1 + g2) / 2
				t[2][j] = (g0 - g1 + g2) / 2
				t[3][j] = g2
			}
			for i := 0; i < 4; i++ { // (G g) Gᵀ
				r := [4]float32{t[i][0], (t[i][0] + t[i][1] + t[i][2]) / 2, (t[i][0] - t[i][1] + t[i][2]) / 2, t[i][2]}
				for j, v := range r {
					u[((i*4+j)*cout+co)*cin+ci] = v
				}
			}
		}
	}
	return u
}

// winoRows is how many tile rows of a convolution with m×m output tiles
// one worker transforms and multiplies at once: as many as fit in
// winoBudget floats of V and M, up to an even share of the image. Large
// bands pay: measured on VGG19 at 512 px, a budget of 2²² floats evaluates
// 5% slower than 2²³, and bands of 512 tiles 10% slower still (SGEMM calls
// with N in the thousands run faster).
func winoRows(m, cin, cout, h, w, threads int) int {
	th, tw := (h+m-1)/m, (w+m-1)/m
	return max(1, min((th+threads-1)/threads, winoBudget/((m+2)*(m+2)*(cin+cout)*tw)))
}

// winoScratch is the scratch one worker needs for such a convolution.
func winoScratch(m, cin, cout, h, w, threads int) int {
	return winoRows(m, cin, cout, h, w, threads) * (w + m - 1) / m * (m + 2) * (m + 2) * (cin + cout)
}

// winoBudget caps each worker's Winograd scratch, in floats.
const winoBudget = 1 << 23

// The backward pass needs the transform of each kernel rotated 180° with
// in and out swapped. Rotating g reverses the rows of G g Gᵀ's factors:
// G·R₃ = P·G with P swapping the first and last of four rows, so
// U(rot g) = P U(g) P, and the backward product at ξ = (i, j) is the
// transpose of U at (p(i), p(j)), p swapping 0 and 3. No second copy of
// the kernels is kept.
var winoSwap = [4]int{3, 1, 2, 0}

// epilogue is applied as a forward convolution writes each output row: add
// the bias, keep the row in pre (if not nil) and its ReLU in act. Fusing
// it saves a pass over the largest tensors of the network.
type epilogue struct {
	bias, pre, act []float32
}

// winoKernel is one convolution's kernels transformed for Winograd with
// m×m output tiles: F(2×2, 3×3) or F(4×4, 3×3).
type winoKernel struct {
	m    int
	u    []float32 // [(m+2)²][out][in]
	back []float32 // F(4×4, 3×3) only: the backward pass's, [36][in][out]
}

// newWinoKernel transforms c's kernels for m×m output tiles.
func newWinoKernel(c Conv, m int) *winoKernel {
	if m == 4 {
		return &winoKernel{m: 4, u: wino4Kernels(c.W, c.Out, c.In, false), back: wino4Kernels(c.W, c.Out, c.In, true)}
	}
	return &winoKernel{m: 2, u: winoKernels(c.W, c.Out, c.In)}
}

// convWino is conv computed with Winograd's algorithm from kernels k of a
// layer with cin inputs and cout outputs, or with backward set, the
// backward convolution of the layer whose kernels are k (its cin and cout
// are then that layer's cout and cin). With ep not nil the output goes
// through the epilogue instead of into out.
func (n *Net) convWino(in []float32, cin, h, w int, k *winoKernel, cout int, out []float32, backward bool, ep *epilogue) {
	m := k.m
	nn := (m + 2) * (m + 2)
	th, tw := (h+m-1)/m, (w+m-1)/m
	rows := winoRows(m, cin, cout, h, w, n.threads)
	bands := (th + rows - 1) / rows
	parallelParts(bands, n.threads, func(part, lo, hi int) {
		scratch := n.cols[part]
		for b := lo; b < hi; b++ {
			ty0, ty1 := b*rows, min(th, (b+1)*rows)
			tiles := (ty1 - ty0) * tw
			v := scratch[:nn*cin*tiles]
			mm := scratch[nn*cin*tiles:][:nn*cout*tiles]
			if m == 4 {
				wino4Input(in, cin, h, w, ty0, ty1, v)
			} else {
				winoInput(in, cin, h, w, ty0, ty1, v)
			}
			for xi := 0; xi < nn; xi++ {
				a, lda, trans := k.u[xi*cout*cin:], cin, false
				switch {
				case backward && m == 4:
					a = k.back[xi*cout*cin:]
				case backward:
					a, lda, trans = k.u[(4*winoSwap[xi/4]+winoSwap[xi%4])*cout*cin:], cout, true
				}
				blas.Sgemm(trans, false, cout, tiles, cin, 1, a, lda, v[xi*cin*tiles:], tiles, 0, mm[xi*cout*tiles:], tiles)
			}
			if m == 4 {
				wino4Output(mm, cout, h, w, ty0, ty1, out, ep)
			} else {
				winoOutput(mm, cout, h, w, ty0, ty1, out, ep)
			}
		}
	})
}

// winoInputGo writes V = Bᵀ d B for every channel and tile of tile rows
// ty0..ty1: v[ξ][ci][tile]. Tile (ty, tx) reads input rows 2ty−1..2ty+2
// and columns 2tx−1..2tx+2, zero outside the image. Both halves of the
// transform run along whole rows of tiles, so every loop reads and writes
// contiguous memory.
func winoInputGo(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	tw := (w + 1) / 2
	tiles := (ty1 - ty0) * tw
	pw := 2*tw + 2 // padded row: columns −1 .. 2tw
	var t [4][]float32
	for r := range t {
		t[r] = make([]float32, pw) // the padding columns stay zero
	}
	zero := make([]float32, w)
	for ci := 0; ci < cin; ci++ {
		plane := in[ci*h*w:][:h*w]
		for ty := ty0; ty < ty1; ty++ {
			var d [4][]float32 // input rows 2ty−1 .. 2ty+2, zero outside the image
			for r := range d {
				d[r] = zero
				if y := 2*ty - 1 + r; y >= 0 && y < h {
					d[r] = plane[y*w:][:w]
				}
			}
			// t = Bᵀ d over rows: d0−d2, d1+d2, d2−d1, d1−d3.
			d0, d1, d2, d3 := d[0], d[1][:w], d[2][:w], d[3][:w]
			t0, t1, t2, t3 := t[0][1:][:w], t[1][1:][:w], t[2][1:][:w], t[3][1:][:w]
			for x, a0 := range d0 {
				a1, a2, a3 := d1[x], d2[x], d3[x]
				t0[x] = a0 - a2
				t1[x] = a1 + a2
				t2[x] = a2 - a1
				t3[x] = a1 - a3
			}
			// V = t B over the columns of each tile.
			k := ci*tiles + (ty-ty0)*tw
			for i, ti := range t {
				v0 := v[(4*i+0)*cin*tiles+k:][:tw]
				v1 := v[(4*i+1)*cin*tiles+k:][:tw]
				v2 := v[(4*i+2)*cin*tiles+k:][:tw]
				v3 := v[(4*i+3)*cin*tiles+k:][:tw]
				for tx := range v0 {
					c := ti[2*tx:][:4]
					v0[tx] = c[0] - c[2]
					v1[tx] = c[1] + c[2]
					v2[tx] = c[2] - c[1]
					v3[tx] = c[1] - c[3]
				}
			}
		}
	}
}

// winoOutputGo writes Y = Aᵀ m A for every output channel and tile of tile
// rows ty0..ty1 into out ([cout][h][w]), or through ep, dropping the
// outputs of tiles that overhang an odd-sized image.
func winoOutputGo(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	tw := (w + 1) / 2
	tiles := (ty1 - ty0) * tw
	stride := cout * tiles
	var s [2][4][]float32
	for i := range s {
		for j := range s[i] {
			s[i][j] = make([]float32, tw)
		}
	}
	row := make([]float32, 2*tw)
	for co := 0; co < cout; co++ {
		var bias float32
		if ep != nil {
			bias = ep.bias[co]
		}
		for ty := ty0; ty < ty1; ty++ {
			k := co*tiles + (ty-ty0)*tw
			// s = Aᵀ m over the rows of each tile: m0+m1+m2, m1−m2−m3.
			for j := 0; j < 4; j++ {
				m0, m1 := m[j*stride+k:][:tw], m[(4+j)*stride+k:][:tw]
				m2, m3 := m[(8+j)*stride+k:][:tw], m[(12+j)*stride+k:][:tw]
				s0, s1 := s[0][j][:tw], s[1][j][:tw]
				for tx := range s0 {
					s0[tx] = m0[tx] + m1[tx] + m2[tx]
					s1[tx] = m1[tx] - m2[tx] - m3[tx]
				}
			}
			// Y = s A over the columns, one output row per row of s.
			for i := 0; i < 2 && 2*ty+i < h; i++ {
				a0, a1, a2, a3 := s[i][0][:tw], s[i][1][:tw], s[i][2][:tw], s[i][3][:tw]
				for tx := range a0 {
					r := row[2*tx:][:2]
					r[0] = a0[tx] + a1[tx] + a2[tx] + bias
					r[1] = a1[tx] - a2[tx] - a3[tx] + bias
				}
				emit(row[:w], (co*h+2*ty+i)*w, out, ep)
			}
		}
	}
}
