// Package blas is the single-precision matrix multiply at the heart of the
// engine: OpenBLAS through cgo when cgo is enabled, gonum's pure-Go BLAS
// otherwise (CGO_ENABLED=0).
//
// All matrices are row-major.
package blas

import (
	"fmt"
	"sync"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C where op(A) is m×k, op(B) is
// k×n and C is m×n, all row-major with leading dimensions lda, ldb and ldc.
// transA and transB select op(X) = Xᵀ.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkGemm panics when a slice is too short for its matrix: a programming
// error that would otherwise let C code read or write out of bounds.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if k > 0 && (lda < ac || la < (ar-1)*lda+ac) {
		panic(fmt.Sprintf("blas: A too short: %d×%d lda %d in %d values", ar, ac, lda, la))
	}
	if k > 0 && (ldb < bc || lb < (br-1)*ldb+bc) {
		panic(fmt.Sprintf("blas: B too short: %d×%d ldb %d in %d values", br, bc, ldb, lb))
	}
	if ldc < n || lc < (m-1)*ldc+n {
		panic(fmt.Sprintf("blas: C too short: %d×%d ldc %d in %d values", m, n, ldc, lc))
	}
}

// Parallel is Sgemm with the rows of C split among up to threads
// goroutines. Each part is a single-threaded Sgemm, so the caller controls
// exactly how many cores a multiply uses.
func Parallel(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	parts := max(1, min(threads, m/16))
	if parts == 1 {
		sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		r0, r1 := p*m/parts, (p+1)*m/parts
		off := r0 * lda // rows of A
		if transA {
			off = r0 // columns of Aᵀ
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sgemm(transA, transB, r1-r0, n, k, alpha, a[off:], lda, b, ldb, beta, c[r0*ldc:], ldc)
		}()
	}
	wg.Wait()
}
