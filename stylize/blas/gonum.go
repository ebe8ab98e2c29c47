//go:build !cgo

package blas

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Impl names the BLAS in use.
func Impl() string { return "gonum (pure Go)" }

func flag(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(flag(transA), flag(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
