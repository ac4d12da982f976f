package heap

import (
	"slices"
	"testing"
	"time"

	"github.com/leakscan/leakscan/graph"
)

// syntheticSeries builds a series of dumps of one process: a module holding a
// cache and a log list; cache[i] and log[i] say how many entries each
// holds at dump i (entries keep their ids from one dump to the next).
func syntheticSeries(t *testing.T, cache, log []int) *DumpSeries {
	ds := &DumpSeries{}
	rt := &Runtime{Name: "Test", StableIDs: true}
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i := range cache {
		b := graph.NewBuilder()
		mod := b.AddNode(1, "mod", 64, "", 0)
		b.AddRoot(mod, "module", "app")
		c := b.AddNode(2, "Cache", 64, "", 0)
		l := b.AddNode(3, "LogList", 64, "", 0)
		b.AddEdge(mod, c, "global", "CACHE")
		b.AddEdge(mod, l, "global", "LOG")
		for k := range cache[i] {
			e := b.AddNode(uint64(1000+k), "Entry", 100, "", 0)
			b.AddEdge(c, e, "key", "k")
		}
		for k := range log[i] {
			r := b.AddNode(uint64(100000+k), "Record", 50, "", 0)
			b.AddEdge(l, r, "index", "[i]")
			s := b.AddNode(uint64(200000+k), "str", 30, "", 0)
			b.AddEdge(r, s, "attr", "msg")
		}
		h, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		hd := &HeapDump{Name: "d", Dump: &Dump{Heap: h, Runtime: rt, Time: t0.Add(time.Duration(i) * time.Minute)}}
		hd.Dom = graph.ComputeDominators(h)
		hd.Retained = graph.RetainedSizes(h, hd.Dom)
		ds.Dumps = append(ds.Dumps, hd)
	}
	return ds
}

// TestFindingsPlateauAndLeak: of a cache that fills and stops and a list
// that keeps growing, only the list is a leak; its container, edge, what
// piles up and its series are exact.
func TestFindingsPlateauAndLeak(t *testing.T) {
	ds := syntheticSeries(t, []int{2, 5, 8, 8, 8, 8}, []int{2, 5, 8, 11, 14, 17})
	fs := Findings(ds)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want the log alone: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.Type != "LogList" || f.Holder.Root != "module app" || !f.Holder.Has("global", "LOG") || f.Holders != 1 ||
		f.Edge != (PathStep{Kind: "index", Label: "[i]", Type: "Record"}) {
		t.Errorf("holder %s %+v edge %+v", f.Type, f.Holder, f.Edge)
	}
	if !slices.Equal(f.Count.Values, []float64{4, 10, 16, 22, 28, 34}) || !slices.Equal(f.Retained, []float64{160, 400, 640, 880, 1120, 1360}) {
		t.Errorf("counts %v retained %v", f.Count.Values, f.Retained)
	}
	if f.New != 30 || len(f.Heads) != 1 || f.Heads[0] != (TypeCount{Type: "Record", Count: 15}) || len(f.Samples) != maxSamples {
		t.Errorf("new %d heads %+v samples %v", f.New, f.Heads, f.Samples)
	}
	if len(f.Types) != 2 || f.Types[0].Type != "Record" || !slices.Equal(f.Types[0].Counts, []float64{2, 5, 8, 11, 14, 17}) {
		t.Errorf("types %+v", f.Types)
	}
	// Without stable ids (a format whose ids are addresses that move),
	// nothing is new: no findings.
	ds.Dumps[0].Dump.Runtime = &Runtime{Name: "Moving"}
	if fs := Findings(ds); fs != nil {
		t.Errorf("findings without stable ids: %+v", fs)
	}
}

// TestFindingsBelowNoise: a list that holds 0, 1, 2, 1, 2, 2 objects is
// not a leak.
func TestFindingsBelowNoise(t *testing.T) {
	if fs := Findings(syntheticSeries(t, []int{1, 1, 1, 1, 1, 1}, []int{0, 0, 1, 0, 1, 1})); len(fs) != 0 {
		t.Errorf("findings in noise: %+v", fs)
	}
}

// TestAccumulations: in one dump, a list holding 100 records that make
// most of the heap is a suspect accumulation point; a dict as big whose
// members are of many types is not, nor a list of 10.
func TestAccumulations(t *testing.T) {
	b := graph.NewBuilder()
	mod := b.AddNode(1, "mod", 64, "", 0)
	b.AddRoot(mod, "module", "app")
	list := b.AddNode(2, "list", 64, "", 0)
	b.AddEdge(mod, list, "global", "SEEN")
	for k := range 100 {
		r := b.AddNode(uint64(100+k), "Record", 400, "", 0)
		b.AddEdge(list, r, "index", "[i]")
	}
	mixed := b.AddNode(3, "dict", 64, "", 0)
	b.AddEdge(mod, mixed, "global", "MIXED")
	for k := range 100 {
		r := b.AddNode(uint64(1000+k), "T"+string(rune('a'+k%26)), 200, "", 0)
		b.AddEdge(mixed, r, "key", "k")
	}
	small := b.AddNode(4, "list", 64, "", 0)
	b.AddEdge(mod, small, "global", "SMALL")
	for k := range 10 {
		r := b.AddNode(uint64(5000+k), "Record", 1000, "", 0)
		b.AddEdge(small, r, "index", "[i]")
	}
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	hd := &HeapDump{Name: "one", Dump: &Dump{Heap: h, Runtime: &Runtime{Name: "Test"}}}
	hd.Dom = graph.ComputeDominators(h)
	hd.Retained = graph.RetainedSizes(h, hd.Dom)
	got := Accumulations(hd)
	if len(got) != 1 {
		t.Fatalf("%d suspects: %+v", len(got), got)
	}
	a := got[0]
	if a.ID != 2 || a.Member != "Record" || a.Members != 100 || a.MemberBytes != 40_000 || a.Retained != 40_064 || !a.Path.Has("global", "SEEN") {
		t.Errorf("suspect %+v", a)
	}
}
