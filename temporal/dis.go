package temporal

import (
	"fmt"
	"math"

	"github.com/gogh-video/gogh/picture"
)

// FlowOptions tunes the optical flow Estimator. The zero value is not
// valid: start from DefaultFlowOptions and change fields.
type FlowOptions struct {
	// FinestScale is the finest pyramid level searched: patches are
	// matched down to 1/2^FinestScale of the image size, and the flow is
	// then upsampled bilinearly (and refined, see FineVarIters). 0 searches
	// at full resolution (slowest, most detailed). It is lowered for images
	// too small to hold a patch at that scale.
	FinestScale int
	// PatchSize is the side of the square patches matched by inverse
	// search (≥ 2), PatchStride the spacing of their grid (1…PatchSize):
	// a smaller stride means more, more overlapping patches. Images
	// smaller than a patch use patches (and strides) as large as they are.
	PatchSize, PatchStride int
	// GDIters bounds the Gauss–Newton iterations per patch in each of the
	// two sweeps over the patch grid (OpenCV's GradientDescentIterations
	// counts both sweeps together). Iteration stops early once a step no
	// longer lowers the patch's mean-normalized SSD.
	GDIters int
	// VarIters is the number of fixed-point iterations of the variational
	// refinement on every searched scale (0 turns the refinement off);
	// FineVarIters the number on each finer scale, down to full
	// resolution, where the upsampled flow is only refined (0: only
	// upsampled, as in OpenCV). Each iteration is solved by SORIters
	// sweeps of red-black successive over-relaxation.
	VarIters, FineVarIters, SORIters int
	// Alpha weighs flow smoothness, Gamma gradient constancy and Delta
	// brightness constancy in the variational refinement.
	Alpha, Gamma, Delta float32
}

// DefaultFlowOptions returns the tuned preset: more accurate than OpenCV's
// DIS "medium" preset on every pair of bench/flow.sh (average end-point
// error 0.3–0.6× medium's on the ground-truth pairs, photometric error
// 0.86–0.97×), at 1.4–1.8× its single-threaded time.
func DefaultFlowOptions() FlowOptions {
	return FlowOptions{
		FinestScale:  1,
		PatchSize:    8,
		PatchStride:  3,
		GDIters:      2,
		VarIters:     2,
		FineVarIters: 1,
		SORIters:     4,
		Alpha:        15,
		Gamma:        10,
		Delta:        5,
	}
}

// AccurateFlowOptions returns DefaultFlowOptions with the patch search
// carried down to full resolution: about a third more accurate on the
// rotated test pair (end-point error 0.029 px against 0.043) at a few
// times the cost. gogh compare scores with it, so that a video is not
// judged by the very flow it was painted with.
func AccurateFlowOptions() FlowOptions {
	o := DefaultFlowOptions()
	o.FinestScale = 0
	return o
}

func (o FlowOptions) check() error {
	switch {
	case o.FinestScale < 0:
		return fmt.Errorf("FinestScale %d < 0", o.FinestScale)
	case o.PatchSize < 2:
		return fmt.Errorf("PatchSize %d < 2", o.PatchSize)
	case o.PatchStride < 1 || o.PatchStride > o.PatchSize:
		return fmt.Errorf("PatchStride %d not in 1…PatchSize (%d)", o.PatchStride, o.PatchSize)
	case o.GDIters < 0 || o.VarIters < 0 || o.FineVarIters < 0 || o.SORIters < 0:
		return fmt.Errorf("negative iteration count (GDIters %d, VarIters %d, FineVarIters %d, SORIters %d)",
			o.GDIters, o.VarIters, o.FineVarIters, o.SORIters)
	case (o.VarIters > 0 || o.FineVarIters > 0) && o.SORIters == 0:
		return fmt.Errorf("VarIters %d, FineVarIters %d with SORIters 0", o.VarIters, o.FineVarIters)
	case !(o.Alpha >= 0 && o.Gamma >= 0 && o.Delta >= 0):
		return fmt.Errorf("negative or NaN weight (Alpha %v, Gamma %v, Delta %v)", o.Alpha, o.Gamma, o.Delta)
	}
	return nil
}

// Estimator computes dense optical flow between images of one size with
// Dense Inverse Search (Kroeger et al., "Fast Optical Flow using Dense
// Inverse Search", ECCV 2016), as in OpenCV's DISOpticalFlow: on a
// coarse-to-fine pyramid of luminance images, each scale
//
//   - matches a grid of overlapping patches of the first image in the
//     second by inverse-compositional Gauss–Newton search, starting from
//     the coarser scale's flow or a grid neighbour's, whichever fits best;
//   - densifies the patch flows into a per-pixel flow, each pixel
//     averaging the patches covering it with weights 1/max(1, |residual|);
//   - refines the dense flow variationally (brightness and gradient
//     constancy, smoothness) with a few SOR sweeps.
//
// Below the finest searched scale (FlowOptions.FinestScale) the flow is
// upsampled and, unlike in OpenCV, refined variationally again on each
// finer scale (FlowOptions.FineVarIters), which recovers much of the
// detail of a full-resolution search at a fraction of its cost.
//
// All buffers are allocated once by NewEstimator and reused by every
// call. An Estimator is not safe for concurrent use: use one per
// goroutine.
type Estimator struct {
	w, h   int
	opt    FlowOptions
	ps, st int        // patch size and stride, shrunk for images smaller than a patch
	finest int        // finest level searched
	last   int        // finest level with a flow: finest, or 0 when FineVarIters > 0
	lv     []pyrLevel // pyramid, index 0 = full resolution … coarsest
	g      patchGrid
	r      refiner
	colX   []sampleX // column sampling table for upsampling
	weight []float32 // densification weights
}

// pyrLevel is one pyramid scale: w×h luminance images (0…255) and, for the
// levels that are searched, the padded second image, the first image's
// gradients and the flow.
type pyrLevel struct {
	w, h   int
	i0, i1 []float32
	pad    []float32 // i1 with a replicated border of Estimator.ps pixels
	gx, gy []float32 // Sobel gradients of i0, per pixel
	u, v   []float32
}

// NewEstimator returns an Estimator for w×h images. It panics if the size
// is not positive or opt is invalid (see FlowOptions).
func NewEstimator(w, h int, opt FlowOptions) *Estimator {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("temporal: NewEstimator: size %dx%d not positive", w, h))
	}
	if err := opt.check(); err != nil {
		panic("temporal: NewEstimator: " + err.Error())
	}
	ps := opt.PatchSize
	fin := opt.FinestScale
	for fin > 0 && (w>>fin < ps || h>>fin < ps) {
		fin--
	}
	ps = min(ps, w>>fin, h>>fin) // only for images smaller than a patch
	// As OpenCV: enough levels to find motions of about a quarter of the
	// image, while the coarsest level still holds a patch.
	coarse := int(math.Log2(float64(max(w, h))/float64(4*ps)) + 0.5)
	coarse = max(coarse, fin)
	for coarse > fin && (w>>coarse < ps || h>>coarse < ps) {
		coarse--
	}
	e := &Estimator{w: w, h: h, opt: opt, ps: ps, st: min(opt.PatchStride, ps), finest: fin, last: fin,
		lv: make([]pyrLevel, coarse+1)}
	if opt.FineVarIters > 0 {
		e.last = 0
	}
	for k := range e.lv {
		l := &e.lv[k]
		l.w, l.h = w>>k, h>>k
		n := l.w * l.h
		l.i0, l.i1 = make([]float32, n), make([]float32, n)
		if k >= e.last {
			l.pad = make([]float32, (l.w+2*ps)*(l.h+2*ps))
			l.u, l.v = make([]float32, n), make([]float32, n)
		}
		if k >= fin {
			l.gx, l.gy = make([]float32, n), make([]float32, n)
		}
	}
	e.g.alloc(e.lv[fin].w, e.lv[fin].h, ps, e.st)
	if opt.VarIters > 0 || opt.FineVarIters > 0 {
		l := &e.lv[fin]
		if opt.FineVarIters > 0 {
			l = &e.lv[0]
		}
		e.r.alloc((l.w + 2) * (l.h + 2))
	}
	e.colX = make([]sampleX, w)
	e.weight = make([]float32, e.lv[fin].w*e.lv[fin].h)
	return e
}

// Flow writes into dst (size w×h) the flow from `from` to `to`: from at x
// matches to at x + dst(x), so Warp(to, dst, out) reconstructs from. The
// backward flow of frame t, which warps frame t−1 into frame t, is
// e.Flow(frame_t, frame_{t−1}, dst). It allocates nothing and is
// deterministic. It panics if an image or dst is not of the Estimator's
// size.
func (e *Estimator) Flow(from, to picture.Image, dst Flow) {
	n := e.w * e.h
	for _, im := range [2]picture.Image{from, to} {
		if im.W != e.w || im.H != e.h || len(im.Pix) != 3*n {
			panic(fmt.Sprintf("temporal: Flow: image %dx%d (%d values) for a %dx%d estimator",
				im.W, im.H, len(im.Pix), e.w, e.h))
		}
	}
	mustMatch("Flow", dst, e.w, e.h)
	luminance(from, e.lv[0].i0)
	luminance(to, e.lv[0].i1)
	for k := 1; k < len(e.lv); k++ {
		p, l := &e.lv[k-1], &e.lv[k]
		halve(p.i0, p.w, p.h, l.i0, l.w, l.h)
		halve(p.i1, p.w, p.h, l.i1, l.w, l.h)
	}
	coarse := len(e.lv) - 1
	clear(e.lv[coarse].u)
	clear(e.lv[coarse].v)
	for k := coarse; k >= e.last; k-- {
		l := &e.lv[k]
		padReplicate(l.i1, l.w, l.h, l.pad, e.ps)
		iters := e.opt.FineVarIters
		if k >= e.finest {
			sobel(l.i0, l.w, l.h, l.gx, l.gy)
			e.search(l)
			e.densify(l)
			iters = e.opt.VarIters
		}
		if iters > 0 {
			e.refine(l, iters)
		}
		if k > e.last {
			c := &e.lv[k-1]
			e.upsample(l.u, l.v, l.w, l.h, c.u, c.v, c.w, c.h, 1)
		}
	}
	f := &e.lv[e.last]
	e.upsample(f.u, f.v, f.w, f.h, dst.U, dst.V, e.w, e.h, e.last)
}
