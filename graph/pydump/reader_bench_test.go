package pydump

import (
	"os"
	"testing"
)

// BenchmarkParse reads the dump at $LEAKSCAN_PYDUMP_1M (a .pydump.gz or
// plain file), e.g. one written by
//
//	python3 testdata/gen/pyleak/bench_1m.py /tmp/bench-1m.pydump.gz
//
// It is skipped when the variable is unset. Decompression is not timed.
func BenchmarkParse(b *testing.B) {
	path := os.Getenv("LEAKSCAN_PYDUMP_1M")
	if path == "" {
		b.Skip("LEAKSCAN_PYDUMP_1M is not set")
	}
	data, err := readDumpFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var d *Dump
	for b.Loop() {
		d, err = Parse(data)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Heap.NumNodes()), "nodes")
	b.ReportMetric(float64(d.Heap.NumEdges()), "edges")
	if len(d.Warnings) > 0 {
		b.Errorf("warnings: %q", d.Warnings)
	}
}
