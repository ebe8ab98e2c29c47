package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	for _, tc := range []struct {
		name  string
		write func(io.Writer) error
		want  string // content of path afterwards
		fail  bool
	}{
		{"new", func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }, "one", false},
		{"replace", func(w io.Writer) error { _, err := io.WriteString(w, "two"); return err }, "two", false},
		{"failed write keeps the old file", func(w io.Writer) error {
			io.WriteString(w, "half")
			return errors.New("disk full")
		}, "two", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteFile(path, tc.write)
			if (err != nil) != tc.fail {
				t.Fatalf("WriteFile: %v, want failure %v", err, tc.fail)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.want {
				t.Errorf("file holds %q, want %q", got, tc.want)
			}
			st, _ := os.Stat(path)
			if st.Mode().Perm()&0o044 == 0 {
				t.Errorf("mode %v: want it readable by others (0644 less the umask)", st.Mode())
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("%d files in the directory, want only out.txt", len(ents))
			}
		})
	}
	if err := WriteBytes(filepath.Join(dir, "no", "such", "x"), nil); err == nil {
		t.Error("writing into a missing directory did not fail")
	}
}

func TestCreateHandsTheNameOn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Cleanup()
	if filepath.Dir(f.Name()) != dir {
		t.Errorf("temporary file %s is not beside %s", f.Name(), path)
	}
	// Another program writes the file by name.
	if err := os.WriteFile(f.Name(), []byte("video"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("the destination exists before the rename")
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "video" {
		t.Errorf("destination holds %q", got)
	}
}

// TestStale leaves temporary files behind as a killed writer would, and
// checks which of them the next Create removes: only old ones that no
// process holds a lock on.
func TestStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	old := time.Now().Add(-time.Hour)
	touch := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("half a video"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := touch(".clip.mp4123", old)
	recent := touch(".clip.mp4456", time.Now())
	other := touch(".clip.mp4.notes", old) // not a temporary name
	held := touch(".clip.mp4789", old)
	l := flock.New(held, flock.SetFlag(os.O_RDONLY))
	if ok, err := l.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer l.Unlock()

	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("a video")); err != nil {
		t.Fatal(err)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		kept bool
	}{{stale, false}, {recent, true}, {other, true}, {held, true}, {path, true}} {
		if _, err := os.Stat(c.path); (err == nil) != c.kept {
			t.Errorf("%s: kept %v, want %v", filepath.Base(c.path), err == nil, c.kept)
		}
	}
}
