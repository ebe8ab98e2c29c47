// Command score measures the temporal consistency of painted clips: the
// mean warping error (temporal.WarpingError) of each work dir's frames
// along the optical flow of the input frames, which it decodes itself
// with package decode, as gogh video does. It is the Go half of
// bench/throughput.sh.
//
//	go run ./bench/score -clip IN -frames A:B [-fps F] -size S -content DIR [-flow DIR]
//	    [-boundaries B1,B2,... -seam S] WORKDIR...
//
// It writes the input frames as DIR/content-%06d.png (0-based in the
// range: the content images for gogh loss). The flow is read from
// -flow DIR (bwd-%06d.flo and fwd-%06d.flo for frame t and t−1, as
// bench/cvflow.py writes them with OpenCV) or, without -flow, computed by
// temporal's AccurateFlowOptions; the reliability mask is Ruder et al.'s
// (temporal.Reliability). A work dir's frame is its seam frame where it
// has one (what gogh encodes); a work dir with seam frames is also scored
// without them, as DIR+noseam. It prints one line per work dir: its path
// and mean warping error, then the fraction of pixels tracked reliably.
// With -boundaries (the first frames of segments but the first) it also
// prints, per work dir, the mean warping error of the frame pairs around
// the boundaries, from (b−1, b) to (b+S−1, b+S) for -seam S.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
	"github.com/gogh-video/gogh/temporal"
)

func main() {
	clip := flag.String("clip", "", "input video")
	frames := flag.String("frames", "", "frame range A:B at -fps")
	fps := flag.Float64("fps", 0, "frame rate (0: the video's)")
	size := flag.Int("size", 256, "longer side")
	content := flag.String("content", "", "directory for the input frames")
	flows := flag.String("flow", "", "directory of bwd/fwd .flo files (default: gogh's accurate flow)")
	bounds := flag.String("boundaries", "", "first frames of the segments after the first, comma-separated")
	seam := flag.Int("seam", 0, "frames after each boundary whose pairs count as the boundary's")
	pairs := flag.Bool("pairs", false, "also print each pair's warping error: pair T DIR E for frames T−1, T")
	flag.Parse()
	near := map[int]bool{} // pairs (t−1, t) around a boundary, by t
	for _, f := range strings.Split(*bounds, ",") {
		if b, err := strconv.Atoi(f); err == nil {
			for t := b; t <= b+*seam; t++ {
				near[t] = true
			}
		}
	}
	if err := run(*clip, *frames, *fps, *size, *content, *flows, near, *pairs, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

func run(clip, frames string, fps float64, size int, content, flows string, near map[int]bool, pairs bool, dirs []string) error {
	a, b, _ := strings.Cut(frames, ":")
	from, err1 := strconv.Atoi(a)
	to, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || content == "" {
		return fmt.Errorf("want -frames A:B and -content DIR")
	}
	ctx := context.Background()
	info, err := decode.Probe(ctx, clip)
	if err != nil {
		return err
	}
	plan, err := info.Plan(decode.Options{FromFrame: from, ToFrame: to, FPS: fps, Size: size})
	if err != nil {
		return err
	}
	src := pipeline.Video{Path: clip, Plan: plan}
	rd, err := src.Open(ctx, 0, plan.Count)
	if err != nil {
		return err
	}
	defer rd.Close()
	w, h := plan.Width, plan.Height
	if err := os.MkdirAll(content, 0o755); err != nil {
		return err
	}
	rgb := make([]byte, 3*w*h)
	in, prevIn := picture.New(w, h), picture.New(w, h)
	est := temporal.NewEstimator(w, h, temporal.AccurateFlowOptions())
	bwd, fwd := temporal.NewFlow(w, h), temporal.NewFlow(w, h)
	type scored struct {
		dir, name string
		seams     bool
	}
	var list []scored
	for _, d := range dirs {
		list = append(list, scored{d, d, true})
		if m, _ := filepath.Glob(filepath.Join(d, "seam-*.png")); len(m) > 0 {
			list = append(list, scored{d, d + "+noseam", false})
		}
	}
	sums, nearSums := make([]float64, len(list)), make([]float64, len(list))
	var reliable float64
	for t := range plan.Count {
		if err := rd.ReadFrame(rgb); err != nil {
			return err
		}
		in.SetRGB(rgb)
		if err := picture.SavePNG(filepath.Join(content, fmt.Sprintf("content-%06d.png", t)), in); err != nil {
			return err
		}
		if t > 0 && len(dirs) > 0 {
			if flows != "" {
				if bwd, err = temporal.ReadFlo(filepath.Join(flows, fmt.Sprintf("bwd-%06d.flo", t))); err != nil {
					return err
				}
				if fwd, err = temporal.ReadFlo(filepath.Join(flows, fmt.Sprintf("fwd-%06d.flo", t))); err != nil {
					return err
				}
			} else {
				est.Flow(in, prevIn, bwd)
				est.Flow(prevIn, in, fwd)
			}
			mask := temporal.Reliability(fwd, bwd)
			for _, c := range mask {
				reliable += float64(c) / float64(len(mask))
			}
			for k, d := range list {
				prev, err := picture.Load(framePath(d.dir, t-1, d.seams), 0)
				if err != nil {
					return err
				}
				cur, err := picture.Load(framePath(d.dir, t, d.seams), 0)
				if err != nil {
					return err
				}
				e := temporal.WarpingError(prev, cur, bwd, mask)
				if pairs {
					fmt.Printf("pair %d %s %.6f\n", t, d.name, e)
				}
				sums[k] += e
				if near[t] {
					nearSums[k] += e
				}
			}
		}
		copy(prevIn.Pix, in.Pix)
	}
	if len(dirs) == 0 {
		return nil
	}
	for k, d := range list {
		fmt.Printf("%s %.6f\n", d.name, sums[k]/float64(plan.Count-1))
	}
	if n := len(near); n > 0 {
		for k, d := range list {
			fmt.Printf("boundaries %s %.6f\n", d.name, nearSums[k]/float64(n))
		}
	}
	fmt.Printf("reliable %.3f\n", reliable/float64(plan.Count-1))
	return nil
}

// framePath is frame i of work dir dir as gogh encodes it (its seam
// frame if it has one), or with seams false, the frame itself.
func framePath(dir string, i int, seams bool) string {
	if p := pipeline.SeamPath(dir, i); seams && exists(p) {
		return p
	}
	return pipeline.FramePath(dir, i)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
