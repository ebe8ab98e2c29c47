package optim_test

import (
	"fmt"

	"github.com/gogh-video/gogh/stylize/optim"
)

// Minimize Σ (x_i - c_i)² over the unit box, where part of c lies outside it.
func ExampleLBFGS() {
	c := []float32{-0.5, 0.25, 0.75, 2}
	f := func(x, grad []float32) (float64, error) {
		var loss float64
		for i, v := range x {
			e := v - c[i]
			loss += float64(e * e)
			grad[i] = 2 * e
		}
		return loss, nil
	}
	x := []float32{0.5, 0.5, 0.5, 0.5}
	opt := optim.LBFGS{Bounds: &optim.Bounds{Lo: 0, Hi: 1}}
	loss, _, err := opt.Minimize(f, x, 20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = %.3f, loss = %.3f\n", x, loss)
	// Output:
	// x = [0.000 0.250 0.750 1.000], loss = 1.250
}
