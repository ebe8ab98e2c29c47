package blas

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// naive is the textbook triple loop Sgemm is checked against.
func naive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
			}
			c[i*ldc+j] = alpha*float32(s) + beta*c[i*ldc+j]
		}
	}
}

func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*2 - 1
		}
		return x
	}
	for _, tc := range []struct {
		ta, tb      bool
		m, n, k     int
		alpha, beta float32
	}{
		{false, false, 7, 5, 3, 1, 0},
		{true, false, 64, 130, 27, 1, 0},
		{false, true, 33, 17, 70, 0.5, 1},
		{true, true, 9, 11, 13, 2, -1},
		{false, false, 128, 300, 576, 1, 1},
	} {
		ar, ac := tc.m, tc.k
		if tc.ta {
			ar, ac = tc.k, tc.m
		}
		br, bc := tc.k, tc.n
		if tc.tb {
			br, bc = tc.n, tc.k
		}
		lda, ldb, ldc := ac+1, bc+2, tc.n+3 // leading dimensions wider than the matrices
		a, b := fill(ar*lda), fill(br*ldb)
		c := fill(tc.m * ldc)
		want := append([]float32(nil), c...)
		naive(tc.ta, tc.tb, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, ldc)
		Sgemm(tc.ta, tc.tb, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		for i := range c {
			if d := math.Abs(float64(c[i] - want[i])); d > 1e-4*math.Sqrt(float64(tc.k)) {
				t.Fatalf("%+v: c[%d] = %v, want %v (%s)", tc, i, c[i], want[i], Impl())
			}
		}
	}
}

func TestShortSlicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a too-short C")
		}
	}()
	Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
}

func BenchmarkSgemmVGG(b *testing.B) {
	// conv2_2 at 256×256 as im2col: 128 × (128·9) times (128·9) × 64²
	m, k, n := 128, 128*9, 128*128
	a, x, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	b.SetBytes(0)
	for b.Loop() {
		Sgemm(false, false, m, n, k, 1, a, k, x, n, 0, c, n)
	}
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func TestParallelMatchesSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ta := range []bool{false, true} {
		m, n, k := 100, 37, 50
		a, b := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = rng.Float32()
		}
		for i := range b {
			b[i] = rng.Float32()
		}
		lda := k
		if ta {
			lda = m
		}
		want, got := make([]float32, m*n), make([]float32, m*n)
		naive(ta, false, m, n, k, 1, a, lda, b, n, 0, want, n)
		Parallel(3, ta, false, m, n, k, 1, a, lda, b, n, 0, got, n)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-4 {
				t.Fatalf("transA=%v: c[%d] = %v, want %v", ta, i, got[i], want[i])
			}
		}
	}
}

// TestKernels reports the kernels OpenBLAS chose (go test -v shows them)
// and checks that an OPENBLAS_CORETYPE setting took effect, so a test run
// meant for given kernels cannot silently run others.
func TestKernels(t *testing.T) {
	t.Log(Impl())
	want := os.Getenv("OPENBLAS_CORETYPE")
	if want == "" || !strings.HasPrefix(Impl(), "openblas") {
		return
	}
	if !strings.Contains(strings.ToLower(Impl()), strings.ToLower(want)) {
		t.Errorf("OPENBLAS_CORETYPE=%s, but the BLAS in use is %s", want, Impl())
	}
}
