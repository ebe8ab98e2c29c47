// Package atomicfile writes files that are never seen half-written, even
// when the program is killed or the disk fills up: the data goes into a
// temporary file beside the destination (a hidden name: "." + the
// destination's name + a random number), which is synced and then renamed
// into place (github.com/google/renameio).
package atomicfile

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Create returns a temporary file beside path, mode 0644 (less the umask),
// that CloseAtomicallyReplace syncs and renames to path; Cleanup removes it
// unless it was renamed. Its Name may also be handed to another program to
// write.
func Create(path string) (*renameio.PendingFile, error) {
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithPermissions(0o644))
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f, nil
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
