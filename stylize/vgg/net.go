// Package vgg is gogh's VGG19 engine: the convolutional feature extractor
// of Simonyan & Zisserman's VGG19 (3×3 convolutions with padding 1, ReLU,
// 2×2 max-pooling, or average pooling as Gatys et al. preferred), truncated after the deepest layer asked for, with a
// forward pass and a backward pass to the input image only (the weights are
// frozen, so no weight gradients are computed).
//
// Tensors are float32 in channel-major order, [C][H][W]. A Net owns every
// buffer it needs for one image size, allocated once in New, so that the
// thousands of evaluations of an optimization touch no fresh memory.
package vgg

import "fmt"

// Net is VGG19 truncated after its deepest tap, for images of one size.
// It is not safe for concurrent use; make one Net per goroutine.
type Net struct {
	w       *Weights
	threads int
	h, wd   int
	depth   int // convolutions evaluated
	taps    []Point
	pool    Pooling

	hw     [NumConv][2]int      // output height and width of each convolution
	pre    [NumConv][]float32   // conv output before ReLU, kept only where tapped
	act    [NumConv][]float32   // conv output after ReLU
	pooled [NumConv][]float32   // pool output after conv i, where one follows
	arg    [NumConv][]uint8     // which of the 2×2 inputs each max-pooled value came from
	wino   [NumConv]*winoKernel // Winograd-transformed kernels of the other convolutions
	input  []float32            // the preprocessed image [3][H][W]
	cols   [][]float32          // im2col or Winograd scratch, one per worker
	ga, gb []float32            // gradient ping-pong buffers
	gp     []float32            // gradient at a pooled tensor
}

// colBudget caps each worker's im2col scratch (in floats): convolutions
// are computed in bands of rows whose column matrix fits in it.
const colBudget = 1 << 21

// New returns a network for h×w RGB images that exposes the activations at
// taps, with pool between its blocks. threads bounds the goroutines used
// outside BLAS.
func New(w *Weights, h, wd int, taps []Point, pool Pooling, threads int) (*Net, error) {
	if h < 1 || wd < 1 {
		return nil, fmt.Errorf("vgg: bad image size %dx%d", wd, h)
	}
	if len(taps) == 0 {
		return nil, fmt.Errorf("vgg: no layers requested")
	}
	if pool != Max && pool != Average {
		return nil, fmt.Errorf("vgg: unknown pooling %d", pool)
	}
	n := &Net{w: w, threads: max(1, threads), h: h, wd: wd, taps: taps, pool: pool}
	for _, t := range taps {
		n.depth = max(n.depth, t.Conv+1)
	}
	if d := w.Depth(); n.depth > d {
		return nil, fmt.Errorf("vgg: layer %s needs %d convolutions, the weights have %d", ConvNames[n.depth-1], n.depth, d)
	}
	ch, cw := h, wd
	maxAct, maxPool, maxCol := 0, 0, 0
	for i := 0; i < n.depth; i++ {
		if ch < 1 || cw < 1 {
			return nil, fmt.Errorf("vgg: a %dx%d image is too small for layer %s", wd, h, ConvNames[i])
		}
		c := w.Conv[i]
		n.hw[i] = [2]int{ch, cw}
		size := c.Out * ch * cw
		n.act[i] = make([]float32, size)
		maxAct = max(maxAct, size, c.In*ch*cw)
		if i == 0 {
			// Three input channels: im2col with K = 27 beats Winograd's
			// sixteen products with K = 3.
			maxCol = max(maxCol, bandRows(c.In, ch, cw)*cw*c.In*9)
			maxAct = max(maxAct, c.In*9*ch*cw) // convInputGrad's column gradient
		} else {
			m := winoTile(c.Out, ch, cw)
			maxCol = max(maxCol, winoScratch(m, c.In, c.Out, ch, cw, n.threads))
			n.wino[i] = w.winograd(i, m)
		}
		if PoolAfter(i) && i < n.depth-1 {
			ch, cw = ch/2, cw/2
			n.pooled[i] = make([]float32, c.Out*ch*cw)
			if pool == Max {
				n.arg[i] = make([]uint8, c.Out*ch*cw)
			}
			maxPool = max(maxPool, c.Out*ch*cw)
		}
	}
	for _, t := range taps {
		if !t.ReLU && n.pre[t.Conv] == nil {
			n.pre[t.Conv] = make([]float32, len(n.act[t.Conv]))
		}
	}
	n.input = make([]float32, 3*h*wd)
	for range n.threads {
		n.cols = append(n.cols, make([]float32, maxCol))
	}
	n.ga, n.gb, n.gp = make([]float32, maxAct), make([]float32, maxAct), make([]float32, maxPool)
	return n, nil
}

// Size returns the input height and width the network was built for.
func (n *Net) Size() (h, w int) { return n.h, n.wd }

// Taps returns the points the network exposes, in the order given to New.
func (n *Net) Taps() []Point { return n.taps }

// Shape returns the channels, height and width of the activation at p.
func (n *Net) Shape(p Point) (c, h, w int) {
	return n.w.Conv[p.Conv].Out, n.hw[p.Conv][0], n.hw[p.Conv][1]
}

// Activation returns the activation at tap i as computed by the last
// Forward. The slice is owned by the Net and overwritten by the next one.
func (n *Net) Activation(i int) []float32 {
	t := n.taps[i]
	if t.ReLU {
		return n.act[t.Conv]
	}
	return n.pre[t.Conv]
}

// Forward runs the network on x, an RGB image in 0..1 of shape [3][H][W].
func (n *Net) Forward(x []float32) {
	n.preprocess(x)
	in := n.input
	for i := 0; i < n.depth; i++ {
		c := n.w.Conv[i]
		h, w := n.hw[i][0], n.hw[i][1]
		if i == 0 {
			out := n.act[i]
			if n.pre[i] != nil {
				out = n.pre[i]
			}
			n.conv(in, c.In, h, w, c.W, c.Out, out)
			biasReLU(out, n.act[i], c.B, h*w, n.threads)
		} else {
			n.convWino(in, c.In, h, w, n.wino[i], c.Out, nil, false, &epilogue{bias: c.B, pre: n.pre[i], act: n.act[i]})
		}
		in = n.act[i]
		if n.pooled[i] != nil {
			if n.pool == Average {
				avgPool(in, c.Out, h, w, n.pooled[i], n.threads)
			} else {
				maxPool(in, c.Out, h, w, n.pooled[i], n.arg[i], n.threads)
			}
			in = n.pooled[i]
		}
	}
}

// Backward computes dx, the gradient with respect to the RGB input of the
// last Forward, given grads[i], the gradient with respect to tap i's
// activation (nil where tap i contributes nothing).
func (n *Net) Backward(grads [][]float32, dx []float32) {
	if len(grads) != len(n.taps) {
		panic(fmt.Sprintf("vgg: %d tap gradients for %d taps", len(grads), len(n.taps)))
	}
	g, spare := n.ga, n.gb
	top := n.depth - 1
	clear(g[:len(n.act[top])])
	for i := top; i >= 0; i-- {
		c := n.w.Conv[i]
		h, w := n.hw[i][0], n.hw[i][1]
		g = g[:c.Out*h*w]
		maskAdd(g, n.act[i], n.tapGrads(grads, i, true), n.tapGrads(grads, i, false), n.threads)
		switch {
		case i == 0:
			n.convInputGrad(g, spare)
		case n.pooled[i-1] != nil:
			gp := n.gp[:len(n.pooled[i-1])]
			n.convWino(g, c.Out, h, w, n.wino[i], c.In, gp, true, nil)
			ph, pw := n.hw[i-1][0], n.hw[i-1][1]
			if n.pool == Average {
				unpoolAvg(gp, c.In, ph, pw, spare[:len(n.act[i-1])], n.threads)
			} else {
				unpool(gp, n.arg[i-1], c.In, ph, pw, spare[:len(n.act[i-1])], n.threads)
			}
		default:
			n.convWino(g, c.Out, h, w, n.wino[i], c.In, spare[:c.In*h*w], true, nil)
		}
		g, spare = spare, g
	}
	n.unpreprocess(dx)
}

// tapGrads returns the gradients given for the taps at convolution conv,
// after its ReLU or before it.
func (n *Net) tapGrads(grads [][]float32, conv int, relu bool) [][]float32 {
	var gs [][]float32
	for t, p := range n.taps {
		if p.Conv == conv && p.ReLU == relu && grads[t] != nil {
			if len(grads[t]) != len(n.act[conv]) {
				panic(fmt.Sprintf("vgg: gradient for %s has %d values, want %d", p, len(grads[t]), len(n.act[conv])))
			}
			gs = append(gs, grads[t])
		}
	}
	return gs
}

// Mean and standard deviation of the two input conventions.
var (
	caffeMeanBGR = [3]float32{103.939, 116.779, 123.68}
	tvMean       = [3]float32{0.485, 0.456, 0.406}
	tvStd        = [3]float32{0.229, 0.224, 0.225}
)

func (n *Net) preprocess(x []float32) {
	hw := n.h * n.wd
	if len(x) != 3*hw {
		panic(fmt.Sprintf("vgg: image has %d values, want 3×%d×%d", len(x), n.h, n.wd))
	}
	for c := 0; c < 3; c++ {
		dst := n.input[c*hw : (c+1)*hw]
		if n.w.Preprocess == Caffe {
			src, m := x[(2-c)*hw:(3-c)*hw], caffeMeanBGR[c]
			for j, v := range src {
				dst[j] = v*255 - m
			}
			continue
		}
		src, m, s := x[c*hw:(c+1)*hw], tvMean[c], 1/tvStd[c]
		for j, v := range src {
			dst[j] = (v - m) * s
		}
	}
}

// unpreprocess turns the gradient with respect to the network input (left
// in n.input by Backward) into the gradient with respect to the RGB image.
func (n *Net) unpreprocess(dx []float32) {
	hw := n.h * n.wd
	for c := 0; c < 3; c++ {
		dst := dx[c*hw : (c+1)*hw]
		if n.w.Preprocess == Caffe {
			for j, v := range n.input[(2-c)*hw : (3-c)*hw] {
				dst[j] = v * 255
			}
			continue
		}
		s := 1 / tvStd[c]
		for j, v := range n.input[c*hw : (c+1)*hw] {
			dst[j] = v * s
		}
	}
}
