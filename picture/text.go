package picture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/png"
	"io"
	"os"

	"github.com/gogh-video/gogh/internal/atomicfile"
)

// Text is a text chunk of a PNG file (iTXt: UTF-8, uncompressed).
type Text struct {
	Key, Value string
}

// SavePNGText writes im as a PNG with text chunks, like SavePNG; each
// key must be 1 to 79 bytes of printable Latin-1 without a NUL.
func SavePNGText(path string, im Image, text []Text) error {
	for _, t := range text {
		if len(t.Key) == 0 || len(t.Key) > 79 || bytes.ContainsRune([]byte(t.Key), 0) {
			return fmt.Errorf("png text key %q: want 1 to 79 bytes", t.Key)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, im.NRGBA()); err != nil {
		return err
	}
	data := buf.Bytes()
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, IHDR length/type, data, CRC
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		if _, err := w.Write(data[:ihdrEnd]); err != nil {
			return err
		}
		for _, t := range text {
			// keyword NUL, compression flag and method 0, empty language
			// tag and translated keyword, each ended by NUL, then the text.
			chunk := append(append([]byte(t.Key), 0, 0, 0, 0, 0), t.Value...)
			if err := writeChunk(w, "iTXt", chunk); err != nil {
				return err
			}
		}
		_, err := w.Write(data[ihdrEnd:])
		return err
	})
}

func writeChunk(w io.Writer, typ string, data []byte) error {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(head[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	for _, b := range [][]byte{head[:], data, tail[:]} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// ReadPNGText returns the text chunks (tEXt and uncompressed iTXt) of
// the PNG file at path, in file order.
func ReadPNGText(path string) ([]Text, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(r, sig); err != nil || string(sig) != "\x89PNG\r\n\x1a\n" {
		return nil, fmt.Errorf("%s: not a PNG file", path)
	}
	var text []Text
	for {
		var head [8]byte
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return nil, fmt.Errorf("%s: %w", path, noEOF(err))
		}
		n, typ := binary.BigEndian.Uint32(head[:4]), string(head[4:])
		if typ == "IDAT" || typ == "IEND" {
			return text, nil // text before the image data is all gogh writes
		}
		if n > 1<<24 {
			return nil, fmt.Errorf("%s: a %s chunk of %d bytes", path, typ, n)
		}
		data := make([]byte, n+4)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, noEOF(err))
		}
		data = data[:n]
		key, rest, ok := bytes.Cut(data, []byte{0})
		switch {
		case !ok:
		case typ == "tEXt":
			text = append(text, Text{string(key), string(rest)})
		case typ == "iTXt" && len(rest) >= 2 && rest[0] == 0:
			// compression flag 0, method, language NUL, translated keyword NUL
			_, after, ok1 := bytes.Cut(rest[2:], []byte{0})
			_, value, ok2 := bytes.Cut(after, []byte{0})
			if ok1 && ok2 {
				text = append(text, Text{string(key), string(value)})
			}
		}
	}
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
