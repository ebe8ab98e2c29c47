// Package safetensors reads and writes the safetensors tensor container:
// an 8-byte little-endian header length, a JSON header describing each
// tensor (dtype, shape, byte offsets) plus optional string metadata, then
// the raw little-endian tensor data.
//
// Only float32 ("F32") tensors are decoded; that is all gogh needs.
package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// maxHeader bounds the JSON header so that a foreign file cannot make the
// reader allocate gigabytes before it is rejected.
const maxHeader = 100 << 20

// Tensor is a dense float32 array in row-major order.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Len returns the number of elements the shape describes.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Info describes one tensor as stored in a file.
type Info struct {
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Offset [2]int `json:"data_offsets"`
}

// File is an open safetensors file whose tensors are read on demand.
type File struct {
	Metadata map[string]string
	Infos    map[string]Info

	r    io.ReaderAt
	base int64 // offset of the data section
	size int64 // size of the data section
	c    io.Closer
}

// Open opens the named file and parses its header.
func Open(name string) (*File, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := NewFile(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.c = fh
	return f, nil
}

// NewFile parses the header of a safetensors file of the given size read from r.
func NewFile(r io.ReaderAt, size int64) (*File, error) {
	var lenBuf [8]byte
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, errors.New("not a safetensors file: too short")
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n < 2 || n > maxHeader || int64(n)+8 > size {
		return nil, fmt.Errorf("not a safetensors file: header length %d does not fit a %d-byte file", n, size)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("not a safetensors file: header is not JSON: %w", err)
	}
	f := &File{Infos: make(map[string]Info), r: r, base: 8 + int64(n), size: size - 8 - int64(n)}
	for k, v := range raw {
		if k == "__metadata__" {
			if err := json.Unmarshal(v, &f.Metadata); err != nil {
				return nil, fmt.Errorf("bad __metadata__: %w", err)
			}
			continue
		}
		var info Info
		if err := json.Unmarshal(v, &info); err != nil {
			return nil, fmt.Errorf("bad header entry %q: %w", k, err)
		}
		if info.Offset[0] < 0 || info.Offset[1] < info.Offset[0] || int64(info.Offset[1]) > f.size {
			return nil, fmt.Errorf("tensor %q: data offsets %v outside the %d-byte data section (truncated file?)", k, info.Offset, f.size)
		}
		f.Infos[k] = info
	}
	return f, nil
}

// Close closes the underlying file if Open opened it.
func (f *File) Close() error {
	if f.c != nil {
		return f.c.Close()
	}
	return nil
}

// Names returns the tensor names in sorted order.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Infos))
	for k := range f.Infos {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Tensor reads the named float32 tensor.
func (f *File) Tensor(name string) (Tensor, error) {
	info, ok := f.Infos[name]
	if !ok {
		return Tensor{}, fmt.Errorf("missing tensor %q", name)
	}
	if info.DType != "F32" {
		return Tensor{}, fmt.Errorf("tensor %q has dtype %s, want F32", name, info.DType)
	}
	t := Tensor{Shape: append([]int(nil), info.Shape...)}
	nbytes := info.Offset[1] - info.Offset[0]
	if nbytes != 4*t.Len() {
		return Tensor{}, fmt.Errorf("tensor %q: %d bytes for shape %v", name, nbytes, info.Shape)
	}
	buf := make([]byte, nbytes)
	if _, err := f.r.ReadAt(buf, f.base+int64(info.Offset[0])); err != nil {
		return Tensor{}, fmt.Errorf("tensor %q: %w", name, err)
	}
	t.Data = make([]float32, t.Len())
	for i := range t.Data {
		t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	return t, nil
}

// Named is a tensor with the name it is stored under.
type Named struct {
	Name string
	Tensor
}

// Write writes the tensors, in the given order, and the metadata as a
// safetensors file.
func Write(w io.Writer, tensors []Named, meta map[string]string) error {
	hdr := make(map[string]any, len(tensors)+1)
	if len(meta) > 0 {
		hdr["__metadata__"] = meta
	}
	off := 0
	for _, t := range tensors {
		if t.Len() != len(t.Data) {
			return fmt.Errorf("tensor %q: shape %v does not match %d values", t.Name, t.Shape, len(t.Data))
		}
		if _, dup := hdr[t.Name]; dup {
			return fmt.Errorf("tensor %q written twice", t.Name)
		}
		hdr[t.Name] = Info{DType: "F32", Shape: t.Shape, Offset: [2]int{off, off + 4*len(t.Data)}}
		off += 4 * len(t.Data)
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 { // keep the data section 8-byte aligned
		js = append(js, ' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err = w.Write(buf)
	return err
}

// WriteFile writes the tensors and metadata to the named file.
func WriteFile(name string, tensors []Named, meta map[string]string) error {
	fh, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := Write(fh, tensors, meta); err != nil {
		fh.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return fh.Close()
}
