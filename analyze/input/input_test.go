package input

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestTinyGzip: gzip streams too short to hold a trailer fail cleanly.
func TestTinyGzip(t *testing.T) {
	for _, b := range [][]byte{{0x1f, 0x8b}, {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3}} {
		if _, err := readAllBounded("tiny.gz", bytes.NewReader(b)); err == nil {
			t.Errorf("%x: no error", b)
		}
	}
}

// FuzzReadInput feeds raw file bytes, gzipped or not, through reading:
// any failure must be an InputError, never a panic.
func FuzzReadInput(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/heap/leaky/*.pb.gz")
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(raw[:len(raw)-9])
	}
	f.Add([]byte("goroutine 1 [running]:\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<20 {
			return
		}
		data, err := readAllBounded("fuzz", bytes.NewReader(raw))
		var ie *InputError
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("%v is not an InputError", err)
			}
			return
		}
		if len(raw) >= 2 && !isGzip(raw) && !bytes.Equal(data, raw) {
			t.Fatalf("plain input changed by reading")
		}
	})
}
