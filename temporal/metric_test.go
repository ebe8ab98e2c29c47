package temporal

import (
	"math"
	"testing"
)

func TestEndPointError(t *testing.T) {
	gt := NewFlow(10, 10)
	for i := range gt.U {
		gt.U[i] = 1 // everything moves one pixel right
	}
	f := NewFlow(10, 10)
	for i := range f.U {
		f.U[i], f.V[i] = 4, 4 // off by (3, 4): 5 px
	}
	f.U[9] = 100 // (9, 0): its target leaves the image, so it is not counted
	for _, tc := range []struct {
		margin float64
		want   float64
	}{
		{0, 5},
		{2, 5},
		{5, math.NaN()}, // no target 5 px inside a 10 px image
	} {
		got := EndPointError(f, gt, tc.margin)
		if math.IsNaN(tc.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("margin %v: EPE %v, want %v", tc.margin, got, tc.want)
		}
	}
}

// TestConsistency scores a pan: a stylized version that moves with the
// scene is consistent, one that stays put is not, and the first frame has
// no score.
func TestConsistency(t *testing.T) {
	c0, c1, s0 := catFrames(t)
	moving, still := shifted(s0, s0, 3), s0
	c := NewConsistency(c0.W, c0.H, DefaultFlowOptions())
	c.Next(c0)
	if e := c.Error(s0, s0); !math.IsNaN(e) || c.Reliable() != 0 {
		t.Errorf("first frame: error %v, reliable %v; want NaN and 0", e, c.Reliable())
	}
	c.Next(c1)
	good, bad := c.Error(s0, moving), c.Error(s0, still)
	t.Logf("warping error: moving with the scene %.6f, standing still %.6f; %.1f%% reliable", good, bad, 100*c.Reliable())
	// Measured: 0.000001 and 0.0115.
	if !(good < 1e-4) || !(bad > 100*good) || !(c.Reliable() > 0.8) {
		t.Errorf("warping error moving %.6f, still %.6f (reliable %.2f)", good, bad, c.Reliable())
	}
	if e := WarpingError(s0, moving, c.bwd, c.mask); e != good {
		t.Errorf("WarpingError %v, Consistency.Error %v", e, good)
	}
}
