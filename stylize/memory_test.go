package stylize

import (
	"math"
	"strings"
	"testing"
)

// TestMemory holds the estimate to peaks measured with /usr/bin/time -v
// (gogh image, Gatys layers, 3 steps; doc of Memory) within 10%, and
// checks that an absurd size is refused, naming Size.
func TestMemory(t *testing.T) {
	o := DefaultOptions()
	for _, c := range []struct {
		w, h int
		kib  float64 // measured maximum resident set
	}{{256, 192, 415884}, {512, 384, 807044}, {1024, 768, 2322120}} {
		got := float64(o.Memory(c.w, c.h)) / 1024
		t.Logf("%dx%d: estimate %.0f KiB, measured %.0f KiB", c.w, c.h, got, c.kib)
		if math.Abs(got/c.kib-1) > 0.10 {
			t.Errorf("%dx%d: estimate %.0f KiB, measured %.0f KiB", c.w, c.h, got, c.kib)
		}
	}
	tutorial := o
	tutorial.ContentLayers, tutorial.StyleLayers = TutorialLayers.Layers()
	if a, b := tutorial.Memory(512, 512), o.Memory(512, 512); a >= b {
		t.Errorf("shallower layers need %d bytes, not less than %d", a, b)
	}
	err := o.CheckSize(100000, 75000, 1)
	if err == nil || !strings.HasPrefix(err.Error(), "Size: painting 100000x75000 pixels needs about") {
		t.Errorf("100000x75000: %v", err)
	}
	t.Log(err)
	if err := o.CheckSize(64, 64, 1); err != nil {
		t.Error(err)
	}
}
