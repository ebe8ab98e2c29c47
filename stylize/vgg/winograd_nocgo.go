//go:build !cgo

package vgg

func winoInput(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	winoInputGo(in, cin, h, w, ty0, ty1, v)
}

func winoOutput(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	winoOutputGo(m, cout, h, w, ty0, ty1, out, ep)
}

func wino4Input(in []float32, cin, h, w, ty0, ty1 int, v []float32) {
	wino4InputGo(in, cin, h, w, ty0, ty1, v)
}

func wino4Output(m []float32, cout, h, w, ty0, ty1 int, out []float32, ep *epilogue) {
	wino4OutputGo(m, cout, h, w, ty0, ty1, out, ep)
}
