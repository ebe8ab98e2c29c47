package optim

// dot returns aᵀb accumulated in float64.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	// Independent partial sums let the additions overlap.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i]) * float64(b[i])
		s1 += float64(a[i+1]) * float64(b[i+1])
		s2 += float64(a[i+2]) * float64(b[i+2])
		s3 += float64(a[i+3]) * float64(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i]) * float64(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy sets y += alpha·x.
func axpy(alpha float64, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = float32(float64(y[i]) + alpha*float64(v))
	}
}

// scale sets x *= alpha.
func scale(alpha float64, x []float32) {
	for i, v := range x {
		x[i] = float32(alpha * float64(v))
	}
}
