package stylize

import (
	"fmt"

	"github.com/shirou/gopsutil/v4/mem"

	"github.com/gogh-video/gogh/internal/field"
	"github.com/gogh-video/gogh/stylize/vgg"
)

// Memory estimates the bytes of memory painting a w×h image with o takes:
// the network's weights and the program (288 MiB), and per pixel about 9
// bytes for each float the network's activations hold up to o's deepest
// layer (activations, their gradients and the convolutions' workspace),
// a third more with coarse sizes (Scales). Measured peaks (gogh image,
// Gatys layers, /usr/bin/time): 256×192 406 MiB, 512×384 788 MiB,
// 1024×768 2.21 GiB; the estimate gives 410 MiB, 777 MiB, 2.19 GiB.
func (o Options) Memory(w, h int) int64 {
	perPixel := 0.0 // activation floats per input pixel
	scale := 1.0
	for i := range o.Depth() {
		perPixel += float64(vgg.Channels[i]) * scale
		if vgg.PoolAfter(i) {
			scale /= 4
		}
	}
	pixels := float64(w) * float64(h)
	if o.Scales > 1 {
		pixels *= 4.0 / 3
	}
	return 288<<20 + int64(9*perPixel*pixels)
}

// CheckSize fails with a *field.Error naming Size when a w×h image does
// not reach o's deepest layer (Fits) or when n paintings of w×h at once
// (workers) need more memory (see Memory) than the machine has available
// now. Where the available memory cannot be read, only Fits is checked.
func (o Options) CheckSize(w, h, n int) error {
	if err := o.Fits(w, h); err != nil {
		return err
	}
	need := int64(n) * o.Memory(w, h)
	vm, err := mem.VirtualMemory()
	if err != nil || vm.Available == 0 || need <= int64(vm.Available) {
		return nil
	}
	times := ""
	if n > 1 {
		times = fmt.Sprintf(" %d times at once", n)
	}
	return field.Errorf("Size", "painting %dx%d pixels%s needs about %s of memory, this machine has %s available: choose a smaller size",
		w, h, times, bytes(need), bytes(int64(vm.Available)))
}

// bytes formats n in MB, GB or TB.
func bytes(n int64) string {
	f, unit := float64(n)/1e6, "MB"
	if f >= 1000 {
		f, unit = f/1000, "GB"
	}
	if f >= 1000 {
		f, unit = f/1000, "TB"
	}
	return fmt.Sprintf("%.3g %s", f, unit)
}
