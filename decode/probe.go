package decode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/gogh-video/gogh/internal/fftool"
)

// Info describes a video file as ffprobe reports it.
type Info struct {
	Width, Height int     // display size (after rotation)
	FPS           float64 // average frame rate
	Duration      float64 // seconds
	Frames        int     // frame count (nb_frames, or estimated from duration·fps)
	Rotation      int     // degrees from the display matrix / rotate tag
	HasAudio      bool
	Codec, PixFmt string
}

type probeJSON struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		PixFmt       string            `json:"pix_fmt"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		AvgFrameRate string            `json:"avg_frame_rate"`
		RFrameRate   string            `json:"r_frame_rate"`
		Duration     string            `json:"duration"`
		NbFrames     string            `json:"nb_frames"`
		Tags         map[string]string `json:"tags"`
		Disposition  map[string]int    `json:"disposition"`
		SideData     []struct {
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// Probe runs ffprobe on path and describes its first video stream. Files
// that are not videos (text, still images, audio only) and unreadable files
// give a one-line error naming the file.
func Probe(ctx context.Context, path string) (Info, error) {
	if err := fftool.Check(); err != nil {
		return Info{}, err
	}
	if st, err := os.Stat(path); err != nil {
		return Info{}, fmt.Errorf("decode: %w", err)
	} else if st.IsDir() {
		return Info{}, fmt.Errorf("decode: %s is a directory, not a video", path)
	}
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-print_format", "json",
		"-show_format", "-show_streams", "--", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Info{}, fmt.Errorf("decode: probe %s: %w", path, ctx.Err())
		}
		msg := fftool.OneLine(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		// ffprobe repeats the path at the start of its message; drop it.
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, path), ": ")
		return Info{}, fmt.Errorf("decode: %s is not a readable video: %s", path, msg)
	}
	var pj probeJSON
	if err := json.Unmarshal(stdout.Bytes(), &pj); err != nil {
		return Info{}, fmt.Errorf("decode: probe %s: bad ffprobe output: %v", path, err)
	}
	return pj.info(path)
}

// stillFormats are demuxers that ffprobe reports with a video stream but
// which hold a single picture.
func isStillFormat(name string) bool {
	return name == "image2" || strings.HasSuffix(name, "_pipe") || name == "tiff"
}

func (pj *probeJSON) info(path string) (Info, error) {
	var in Info
	found := false
	for _, s := range pj.Streams {
		switch s.CodecType {
		case "audio":
			in.HasAudio = true
		case "video":
			if found || s.Disposition["attached_pic"] == 1 {
				continue
			}
			found = true
			in.Codec, in.PixFmt = s.CodecName, s.PixFmt
			in.Width, in.Height = s.Width, s.Height
			avg, r := ratio(s.AvgFrameRate), ratio(s.RFrameRate)
			in.FPS = avg
			// A slightly variable rate (avg 29.98 for nominal 30000/1001)
			// is reported as the nominal one.
			if avg <= 0 || r > 0 && math.Abs(avg-r) <= 0.005*r {
				in.FPS = r
			}
			in.Duration = number(s.Duration)
			if in.Duration <= 0 {
				in.Duration = number(pj.Format.Duration)
			}
			in.Frames, _ = strconv.Atoi(s.NbFrames)
			if in.Frames <= 0 && in.Duration > 0 && in.FPS > 0 {
				in.Frames = int(math.Round(in.Duration * in.FPS))
			}
			rot := 0.0
			if v, ok := s.Tags["rotate"]; ok {
				rot = number(v)
			}
			for _, sd := range s.SideData {
				if sd.Rotation != nil {
					rot = -*sd.Rotation // display matrix angles are counter-clockwise
				}
			}
			in.Rotation = ((int(math.Round(rot))%360 + 360) % 360)
			if in.Rotation == 90 || in.Rotation == 270 {
				in.Width, in.Height = in.Height, in.Width
			}
		}
	}
	switch {
	case !found:
		return Info{}, fmt.Errorf("decode: %s has no video stream (format %s)", path, orUnknown(pj.Format.FormatName))
	case isStillFormat(pj.Format.FormatName) || in.Frames == 1 && in.Duration == 0:
		return Info{}, fmt.Errorf("decode: %s is a still image (%s), not a video", path, orUnknown(in.Codec))
	case in.Width <= 0 || in.Height <= 0:
		return Info{}, fmt.Errorf("decode: %s: video stream has no size", path)
	case in.FPS <= 0 || in.Duration <= 0:
		return Info{}, fmt.Errorf("decode: %s: video stream has no frame rate or duration", path)
	}
	return in, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// ratio parses ffprobe's "num/den" rates; 0 when absent or 0/0.
func ratio(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		return number(s)
	}
	n, d := number(num), number(den)
	if d == 0 {
		return 0
	}
	return n / d
}

func number(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
