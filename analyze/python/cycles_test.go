package python

import (
	"slices"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/graph"
	"github.com/leakscan/leakscan/graph/pydump"
)

// miniHeap builds a heap from named objects: each object is "name:type",
// edges are "from kind label to". Node 0 is a module root.
type miniHeap struct {
	t     *testing.T
	b     *graph.Builder
	nodes map[string]int32
}

func newMini(t *testing.T) *miniHeap {
	b := graph.NewBuilder()
	b.SetKind(graph.EdgeKind{Name: pydump.KindGarbage, Cost: pydump.CostGarbage})
	m := &miniHeap{t: t, b: b, nodes: map[string]int32{}}
	m.obj("root", "builtins.module", "")
	b.AddRoot(0, "module", "__main__")
	return m
}

func (m *miniHeap) obj(name, typ, value string) {
	m.nodes[name] = m.b.AddNode(uint64(len(m.nodes)+1000), typ, 100, value, 0)
}

func (m *miniHeap) edge(from, kind, label, to string) {
	m.t.Helper()
	f, ok1 := m.nodes[from]
	g, ok2 := m.nodes[to]
	if !ok1 || !ok2 {
		m.t.Fatalf("edge %s → %s: no such object", from, to)
	}
	m.b.AddEdge(f, g, kind, label)
}

func (m *miniHeap) dump() *heap.HeapDump {
	m.t.Helper()
	h, err := m.b.Build()
	if err != nil {
		m.t.Fatal(err)
	}
	return &heap.HeapDump{Name: "mini", Dump: &heap.Dump{Heap: h, Runtime: Runtime, Native: &pydump.Dump{Heap: h}}}
}

func ringOf(steps ...string) []RingStep {
	var out []RingStep
	for i := 0; i+3 < len(steps)+1; i += 4 {
		out = append(out, RingStep{Type: steps[i], Note: steps[i+1], Kind: steps[i+2], Label: steps[i+3]})
	}
	return out
}

// boundMethod adds an instance holding a bound method of itself, its
// objects created in the given order.
func boundMethod(m *miniHeap, prefix string, methodFirst bool) {
	inst, meth := prefix+"conn", prefix+"meth"
	if methodFirst {
		m.obj(meth, "builtins.method", "")
		m.obj(inst, "__main__.Connection", "")
	} else {
		m.obj(inst, "__main__.Connection", "")
		m.obj(meth, "builtins.method", "")
	}
	m.edge(inst, "attr", "recv", meth)
	m.edge(meth, "self", "__self__", inst)
	m.edge(meth, "func", "__func__", "read")
}

func TestCycleBoundMethod(t *testing.T) {
	m := newMini(t)
	m.obj("read", "builtins.function", "")
	m.obj("qn", "builtins.str", "Connection.read")
	m.edge("root", "attr", "read", "read")
	m.edge("read", "attr", "__qualname__", "qn")
	boundMethod(m, "a", false)
	boundMethod(m, "b", true) // found from the other object first: same ring
	// a live instance with the same shape is not a cycle to report
	boundMethod(m, "live", false)
	m.edge("root", "attr", "conn", "liveconn")
	scan := findCycles(m.dump())
	if len(scan.cycles) != 2 {
		t.Fatalf("%d cycles, want 2: %+v", len(scan.cycles), scan.cycles)
	}
	want := ringOf("__main__.Connection", "", "attr", "recv", "builtins.method", "Connection.read", "self", "__self__")
	for _, cy := range scan.cycles {
		if !slices.Equal(cy.ring, want) {
			t.Errorf("ring %+v, want %+v", cy.ring, want)
		}
		if cy.brk == nil || cy.brk.Pattern != PatternBoundMethod || cy.brk.Step != 0 || cy.brk.Guess {
			t.Errorf("break %+v, want the bound-method pattern at step 0", cy.brk)
		}
		if cy.members != 2 || cy.shallow != 200 || cy.retained != 200 {
			t.Errorf("members %d shallow %d retained %d, want 2, 200, 200", cy.members, cy.shallow, cy.retained)
		}
	}
	if scan.cycles[0].key != scan.cycles[1].key {
		t.Errorf("keys differ: %q %q", scan.cycles[0].key, scan.cycles[1].key)
	}
	if scan.unreachable != 4 {
		t.Errorf("unreachable %d, want 4", scan.unreachable)
	}
}

func TestCycleTraceback(t *testing.T) {
	m := newMini(t)
	for _, o := range [][2]string{
		{"resp", "aiohttp.ClientResponse"}, {"rdict", "builtins.dict"}, {"stream", "aiohttp.StreamReader"},
		{"exc", "aiohttp.ClientPayloadError"}, {"tb", "builtins.traceback"}, {"frame", "builtins.frame"},
		{"code", "builtins.code"}, {"buf", "builtins.bytes"}, {"args", "builtins.tuple"},
	} {
		m.obj(o[0], o[1], "")
	}
	m.obj("qn", "builtins.str", "ClientResponse.read")
	m.edge("code", "attr", "co_qualname", "qn")
	m.edge("root", "attr", "code", "code")
	// the 3.8–3.10 shape: attributes in a __dict__
	m.edge("resp", "attr", "__dict__", "rdict")
	m.edge("rdict", "key", "'content'", "stream")
	m.edge("stream", "attr", "_exception", "exc")
	m.edge("stream", "attr", "buf", "buf")
	m.edge("exc", "attr", "args", "args")
	m.edge("exc", "traceback", "__traceback__", "tb")
	m.edge("tb", "tb_frame", "tb_frame", "frame")
	m.edge("frame", "code", "f_code", "code")
	m.edge("frame", "local", "self", "resp")
	scan := findCycles(m.dump())
	if len(scan.cycles) != 1 {
		t.Fatalf("%d cycles, want 1", len(scan.cycles))
	}
	cy := scan.cycles[0]
	want := ringOf(
		"aiohttp.ClientResponse", "", "attr", "content",
		"aiohttp.StreamReader", "", "attr", "_exception",
		"aiohttp.ClientPayloadError", "", "traceback", "__traceback__",
		"builtins.traceback", "", "tb_frame", "tb_frame",
		"builtins.frame", "ClientResponse.read", "local", "self")
	if !slices.Equal(cy.ring, want) {
		t.Errorf("ring\n%+v\nwant\n%+v", cy.ring, want)
	}
	if cy.brk == nil || cy.brk.Pattern != PatternTraceback || cy.brk.Step != 1 {
		t.Errorf("break %+v, want the traceback pattern at step 1 (StreamReader._exception)", cy.brk)
	}
	// 6 on the component (with the dict), plus the buffer and args
	if cy.members != 6 || cy.retained != 800 {
		t.Errorf("members %d retained %d, want 6 and 800", cy.members, cy.retained)
	}
}

func TestCycleFrameLocalAndGuess(t *testing.T) {
	m := newMini(t)
	m.obj("frame", "builtins.frame", "")
	m.obj("exc", "builtins.ValueError", "")
	m.obj("tb", "builtins.traceback", "")
	m.edge("frame", "local", "err", "exc")
	m.edge("exc", "traceback", "__traceback__", "tb")
	m.edge("tb", "tb_frame", "tb_frame", "frame")
	// parent ↔ child: no known pattern
	m.obj("parent", "app.Node", "")
	m.obj("kids", "builtins.list", "")
	m.obj("child", "app.Leaf", "")
	m.edge("parent", "attr", "children", "kids")
	m.edge("kids", "index", "[0]", "child")
	m.edge("child", "attr", "parent", "parent")
	scan := findCycles(m.dump())
	if len(scan.cycles) != 2 {
		t.Fatalf("%d cycles, want 2", len(scan.cycles))
	}
	byPattern := map[string]cycle{}
	for _, cy := range scan.cycles {
		byPattern[cy.brk.Pattern] = cy
	}
	fl, ok := byPattern[PatternFrameLocal]
	if !ok || fl.ring[fl.brk.Step].Type != "builtins.frame" || fl.ring[fl.brk.Step].Label != "err" {
		t.Errorf("frame-local cycle %+v", fl)
	}
	g, ok := byPattern[""]
	want := ringOf("app.Leaf", "", "attr", "parent", "app.Node", "", "attr", "children", "builtins.list", "", "index", "[0]")
	if !ok || !g.brk.Guess || g.brk.Step != 0 || !slices.Equal(g.ring, want) {
		t.Errorf("guess %+v %+v, want ring %+v and a guess at step 0", g.ring, g.brk, want)
	}
}

func TestCycleGarbageAndHangers(t *testing.T) {
	m := newMini(t)
	m.obj("gclist", "builtins.list", "")
	m.edge("root", "attr", "garbage", "gclist")
	m.obj("a", "app.A", "")
	m.obj("b", "app.B", "")
	m.obj("c", "app.C", "")
	m.obj("d", "app.D", "")
	m.edge("a", "attr", "b", "b")
	m.edge("b", "attr", "a", "a")
	// a second cycle hanging off the first is part of what it keeps
	m.edge("a", "attr", "c", "c")
	m.edge("c", "attr", "d", "d")
	m.edge("d", "attr", "c", "c")
	for i, n := range []string{"a", "b", "c", "d"} {
		m.edge("gclist", pydump.KindGarbage, "["+string(rune('0'+i))+"]", n)
	}
	scan := findCycles(m.dump())
	if len(scan.cycles) != 1 {
		t.Fatalf("%d cycles, want 1 (the C–D ring hangs off A–B)", len(scan.cycles))
	}
	if cy := scan.cycles[0]; cy.retained != 400 || cy.ring[0].Type != "app.A" {
		t.Errorf("cycle %+v, want A–B retaining 400", cy)
	}
}

// TestCycleSeriesCollector: with the collector running, a group that fell
// between two dumps is garbage between collections, not a suspect; one
// that only grows is, and with the collector disabled any growth is.
func TestCycleSeriesCollector(t *testing.T) {
	series := func(enabled bool, counts ...int) *heap.DumpSeries {
		ds := &heap.DumpSeries{}
		for _, c := range counts {
			m := newMini(t)
			for i := 0; i < c; i++ {
				name := "n" + string(rune('a'+i))
				m.obj(name, "app.Node", "")
				m.edge(name, "attr", "me", name)
			}
			hd := m.dump()
			native(hd).GC = pydump.GC{Enabled: enabled, Thresholds: []int{700, 10, 10}}
			ds.Dumps = append(ds.Dumps, hd)
		}
		return ds
	}
	for _, c := range []struct {
		enabled bool
		counts  []int
		suspect bool
	}{
		{true, []int{3, 3, 0, 4, 5, 6}, false},
		{true, []int{1, 2, 3, 4, 5, 6}, true},
		{false, []int{3, 3, 0, 4, 5, 6}, true},
		{true, []int{2, 2, 2, 2, 2, 2}, false},
	} {
		res, err := DiffCycles(series(c.enabled, c.counts...))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 || res.Rows[0].Key != "app.Node -[attr me]-> " {
			t.Fatalf("%v: rows %+v", c.counts, res.Rows)
		}
		if got := res.Rows[0].Suspect; got != c.suspect {
			t.Errorf("collector enabled=%v, counts %v: suspect %v, want %v (%v)", c.enabled, c.counts, got, c.suspect, res.Rows[0].Reasons)
		}
	}
}
