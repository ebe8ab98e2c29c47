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

// The work dir's locks are flock(2)s, which end with their process (even
// on kill -9). Every process that paints or encodes a work dir holds
// lockName shared; only one that deletes frames (Config.Discard) holds it
// exclusively. Each segment's chain, each seam and job.json's check have
// a lock of their own (segmentLock, seamLock, jobLock), held
// exclusively, into which the holder writes its pid and host for others
// to read. So shards of one clip run at the same time on any machines
// that share the work dir, and no two processes paint the same frame.
const (
	lockName = "lock"
	jobLock  = "lock.job"
)

func segmentLock(k int) string { return fmt.Sprintf("lock.segment-%d", k) }
func seamLock(k int) string    { return fmt.Sprintf("lock.seam-%d", k) }

// locks are flocks a run holds, released together.
type locks []*flock.Flock

func (l *locks) release() {
	for _, f := range *l {
		_ = f.Unlock()
	}
}

// take adds the lock of file name in dir to l: shared or exclusive; with
// wait set it waits while ctx allows, otherwise it fails at once with a
// *field.Error naming Workdir and, for an exclusive lock, the holder.
func (l *locks) take(ctx context.Context, dir, name string, shared, wait bool) error {
	path := filepath.Join(dir, name)
	fl := flock.New(path)
	var ok bool
	var err error
	switch {
	case wait && shared:
		ok, err = fl.TryRLockContext(ctx, 50*time.Millisecond)
	case wait:
		ok, err = fl.TryLockContext(ctx, 50*time.Millisecond)
	case shared:
		ok, err = fl.TryRLock()
	default:
		ok, err = fl.TryLock()
	}
	if ctxErr := ctx.Err(); wait && ctxErr != nil {
		return ctxErr
	}
	if err != nil {
		return fmt.Errorf("work dir %s: %w", dir, err)
	}
	if !ok {
		return field.Errorf("Workdir", "%s is in use by another gogh (%s): wait for it to end, or use another work dir", dir, holder(path))
	}
	*l = append(*l, fl)
	if shared {
		return nil
	}
	host, _ := os.Hostname()
	if err := os.WriteFile(path, fmt.Appendf(nil, "pid %d on %s\n", os.Getpid(), host), 0o644); err != nil {
		return fmt.Errorf("work dir %s: %w", dir, err)
	}
	return nil
}

// holder says who holds the lock file at path, as its holder wrote it.
func holder(path string) string {
	b, _ := os.ReadFile(path)
	if who := strings.TrimSpace(string(b)); who != "" {
		return who
	}
	if strings.HasSuffix(path, string(filepath.Separator)+lockName) {
		return "deleting its frames"
	}
	return "a process that has not written its pid yet"
}

// held reports whether another process holds the exclusive lock file name
// in dir, and who.
func held(dir, name string) (bool, string) {
	path := filepath.Join(dir, name)
	fl := flock.New(path)
	ok, err := fl.TryRLock()
	if err != nil || ok {
		_ = fl.Unlock()
		return false, ""
	}
	return true, holder(path)
}

// prepare readies the locked work dir for job: a dir with no frames is
// (re)claimed for it; frames of the same job are kept and continued;
// frames of another job (or with no job.json) are deleted only if
// discard is set, otherwise the error wraps ErrOtherSettings and, where
// one setting differs, a *field.Error naming it. Then it records job.
func prepare(dir string, job Job, discard bool) error {
	frames, err := savedFiles(dir)
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
	case frames > 0:
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
	c.Workers = ChooseWorkers(c)
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

// savedPatterns match the files of frames a work dir holds: frames, seam
// frames, and the warm-up frames of earlier releases.
var savedPatterns = []string{"frame-*.png", "seam-*.png", "warm-*.png"}

// savedFiles counts the frame PNGs (frames, seams) in dir.
func savedFiles(dir string) (int, error) {
	n := 0
	for _, p := range savedPatterns {
		m, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			return 0, err
		}
		n += len(m)
	}
	return n, nil
}

// removeFrames deletes the frame PNGs (and only those) in dir.
func removeFrames(dir string) error {
	for _, p := range savedPatterns {
		names, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := os.Remove(n); err != nil {
				return fmt.Errorf("work dir: %w", err)
			}
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
