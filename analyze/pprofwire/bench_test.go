package pprofwire

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/stack"
)

// BenchmarkDecode compares this package's decoder with the pprof library on
// one big profile (decompressed beforehand).
func BenchmarkDecode(b *testing.B) {
	path := os.Getenv("LEAKSCAN_BIGHEAP")
	if path == "" {
		b.Skip("LEAKSCAN_BIGHEAP not set; see testdata/README.md")
	}
	srcs, err := input.ReadSources([]string{filepath.Join(path, "b.pb.gz")}, nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, err := srcs[0].Bytes()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("leakscan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode("b", data, stack.NewTable()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pprof-library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadPprofLib("b", data, stack.NewTable()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
