package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leakscan/leakscan/graph"
)

// The benchmarks read big profiles made by testdata/gen/bigheap (see
// testdata/README.md); they are skipped unless LEAKSCAN_BIGHEAP names the
// directory holding a.pb.gz, b.pb.gz and series/.
func bigheap(b *testing.B, names ...string) []Source {
	dir := os.Getenv("LEAKSCAN_BIGHEAP")
	if dir == "" {
		b.Skip("LEAKSCAN_BIGHEAP not set; see testdata/README.md")
	}
	var srcs []Source
	for _, n := range names {
		matches, _ := filepath.Glob(filepath.Join(dir, n))
		for _, m := range matches {
			srcs = append(srcs, Source{Name: m, path: m})
		}
	}
	if len(srcs) == 0 {
		b.Skipf("no %v in %s", names, dir)
	}
	return srcs
}

func benchDiff(b *testing.B, srcs []Source) {
	b.ReportAllocs()
	for b.Loop() {
		ps, err := LoadProfiles(srcs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Diff(ps, DiffOptions{Noise: DefaultNoise}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffPair is `leakscan diff a.pb.gz b.pb.gz` without the report.
func BenchmarkDiffPair(b *testing.B) { benchDiff(b, bigheap(b, "a.pb.gz", "b.pb.gz")) }

// BenchmarkDiffSeries10 is a series of ten profiles; it should cost no more
// than five pairs.
func BenchmarkDiffSeries10(b *testing.B) { benchDiff(b, bigheap(b, "series/*.pb.gz")) }

// BenchmarkDecode compares this package's decoder with the pprof library on
// one big profile (decompressed beforehand).
func BenchmarkDecode(b *testing.B) {
	srcs := bigheap(b, "b.pb.gz")
	data, err := srcs[0].Bytes()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("leakscan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodePprof("b", data, newStackTable()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pprof-library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadPprofLib("b", data, newStackTable()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPythonDump1M loads a Python heap dump of about a million
// objects (LEAKSCAN_PYDUMP_1M, made by testdata/gen/pyleak/bench_1m.py) and
// analyses it fully: dominators, retained sizes, retainer paths (in
// LoadHeapDumps), per-type statistics and growth (DiffTypes), and SCCs.
func BenchmarkPythonDump1M(b *testing.B) {
	path := os.Getenv("LEAKSCAN_PYDUMP_1M")
	if path == "" {
		b.Skip("LEAKSCAN_PYDUMP_1M not set; see testdata/README.md")
	}
	src := Source{Name: path, path: path}
	b.ReportAllocs()
	for b.Loop() {
		ds, err := LoadHeapDumps([]Source{src})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DiffTypes(ds, TypeOptions{}); err != nil {
			b.Fatal(err)
		}
		graph.SCCs(ds.Dumps[0].Dump.Heap)
	}
}

// BenchmarkPythonFindings1M times what issue 5 adds to the analysis of a
// 1,000,000-object dump: cycle grouping, task grouping and resources,
// on a dump loaded once (testdata/gen/pystories/bench_cycles.py; set
// LEAKSCAN_PYDUMP_CYCLES to its output).
func BenchmarkPythonFindings1M(b *testing.B) {
	path := os.Getenv("LEAKSCAN_PYDUMP_CYCLES")
	if path == "" {
		b.Skip("LEAKSCAN_PYDUMP_CYCLES not set; see testdata/README.md")
	}
	ds, err := LoadHeapDumps([]Source{{Name: path, path: path}})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d objects, %d edges", ds.Dumps[0].Dump.Heap.NumNodes(), ds.Dumps[0].Dump.Heap.NumEdges())
	for _, c := range []struct {
		name string
		fn   func(*DumpSeries) (*Result, error)
	}{{"cycles", DiffCycles}, {"tasks", DiffTasks}, {"resources", DiffResources}, {"types", func(ds *DumpSeries) (*Result, error) { return DiffTypes(ds, TypeOptions{}) }}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.fn(ds)
				if err != nil {
					b.Fatal(err)
				}
				if c.name == "cycles" && res.Total.Last == 0 {
					b.Fatal("no cycles found")
				}
			}
		})
	}
}
