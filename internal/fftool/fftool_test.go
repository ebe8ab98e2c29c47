package fftool

import (
	"errors"
	"os/exec"
	"testing"
)

func TestCheck(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		if err := Check(); err != nil {
			t.Errorf("Check with ffmpeg installed: %v", err)
		}
	}
	t.Setenv("PATH", t.TempDir())
	err := Check()
	want := "ffmpeg not found on PATH: install it (Debian/Ubuntu: sudo apt-get install ffmpeg)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrMissing) {
		t.Errorf("Check without ffmpeg = %v, want %q", err, want)
	}
}

func TestRate(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{20, "20"}, {30000.0 / 1001, "30000/1001"}, {24000.0 / 1001, "24000/1001"}, {12.5, "12.5"}, {29.98, "29.98"}} {
		if got := Rate(c.in); got != c.want {
			t.Errorf("Rate(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
