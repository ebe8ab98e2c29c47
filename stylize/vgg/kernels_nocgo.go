//go:build !cgo

package vgg

func biasReLUPlane(p, a []float32, b float32) { biasReLUPlaneGo(p, a, b) }
func addInto(g, p []float32)                  { addIntoGo(g, p) }
func reluMask(g, act []float32)               { reluMaskGo(g, act) }
func poolPlanes(in []float32, c, h, w int, out []float32, arg []uint8) {
	poolPlanesGo(in, c, h, w, out, arg)
}
func unpoolPlanes(g []float32, arg []uint8, c, h, w int, dst []float32) {
	unpoolPlanesGo(g, arg, c, h, w, dst)
}
