package graph

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// synthetic builds a heap shaped like a program's: a tree of containers
// from a few roots, with random cross references and some cycles; about
// three edges per node.
func synthetic(b *testing.B, n int) *Heap {
	rng := rand.New(rand.NewPCG(7, 8))
	bl := NewBuilder()
	for i := 0; i < n; i++ {
		bl.AddNode(uint64(i), "T"+strconv.Itoa(i%50), int64(16+i%200), "", 0)
	}
	for i := 1; i < n; i++ {
		bl.AddEdge(int32(rng.IntN(i)), int32(i), "attr", "x") // a tree
		bl.AddEdge(int32(i), int32(rng.IntN(n)), "ref", "")   // cross references
		if i%4 == 0 {
			bl.AddEdge(int32(i), int32(i-1), "key", "k")
		}
	}
	for i := 0; i < 16; i++ {
		bl.AddRoot(int32(i), "module", "")
	}
	h, err := bl.Build()
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkSynthetic runs dominators, retained sizes, SCCs and retainer
// paths on a synthetic heap of LEAKSCAN_GRAPH_NODES nodes (default
// 1,000,000); set it to 20000000 to show the model scales.
func BenchmarkSynthetic(b *testing.B) { benchPasses(b, false) }

// BenchmarkSyntheticRenumbered is BenchmarkSynthetic on the same heap
// renumbered by Renumber (its cost reported apart, as renumber-ms).
func BenchmarkSyntheticRenumbered(b *testing.B) { benchPasses(b, true) }

func benchPasses(b *testing.B, renumber bool) {
	n := 1_000_000
	if s := os.Getenv("LEAKSCAN_GRAPH_NODES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	h := synthetic(b, n)
	var took time.Duration
	if renumber {
		t0 := time.Now()
		h.Renumber()
		took = time.Since(t0)
	}
	b.ResetTimer()
	for b.Loop() {
		d := ComputeDominators(h)
		RetainedSizes(h, d)
		SCCs(h)
		ShortestRetainers(h)
	}
	b.ReportMetric(float64(h.NumEdges()), "edges")
	if renumber {
		b.ReportMetric(float64(took.Milliseconds()), "renumber-ms")
	}
}
