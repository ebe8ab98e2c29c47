package record

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gogh-video/gogh/picture"
)

// TestRoundTrip: a record kept in a PNG reads back equal; Check notices
// a changed input.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := Record{Version: Version(), Command: "image", Flags: []Flag{{"seed", "7"}, {"style", "a b.png,c.png"}}}
	if err := r.AddFile("--content", in); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.png")
	if err := picture.SavePNGText(out, picture.New(2, 2), r.Text()); err != nil {
		t.Fatal(err)
	}
	got, err := Read(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("read %+v, want %+v", got, r)
	}
	if err := got.Check(); err != nil {
		t.Error(err)
	}
	if l := strings.Join(got.Lines(), "\n"); !strings.Contains(l, `--style "a b.png,c.png"`) || !strings.Contains(l, "file --content "+in) {
		t.Errorf("lines:\n%s", l)
	}
	if err := os.WriteFile(in, []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := got.Check(); err == nil || !strings.Contains(err.Error(), in+" has changed") {
		t.Errorf("Check after a change: %v", err)
	}
	if _, err := Read(context.Background(), filepath.Join(dir, "none.png")); err == nil {
		t.Error("no error for a missing file")
	}
}
