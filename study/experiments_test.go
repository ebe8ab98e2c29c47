package study

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gogh-video/gogh/internal/shared"
	"github.com/gogh-video/gogh/picture"
	"github.com/gogh-video/gogh/stylize"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// experimentSettings are the settings of the experiments' tests: the
// shared weights up to depth convolutions, 60 L-BFGS steps, two threads.
func experimentSettings(t *testing.T, depth int) Settings {
	t.Helper()
	w, err := vgg.Load(shared.Weights(t), depth)
	if err != nil {
		t.Fatal(err)
	}
	return Settings{Net: w, Options: stylize.Options{Normalization: stylize.Default, Weights: stylize.Weights{Content: 1, Style: 10},
		Optimizer: stylize.LBFGS, Steps: 60, Seed: 1, Threads: 2}}
}

func loadShared(t *testing.T, rel string, size int) picture.Image {
	t.Helper()
	im, err := picture.Load(shared.Path(t, rel), size)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestReconstructDepth reproduces the study's content reconstructions:
// from noise, a shallow layer gives the photo back far better than a deep
// one, which keeps the layout and loses detail and colour.
//
// Measured on the cat at 48×32 with 60 L-BFGS steps, default
// normalization (PSNR against the photo, seeds 1 and 2): conv1_2 16.6 and
// 16.4 dB, conv2_2 14.4/14.1, conv3_2 13.2/13.0, conv4_2 12.0/11.9,
// conv5_2 11.1/11.2; the starting noise 9.5 dB. (With 250 steps conv1_2
// reaches 19.9 dB, conv4_2 12.5.) The test asks for conv1_2 ≥ 15 dB, at
// least 3 dB above conv4_2, and conv4_2 at least 1 dB above the noise.
func TestReconstructDepth(t *testing.T) {
	s := experimentSettings(t, 10) // to conv4_2
	cat := loadShared(t, "data/content/chelsea_cat.png", 48)
	layers, err := vgg.ParseLayers("conv1_2,conv4_2")
	if err != nil {
		t.Fatal(err)
	}
	var steps int
	s.OnStep = func(string, stylize.Step) { steps++ }
	runs, err := s.Reconstruct(context.Background(), cat, layers, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	if steps != 120 {
		t.Errorf("OnStep called %d times, want 60 per run", steps)
	}
	for i, want := range []string{"conv1_2 (seed 1)", "conv4_2 (seed 1)"} {
		r := runs[i]
		if r.Label != want {
			t.Errorf("run %d is %q, want %q", i, r.Label, want)
		}
		if r.Image.W != cat.W || r.Image.H != cat.H {
			t.Errorf("%s: image %dx%d, want %dx%d", r.Label, r.Image.W, r.Image.H, cat.W, cat.H)
		}
		if len(r.Options.ContentLayers) != 1 || r.Options.ContentLayers[0] != layers[i] || len(r.Options.StyleLayers) != 0 {
			t.Errorf("%s: content layers %v, style layers %v; want [%s] and none", r.Label, r.Options.ContentLayers, r.Options.StyleLayers, layers[i])
		}
		if r.Loss.Style != 0 || !(r.Loss.Content > 0) || r.Loss.Total != r.Loss.Content {
			t.Errorf("%s: loss %+v, want content loss only", r.Label, r.Loss)
		}
		if first := r.Steps[0].Loss.Total; !(r.Loss.Total < first/10) {
			t.Errorf("%s: loss went from %g to only %g", r.Label, first, r.Loss.Total)
		}
	}
	shallow, deep := PSNR(runs[0].Image, cat), PSNR(runs[1].Image, cat)
	noise := PSNR(picture.Noise(cat.W, cat.H, s.Seed), cat)
	t.Logf("PSNR against the photo: conv1_2 %.2f dB, conv4_2 %.2f dB, the starting noise %.2f dB", shallow, deep, noise)
	if !(shallow >= 15) {
		t.Errorf("conv1_2 reconstruction PSNR %.2f dB, want ≥ 15", shallow)
	}
	if !(shallow > deep+3) {
		t.Errorf("conv1_2 reconstruction PSNR %.2f dB, conv4_2 %.2f: want the shallow layer at least 3 dB better", shallow, deep)
	}
	if !(deep > noise+1) {
		t.Errorf("conv4_2 reconstruction PSNR %.2f dB, the noise it started from %.2f: want at least 1 dB better", deep, noise)
	}
}

// TestTextureSeeds reproduces the study's texture synthesis: two noises
// give two different images with the same style statistics, those of the
// style image, far from another painting's and from noise's.
//
// Measured on Starry Night at 48×30, conv1_1+conv2_1+conv3_1, 60 L-BFGS
// steps, seeds 1 and 2: PSNR between the two textures 9.3 dB (two uniform
// noises: about 7.8 dB; identical images: +Inf). Gram distance between
// them 0.0052, of a texture to Starry Night 0.0042, to The Scream 1.42,
// to noise 0.75. The test asks for a PSNR below 14 dB between the
// textures, a distance between them below 0.05 and below a tenth of their
// distances to The Scream and to noise.
func TestTextureSeeds(t *testing.T) {
	s := experimentSettings(t, 5) // to conv3_1
	starry := loadShared(t, "data/styles/starry_night_vangogh.jpg", 48)
	scream := loadShared(t, "data/styles/the_scream_munch.jpg", 48)
	set, err := vgg.ParseLayers("conv1_1,conv2_1,conv3_1")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Texture(context.Background(), starry, [][]vgg.Point{set}, 2, starry.W, starry.H)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	for i, want := range []string{"conv1_1+conv2_1+conv3_1 (seed 1)", "conv1_1+conv2_1+conv3_1 (seed 2)"} {
		r := runs[i]
		if r.Label != want {
			t.Errorf("run %d is %q, want %q", i, r.Label, want)
		}
		if r.Image.W != starry.W || r.Image.H != starry.H {
			t.Errorf("%s: image %dx%d, want %dx%d", r.Label, r.Image.W, r.Image.H, starry.W, starry.H)
		}
		if r.Loss.Content != 0 || !(r.Loss.Style > 0) || len(r.Options.ContentLayers) != 0 || len(r.Options.StyleLayers) != 3 {
			t.Errorf("%s: loss %+v, layers %v / %v; want style loss only", r.Label, r.Loss, r.Options.ContentLayers, r.Options.StyleLayers)
		}
	}
	t1, t2 := runs[0].Image, runs[1].Image
	dist := func(a, b picture.Image) float64 {
		t.Helper()
		d, err := GramDistance(s.Net, a, b, set, s.Threads)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	psnr := PSNR(t1, t2)
	between := dist(t1, t2)
	noise := picture.Noise(starry.W, starry.H, 99)
	t.Logf("PSNR between the seeds' textures %.2f dB; Gram distance between them %.4g", psnr, between)
	if !(psnr < 14) {
		t.Errorf("PSNR between the textures of seeds 1 and 2 is %.2f dB, want < 14: different noises must give different images", psnr)
	}
	if !(between < 0.05) {
		t.Errorf("Gram distance between the two textures %.4g, want < 0.05", between)
	}
	for k, x := range []picture.Image{t1, t2} {
		t.Logf("texture %d: Gram distance to Starry Night %.4g, to The Scream %.4g, to noise %.4g", k+1, dist(x, starry), dist(x, scream), dist(x, noise))
		if d := dist(x, starry); !(d < 0.05) {
			t.Errorf("Gram distance of a texture to Starry Night %.4g, want < 0.05", d)
		}
		for _, other := range []struct {
			name string
			im   picture.Image
		}{{"The Scream", scream}, {"noise", noise}} {
			if d := dist(x, other.im); !(between < d/10) {
				t.Errorf("Gram distance between the textures %.4g, of one to %s %.4g: want it under a tenth of that", between, other.name, d)
			}
		}
	}
}

// TestEach checks the order of the runs and their callbacks, that an
// error from the callback stops the series, and that cancelling does.
func TestEach(t *testing.T) {
	s := experimentSettings(t, 3)
	s.Steps = 2
	im := picture.Noise(20, 16, 5)
	sets := [][]vgg.Point{{{Conv: 0}}, {{Conv: 0}, {Conv: 2, ReLU: true}}}
	var got []string
	runs, err := s.TextureEach(context.Background(), im, sets, 2, 18, 14, func(i, k int, r Run) error {
		got = append(got, fmt.Sprintf("%d.%d %s", i, k, r.Label))
		if r.Image.W != 18 || r.Image.H != 14 {
			t.Errorf("%s: texture %dx%d, want 18x14", r.Label, r.Image.W, r.Image.H)
		}
		return nil
	})
	want := []string{"0.0 conv1_1 (seed 1)", "0.1 conv1_1 (seed 2)", "1.0 conv1_1+relu2_1 (seed 1)", "1.1 conv1_1+relu2_1 (seed 2)"}
	if err != nil || len(runs) != 4 || !slices.Equal(got, want) {
		t.Errorf("texture runs: %d, %v; callbacks %q, want %q", len(runs), err, got, want)
	}

	stop := errors.New("stop")
	s.Seed = 7
	got = nil
	runs, err = s.ReconstructEach(context.Background(), im, []vgg.Point{{Conv: 1}, {Conv: 2}}, 2, func(i, k int, r Run) error {
		got = append(got, fmt.Sprintf("%d.%d %s", i, k, r.Label))
		if len(got) == 3 {
			return stop
		}
		return nil
	})
	want = []string{"0.0 conv1_2 (seed 7)", "0.1 conv1_2 (seed 8)", "1.0 conv2_1 (seed 7)"}
	if !errors.Is(err, stop) || len(runs) != 3 || !slices.Equal(got, want) {
		t.Errorf("reconstruct runs: %d, %v; callbacks %q, want %q and the callback's error", len(runs), err, got, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if runs, err := s.Reconstruct(ctx, im, []vgg.Point{{Conv: 0}}, 1); !errors.Is(err, context.Canceled) || len(runs) != 0 {
		t.Errorf("cancelled: %d runs, %v; want none and context.Canceled", len(runs), err)
	}
	if _, err := s.Texture(context.Background(), im, [][]vgg.Point{{}}, 1, 8, 8); err == nil {
		t.Error("an empty layer set: no error")
	}
	if _, err := s.Reconstruct(context.Background(), im, []vgg.Point{{Conv: 0}}, 0); err == nil {
		t.Error("no seeds: no error")
	}
}
