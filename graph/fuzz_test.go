package graph

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// builderOps reads data as a program of builder calls, makes them on a
// new Builder and on a plain model, and returns both. Each op is a byte
// and its operands the bytes after it (0 past the end):
//
//	0 node: id, type (of 4), size (signed), value (of 4), flags
//	1 edge: from, to, kind (2 bytes: up to 65,536 names), label (of 4)
//	2 root: node, kind (2 bytes), label (of 4)
//	3 set kind: kind (2 bytes), weak bit, cost
//	4 burst: n edges 0 → 0, each of a new kind (to pass MaxKinds fast;
//	  at most MaxKinds+9 in all, as a campaign once stalled for minutes
//	  minimizing an input of 320,000 such edges that took 2 s a run)
//
// Node operands from 250 up are out of range (negative or huge).
func builderOps(data []byte) (*Builder, *builderModel) {
	b, m := NewBuilder(), &builderModel{kindIndex: map[string]int{}, rootIndex: map[string]int{}}
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		c := data[0]
		data = data[1:]
		return c
	}
	node := func() int32 {
		switch c := next(); {
		case c < 250:
			return int32(c)
		case c < 253:
			return -int32(c - 249)
		default:
			return 1 << 30
		}
	}
	name := func(prefix string) string {
		hi, lo := next(), next()
		return prefix + strconv.Itoa(int(hi)<<8|int(lo))
	}
	small := func(prefix string) string {
		if c := next() % 4; c > 0 {
			return prefix + strconv.Itoa(int(c))
		}
		return ""
	}
	burst := 0
	for len(data) > 0 {
		switch next() % 5 {
		case 0:
			id, typ, size, value, flags := uint64(next()), "T"+strconv.Itoa(int(next()%4)), int64(int8(next())), small("v"), next()
			b.AddNode(id, typ, size, value, flags)
			m.nodes = append(m.nodes, modelNode{id, typ, size, value, flags})
		case 1:
			e := modelEdge{from: node(), to: node(), kind: name("k"), label: small("l")}
			b.AddEdge(e.from, e.to, e.kind, e.label)
			m.addEdge(e)
		case 2:
			r := modelRoot{node: node(), kind: name("r"), label: small("l")}
			b.AddRoot(r.node, r.kind, r.label)
			m.addRoot(r)
		case 3:
			k := EdgeKind{Name: name("k"), Weak: next()&1 == 1, Cost: int(next() % 8)}
			b.SetKind(k)
			m.setKind(k)
		case 4:
			for range int(next()) {
				if burst > MaxKinds+8 { // enough to overflow; more only slows the run
					break
				}
				e := modelEdge{kind: "burst" + strconv.Itoa(burst)}
				burst++
				b.AddEdge(0, 0, e.kind, "")
				m.addEdge(e)
			}
		}
	}
	return b, m
}

// builderModel is what a Builder was asked to hold, kept plainly.
type builderModel struct {
	nodes     []modelNode
	edges     []modelEdge
	roots     []modelRoot
	kinds     []EdgeKind // in order of first use
	kindIndex map[string]int
	rootKinds []string
	rootIndex map[string]int
}

type modelNode struct {
	id    uint64
	typ   string
	size  int64
	value string
	flags uint8
}

type modelEdge struct {
	from, to    int32
	kind, label string
}

type modelRoot struct {
	node        int32
	kind, label string
}

func (m *builderModel) kind(name string) int {
	i, ok := m.kindIndex[name]
	if !ok {
		i = len(m.kinds)
		m.kindIndex[name] = i
		m.kinds = append(m.kinds, EdgeKind{Name: name})
	}
	return i
}

func (m *builderModel) addEdge(e modelEdge) { m.kind(e.kind); m.edges = append(m.edges, e) }

func (m *builderModel) setKind(k EdgeKind) {
	if i := m.kind(k.Name); i < MaxKinds {
		m.kinds[i] = k
	}
}

func (m *builderModel) addRoot(r modelRoot) {
	if _, ok := m.rootIndex[r.kind]; !ok {
		m.rootIndex[r.kind] = len(m.rootKinds)
		m.rootKinds = append(m.rootKinds, r.kind)
	}
	m.roots = append(m.roots, r)
}

// wantErr is the error Build should give: too many kinds, then nodes out
// of range; "" for none.
func (m *builderModel) wantErr() string {
	if len(m.kinds) > MaxKinds || len(m.rootKinds) > MaxKinds {
		return "more than 256"
	}
	n := int32(len(m.nodes))
	for _, e := range m.edges {
		if e.from < 0 || e.from >= n || e.to < 0 || e.to >= n {
			return "no such node"
		}
	}
	for _, r := range m.roots {
		if r.node < 0 || r.node >= n {
			return "no such node"
		}
	}
	return ""
}

// FuzzBuilder: whatever the calls, the builder never panics; Build fails
// exactly when the model says (too many edge or root kinds, a node out of
// range), with an error saying which; and a heap it builds holds what was
// added — nodes, edges grouped by source in the order added, kinds with
// their settings, roots — and the graph algorithms run on it.
func FuzzBuilder(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 1, 16, 1, 4, 0, 2, 2, 32, 0, 0, 1, 0, 1, 0, 7, 1, 2, 1, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 0, 0, 1, 3, 0, 9, 1, 5})
	f.Add([]byte{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 255, 4, 2})                    // 257 kinds
	f.Add([]byte{0, 1, 0, 0, 0, 0, 1, 0, 251, 0, 0, 0})                                // an edge to node -2
	f.Add([]byte{0, 1, 0, 0, 0, 0, 2, 0, 0, 5, 0, 2, 0, 0, 6, 0, 3, 0, 5, 1, 3, 3, 0}) // roots, a weak kind
	var many []byte
	for i := range 300 {
		many = append(many, 2, 0, byte(i>>8), byte(i), 0) // 300 root kinds
	}
	f.Add(append([]byte{0, 1, 0, 0, 0, 0}, many...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		b, m := builderOps(data)
		h, err := b.Build()
		want := m.wantErr()
		switch {
		case want == "" && err != nil:
			t.Fatalf("Build: %v, want no error", err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "graph: ")):
			t.Fatalf("Build: %v, want an error with %q", err, want)
		case err != nil:
			return
		}
		checkBuilt(t, h, m)
		// the algorithms run on any heap Build gives
		d := ComputeDominators(h)
		RetainedSizes(h, d)
		r := ShortestRetainers(h)
		for n := range int32(h.NumNodes()) {
			r.Path(n)
			if edges, from := h.Reverse(n); len(edges) != len(from) {
				t.Fatalf("node %d: %d reverse edges, %d sources", n, len(edges), len(from))
			}
		}
		SCCs(h)
		Reachable(h)
	})
}

// checkBuilt compares a heap with the model it was built from.
func checkBuilt(t *testing.T, h *Heap, m *builderModel) {
	t.Helper()
	n := len(m.nodes)
	if h.NumNodes() != n || len(h.Start) != n+1 || h.Start[n] != int64(len(m.edges)) || h.NumEdges() != len(m.edges) {
		t.Fatalf("%d nodes, %d edges, want %d and %d", h.NumNodes(), h.NumEdges(), n, len(m.edges))
	}
	for i, want := range m.nodes {
		v := ""
		if h.Values[i] >= 0 {
			v = h.Strings[h.Values[i]]
		}
		got := modelNode{h.IDs[i], h.TypeName(int32(i)), h.Sizes[i], v, h.Flags[i]}
		if got != want {
			t.Fatalf("node %d: %+v, want %+v", i, got, want)
		}
	}
	if !slices.Equal(h.Kinds, m.kinds) {
		t.Fatalf("kinds %v, want %v", h.Kinds, m.kinds)
	}
	bySource := make([][]modelEdge, n)
	for _, e := range m.edges {
		bySource[e.from] = append(bySource[e.from], modelEdge{to: e.to, kind: e.kind, label: e.label})
	}
	for from := range int32(n) {
		lo, hi := h.Edge(from)
		if lo > hi || hi-lo != int64(len(bySource[from])) {
			t.Fatalf("node %d: edges %d..%d, want %d", from, lo, hi, len(bySource[from]))
		}
		for j, want := range bySource[from] {
			e := lo + int64(j)
			got := modelEdge{to: h.EdgeTo[e], kind: h.Kind(e).Name, label: h.Label(e)}
			if got != want {
				t.Fatalf("node %d, edge %d: %+v, want %+v", from, j, got, want)
			}
		}
	}
	if len(h.Roots) != len(m.roots) || !slices.Equal(h.RootKindNames, m.rootKinds) {
		t.Fatalf("roots %v of kinds %v, want %v of %v", h.Roots, h.RootKindNames, m.roots, m.rootKinds)
	}
	for i, want := range m.roots {
		l := ""
		if h.RootLabel[i] >= 0 {
			l = h.Strings[h.RootLabel[i]]
		}
		if got := (modelRoot{h.Roots[i], h.RootKindNames[h.RootKinds[i]], l}); got != want {
			t.Fatalf("root %d: %+v, want %+v", i, got, want)
		}
	}
}
