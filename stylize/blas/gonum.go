//go:build !cgo

package blas

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Impl names the BLAS in use.
func Impl() string { return "gonum (pure Go)" }

// SetThreads sets how many threads one Sgemm call may use. gonum's Sgemm
// spreads over GOMAXPROCS goroutines, so this sets GOMAXPROCS.
func SetThreads(n int) {
	if n < 1 {
		n = 1
	}
	runtime.GOMAXPROCS(n)
}

func flag(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(flag(transA), flag(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
