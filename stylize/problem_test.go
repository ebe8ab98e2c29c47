package stylize

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize/safetensors"
	"github.com/gogh-video/gogh/stylize/vgg"
)

func loadWeights(t testing.TB) *vgg.Weights {
	t.Helper()
	w, err := vgg.Load(shared.Weights(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func refImage(t *testing.T, f *safetensors.File, key string) picture.Image {
	t.Helper()
	x, err := f.Tensor(key)
	if err != nil {
		t.Fatal(err)
	}
	return picture.Image{H: x.Shape[1], W: x.Shape[2], Pix: x.Data}
}

// TestMatchesPyTorch reproduces every Gram, content target, loss term,
// total and input gradient of the PyTorch reference files.
func TestMatchesPyTorch(t *testing.T) {
	w := loadWeights(t)
	for _, file := range []string{"tutorial-64x96", "gatys-96x64"} {
		t.Run(file, func(t *testing.T) {
			ref := shared.Reference(t, file)
			meta := ref.Metadata
			cl, err := vgg.ParseLayers(meta["content_layers"])
			if err != nil {
				t.Fatal(err)
			}
			sl, err := vgg.ParseLayers(meta["style_layers"])
			if err != nil {
				t.Fatal(err)
			}
			cw, _ := strconv.ParseFloat(meta["content_weight"], 64)
			sw, _ := strconv.ParseFloat(meta["style_weight"], 64)
			var scalars map[string]float64
			if err := json.Unmarshal([]byte(meta["scalars"]), &scalars); err != nil {
				t.Fatal(err)
			}
			content, style, x := refImage(t, ref, "content_image"), refImage(t, ref, "style_image"), refImage(t, ref, "x")

			st, err := NewStyle(w, style, sl, vgg.Max, 2)
			if err != nil {
				t.Fatal(err)
			}
			gx, err := NewStyle(w, x, sl, vgg.Max, 2)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range sl {
				for _, c := range []struct {
					key string
					got []float32
				}{{"gram_style.", st.Grams[i]}, {"gram_x.", gx.Grams[i]}} {
					want, err := ref.Tensor(c.key + p.String())
					if err != nil {
						t.Fatal(err)
					}
					e := shared.RelErr(c.got, want.Data)
					t.Logf("%s%s: relative error %.2g", c.key, p, e)
					if e > 1e-4 {
						t.Errorf("%s%s: relative error %.2g", c.key, p, e)
					}
				}
			}
			spec := Options{ContentLayers: cl, StyleLayers: sl, Weights: Weights{Content: cw, Style: sw}, Normalization: Tutorial, Threads: 2}
			prob, err := NewProblem(w, content, st, spec)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range cl {
				want, err := ref.Tensor("content_target." + p.String())
				if err != nil {
					t.Fatal(err)
				}
				if e := shared.RelErr(prob.content[i], want.Data); e > 1e-4 {
					t.Errorf("content_target.%s: relative error %.2g", p, e)
				}
			}
			grad := make([]float32, len(x.Pix))
			l := prob.Eval(x, grad)
			check := func(name string, got float64) {
				want := scalars[name]
				e := math.Abs(got-want) / math.Abs(want)
				t.Logf("%s: relative error %.2g", name, e)
				if e > 1e-4 {
					t.Errorf("%s = %.7g, PyTorch %.7g (relative error %.2g)", name, got, want, e)
				}
			}
			for i, p := range cl {
				check("content_loss."+p.String(), l.ContentTerms[i])
			}
			for i, p := range sl {
				check("style_loss."+p.String(), l.StyleTerms[i])
			}
			check("total_loss", l.Total)
			want, err := ref.Tensor("grad_x")
			if err != nil {
				t.Fatal(err)
			}
			if c := shared.Cosine(grad, want.Data); c < 0.9999 {
				t.Errorf("gradient cosine similarity %.6f < 0.9999", c)
			}
			t.Logf("gradient: cosine %.7f, relative error %.2g", shared.Cosine(grad, want.Data), shared.RelErr(grad, want.Data))
			if e := shared.RelErr(grad, want.Data); e > 1e-3 {
				t.Errorf("gradient relative error %.2g", e)
			}
		})
	}
}

// TestLossGradientFiniteDifference checks the content, style, total
// variation and temporal gradients of both normalizations against central
// differences.
// Taps before the first ReLU keep the objective smooth, so the differences
// are exact up to rounding.
func TestLossGradientFiniteDifference(t *testing.T) {
	w := loadWeights(t)
	rng := rand.New(rand.NewPCG(1, 1))
	img := func() picture.Image {
		im := picture.New(12, 10)
		for i := range im.Pix {
			im.Pix[i] = rng.Float32()
		}
		return im
	}
	content, style, x := img(), img(), img()
	layers := []vgg.Point{{Conv: 0}}
	// Two temporal anchors whose masks mix 0, 1 and fractional weights.
	var anchors []Anchor
	for range 2 {
		a := Anchor{Image: img(), Mask: make([]float32, x.W*x.H)}
		for i := range a.Mask {
			a.Mask[i] = float32(rng.IntN(3)) / 2
		}
		anchors = append(anchors, a)
	}
	// Two styles in masked regions: grey masks at another size than x's.
	style2 := img()
	var masks []Mask
	for range 2 {
		m := Mask{W: 7, H: 5, Pix: make([]float32, 35)}
		for i := range m.Pix {
			m.Pix[i] = float32(rng.IntN(5)) / 4
		}
		masks = append(masks, m)
	}
	for _, tc := range []struct {
		norm   Normalization
		wt     Weights
		masked bool
	}{
		{Tutorial, Weights{Content: 1, Style: 0.01}, false},
		{Default, Weights{Content: 1, Style: 10}, false},
		{Default, Weights{TV: 5}, false},
		{Tutorial, Weights{Content: 1, Style: 1e-3, TV: 1e4}, false},
		{Default, Weights{Temporal: 3}, false},
		{Tutorial, Weights{Content: 1, Style: 0.01, TV: 100, Temporal: 1e3}, false},
		{Default, Weights{Content: 1, Style: 1}, true},
		{Tutorial, Weights{Style: 0.01}, true},
		{Default, Weights{Style: 10}, true},
	} {
		name := string(tc.norm)
		if tc.masked {
			name += "/masked"
		}
		t.Run(name, func(t *testing.T) {
			st, err := NewStyle(w, style, layers, vgg.Max, 1)
			if err != nil {
				t.Fatal(err)
			}
			if tc.masked {
				st2, err := NewStyle(w, style2, layers, vgg.Max, 1)
				if err != nil {
					t.Fatal(err)
				}
				if st, err = Blend([]*Style{st, st2}, []float64{2, 1}, masks); err != nil {
					t.Fatal(err)
				}
			}
			p, err := NewProblem(w, content, st, Options{ContentLayers: layers, StyleLayers: layers, Weights: tc.wt, Normalization: tc.norm, Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.SetAnchors(anchors); err != nil {
				t.Fatal(err)
			}
			grad := make([]float32, len(x.Pix))
			scratch := make([]float32, len(x.Pix))
			l0 := p.Eval(x, grad)
			if l0.Total <= 0 {
				t.Fatalf("loss %v", l0)
			}
			// With taps before the first ReLU the objective is a polynomial of
			// degree 4 in x, whose central difference is f' + ε²f'''/6 exactly:
			// Richardson extrapolation of two steps cancels the ε² term.
			xs := x.Clone()
			v := make([]float32, len(x.Pix))
			diff := func(eps float32) float64 {
				for j := range x.Pix {
					xs.Pix[j] = x.Pix[j] + eps*v[j]
				}
				fp := p.Eval(xs, scratch).Total
				for j := range x.Pix {
					xs.Pix[j] = x.Pix[j] - eps*v[j]
				}
				return (fp - p.Eval(xs, scratch).Total) / (2 * float64(eps))
			}
			worst := 0.0
			for trial := 0; trial < 6; trial++ {
				var dot float64
				for j := range v {
					v[j] = float32(rng.NormFloat64())
					dot += float64(v[j]) * float64(grad[j])
				}
				fd := (4*diff(5e-3) - diff(1e-2)) / 3
				e := math.Abs(fd-dot) / math.Abs(dot)
				worst = max(worst, e)
				if e > 5e-3 { // float32 rounding: at most 4.5e-4 seen (OpenBLAS native, Haswell, Sandybridge; gonum)
					t.Errorf("%+v: directional derivative %.6g, finite difference %.6g (relative error %.2g)", tc.wt, dot, fd, e)
				}
			}
			t.Logf("%+v: largest relative error of 6 finite differences %.2g", tc.wt, worst)
		})
	}
}

// TestTemporalTerm checks the temporal term against its definition,
// (1/D) Σ mask·(x − anchor)² summed over anchors, and that it enters the
// total with its weight.
func TestTemporalTerm(t *testing.T) {
	w := loadWeights(t)
	x, a, b := picture.New(4, 3), picture.New(4, 3), picture.New(4, 3)
	n := 12
	for i := range x.Pix {
		x.Pix[i] = float32(i%7) / 7
		a.Pix[i] = float32(i%5) / 5
		b.Pix[i] = 0.5
	}
	ma, mb := make([]float32, n), make([]float32, n)
	ma[0], ma[5], mb[11] = 1, 0.5, 1
	var want float64
	for c := 0; c < 3; c++ {
		for i := 0; i < n; i++ {
			da, db := float64(x.Pix[c*n+i]-a.Pix[c*n+i]), float64(x.Pix[c*n+i]-b.Pix[c*n+i])
			want += float64(ma[i])*da*da + float64(mb[i])*db*db
		}
	}
	want /= float64(3 * n)
	p, err := NewProblem(w, x, nil, Options{ContentLayers: []vgg.Point{{}}, Weights: Weights{Content: 1, Temporal: 7}, Normalization: Default, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	grad := make([]float32, len(x.Pix))
	if l := p.Eval(x, grad); l.TemporalTerm != 0 || l.Temporal != 0 {
		t.Fatalf("no anchors: temporal term %g, weighted %g", l.TemporalTerm, l.Temporal)
	}
	if err := p.SetAnchors([]Anchor{{a, ma}, {b, mb}}); err != nil {
		t.Fatal(err)
	}
	l := p.Eval(x, grad)
	if math.Abs(l.TemporalTerm-want) > 1e-6*want {
		t.Errorf("temporal term %.9g, want %.9g", l.TemporalTerm, want)
	}
	if math.Abs(l.Temporal-7*want) > 1e-6*want || math.Abs(l.Total-l.Content-l.Temporal) > 1e-9 {
		t.Errorf("weighted temporal %g (want %g), total %g, content %g", l.Temporal, 7*want, l.Total, l.Content)
	}
	for _, bad := range [][]Anchor{
		{{Image: picture.New(3, 3), Mask: ma}},
		{{Image: a, Mask: ma[:5]}},
	} {
		if err := p.SetAnchors(bad); err == nil {
			t.Errorf("SetAnchors accepted a %dx%d anchor with %d mask values", bad[0].Image.W, bad[0].Image.H, len(bad[0].Mask))
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	good := DefaultOptions()
	for _, tc := range []struct {
		name  string
		edit  func(*Options)
		field string // "" for valid options
	}{
		{"defaults", func(*Options) {}, ""},
		{"style only", func(o *Options) { o.ContentLayers = nil }, ""},
		{"adam", func(o *Options) { o.Optimizer, o.LR = Adam, 0.1 }, ""},
		{"no layers", func(o *Options) { o.ContentLayers, o.StyleLayers = nil, nil }, "ContentLayers/StyleLayers"},
		{"negative style weight", func(o *Options) { o.Weights.Style = -1 }, "Weights.Style"},
		{"NaN content weight", func(o *Options) { o.Weights.Content = math.NaN() }, "Weights.Content"},
		{"infinite tv weight", func(o *Options) { o.Weights.TV = math.Inf(1) }, "Weights.TV"},
		{"negative temporal weight", func(o *Options) { o.Weights.Temporal = -2 }, "Weights.Temporal"},
		{"normalization", func(o *Options) { o.Normalization = "bogus" }, "Normalization"},
		{"optimizer", func(o *Options) { o.Optimizer = "sgd" }, "Optimizer"},
		{"learning rate", func(o *Options) { o.LR = -0.1 }, "LR"},
		{"steps", func(o *Options) { o.Steps = 0 }, "Steps"},
		{"init", func(o *Options) { o.Init = "" }, "Init"},
		{"threads", func(o *Options) { o.Threads = 0 }, "Threads"},
		{"average pooling", func(o *Options) { o.Pooling = vgg.Average }, ""},
		{"pooling", func(o *Options) { o.Pooling = 7 }, "Pooling"},
		{"layer weights", func(o *Options) { o.StyleLayerWeights = []float64{1, 0, 2, 0.5, 1} }, ""},
		{"too few layer weights", func(o *Options) { o.StyleLayerWeights = []float64{1, 2} }, "StyleLayers"},
		{"negative layer weight", func(o *Options) { o.StyleLayerWeights = []float64{1, -1, 1, 1, 1} }, "StyleLayers"},
		{"NaN layer weight", func(o *Options) { o.StyleLayerWeights = []float64{1, math.NaN(), 1, 1, 1} }, "StyleLayers"},
		{"all layer weights 0", func(o *Options) { o.StyleLayerWeights = make([]float64, 5) }, "StyleLayers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			err := o.Validate()
			var fe *field.Error
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("valid options: %v", err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Name != tc.field):
				t.Errorf("error %v, want one naming field %s", err, tc.field)
			}
		})
	}
}

// TestProblemChecksObjective: NewProblem refuses an invalid objective but
// not options it does not use.
func TestProblemChecksObjective(t *testing.T) {
	w := loadWeights(t)
	im := picture.New(8, 8)
	o := Options{ContentLayers: Layers{{}}, Weights: Weights{Content: 1}, Normalization: Default, Threads: 1}
	if _, err := NewProblem(w, im, nil, o); err != nil {
		t.Errorf("steps, optimizer and init unset: %v", err)
	}
	o.Normalization = "bogus"
	if _, err := NewProblem(w, im, nil, o); err == nil || !strings.Contains(err.Error(), "Normalization") {
		t.Errorf("bad normalization: %v", err)
	}
}

func TestLayersText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		fail     bool
	}{
		{"relu1_1,conv2_2", "relu1_1,conv2_2", false},
		{"conv_4", "conv2_2", false},
		{"none", "none", false},
		{"", "none", false},
		{"relu9_9", "", true},
	} {
		var l Layers
		err := l.UnmarshalText([]byte(tc.in))
		if (err != nil) != tc.fail {
			t.Errorf("%q: error %v", tc.in, err)
			continue
		}
		if !tc.fail && l.String() != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, l, tc.want)
		}
	}
	c, st := TutorialLayers.Layers()
	if c.String() != "conv2_2" || st.String() != "conv1_1,conv1_2,conv2_1,conv2_2,conv3_1" {
		t.Errorf("tutorial preset: %s / %s", c, st)
	}
	var p Preset
	if err := p.UnmarshalText([]byte("monet")); err == nil {
		t.Error("unknown preset accepted")
	}
}

func TestWeightedLayersText(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: WeightedNames, comma-separated
		weights  bool   // whether weights are returned
		fail     bool
	}{
		{"relu1_1,relu2_1", "relu1_1,relu2_1", false, false},
		{"relu1_1:1, relu2_1:1", "relu1_1,relu2_1", false, false},
		{"relu1_1:0.5,relu2_1", "relu1_1:0.5,relu2_1", true, false},
		{"conv_1:2e-1,relu5_1:0", "conv1_1:0.2,relu5_1:0", true, false},
		{"none", "", false, false},
		{"relu1_1:x", "", false, true},
		{"relu1_1:-1", "", false, true},
		{"relu1_1:inf", "", false, true},
		{"relu9_1:2", "", false, true},
	} {
		l, w, err := ParseWeightedLayers(tc.in)
		if (err != nil) != tc.fail {
			t.Errorf("%q: error %v", tc.in, err)
			continue
		}
		if tc.fail {
			continue
		}
		if got := strings.Join(WeightedNames(l, w), ","); got != tc.want || (w != nil) != tc.weights {
			t.Errorf("%q: %s (weights %v), want %s", tc.in, got, w, tc.want)
		}
	}
}

// TestLayerWeights: a style layer of weight 0 counts for nothing, equal
// weights are no weights under the default normalization, and under the
// tutorial's a layer's weight multiplies its term.
func TestLayerWeights(t *testing.T) {
	o, w, _ := smallProblem(t)
	content, style, x := picture.Noise(24, 16, 1), picture.Noise(24, 16, 2), picture.Noise(24, 16, 3)
	eval := func(o Options) (Loss, []float32) {
		t.Helper()
		st, err := NewStyle(w, style, o.StyleLayers, o.Pooling, 1)
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewProblem(w, content, st, o)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float32, len(x.Pix))
		return p.Eval(x, g), g
	}
	near := func(name string, a, b float64) {
		t.Helper()
		if math.Abs(a-b) > 1e-9*math.Abs(b) {
			t.Errorf("%s: %.12g, want %.12g", name, a, b)
		}
	}
	first := o
	first.StyleLayers = o.StyleLayers[:1]
	l1, g1 := eval(first)
	o.StyleLayerWeights = []float64{1, 0}
	lw, gw := eval(o)
	near("style loss, weights 1,0", lw.Style, l1.Style)
	var worst float64
	for i := range g1 {
		worst = max(worst, math.Abs(float64(gw[i]-g1[i])))
	}
	if worst > 1e-6*maxAbs(g1) {
		t.Errorf("gradient, weights 1,0: differs from the first layer's alone by %g", worst)
	}
	o.StyleLayerWeights = nil
	l0, _ := eval(o)
	o.StyleLayerWeights = []float64{3, 3}
	l3, _ := eval(o)
	near("style loss, weights 3,3", l3.Style, l0.Style)
	o.Normalization, o.StyleLayerWeights = Tutorial, nil
	lt, _ := eval(o)
	o.StyleLayerWeights = []float64{3, 0.5}
	lt2, _ := eval(o)
	near("tutorial, weights 3,0.5", lt2.Style, o.Weights.Style*(3*lt.StyleTerms[0]+0.5*lt.StyleTerms[1]))
}

func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

// TestAveragePooling paints a photo in a painting's style (64 px, 40
// steps of L-BFGS) with max and with average pooling: both lower the loss
// by far, and the paintings differ visibly.
func TestAveragePooling(t *testing.T) {
	w := loadWeights(t)
	content, err := picture.Load(shared.Path(t, "data/content/tubingen_neckarfront.jpg"), 64)
	if err != nil {
		t.Fatal(err)
	}
	style, err := picture.Load(shared.Path(t, "data/styles/starry_night_vangogh.jpg"), 64)
	if err != nil {
		t.Fatal(err)
	}
	paint := func(pool vgg.Pooling) picture.Image {
		o := DefaultOptions()
		o.Pooling, o.Threads = pool, 2
		l, err := Transfer(w, content, style, o)
		if err != nil {
			t.Fatal(err)
		}
		opt, _ := NewOptimizer(LBFGS, 0)
		x := content.Clone()
		var first float64
		last, err := l.Run(context.Background(), x, 40, opt, func(s Step) {
			if first == 0 {
				first = s.Loss.Total
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s pooling: loss %.4g → %.4g", pool, first, last.Total)
		if !(last.Total < first/3) {
			t.Errorf("%s pooling: loss %.4g → %.4g, want a third or less", pool, first, last.Total)
		}
		return x
	}
	a, b := paint(vgg.Max), paint(vgg.Average)
	var diff float64
	for i := range a.Pix {
		diff += math.Abs(float64(a.Pix[i] - b.Pix[i]))
	}
	diff /= float64(len(a.Pix))
	t.Logf("mean difference between the paintings: %.4f (%.1f levels of 255)", diff, 255*diff)
	if diff < 0.02 {
		t.Errorf("max and average pooling paint nearly the same image: mean difference %.4f", diff)
	}
}
