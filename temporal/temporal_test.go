package temporal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
)

const chairs = "data/frames/flyingchairs_sample_mmflow/"

// readPPM reads a binary (P6) PPM with maxval 255.
func readPPM(t *testing.T, path string) picture.Image {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := bufio.NewReader(fh)
	var magic string
	var w, h, maxval int
	token := func() string {
		var s string
		for {
			if _, err := fmt.Fscan(r, &s); err != nil {
				t.Fatalf("ppm %s: header: %v", path, err)
			}
			if s[0] != '#' {
				return s
			}
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatalf("ppm %s: comment: %v", path, err)
			}
		}
	}
	magic = token()
	fmt.Sscan(token(), &w)
	fmt.Sscan(token(), &h)
	fmt.Sscan(token(), &maxval)
	if magic != "P6" || w <= 0 || h <= 0 || maxval != 255 {
		t.Fatalf("ppm %s: unsupported header %s %d %d %d", path, magic, w, h, maxval)
	}
	if _, err := r.ReadByte(); err != nil { // the single whitespace after maxval
		t.Fatal(err)
	}
	raw := make([]byte, 3*w*h)
	if _, err := io.ReadFull(r, raw); err != nil {
		t.Fatalf("ppm %s: pixels: %v", path, err)
	}
	im := picture.New(w, h)
	n := w * h
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			im.Pix[c*n+i] = float32(raw[3*i+c]) / 255
		}
	}
	return im
}

func TestReadFloChairs(t *testing.T) {
	f, err := ReadFlo(shared.Path(t, chairs+"00001_flow.flo"))
	if err != nil {
		t.Fatal(err)
	}
	if f.W != 50 || f.H != 50 {
		t.Fatalf("size %dx%d, want 50x50", f.W, f.H)
	}
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, u := range f.U {
		lo, hi = min(lo, u), max(hi, u)
	}
	t.Logf("u range %.3f … %.3f", lo, hi)
	if lo < -10.6 || lo > -10.0 || hi < 0.4 || hi > 1.0 {
		t.Errorf("u range %.3f … %.3f, want about −10.3 … +0.7", lo, hi)
	}
}

func TestFloRoundTrip(t *testing.T) {
	f := NewFlow(7, 5)
	for i := range f.U {
		f.U[i] = float32(i)*0.25 - 3
		f.V[i] = -float32(i) * 1.5
	}
	f.U[3] = float32(math.Inf(1))
	path := filepath.Join(t.TempDir(), "a.flo")
	if err := WriteFlo(path, f); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 12+8*35 {
		t.Fatalf("stat %v, %v", st, err)
	}
	g, err := ReadFlo(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.W != f.W || g.H != f.H {
		t.Fatalf("size %dx%d", g.W, g.H)
	}
	for i := range f.U {
		if g.U[i] != f.U[i] || g.V[i] != f.V[i] {
			t.Fatalf("at %d: (%v,%v), want (%v,%v)", i, g.U[i], g.V[i], f.U[i], f.V[i])
		}
	}
	if err := WriteFlo(path, Flow{W: 2, H: 2, U: make([]float32, 3), V: make([]float32, 4)}); err == nil {
		t.Error("malformed flow written")
	}
}

func TestReadFloBad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.flo")
	if err := WriteFlo(good, NewFlow(4, 3)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), data...)) }
	cases := map[string][]byte{
		"magic":     mod(func(b []byte) []byte { b[0] ^= 1; return b }),
		"short":     data[:8],
		"truncated": data[:len(data)-1],
		"trailing":  append(append([]byte(nil), data...), 0),
		"negative":  mod(func(b []byte) []byte { b[7] = 0x80; return b }),
		"zero":      mod(func(b []byte) []byte { b[8] = 0; return b }),
		"huge":      mod(func(b []byte) []byte { b[4], b[5], b[6] = 0xff, 0xff, 0x7f; return b }),
	}
	for name, b := range cases {
		p := filepath.Join(dir, name+".flo")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFlo(p)
		if !errors.Is(err, ErrFlo) {
			t.Errorf("%s: err %v, want ErrFlo", name, err)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
	if _, err := ReadFlo(filepath.Join(dir, "missing.flo")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func pattern(w, h int) picture.Image {
	im := picture.New(w, h)
	n := w * h
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				im.Pix[c*n+y*w+x] = float32((x*7+y*13+c*5)%17) / 16
			}
		}
	}
	return im
}

func constFlow(w, h int, u, v float32) Flow {
	f := NewFlow(w, h)
	for i := range f.U {
		f.U[i], f.V[i] = u, v
	}
	return f
}

func TestWarpIdentity(t *testing.T) {
	img := pattern(9, 6)
	dst := picture.New(9, 6)
	valid := make([]float32, 54)
	if out := WarpValid(img, NewFlow(9, 6), dst, valid); out != 0 {
		t.Errorf("%d outside samples", out)
	}
	for i := range img.Pix {
		if dst.Pix[i] != img.Pix[i] {
			t.Fatalf("pix %d: %v, want %v", i, dst.Pix[i], img.Pix[i])
		}
	}
	for i, v := range valid {
		if v != 1 {
			t.Fatalf("valid[%d] = %v", i, v)
		}
	}
}

func TestWarpTranslation(t *testing.T) {
	const w, h, dx, dy = 11, 8, 3, -2
	img := pattern(w, h)
	dst := picture.New(w, h)
	valid := make([]float32, w*h)
	out := WarpValid(img, constFlow(w, h, dx, dy), dst, valid)
	n := w * h
	wantOut := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			sx, sy := x+dx, y+dy
			in := sx >= 0 && sx < w && sy >= 0 && sy < h
			if !in {
				wantOut++
			}
			if valid[i] != b2f(in) {
				t.Errorf("valid(%d,%d) = %v", x, y, valid[i])
			}
			sx, sy = min(max(sx, 0), w-1), min(max(sy, 0), h-1)
			for c := 0; c < 3; c++ {
				if got, want := dst.Pix[c*n+i], img.Pix[c*n+sy*w+sx]; got != want {
					t.Fatalf("(%d,%d,%d) = %v, want %v", x, y, c, got, want)
				}
			}
		}
	}
	if out != wantOut {
		t.Errorf("%d outside, want %d", out, wantOut)
	}
	// A half-pixel shift averages neighbours.
	Warp(img, constFlow(w, h, 0.5, 0), dst)
	if got, want := dst.Pix[0], (img.Pix[0]+img.Pix[1])/2; math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("half-pixel sample %v, want %v", got, want)
	}
}

func meanAbs(a, b picture.Image, mask []float32) float64 {
	n := a.W * a.H
	var s, cnt float64
	for i := 0; i < n; i++ {
		if mask != nil && mask[i] == 0 {
			continue
		}
		for c := 0; c < 3; c++ {
			s += math.Abs(float64(a.Pix[c*n+i] - b.Pix[c*n+i]))
		}
		cnt += 3
	}
	return s / cnt
}

func TestWarpChairs(t *testing.T) {
	img1 := readPPM(t, shared.Path(t, chairs+"00001_img1.ppm"))
	img2 := readPPM(t, shared.Path(t, chairs+"00001_img2.ppm"))
	f, err := ReadFlo(shared.Path(t, chairs+"00001_flow.flo"))
	if err != nil {
		t.Fatal(err)
	}
	if img1.W != 50 || img1.H != 50 || img2.W != 50 || img2.H != 50 {
		t.Fatalf("frames %dx%d, %dx%d", img1.W, img1.H, img2.W, img2.H)
	}
	// f goes from img1 to img2: img1(x) ≈ img2(x + f(x)).
	warped := picture.New(50, 50)
	valid := make([]float32, 2500)
	out := WarpValid(img2, f, warped, valid)
	none := meanAbs(img1, img2, nil)
	all := meanAbs(img1, warped, nil)
	in := meanAbs(img1, warped, valid)
	noneIn := meanAbs(img1, img2, valid)
	// The fast-moving chair (u ≈ −9 px) sits in the top-left corner and
	// samples left of the crop (65 of its 82 pixels with u < −3 are outside);
	// the gain below comes from the sub-pixel background motion.
	// Sign check: warping the other way must be worse than not warping.
	neg := NewFlow(50, 50)
	for i := range f.U {
		neg.U[i], neg.V[i] = -f.U[i], -f.V[i]
	}
	negWarped := picture.New(50, 50)
	Warp(img2, neg, negWarped)
	negErr := meanAbs(img1, negWarped, nil)
	t.Logf("mean abs error vs img1: unwarped %.4f, warped %.4f, warped by −flow %.4f; "+
		"in-image samples (%d outside): unwarped %.4f, warped %.4f",
		none, all, negErr, out, noneIn, in)
	if !(all < 0.6*none) || !(in < 0.6*noneIn) {
		t.Errorf("warping by ground truth does not clearly help: %.4f vs %.4f unwarped", all, none)
	}
	if !(negErr > none) {
		t.Errorf("warping by −flow (%.4f) beats no warping (%.4f): flow sign convention broken?", negErr, none)
	}
}

func TestReliabilityTranslation(t *testing.T) {
	const w, h = 20, 15
	// Frame t matches frame t−1 at x + (−3, 2).
	bwd := constFlow(w, h, -3, 2)
	fwd := constFlow(w, h, 3, -2)
	c := Reliability(fwd, bwd)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			want := b2f(x >= 3 && y+2 <= h-1)
			if c[y*w+x] != want {
				t.Errorf("c(%d,%d) = %v, want %v", x, y, c[y*w+x], want)
			}
		}
	}
	// Inconsistent flows (fwd not the inverse) are rejected everywhere.
	for i, v := range Reliability(bwd, bwd) {
		if v != 0 {
			t.Fatalf("inconsistent pair: c[%d] = %v", i, v)
		}
	}
}

func TestReliabilityOcclusion(t *testing.T) {
	// A square occupying columns [10,20), rows [5,15) in frame t−1 moves
	// right by 4 over a static background: columns [14,24) in frame t.
	const w, h, y0, y1, x0, x1, d = 32, 20, 5, 15, 10, 20, 4
	fwd, bwd := NewFlow(w, h), NewFlow(w, h)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			fwd.U[y*w+x] = d
			bwd.U[y*w+x+d] = -d
		}
	}
	c := Reliability(fwd, bwd)
	at := func(x, y int) float32 { return c[y*w+x] }
	for y := y0; y < y1; y++ {
		for x := x0; x < x0+d; x++ { // disoccluded background
			if at(x, y) != 0 {
				t.Errorf("disoccluded (%d,%d) = %v, want 0", x, y, at(x, y))
			}
		}
		for _, x := range []int{x0 + d - 1, x0 + d, x1 + d - 1, x1 + d} { // motion boundaries
			if at(x, y) != 0 {
				t.Errorf("boundary (%d,%d) = %v, want 0", x, y, at(x, y))
			}
		}
	}
	for y := y0 + 1; y < y1-1; y++ {
		for x := x0 + d + 1; x < x1+d-1; x++ { // square interior
			if at(x, y) != 1 {
				t.Errorf("interior (%d,%d) = %v, want 1", x, y, at(x, y))
			}
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if (y < y0-1 || y > y1 || x < x0-1 || x > x1+d) && at(x, y) != 1 {
				t.Errorf("background (%d,%d) = %v, want 1", x, y, at(x, y))
			}
		}
	}
}

func TestWarpingError(t *testing.T) {
	const w, h = 24, 18
	prev := pattern(w, h)
	bwd, fwd := constFlow(w, h, 2, -1), constFlow(w, h, -2, 1)
	cur := picture.New(w, h)
	Warp(prev, bwd, cur) // cur(x) = prev(x + (2, −1))
	mask := Reliability(fwd, bwd)
	if e := WarpingError(prev, cur, bwd, mask); e != 0 {
		t.Errorf("consistent frames: error %v, want 0", e)
	}
	if e := WarpingError(prev, cur, NewFlow(w, h), nil); e < 0.01 {
		t.Errorf("ignoring motion: error %v, want large", e)
	}
	// A uniform brightness change of 0.1 gives 0.01 on reliable pixels,
	// whatever the clamped border holds.
	for i := range cur.Pix {
		cur.Pix[i] += 0.1
	}
	for y := 0; y < h; y++ { // garbage where the mask is 0
		cur.Pix[y*w+w-1] = 9
	}
	if e := WarpingError(prev, cur, bwd, mask); math.Abs(e-0.01) > 1e-6 {
		t.Errorf("brightness shift: error %v, want 0.01", e)
	}
	if e := WarpingError(prev, cur, bwd, make([]float32, w*h)); !math.IsNaN(e) {
		t.Errorf("empty mask: %v, want NaN", e)
	}
}
