// Command flowcmp runs gogh's optical flow estimator (temporal.Estimator)
// on image pairs and prints one JSON object per pair: the milliseconds per
// pair, the best of -reps runs (CPU time of the thread, "ms", and
// wall-clock time, "wall_ms"; the minimum is what other processes' load
// disturbs least), the average end-point error against a ground
// truth .flo when there is one, and the photometric error. It is the Go
// half of bench/flow.sh.
//
//	go run ./bench/flowcmp [flags] LIST
//
// LIST has one pair per line, fields separated by spaces:
//
//	NAME FROM TO [GT.flo [MARGIN]]
//
// FROM and TO are images (PNG, JPEG); the flow goes from FROM to TO. The
// EPE is averaged over the pixels x whose ground-truth target x + gt(x)
// lies at least MARGIN pixels (default 0) inside the image. The
// photometric error is the mean over all pixels and channels, in 0…255
// units, of |FROM(x) − TO(x + f(x))|, TO sampled bilinearly with the
// border clamped (temporal.Warp). With -out DIR the flows are written to
// DIR/NAME.flo.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/temporal"
)

type result struct {
	Name      string   `json:"name"`
	W         int      `json:"w"`
	H         int      `json:"h"`
	Ms        float64  `json:"ms"`
	WallMs    float64  `json:"wall_ms"`
	EPE       *float64 `json:"epe,omitempty"`
	EPEZero   *float64 `json:"epe_zero,omitempty"`
	Photo     float64  `json:"photo"`
	PhotoZero float64  `json:"photo_zero"`
}

func main() {
	def := temporal.DefaultFlowOptions()
	opt := def
	flag.IntVar(&opt.FinestScale, "finest", def.FinestScale, "finest pyramid scale")
	flag.IntVar(&opt.PatchSize, "patch", def.PatchSize, "patch size")
	flag.IntVar(&opt.PatchStride, "stride", def.PatchStride, "patch stride")
	flag.IntVar(&opt.GDIters, "gd", def.GDIters, "Gauss-Newton iterations per patch per sweep")
	flag.IntVar(&opt.VarIters, "var", def.VarIters, "variational refinement fixed-point iterations")
	flag.IntVar(&opt.SORIters, "sor", def.SORIters, "SOR sweeps per fixed-point iteration")
	flag.IntVar(&opt.FineVarIters, "fvar", def.FineVarIters, "variational refinement fixed-point iterations on the scales finer than -finest")
	alpha := flag.Float64("alpha", float64(def.Alpha), "smoothness weight")
	gamma := flag.Float64("gamma", float64(def.Gamma), "gradient constancy weight")
	delta := flag.Float64("delta", float64(def.Delta), "brightness constancy weight")
	reps := flag.Int("reps", 10, "timed repetitions per pair (the fastest is reported)")
	out := flag.String("out", "", "directory for the NAME.flo outputs")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: flowcmp [flags] LIST   (lines: NAME FROM TO [GT.flo [MARGIN]])")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *reps < 1 {
		flag.Usage()
		os.Exit(2)
	}
	opt.Alpha, opt.Gamma, opt.Delta = float32(*alpha), float32(*gamma), float32(*delta)
	if err := run(flag.Arg(0), opt, *reps, *out); err != nil {
		fmt.Fprintln(os.Stderr, "flowcmp:", err)
		os.Exit(1)
	}
}

func run(list string, opt temporal.FlowOptions, reps int, out string) error {
	fh, err := os.Open(list)
	if err != nil {
		return err
	}
	defer fh.Close()
	enc := json.NewEncoder(os.Stdout)
	ests := map[[2]int]*temporal.Estimator{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 3 || len(f) > 5 {
			return fmt.Errorf("%s: bad line %q", list, sc.Text())
		}
		r, flow, err := pair(f, opt, reps, ests)
		if err != nil {
			return err
		}
		if out != "" {
			if err := temporal.WriteFlo(filepath.Join(out, r.Name+".flo"), flow); err != nil {
				return err
			}
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return sc.Err()
}

func pair(f []string, opt temporal.FlowOptions, reps int, ests map[[2]int]*temporal.Estimator) (result, temporal.Flow, error) {
	from, err := picture.Load(f[1], 0)
	if err != nil {
		return result{}, temporal.Flow{}, err
	}
	to, err := picture.Load(f[2], 0)
	if err != nil {
		return result{}, temporal.Flow{}, err
	}
	if from.W != to.W || from.H != to.H {
		return result{}, temporal.Flow{}, fmt.Errorf("%s: sizes %dx%d and %dx%d differ", f[0], from.W, from.H, to.W, to.H)
	}
	key := [2]int{from.W, from.H}
	e := ests[key]
	if e == nil {
		e = temporal.NewEstimator(from.W, from.H, opt)
		ests[key] = e
	}
	flow := temporal.NewFlow(from.W, from.H)
	e.Flow(from, to, flow) // warm-up
	cpu, wall := make([]float64, reps), make([]float64, reps)
	now, done := cpuClock()
	for i := range cpu {
		t, c := time.Now(), now()
		e.Flow(from, to, flow)
		cpu[i] = float64(now()-c) / 1e6
		wall[i] = float64(time.Since(t)) / 1e6
	}
	done()
	slices.Sort(cpu)
	slices.Sort(wall)
	zero := temporal.NewFlow(from.W, from.H)
	r := result{Name: f[0], W: from.W, H: from.H, Ms: cpu[0], WallMs: wall[0],
		Photo: photo(from, to, flow), PhotoZero: photo(from, to, zero)}
	if len(f) >= 4 {
		gt, err := temporal.ReadFlo(f[3])
		if err != nil {
			return result{}, temporal.Flow{}, err
		}
		if gt.W != from.W || gt.H != from.H {
			return result{}, temporal.Flow{}, fmt.Errorf("%s: ground truth %dx%d for %dx%d images", f[0], gt.W, gt.H, from.W, from.H)
		}
		margin := 0.0
		if len(f) == 5 {
			if margin, err = strconv.ParseFloat(f[4], 64); err != nil {
				return result{}, temporal.Flow{}, fmt.Errorf("%s: margin: %w", f[0], err)
			}
		}
		e, z := temporal.EndPointError(flow, gt, margin), temporal.EndPointError(zero, gt, margin)
		r.EPE, r.EPEZero = &e, &z
	}
	return r, flow, nil
}

// photo is the mean |from − Warp(to, f)| in 0…255 units.
func photo(from, to picture.Image, f temporal.Flow) float64 {
	w := picture.New(from.W, from.H)
	temporal.Warp(to, f, w)
	var s float64
	for i, v := range from.Pix {
		s += math.Abs(float64(v - w.Pix[i]))
	}
	return 255 * s / float64(len(from.Pix))
}
