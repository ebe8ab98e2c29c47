package outpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.png")
	if err := os.WriteFile(in, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  error
		want string // "" = no error
	}{
		{"new file", Writable("-o", filepath.Join(dir, "out.png")), ""},
		{"empty path skipped", Writable("--log", ""), ""},
		{"missing directory", Writable("-o", filepath.Join(dir, "no", "out.png")), "-o " + dir + "/no/out.png: no directory"},
		{"a directory", Writable("-o", dir), "is a directory; name a file"},
		{"not yet there", NotInput("-o", filepath.Join(dir, "new.png"), "--content", in), ""},
		{"the input", NotInput("-o", in, "--style", "", "--content", in), "-o " + in + ": is the input --content"},
		{"a link to the input", NotInput("-o", link, "--content", in), "is the input --content"},
		{"another file", NotInput("-o", in, "--content", link+"x"), ""},
		{"extension", Ext("-o", "a.MP4", ".mp4", ".mkv"), ""},
		{"wrong extension", Ext("-o", "a.avi", ".mp4", ".mkv"), "-o a.avi: the output must end in .mp4, .mkv"},
	} {
		switch {
		case c.want == "" && c.err != nil:
			t.Errorf("%s: %v", c.name, c.err)
		case c.want != "" && (c.err == nil || !strings.Contains(c.err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.name, c.err, c.want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".gogh-check-*")); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}
