package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// DefaultSeam is gogh video's seam: the frames painted again after each
// segment boundary (see Seams and the package documentation).
const DefaultSeam = 12

// SeamPath returns the file in workdir of frame i as painted again after
// a segment boundary (see Seams); Encode prefers it to FramePath's.
func SeamPath(workdir string, i int) string {
	return filepath.Join(workdir, fmt.Sprintf("seam-%06d.png", i))
}

// seamTarget is what a frame of a seam is drawn toward: the next
// segment's painting of the same frame.
type seamTarget struct {
	image picture.Image
	alpha float32   // how far toward it the frame starts, in (0, 1)
	mask  []float32 // the anchor's weight, alpha/(1−alpha) everywhere
}

// blend moves x the fraction alpha of the way to the target.
func (t *seamTarget) blend(x picture.Image) {
	for j, v := range t.image.Pix {
		x.Pix[j] += t.alpha * (v - x.Pix[j])
	}
}

// anchor holds a frame to the target with weight alpha/(1−alpha) times
// the temporal weight: against the anchor to the previous frame (weight
// 1 where the flow is reliable), the optimum lies about the fraction
// alpha of the way from the warped previous frame to the target.
func (t *seamTarget) anchor() stylize.Anchor {
	return stylize.Anchor{Image: t.image, Mask: t.mask}
}

// seamWindow returns the frames [b, b+n) painted again after the
// boundary at the start of seg. The window stays inside seg, short of its
// last frame, so every seam ends on a frame of seg's own chain and no two
// seams touch.
func (c *Config) seamWindow(seg Segment) (b, n int) {
	if c.WarmStart == WarmNone {
		return seg.First, 0
	}
	return seg.First, max(0, min(c.Seam, seg.Count-1))
}

// Seams paints the seams of c's work dir, whose frames must all be saved,
// painted with c's job: at every boundary between segments k−1 and k, the
// first Seam frames of segment k are painted again as the continuation of
// segment k−1's chain (warm-started and held by the temporal loss as
// inside a chain), each also started part of the way toward segment k's
// painting of the same frame and held to it, so that each frame moves an
// equal share of the way: the look moves from one chain to the other in
// Seam+1 equal steps, along the flow, instead of jumping at the boundary. Each is saved as SeamPath as it is done; a
// seam already saved is kept, one cut short continues. A seam across a
// scene cut keeps the frames as they were. Run paints the seams itself
// unless it paints one shard; Seams is for a clip painted in shards, once
// all are done (c.Shard.N set to their number). It takes the work dir's
// locks like Run.
func Seams(ctx context.Context, w *vgg.Weights, style *stylize.Style, src Source, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := c.checkClip(); err != nil {
		return err
	}
	var held locks
	defer held.release()
	if err := held.take(ctx, c.Workdir, lockName, true, false); err != nil {
		return err
	}
	if err := recorded(c.Workdir, c.job()); err != nil {
		return fmt.Errorf("work dir %s: %w", c.Workdir, err)
	}
	if err := Missing(c.Workdir, c.Frames, c.split()); err != nil {
		return err
	}
	return c.seams(ctx, w, style, src, c.split(), c.reporter())
}

// seams paints the seams of segs, as many at once as there are threads
// (each with its share of them).
func (c *Config) seams(ctx context.Context, w *vgg.Weights, style *stylize.Style, src Source, segs []Segment, report func(FrameResult)) error {
	if len(segs) < 2 {
		return nil
	}
	sc := *c
	sc.Shard = Shard{}
	sc.Workers = max(1, min(c.Threads, len(segs)-1))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(sc.Workers)
	for k := 1; k < len(segs); k++ {
		g.Go(func() error { return sc.seam(gctx, k, segs[k], w, style, src, report) })
	}
	return g.Wait()
}

// seam paints the seam at the start of segment k.
func (c *Config) seam(ctx context.Context, k int, seg Segment, w *vgg.Weights, style *stylize.Style, src Source, report func(FrameResult)) error {
	b, n := c.seamWindow(seg)
	if n == 0 {
		return nil
	}
	var held locks
	defer held.release()
	if err := held.take(ctx, c.Workdir, seamLock(k), false, true); err != nil {
		return err
	}
	done := b // seam frames [b, done) are saved, whole
	for ; done < b+n; done++ {
		path := SeamPath(c.Workdir, done)
		ok, err := check(path, c.Width, c.Height)
		if err != nil {
			report(FrameResult{Index: done, Seam: true, Damaged: err})
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("work dir: %w", err)
			}
		}
		if !ok {
			break
		}
	}
	if done == b+n {
		return nil
	}
	wk, err := c.newWorker(w, style)
	if err != nil {
		return err
	}
	restored := func(i int) (string, bool) {
		if i < b {
			return FramePath(c.Workdir, i), true
		}
		return SeamPath(c.Workdir, i), i < done
	}
	target := func(i int) (string, *seamTarget, error) {
		img := picture.New(c.Width, c.Height)
		if err := readPNG(FramePath(c.Workdir, i), c.Width, c.Height, wk.rgb); err != nil {
			return "", nil, fmt.Errorf("seam: frame %d: %w", i, err)
		}
		img.SetRGB(wk.rgb)
		// Frame b+j moves the fraction 1/(n+1) of the gap between the two
		// chains nearer the next one: from its warm start, which already
		// carries the previous frames' share, the fraction 1/(n+1−j) of
		// what is left, and so held to the target with weight 1/(n−j).
		j := i - b
		a := 1 / float32(n+1-j)
		mask := make([]float32, c.Width*c.Height)
		for k := range mask {
			mask[k] = a / (1 - a)
		}
		return SeamPath(c.Workdir, i), &seamTarget{image: img, alpha: a, mask: mask}, nil
	}
	from := max(0, done-c.lookBack())
	return wk.chain(ctx, c, src, from, b+n, restored, target, func(r FrameResult) {
		r.Worker = k
		report(r)
	})
}
