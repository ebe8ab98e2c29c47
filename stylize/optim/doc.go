// Package optim provides box-constrained optimizers for neural style
// transfer.
//
// The variable x is an image: a float32 slice of up to a few million
// components, usually each in [0, 1]. One evaluation of the objective (loss
// and gradient) is expensive, so every optimizer takes its budget as a number
// of evaluations rather than iterations, never exceeds it, and returns the
// best point it has evaluated.
//
// [LBFGS] is a limited-memory quasi-Newton method with a projected
// backtracking line search; it is the method of choice when the objective is
// smooth. [Adam] is the usual first-order method with bias-corrected moment
// estimates; it spends exactly one evaluation per step.
package optim
