package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTinyGzip: gzip streams too short to hold a trailer fail cleanly.
func TestTinyGzip(t *testing.T) {
	for _, b := range [][]byte{{0x1f, 0x8b}, {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3}} {
		if _, err := decompress("tiny.gz", b, nil); err == nil {
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
		data, err := decompress("fuzz", raw, nil)
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

// gzipZeros is a gzip stream of n zero bytes after prefix.
func gzipZeros(t testing.TB, prefix []byte, n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(prefix)
	zeros := make([]byte, 1<<20)
	for ; n > 0; n -= len(zeros) {
		zw.Write(zeros[:min(n, len(zeros))])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGateStopsEarly: a gate that refuses the head stops decompression
// after SniffSize bytes, and a gate's limit stops it there, in bounded
// memory and with one line naming the file and the limit.
func TestGateStopsEarly(t *testing.T) {
	bomb := gzipZeros(t, nil, 64<<20)
	refuse := func([]byte, bool) (Limit, error) {
		return Limit{}, &InputError{File: "bomb.gz", Msg: "expected a profile"}
	}
	var err error
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	_, err = decompress("bomb.gz", bomb, refuse)
	runtime.ReadMemStats(&ms1)
	if err == nil || err.Error() != "bomb.gz: expected a profile" {
		t.Errorf("refused head: %v", err)
	}
	if n := ms1.TotalAlloc - ms0.TotalAlloc; n > 4<<20 {
		t.Errorf("refusing a bomb after its head allocated %d bytes", n)
	}
	small := func([]byte, bool) (Limit, error) { return Limit{Max: 1 << 20, What: "test format"}, nil }
	_, err = decompress("bomb.gz", bomb, small)
	if err == nil || err.Error() != "bomb.gz: decompresses to more than 1 MiB, the most leakscan reads of a test format" {
		t.Errorf("over the limit: %v", err)
	}
	if data, err := decompress("small.gz", gzipZeros(t, nil, 1000), small); err != nil || len(data) != 1000 {
		t.Errorf("small input: %d bytes, %v", len(data), err)
	}
	if err := gateData("plain", make([]byte, 2<<20), small); err == nil || !strings.Contains(err.Error(), "plain: is larger than 1 MiB") {
		t.Errorf("plain input over the limit: %v", err)
	}
}
