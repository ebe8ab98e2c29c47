package pipeline

import "testing"

func TestAutoWorkers(t *testing.T) {
	for _, tc := range []struct{ frames, threads, want int }{
		{0, 2, 1},
		{60, 2, 1},
		{2*MinChainFrames - 1, 2, 1},
		{2 * MinChainFrames, 2, 2},
		{280, 2, 2},
		{100000, 2, 2},
		{280, 1, 1},
		{3*MinChainFrames + 50, 8, 3},
		{100000, 8, 8},
	} {
		if got := AutoWorkers(tc.frames, tc.threads); got != tc.want {
			t.Errorf("AutoWorkers(%d, %d) = %d, want %d", tc.frames, tc.threads, got, tc.want)
		}
	}
}

// TestChooseWorkers: automatic workers follow the frames and threads, but
// a work dir holding the same job continues with the workers it began
// with.
func TestChooseWorkers(t *testing.T) {
	base := func(dir string) Config {
		c := Defaults()
		c.Workdir, c.Threads = dir, 2
		c.Width, c.Height, c.Frames = 32, 18, 2*MinChainFrames
		c.Job = Job{Input: "synthetic", Style: "starry", FPS: 10}
		return c
	}
	started := func(t *testing.T, workers int, change func(*Config)) string {
		dir := t.TempDir()
		c := base(dir)
		c.Workers = workers
		if change != nil {
			change(&c)
		}
		if err := prepare(dir, c.job(), false); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct {
		name   string
		dir    func(t *testing.T) string
		change func(*Config)
		want   int
	}{
		{"new work dir", func(t *testing.T) string { return t.TempDir() }, nil, 2},
		{"few frames", func(t *testing.T) string { return t.TempDir() }, func(c *Config) { c.Frames = 60 }, 1},
		{"set by the user", func(t *testing.T) string { return t.TempDir() }, func(c *Config) { c.Workers = 1 }, 1},
		{"shard", func(t *testing.T) string { return t.TempDir() }, func(c *Config) { c.Shard = Shard{K: 1, N: 4} }, 1},
		{"begun with one worker", func(t *testing.T) string { return started(t, 1, nil) }, nil, 1},
		{"begun with two, resumed with few frames", func(t *testing.T) string { return started(t, 2, nil) },
			func(c *Config) { c.Frames = 60 }, 1}, // another job (frames): not continued
		{"begun with one worker, discarded", func(t *testing.T) string { return started(t, 1, nil) },
			func(c *Config) { c.Discard = true }, 2},
		{"another job begun with one worker", func(t *testing.T) string {
			return started(t, 1, func(c *Config) { c.Weights.Style = 100 })
		}, nil, 2},
		{"begun with more workers than threads", func(t *testing.T) string {
			return started(t, 2, func(c *Config) { c.Threads = 4 })
		}, func(c *Config) { c.Threads = 1 }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base(tc.dir(t))
			if tc.change != nil {
				tc.change(&c)
			}
			if got := ChooseWorkers(c); got != tc.want {
				t.Errorf("ChooseWorkers = %d, want %d", got, tc.want)
			}
		})
	}
}
