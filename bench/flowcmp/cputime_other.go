//go:build !linux

package main

import "time"

// cpuClock falls back to wall-clock time where the thread CPU clock is not
// wired up.
func cpuClock() (now func() time.Duration, done func()) {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }, func() {}
}
