package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
)

// The benchmarks read big profiles made by testdata/gen/bigheap (see
// testdata/README.md); they are skipped unless LEAKSCAN_BIGHEAP names the
// directory holding a.pb.gz, b.pb.gz and series/.
func bigheap(b *testing.B, names ...string) []input.Source {
	dir := os.Getenv("LEAKSCAN_BIGHEAP")
	if dir == "" {
		b.Skip("LEAKSCAN_BIGHEAP not set; see testdata/README.md")
	}
	var paths []string
	for _, n := range names {
		matches, _ := filepath.Glob(filepath.Join(dir, n))
		paths = append(paths, matches...)
	}
	if len(paths) == 0 {
		b.Skipf("no %v in %s", names, dir)
	}
	srcs, err := ReadSources(paths, nil)
	if err != nil {
		b.Fatal(err)
	}
	return srcs
}

func benchDiff(b *testing.B, srcs []input.Source) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Load(srcs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Analyze(Options{}, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffPair is `leakscan diff a.pb.gz b.pb.gz` without the report.
func BenchmarkDiffPair(b *testing.B) { benchDiff(b, bigheap(b, "a.pb.gz", "b.pb.gz")) }

// BenchmarkDiffSeries10 is a series of ten profiles; it should cost no more
// than five pairs.
func BenchmarkDiffSeries10(b *testing.B) { benchDiff(b, bigheap(b, "series/*.pb.gz")) }

// BenchmarkPythonDump1M loads a Python heap dump of about a million
// objects (LEAKSCAN_PYDUMP_1M, made by testdata/gen/pyleak/bench_1m.py) and
// analyses it fully: dominators, retained sizes, retainer paths (in
// LoadHeapDumps), per-type statistics and growth (DiffTypes), and SCCs.
func BenchmarkPythonDump1M(b *testing.B) {
	path := os.Getenv("LEAKSCAN_PYDUMP_1M")
	if path == "" {
		b.Skip("LEAKSCAN_PYDUMP_1M not set; see testdata/README.md")
	}
	srcs, err := ReadSources([]string{path}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Load(srcs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := heap.DiffTypes(s.Dumps, heap.TypeOptions{}); err != nil {
			b.Fatal(err)
		}
		graph.SCCs(s.Dumps.Dumps[0].Dump.Heap)
	}
}

// BenchmarkPythonFindings1M times what issues 5 and 13 add to the analysis of a
// 1,000,000-object dump: cycle grouping, task grouping and resources,
// on a dump loaded once (testdata/gen/pystories/bench_cycles.py; set
// LEAKSCAN_PYDUMP_CYCLES to its output).
func BenchmarkPythonFindings1M(b *testing.B) {
	path := os.Getenv("LEAKSCAN_PYDUMP_CYCLES")
	if path == "" {
		b.Skip("LEAKSCAN_PYDUMP_CYCLES not set; see testdata/README.md")
	}
	srcs, err := ReadSources([]string{path}, nil)
	if err != nil {
		b.Fatal(err)
	}
	s, err := Load(srcs)
	if err != nil {
		b.Fatal(err)
	}
	ds := s.Dumps
	b.Logf("%d objects, %d edges", ds.Dumps[0].Dump.Heap.NumNodes(), ds.Dumps[0].Dump.Heap.NumEdges())
	// The findings over a series of this dump twice: the accumulation
	// points, and the objects only cycles keep attributed to their groups
	// in both dumps (nothing is new, so nothing is reported; the passes
	// all run).
	b.Run("findings", func(b *testing.B) {
		pair, err := Load(append(srcs, srcs...))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			heap.Findings(pair.Dumps)
		}
	})
	for _, c := range []struct {
		name string
		fn   func(*heap.DumpSeries) (*series.Result, error)
	}{{"cycles", python.DiffCycles}, {"tasks", python.DiffTasks}, {"resources", python.DiffResources}, {"types", func(ds *heap.DumpSeries) (*series.Result, error) { return heap.DiffTypes(ds, heap.TypeOptions{}) }}} {
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

// BenchmarkProfileCallGraph builds the call graph of the big series (see
// bigheap), loaded once.
func BenchmarkProfileCallGraph(b *testing.B) {
	s, err := Load(bigheap(b, "series/*.pb.gz"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.CallGraph(Options{}, callgraph.CallGraphOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffSeries10ByStack is `leakscan diff --by stack` on the same
// series: one row per stack, named until the names differ.
func BenchmarkDiffSeries10ByStack(b *testing.B) {
	srcs := bigheap(b, "series/*.pb.gz")
	b.ReportAllocs()
	for b.Loop() {
		s, err := Load(srcs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Analyze(Options{By: series.ByStack}, false); err != nil {
			b.Fatal(err)
		}
	}
}
