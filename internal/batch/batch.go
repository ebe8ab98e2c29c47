// Package batch expands a command's input argument into the files it
// names, a folder or a comma-separated list, and names one output for
// each in an output folder.
package batch

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Inputs returns the files arg names: the files of a folder whose
// extension is one of exts (lower case, with dots), sorted by name; or the
// comma-separated list of files; or arg itself. label names the argument
// in errors.
func Inputs(label, arg string, exts ...string) ([]string, error) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("%s %w", label, err)
		}
		var files []string
		for _, e := range entries {
			if !e.IsDir() && slices.Contains(exts, strings.ToLower(filepath.Ext(e.Name()))) {
				files = append(files, filepath.Join(arg, e.Name()))
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s %s: a folder with no %s file", label, arg, strings.Join(exts, ", "))
		}
		return files, nil
	}
	files := strings.Split(arg, ",")
	for i, f := range files {
		if files[i] = strings.TrimSpace(f); files[i] == "" {
			return nil, fmt.Errorf("%s %q: an empty name in the list", label, arg)
		}
	}
	return files, nil
}

// Many reports whether arg names a batch (a folder or a list) rather than
// one file.
func Many(arg string) bool {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return true
	}
	return strings.Contains(arg, ",")
}

// Outputs names an output in dir for each input: its name with ext for
// its extension, a number added where two would meet ("a.png", "a-2.png").
func Outputs(dir string, inputs []string, ext string) []string {
	used := map[string]bool{}
	out := make([]string, len(inputs))
	for i, in := range inputs {
		base := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))
		name := base
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		used[name] = true
		out[i] = filepath.Join(dir, name+ext)
	}
	return out
}
