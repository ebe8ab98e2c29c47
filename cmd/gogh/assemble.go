package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/decode"
	"github.com/gogh-video/gogh/internal/outpath"
	"github.com/gogh-video/gogh/internal/runlog"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/pipeline"
)

// assembleRun holds the flags of gogh assemble.
type assembleRun struct {
	output
	net     network
	threads int
}

func newAssembleCmd() *cobra.Command {
	r := &assembleRun{}
	cmd := &cobra.Command{
		Use:   "assemble DIR -o OUT.mp4",
		Short: "Encode a clip painted in shards (gogh video --shard) once every shard is done",
		Long: `Check that every shard of the work dir DIR is done (same settings, every frame
saved), paint the seams between the shards (the first frames of each shard again,
continuing the previous shard's chain toward its own), and encode the frames with
the input's audio, as gogh video would have. The input, style and weights are the
work dir's (job.json), checked by content. A shard or frame missing is named.`,
		Args: cobra.ExactArgs(1),
		RunE: runE(videoFlags, func(cmd *cobra.Command, args []string) error {
			return r.run(cmd.Context(), args[0], cmd.OutOrStdout())
		}),
	}
	fs := cmd.Flags()
	r.addOutputFlags(fs)
	fs.StringVar(&r.net.path, "weights", "", "VGG19 weights (safetensors); default $GOGH_WEIGHTS, then the user cache (gogh weights install)")
	fs.IntVar(&r.threads, "threads", runtime.NumCPU(), "CPU threads to use")
	return cmd
}

func (r *assembleRun) run(ctx context.Context, dir string, stdout io.Writer) error {
	start := time.Now()
	if err := outExt(r.out); err != nil {
		return err
	}
	if err := outpath.Writable("-o", r.out); err != nil {
		return err
	}
	job, err := pipeline.ReadJob(dir)
	if err != nil {
		return err
	}
	c, err := job.Config(dir, r.threads)
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(c.Threads)
	if err := pipeline.Missing(dir, c.Frames, pipeline.Split(c.Frames, c.Shard.N, c.Overlap)); err != nil {
		return err
	}
	spec := job.Spec()
	inputs := []string{"the input", job.Input}
	for _, f := range append(spec.Files, spec.Masks...) {
		inputs = append(inputs, "the style", f)
	}
	if err := outpath.NotInput("-o", r.out, inputs...); err != nil {
		return err
	}
	info, err := decode.Probe(ctx, job.Input)
	if err != nil {
		return err
	}
	w, err := r.net.load(c.ContentLayers, c.StyleLayers)
	if err != nil {
		return err
	}
	if err := c.Job.Identify(job.Input, r.net.file, spec); err != nil {
		return err
	}
	style, err := spec.Load(w, picture.New(job.Width, job.Height), c.Options)
	if err != nil {
		return fmt.Errorf("the style: %w", err)
	}
	plan := decode.Plan{Width: job.Width, Height: job.Height, FPS: job.FPS, First: job.First, Count: job.Frames, Start: job.Start, End: job.End}
	cl := &clip{in: job.Input, info: info, plan: plan}
	flog, err := runlog.NewFrames("", false, 0, stdout)
	if err != nil {
		return err
	}
	c.OnFrame = flog.Frame
	err = pipeline.Seams(ctx, w, style, cl.source(), c)
	flog.Close()
	if err != nil {
		return paintError(err, 0, 0, dir)
	}
	if err := r.encode(ctx, cl, dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "assembled %d frames of %d shard(s) in %s -> %s\n", c.Frames, c.Shard.N, time.Since(start).Round(time.Second), r.out)
	return nil
}

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status DIR",
		Short: "How far the painting in a work dir is: frames done per shard, seconds per frame, ETA",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := pipeline.ReadStatus(args[0])
			if err == nil {
				fmt.Fprintln(cmd.OutOrStdout(), st)
			}
			return err
		},
	}
}
