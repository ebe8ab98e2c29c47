package safetensors

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Named{
		{"b", Tensor{Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, -6.5}}},
		{"a", Tensor{Shape: []int{1}, Data: []float32{7}}},
	}
	var buf bytes.Buffer
	if err := Write(&buf, in, map[string]string{"preprocess": "caffe"}); err != nil {
		t.Fatal(err)
	}
	f, err := NewFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["preprocess"] != "caffe" {
		t.Errorf("metadata = %v", f.Metadata)
	}
	if got := strings.Join(f.Names(), ","); got != "a,b" {
		t.Errorf("names = %s", got)
	}
	for _, want := range in {
		got, err := f.Tensor(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Shape) != len(want.Shape) || len(got.Data) != len(want.Data) {
			t.Fatalf("%s: got %v", want.Name, got)
		}
		for i := range got.Data {
			if got.Data[i] != want.Data[i] {
				t.Errorf("%s[%d] = %v, want %v", want.Name, i, got.Data[i], want.Data[i])
			}
		}
	}
}

func TestBadFiles(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, []Named{{"w", Tensor{Shape: []int{4}, Data: []float32{1, 2, 3, 4}}}}, nil); err != nil {
		t.Fatal(err)
	}
	huge := make([]byte, 16)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	notJSON := make([]byte, 8, 20)
	binary.LittleEndian.PutUint64(notJSON, 4)
	notJSON = append(notJSON, "abcd"...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"huge header", huge, "header length"},
		{"not json", notJSON, "not JSON"},
		{"truncated", good.Bytes()[:good.Len()-4], "truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewFile(bytes.NewReader(tc.data), int64(len(tc.data)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	f, err := NewFile(bytes.NewReader(good.Bytes()), int64(good.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Tensor("missing"); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing tensor: err = %v", err)
	}
}
