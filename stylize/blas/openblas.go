//go:build cgo

package blas

/*
#cgo LDFLAGS: -lopenblas
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
	float alpha, const float *a, int lda, const float *b, int ldb,
	float beta, float *c, int ldc);
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
*/
import "C"

const (
	rowMajor = 101
	noTrans  = 111
	trans    = 112
)

// Impl names the BLAS in use.
func Impl() string { return "openblas (" + C.GoString(C.openblas_get_corename()) + ")" }

// OpenBLAS runs single-threaded: gogh parallelizes by splitting matrices
// among goroutines (see Parallel), which keeps OpenBLAS's spinning worker
// threads from competing with the engine's own.
func init() { C.openblas_set_num_threads(1) }

func flag(t bool) C.int {
	if t {
		return trans
	}
	return noTrans
}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var pa, pb *C.float
	if k > 0 {
		pa, pb = (*C.float)(&a[0]), (*C.float)(&b[0])
	}
	C.cblas_sgemm(rowMajor, flag(transA), flag(transB), C.int(m), C.int(n), C.int(k),
		C.float(alpha), pa, C.int(lda), pb, C.int(ldb), C.float(beta), (*C.float)(&c[0]), C.int(ldc))
}
