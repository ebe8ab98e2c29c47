// Package outpath checks the paths a command is about to write before any
// work starts: that a file can be created there, that it is not one of
// the command's inputs, and that its extension is one the command writes.
// Each check names the path by the label the caller gives (a flag).
package outpath

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Writable reports whether files can be created at the paths of label,
// path pairs (an empty path is skipped): the directory exists and takes a
// new file, and the path is not a directory.
func Writable(labelPaths ...string) error {
	for i := 0; i+1 < len(labelPaths); i += 2 {
		label, path := labelPaths[i], labelPaths[i+1]
		if path == "" {
			continue
		}
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s %s: no directory %s", label, path, dir)
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return fmt.Errorf("%s %s: is a directory; name a file", label, path)
		}
		f, err := os.CreateTemp(dir, ".gogh-check-*")
		if err != nil {
			return fmt.Errorf("%s %s: cannot write there: %w", label, path, err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// NotInput fails when out, the output labelled label, is one of the
// inputs (label, path pairs; an empty path is skipped): writing it would
// destroy that input. Files are compared, not names, so links count.
func NotInput(label, out string, inputs ...string) error {
	ost, err := os.Stat(out)
	if err != nil {
		return nil // not there yet: not an input
	}
	for i := 0; i+1 < len(inputs); i += 2 {
		if ist, err := os.Stat(inputs[i+1]); inputs[i+1] != "" && err == nil && os.SameFile(ost, ist) {
			return fmt.Errorf("%s %s: is the input %s; writing it would destroy it, choose another output", label, out, inputs[i])
		}
	}
	return nil
}

// Ext fails unless path ends in one of exts (lower case, with dots).
func Ext(label, path string, exts ...string) error {
	ext := strings.ToLower(filepath.Ext(path))
	for _, e := range exts {
		if ext == e {
			return nil
		}
	}
	return fmt.Errorf("%s %s: the output must end in %s", label, path, strings.Join(exts, ", "))
}
