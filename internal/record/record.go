// Package record keeps a painting's settings with it: the gogh version,
// the command and the value of each of its flags, and every input file by
// path and SHA-256, as PNG text chunks or MP4 metadata. gogh info prints
// a record; gogh image --like repeats one.
package record

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/gogh-video/gogh/picture"
)

// Key is the key of the PNG text chunk (and the MP4 comment's prefix)
// that holds a record.
const Key = "gogh"

// Record is what a painting was made with.
type Record struct {
	Version string `json:"version"`
	Command string `json:"command"` // gogh's subcommand: "image", "video"
	Flags   []Flag `json:"flags"`   // every setting, as the flag that sets it
	Files   []File `json:"files"`   // the input files
	// Job is a video's job.json (see pipeline.Job): its settings, frames
	// and files.
	Job json.RawMessage `json:"job,omitempty"`
}

// Flag is a flag's value, as the flag would be given.
type Flag struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// File is an input file: the flag that named it, its path and SHA-256.
type File struct {
	Flag   string `json:"flag"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Version returns gogh's version: the module version, and the commit it
// was built from where the build recorded one.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+modified"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v
}

// AddFile records the file at path, named by flag, by absolute path and
// content.
func (r *Record) AddFile(flag, path string) error {
	sum, err := Hash(path)
	if err != nil {
		return fmt.Errorf("%s %w", flag, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	r.Files = append(r.Files, File{Flag: flag, Path: abs, SHA256: sum})
	return nil
}

// Hash returns the SHA-256 of the file at path, in hex.
func Hash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Check returns an error naming the first recorded file that is missing
// or whose content changed since.
func (r Record) Check() error {
	for _, f := range r.Files {
		sum, err := Hash(f.Path)
		if err != nil {
			return fmt.Errorf("%s %s: %w", f.Flag, f.Path, errors.Unwrap(err))
		}
		if sum != f.SHA256 {
			return fmt.Errorf("%s %s has changed since (SHA-256 %.12s…, was %.12s…)", f.Flag, f.Path, sum, f.SHA256)
		}
	}
	return nil
}

// Text returns the record as PNG text chunks: Software (gogh and its
// version) and Key (the record as JSON).
func (r Record) Text() []picture.Text {
	data, _ := json.Marshal(r) // plain strings: cannot fail
	return []picture.Text{{Key: "Software", Value: "gogh " + r.Version}, {Key: Key, Value: string(data)}}
}

// Comment returns the record as an MP4 comment: Key, a colon, the JSON.
func (r Record) Comment() string {
	data, _ := json.Marshal(r)
	return Key + ":" + string(data)
}

// Read returns the record kept in a PNG (its text chunks) or a video
// (its comment, read with ffprobe).
func Read(ctx context.Context, path string) (Record, error) {
	var data string
	if strings.EqualFold(filepath.Ext(path), ".png") {
		text, err := picture.ReadPNGText(path)
		if err != nil {
			return Record{}, err
		}
		for _, t := range text {
			if t.Key == Key {
				data = t.Value
			}
		}
	} else {
		if _, err := os.Stat(path); err != nil {
			return Record{}, err
		}
		out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format_tags=comment",
			"-of", "default=noprint_wrappers=1:nokey=1", path).Output()
		if err != nil {
			return Record{}, fmt.Errorf("%s: not a PNG or a video ffprobe can read", path)
		}
		data, _ = strings.CutPrefix(strings.TrimSpace(string(out)), Key+":")
	}
	if data == "" {
		return Record{}, fmt.Errorf("%s holds no settings of gogh", path)
	}
	var r Record
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return Record{}, fmt.Errorf("%s: its settings do not parse: %w", path, err)
	}
	return r, nil
}

// Lines returns the record for people, a line each: the version and
// command, then every flag, with the files' hashes.
func (r Record) Lines() []string {
	lines := []string{"gogh " + r.Version, "command: gogh " + r.Command}
	for _, f := range r.Flags {
		lines = append(lines, fmt.Sprintf("  --%s %s", f.Name, quote(f.Value)))
	}
	for _, f := range r.Files {
		lines = append(lines, fmt.Sprintf("  file %s %s (SHA-256 %s)", f.Flag, f.Path, f.SHA256))
	}
	if len(r.Job) > 0 {
		var b bytes.Buffer
		if json.Indent(&b, r.Job, "  ", "  ") == nil {
			lines = append(lines, "job: "+b.String())
		}
	}
	return lines
}

func quote(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"'") {
		return fmt.Sprintf("%q", v)
	}
	return v
}
