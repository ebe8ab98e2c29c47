package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/internal/outpath"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/safetensors"
)

type lossRun struct {
	opts              stylize.Options
	net               network
	content, style, x string
	size              int
	json              bool
	grad              string
}

func newLossCmd() *cobra.Command {
	r := &lossRun{opts: stylize.DefaultOptions(), net: network{preset: stylize.Gatys}}
	cmd := &cobra.Command{
		Use:   "loss --content C --style S --x X",
		Short: "Evaluate the objective at an image (to check gogh against another implementation)",
		Long: `Evaluate the style-transfer objective at image X: print each content and style
layer's unweighted term, the total variation and the weighted total, and optionally
write the gradient with respect to X (safetensors key grad_x, float32 [3,H,W], RGB in
0..1 units). Without --size the three images are used at their own size and must be
the same size.`,
		Args: cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error { return r.run(cmd.OutOrStdout()) }),
	}
	fs := cmd.Flags()
	fs.StringVar(&r.content, "content", "", "content image")
	fs.StringVar(&r.style, "style", "", "style image")
	fs.StringVar(&r.x, "x", "", "image to evaluate the objective at")
	fs.IntVar(&r.size, "size", 0, "scale the content image's longer side to this, X to the content's size and the style's longer side to the same (0: as they are)")
	fs.BoolVar(&r.json, "json", false, "print JSON")
	fs.StringVar(&r.grad, "grad", "", "write the gradient with respect to X to this safetensors file")
	objectiveFlags(fs, &r.opts, &r.net)
	return cmd
}

// lossReport is the JSON form of a loss: unweighted per-layer terms and
// the weighted total.
type lossReport struct {
	Content map[string]float64 `json:"content"`
	Style   map[string]float64 `json:"style"`
	TV      float64            `json:"tv"`
	Total   float64            `json:"total"`
}

func (r *lossRun) run(stdout io.Writer) error {
	if err := required("--content", r.content, "--style", r.style, "--x", r.x); err != nil {
		return err
	}
	if r.size < 0 {
		return fmt.Errorf("--size: must not be negative, got %d", r.size)
	}
	if r.grad != "" {
		if err := outpath.Writable("--grad", r.grad); err != nil {
			return err
		}
	}
	if err := r.net.layers(&r.opts); err != nil {
		return err
	}
	spec := r.opts
	content, err := picture.Load(r.content, r.size)
	if err != nil {
		return fileError("--content", err)
	}
	style, err := picture.Load(r.style, r.size)
	if err != nil {
		return fileError("--style", err)
	}
	var x picture.Image
	if r.size > 0 {
		x, err = picture.LoadSized(r.x, content.W, content.H)
	} else {
		x, err = picture.Load(r.x, 0)
	}
	if err != nil {
		return fileError("--x", err)
	}
	if r.size == 0 {
		for _, im := range []struct {
			flag string
			im   picture.Image
		}{{"--style", style}, {"--x", x}} {
			if im.im.W != content.W || im.im.H != content.H {
				return fmt.Errorf("%s is %dx%d but --content is %dx%d: give same-size images or --size", im.flag, im.im.W, im.im.H, content.W, content.H)
			}
		}
	}
	w, err := r.net.load(spec.ContentLayers, spec.StyleLayers)
	if err != nil {
		return err
	}
	prob, err := stylize.Transfer(w, content, style, spec)
	if err != nil {
		return err
	}
	grad := make([]float32, len(x.Pix))
	l := prob.Full().Eval(x, grad)
	rep := lossReport{Content: map[string]float64{}, Style: map[string]float64{}, TV: l.TVTerm, Total: l.Total}
	for i, p := range spec.ContentLayers {
		rep.Content[p.String()] += l.ContentTerms[i]
	}
	for i, p := range spec.StyleLayers {
		rep.Style[p.String()] += l.StyleTerms[i]
	}
	if r.grad != "" {
		t := safetensors.Named{Name: "grad_x", Tensor: safetensors.Tensor{Shape: []int{3, x.H, x.W}, Data: grad}}
		meta := map[string]string{"normalization": string(spec.Normalization), "preprocess": w.Preprocess}
		if err := safetensors.WriteFile(r.grad, []safetensors.Named{t}, meta); err != nil {
			return fmt.Errorf("--grad: %w", err)
		}
	}
	if r.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "layer\tterm\tunweighted\n")
	for i, p := range spec.ContentLayers {
		fmt.Fprintf(tw, "%s\tcontent\t%.7g\n", p, l.ContentTerms[i])
	}
	for i, p := range spec.StyleLayers {
		fmt.Fprintf(tw, "%s\tstyle\t%.7g\n", p, l.StyleTerms[i])
	}
	fmt.Fprintf(tw, "\ttv\t%.7g\n", l.TVTerm)
	fmt.Fprintf(tw, "total (weighted)\t\t%.7g\n", l.Total)
	return tw.Flush()
}
