package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/field"
)

// ErrOtherSettings is wrapped by the error of a run whose work dir holds
// frames painted with other settings (or with no record of them): they
// are never deleted but on request (Config.Discard).
var ErrOtherSettings = errors.New("frames painted with other settings")

// lockName is the work dir's lock file: a process painting or encoding
// the work dir holds an flock(2) on it, which ends with the process (even
// on kill -9), and writes its pid and host into it for others to read.
const lockName = "lock"

// lock takes the lock of work dir dir, or fails with a *field.Error naming
// Workdir and the process that holds it. The returned function releases
// it. With wait set, it waits for the lock while ctx allows.
func lock(ctx context.Context, dir string, wait bool) (func(), error) {
	path := filepath.Join(dir, lockName)
	fl := flock.New(path)
	var ok bool
	var err error
	if wait {
		ok, err = fl.TryLockContext(ctx, 50*time.Millisecond)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
	} else {
		ok, err = fl.TryLock()
	}
	if err != nil {
		return nil, fmt.Errorf("work dir %s: %w", dir, err)
	}
	if !ok {
		holder, _ := os.ReadFile(path)
		who := strings.TrimSpace(string(holder))
		if who == "" {
			who = "a process that has not written its pid yet"
		}
		return nil, field.Errorf("Workdir", "%s is in use by another gogh (%s): wait for it to end, or use another work dir", dir, who)
	}
	host, _ := os.Hostname()
	if err := os.WriteFile(path, fmt.Appendf(nil, "pid %d on %s\n", os.Getpid(), host), 0o644); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("work dir %s: %w", dir, err)
	}
	return func() { _ = fl.Unlock() }, nil
}

// prepare readies the locked work dir for job: a dir with no frames is
// (re)claimed for it; frames of the same job are kept and continued;
// frames of another job (or with no job.json) are deleted only if
// discard is set, otherwise the error wraps ErrOtherSettings and, where
// one setting differs, a *field.Error naming it. Then it records job.
func prepare(dir string, job Job, discard bool) error {
	frames, warm, err := savedFiles(dir)
	if err != nil {
		return err
	}
	if err = recorded(dir, job); err != nil && !errors.Is(err, ErrOtherSettings) {
		return err
	}
	switch {
	case discard:
	case err == nil:
		return nil // the same job: continue it
	case frames+warm > 0:
		return fmt.Errorf("work dir %s holds %d %w", dir, frames, err)
	}
	if err := removeFrames(dir); err != nil {
		return err
	}
	data, err := json.MarshalIndent(job, "", "  ")
	if err != nil {
		return fmt.Errorf("job.json: %w", err)
	}
	return atomicfile.WriteBytes(filepath.Join(dir, jobFile), append(data, '\n'))
}

// recorded returns nil if dir's job.json records job; an error wrapping
// ErrOtherSettings if it is missing, damaged or records another job
// (naming the first setting that differs in a *field.Error); or the error
// reading it.
func recorded(dir string, job Job) error {
	data, err := os.ReadFile(filepath.Join(dir, jobFile))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (no %s records them)", ErrOtherSettings, jobFile)
	}
	if err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	var prev Job
	if err := json.Unmarshal(data, &prev); err != nil {
		return fmt.Errorf("%w (%s is damaged: %v)", ErrOtherSettings, jobFile, err)
	}
	if d := prev.diff(job); d != nil {
		return fmt.Errorf("%w (%w)", ErrOtherSettings, d)
	}
	return nil
}

// Saved returns how many frames of c's job its work dir holds already: 0
// for a new or empty work dir, or one holding another job.
func Saved(c Config) int {
	if recorded(c.Workdir, c.job()) != nil {
		return 0
	}
	n := 0
	for i := range c.Frames {
		if exists(FramePath(c.Workdir, i)) {
			n++
		}
	}
	return n
}

// savedFiles counts the frame and warm-up PNGs in dir.
func savedFiles(dir string) (frames, warm int, err error) {
	f, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil {
		return 0, 0, err
	}
	w, err := filepath.Glob(filepath.Join(dir, "warm-*.png"))
	return len(f), len(w), err
}

// removeFrames deletes the frame checkpoints and warm-up frames (and only
// those) in dir.
func removeFrames(dir string) error {
	if err := removeWarm(dir, func(int) bool { return false }); err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(dir, "frame-*.png"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.Remove(n); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	return nil
}

// removeWarm deletes the warm-up frames in dir except those of the frames
// for which keep is true.
func removeWarm(dir string, keep func(i int) bool) error {
	names, err := filepath.Glob(filepath.Join(dir, "warm-*.png"))
	if err != nil {
		return err
	}
	for _, n := range names {
		var i int
		if _, err := fmt.Sscanf(filepath.Base(n), "warm-%d.png", &i); err == nil && keep(i) {
			continue
		}
		if err := os.Remove(n); err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
	}
	return nil
}

// check reports whether path holds a whole w×h PNG: a frame saved by an
// earlier run is read back in full before it is trusted.
func check(path string, w, h int) (bool, error) {
	_, err := decodePNG(path, w, h)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("damaged: %w", err)
	}
	return true, nil
}
