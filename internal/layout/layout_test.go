// Package layout checks that ARCHITECTURE.md's package graph is the
// code's: every package of the module and, for each, the packages of the
// module it imports (tests aside), as go list reports them.
package layout

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gogh-video/gogh/"

func TestGraph(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	doc := documented(t, filepath.Join(root, "ARCHITECTURE.md"))
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	code := map[string][]string{}
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
			GoFiles    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		if len(p.GoFiles) == 0 || strings.HasPrefix(name, "bench/") {
			continue // test-only packages; benchmark tools
		}
		deps := []string{}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) {
				deps = append(deps, strings.TrimPrefix(imp, module))
			}
		}
		code[name] = deps
	}
	for name, deps := range code {
		want, ok := doc[name]
		switch {
		case !ok:
			t.Errorf("package %s is not in ARCHITECTURE.md's graph", name)
		case !slices.Equal(sorted(want), sorted(deps)):
			t.Errorf("%s imports %v; ARCHITECTURE.md says %v", name, deps, want)
		}
	}
	for name := range doc {
		if _, ok := code[name]; !ok {
			t.Errorf("ARCHITECTURE.md's graph names %s, which is not a package", name)
		}
	}
}

// documented reads the "pkg → deps" lines of the first text block after
// the "## Package graph" heading.
func documented(t *testing.T, path string) map[string][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	graph := map[string][]string{}
	section, block := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			section = line == "## Package graph"
		case section && strings.HasPrefix(line, "```"):
			if block {
				return graph
			}
			block = true
		case block:
			name, deps, ok := strings.Cut(line, "→")
			if !ok {
				t.Fatalf("ARCHITECTURE.md graph line %q: want \"pkg → deps\"", line)
			}
			graph[strings.TrimSpace(name)] = strings.Fields(deps)
		}
	}
	t.Fatal("ARCHITECTURE.md has no package graph block")
	return nil
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
