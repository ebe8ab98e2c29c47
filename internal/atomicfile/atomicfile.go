// Package atomicfile writes files that are never seen half-written, even
// when the program is killed or the disk fills up: the data goes into a
// temporary file beside the destination (a hidden name: "." + the
// destination's name + a random number), which is synced and then renamed
// into place (github.com/google/renameio). The writer holds an flock(2)
// on the temporary file until it is renamed or removed; one left behind by
// a killed process (the lock ends with it) is removed by the next Create
// of the same destination.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/renameio/v2"
)

// File is a temporary file that becomes its destination on
// CloseAtomicallyReplace.
type File struct {
	*renameio.PendingFile
	lock *flock.Flock
}

// Create returns a temporary file beside path, mode 0644 (less the umask),
// that CloseAtomicallyReplace syncs and renames to path; Cleanup removes it
// unless it was renamed. Its Name may also be handed to another program to
// write. Temporary files of path that no process holds and that were not
// written to for a minute are removed first.
func Create(path string) (*File, error) {
	removeStale(path, time.Minute)
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithPermissions(0o644))
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	l := flock.New(f.Name(), flock.SetFlag(os.O_RDONLY))
	if _, err := l.TryLock(); err != nil {
		_ = f.Cleanup()
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &File{f, l}, nil
}

// CloseAtomicallyReplace syncs the file and renames it to its destination.
func (f *File) CloseAtomicallyReplace() error {
	defer f.lock.Unlock()
	return f.PendingFile.CloseAtomicallyReplace()
}

// Cleanup removes the file unless CloseAtomicallyReplace renamed it.
func (f *File) Cleanup() error {
	defer f.lock.Unlock()
	return f.PendingFile.Cleanup()
}

// removeStale removes the temporary files of path (renameio's names: "."
// + its name + a number) that no process holds a lock on and that were
// last written longer than age ago: a killed writer's leftovers. The age
// covers the instant between a writer creating its file and locking it.
func removeStale(path string, age time.Duration) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !isTemp(e.Name(), base) {
			continue
		}
		n := filepath.Join(dir, e.Name())
		st, err := e.Info()
		if err != nil || !st.Mode().IsRegular() || time.Since(st.ModTime()) < age {
			continue
		}
		l := flock.New(n, flock.SetFlag(os.O_RDONLY))
		if ok, err := l.TryLock(); err == nil && ok {
			_ = os.Remove(n)
			_ = l.Unlock()
		}
	}
}

// isTemp reports whether name is one of renameio's temporary names for
// base: "." + base + a number.
func isTemp(name, base string) bool {
	n, ok := strings.CutPrefix(name, "."+base)
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}

// WriteFile writes path through write, atomically: path holds either its
// old content or all that write wrote.
func WriteFile(path string, write func(io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// WriteBytes writes data to path atomically (see WriteFile).
func WriteBytes(path string, data []byte) error {
	return WriteFile(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}
