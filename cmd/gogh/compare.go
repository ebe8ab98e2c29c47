package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/compare"
	"github.com/gogh-video/gogh/pipeline"
)

// compareRun holds the flags of gogh compare.
type compareRun struct {
	clipFlags
	opts compare.Options
}

func newCompareCmd() *cobra.Command {
	r := &compareRun{}
	cmd := &cobra.Command{
		Use:   "compare [IN] [-s STYLE] -o DIR",
		Short: "Stylize a clip with and without temporal warm starts and measure the flicker",
		Long: `Paint the same frames four ways: none (every frame from its content frame), prev
(from the previous stylized frame), flow (from the previous stylized frame warped along
the optical flow) and flow with the temporal loss (--temporal-weight). Then score each
for temporal consistency: the warping error, the mean squared difference between a
stylized frame and the previous one warped along the optical flow of the input frames,
over the pixels the flow tracks reliably (lower is steadier). DIR gets compare.mp4
(the four side by side), metrics.csv and metrics.json (warping error, style and
content loss, seconds per frame, per frame and overall), warping-error.png/.svg and
one work dir per mode; a summary table goes to stdout.

Without a range, the first ` + strconv.Itoa(compare.DefaultEnd) + ` seconds are painted. Finished frames are kept: the same command continues them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(videoFlags, func(cmd *cobra.Command, args []string) error {
			return r.run(cmd.Context(), append(args, "")[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		}),
	}
	fs := cmd.Flags()
	fs.StringVarP(&r.opts.Dir, "output", "o", "", "output directory")
	fs.IntVar(&r.opts.Parallel, "parallel", 0, "modes painted at the same time, --threads shared among them (default: as many as threads, at most 4)")
	fs.Bool("resume", false, "continue the frames saved earlier (kept for scripts: a run with the same settings always does)")
	fs.BoolVar(&r.cfg.Discard, "discard", false, "delete the frames saved in DIR, whatever their settings, and start over")
	r.addClipFlags(fs)
	return cmd
}

func (r *compareRun) run(ctx context.Context, in string, stdout, stderr io.Writer) error {
	if r.opts.Dir == "" {
		return fmt.Errorf("-o is required (a directory)")
	}
	r.dec.DefaultEnd = compare.DefaultEnd
	r.cfg.Workers, r.cfg.WarmStart = 1, pipeline.WarmFlow // each mode sets its own warm start
	if err := r.parse(); err != nil {
		return err
	}
	r.opts.Config = r.cfg
	if err := r.opts.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(r.opts.Dir, 0o755); err != nil {
		return fileError("-o", err)
	}
	cl, err := r.open(ctx, in, stderr)
	if err != nil {
		return err
	}
	r.opts.Config = r.cfg // with the frames and the job
	plan := cl.plan
	fmt.Fprintf(stdout, "comparing %d frames of %s (%dx%d at %g fps) in %d modes, %d at a time x %d thread(s), into %s\n",
		plan.Count, cl.in, plan.Width, plan.Height, plan.FPS, len(compare.Modes), r.opts.Parallel, r.cfg.Threads/r.opts.Parallel, r.opts.Dir)
	rep, err := compare.Run(ctx, cl.weights, cl.style, cl.source(), r.opts, func(m compare.Mode, f pipeline.FrameResult) {
		fmt.Fprintf(stdout, "%-9s frame %d/%d  style %.4g  content %.4g  temporal %.4g  steps %d  %.1fs\n",
			m.Name, f.Index+1, plan.Count, f.Loss.Style, f.Loss.Content, f.Loss.Temporal, f.Steps, f.Seconds)
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted: finished frames are kept in %s; run the same command again to continue", r.opts.Dir)
		}
		return err
	}
	if err := rep.Table(stdout); err != nil {
		return err
	}
	files := []string{compare.PageHTML, compare.VideoFile, compare.MetricsCSV, compare.MetricsJSON, compare.PlotPNG}
	_, err = fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(r.opts.Dir, "{"+strings.Join(files, ",")+"}"))
	return err
}
