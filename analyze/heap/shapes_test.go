package heap

import (
	"runtime"
	"testing"

	"github.com/leakscan/leakscan/graph"
)

// chain builds a dump whose module holds a linked list of n objects;
// with alternate, the links alternate between two types, so no step
// repeats the one before it.
func chain(t testing.TB, n int, alternate bool) *HeapDump {
	b := graph.NewBuilder()
	mod := b.AddNode(1, "builtins.module", 64, "app", 0)
	b.AddRoot(mod, "module", "app")
	prev := mod
	kind, label := "global", "head"
	for i := range n {
		typ := "app.Node"
		if alternate && i%2 == 1 {
			typ = "app.Link"
		}
		v := b.AddNode(uint64(100+i), typ, 48, "", 0)
		b.AddEdge(prev, v, kind, label)
		prev, kind, label = v, "attr", "next"
	}
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	d := &Dump{Heap: h, Runtime: &Runtime{Name: "Test"}}
	hd := &HeapDump{Name: "chain", Dump: d}
	hd.Dom = graph.ComputeDominators(h)
	hd.Retained = graph.RetainedSizes(h, hd.Dom)
	return hd
}

// TestChainShapes: the nodes of a 20,000-long chain share one shape, the
// links folded into one repeated step, and finding it allocates in
// proportion to the chain — where walking every path made it quadratic
// (9 s and 395 MB at 5,000 objects, past 60 s and 2 GB at 20,000).
func TestChainShapes(t *testing.T) {
	const n = 20_000
	hd := chain(t, n, false)
	hd.Retainers() // computed once per dump in any case
	var rs *RetainerShape
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	rs = CommonRetainerShape(hd, "app.Node")
	runtime.ReadMemStats(&ms1)
	if rs == nil || rs.Instances != n-2 || rs.Of != n || rs.Root != "module app" || len(rs.Steps) != 2 ||
		rs.Steps[0] != (PathStep{Kind: "global", Label: "head", Type: "app.Node"}) ||
		rs.Steps[1].Kind != "attr" || rs.Steps[1].Label != "next" || rs.Steps[1].Repeat < 2 || rs.Omitted != 0 {
		t.Fatalf("shape %+v", rs)
	}
	if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 16<<20 {
		t.Errorf("the common shape of a %d-node chain allocated %d bytes", n, alloc)
	}
}

// TestLongPathCut: a path that does not fold (the links alternate
// between two types) is shown cut to MaxPathSteps, its first steps from
// the root and its last ones to the object, with the number left out.
func TestLongPathCut(t *testing.T) {
	hd := chain(t, 5_000, true)
	rs, ok := PathOf(hd, int32(hd.Dump.Heap.NumNodes()-1))
	if !ok || len(rs.Steps) != MaxPathSteps || rs.Omitted != 5_000-MaxPathSteps || rs.OmittedAfter != MaxPathSteps/4 {
		t.Fatalf("%d steps, %d omitted after %d", len(rs.Steps), rs.Omitted, rs.OmittedAfter)
	}
	if first, last := rs.Steps[0], rs.Steps[len(rs.Steps)-1]; first.Label != "head" || last.Type != "app.Link" {
		t.Errorf("kept %+v … %+v", first, last)
	}
	// Every node of the alternating chain has a shape of its own: still
	// linear, one interned shape per node.
	CommonRetainerShape(hd, "app.Link")
	if got := len(hd.shapes().nodes); got != 5_001 {
		t.Errorf("%d shapes interned, want %d", got, 5_001)
	}
}
