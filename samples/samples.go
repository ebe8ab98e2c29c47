// Package samples is gogh's manifest of downloadable public-domain sample
// media: the style image and clips that "gogh video" uses when it is given
// none. Get finds an item in the workspace's shared material, in the user
// cache, or downloads it into the cache, verifying its size and sha256;
// Generate makes an offline stand-in clip with ffmpeg.
package samples

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gogh-video/gogh/internal/atomicfile"
	"github.com/gogh-video/gogh/internal/fetch"
)

// Kinds of items.
const (
	Style = "style" // a painting to take the style from
	Clip  = "clip"  // a video to stylize
	Photo = "photo" // a still image to stylize
)

// Default sample names: the style and the clip "gogh video" uses when given
// none.
const (
	DefaultStyle = "starry-night"
	DefaultClip  = "cockatoo"
)

// Item is one downloadable sample.
type Item struct {
	Name    string // what the user calls it: "starry-night"
	Kind    string // Style, Clip or Photo
	File    string // file name in the cache
	URL     string // where it is downloaded from, pinned to a commit
	SHA256  string // hex sha256 of the file
	Size    int64  // bytes
	License string
	Credit  string
	Shared  string // path under $GOGH_SHARED/data of the workspace's copy
}

// manifest is the table of items. The sha256 and size of each are those
// of its copy under ../shared/data, which the tests check.
var manifest = []Item{
	{
		Name:    "starry-night",
		Kind:    Style,
		File:    "starry_night.jpg",
		URL:     "https://raw.githubusercontent.com/jcjohnson/neural-style/3e0b4cfea7518c95ddb3be897848d081ab1e6532/examples/inputs/starry_night.jpg",
		SHA256:  "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
		Size:    315236,
		License: "public domain",
		Credit:  "Vincent van Gogh, The Starry Night (1889); photo via jcjohnson/neural-style",
		Shared:  "styles/starry_night_vangogh.jpg",
	},
	{
		Name:    "cockatoo",
		Kind:    Clip,
		File:    "cockatoo_yuv420.mp4",
		URL:     "https://raw.githubusercontent.com/imageio/imageio-binaries/e1f318c650546788fabee47940658127bfdfefaf/images/cockatoo_yuv420.mp4",
		SHA256:  "6a801786c6b4fcfb1abaf0cb8a79d36ee102c1301665de33e5c201f1827118fa",
		Size:    1739190,
		License: "public domain (to the best of imageio's knowledge)",
		Credit:  "imageio standard video (imageio/imageio-binaries)",
		Shared:  "video/cockatoo_720p_14s_yuv420.mp4",
	},
	{
		Name:    "flower",
		Kind:    Clip,
		File:    "flower.mp4",
		URL:     "https://raw.githubusercontent.com/mdn/interactive-examples/9991b045e1561681d3ffc66215b92f68531ec97b/live-examples/media/cc0-videos/flower.mp4",
		SHA256:  "0cd83d944a6ca7822b4a8306cecc60a36e859b041f6702c6a1ad9ead78924451",
		Size:    1128375,
		License: "CC0 1.0",
		Credit:  "flower time-lapse, MDN interactive-examples (cc0-videos)",
		Shared:  "video/flower_timelapse_540p_5s.mp4",
	},
}

// urlOf returns where an item is downloaded from. Tests point it at an
// httptest server.
var urlOf = func(it Item) string { return it.URL }

// Items returns the manifest, in order.
func Items() []Item { return append([]Item(nil), manifest...) }

// Lookup returns the item called name.
func Lookup(name string) (Item, error) {
	for _, it := range manifest {
		if it.Name == name {
			return it, nil
		}
	}
	return Item{}, fmt.Errorf("no sample %q (run \"gogh samples\" for the list)", name)
}

// CacheDir returns the directory downloaded samples are kept in:
// gogh/samples under the user's cache directory.
func CacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("samples cache: %w", err)
	}
	return filepath.Join(dir, "gogh", "samples"), nil
}

// Where an item is found by Locate.
const (
	InShared = "shared"         // the workspace's copy under $GOGH_SHARED/data
	InCache  = "cache"          // a verified copy in CacheDir
	Missing  = "not downloaded" // neither: Get downloads it
)

// Locate returns where it is now (InShared, InCache or Missing) and, when
// found, its path. A cached file counts only if its sha256 is right.
func Locate(it Item) (where, path string) {
	if p := sharedPath(it); p != "" {
		return InShared, p
	}
	dir, err := CacheDir()
	if err != nil {
		return Missing, ""
	}
	p := filepath.Join(dir, it.File)
	if verify(p, it) == nil {
		return InCache, p
	}
	return Missing, ""
}

// sharedPath returns $GOGH_SHARED/data/<it.Shared> if that regular file
// exists, else "".
func sharedPath(it Item) string {
	root := os.Getenv("GOGH_SHARED")
	if root == "" || it.Shared == "" {
		return ""
	}
	p := filepath.Join(root, "data", filepath.FromSlash(it.Shared))
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		return p
	}
	return ""
}

// OfflineEnv is the environment variable that, set to anything, keeps Get
// from downloading: only the shared and cached copies are used.
const OfflineEnv = "GOGH_OFFLINE"

// Get returns the path of the sample called name: the workspace's copy
// under $GOGH_SHARED/data if it exists, else the copy in CacheDir if its
// sha256 is right, else (unless $GOGH_OFFLINE is set) a fresh download
// into CacheDir. A download goes to
// a temporary file beside its destination, is checked against the
// manifest's size and sha256 and only then renamed into place: on error
// (including cancellation of ctx) nothing is left in the cache. A byte
// progress bar is written to progress unless it is nil.
func Get(ctx context.Context, name string, progress io.Writer) (string, error) {
	it, err := Lookup(name)
	if err != nil {
		return "", err
	}
	if where, p := Locate(it); where != Missing {
		return p, nil
	}
	if os.Getenv(OfflineEnv) != "" {
		return "", fmt.Errorf("%s is not in the cache and %s is set: no download", it.Name, OfflineEnv)
	}
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("samples cache: %w", err)
	}
	dst := filepath.Join(dir, it.File)
	if err := download(ctx, it, dst, progress); err != nil {
		return "", err
	}
	return dst, nil
}

// download fetches it into dst through a temporary file beside it,
// verified before the rename.
func download(ctx context.Context, it Item, dst string, progress io.Writer) error {
	src := urlOf(it)
	f, err := atomicfile.Create(dst)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", it.Name, err)
	}
	defer f.Cleanup()
	h := sha256.New()
	// Read at most one byte more than expected: enough to tell a wrong size.
	n, err := fetch.Get(ctx, fetch.Request{URL: src, Desc: "downloading " + it.Name, Size: it.Size, Limit: it.Size + 1,
		Progress: progress}, io.MultiWriter(f, h))
	if err != nil {
		return fmt.Errorf("%s: %w", it.Name, err)
	}
	switch sum := hex.EncodeToString(h.Sum(nil)); {
	case n > it.Size:
		return fmt.Errorf("downloading %s from %s: more than the %d bytes expected", it.Name, src, it.Size)
	case n < it.Size:
		return fmt.Errorf("downloading %s from %s: got %d bytes, want %d", it.Name, src, n, it.Size)
	case sum != it.SHA256:
		return fmt.Errorf("downloading %s from %s: sha256 %s, want %s", it.Name, src, sum, it.SHA256)
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("downloading %s: %w", it.Name, err)
	}
	return nil
}

// verify checks that the file at path has its size and sha256.
func verify(path string, it Item) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() || st.Size() != it.Size {
		return fmt.Errorf("%s: %d bytes, want %d", path, st.Size(), it.Size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != it.SHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", path, sum, it.SHA256)
	}
	return nil
}
