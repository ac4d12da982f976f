package graph

import (
	"fmt"
	"slices"
	"sync"
)

// EdgeKind describes one kind of edge ("attr", "key", "index" …).
type EdgeKind struct {
	Name string
	Weak bool // never retains (V8 weak edges, weakrefs)
	// Cost is what the edge costs a retainer path; 0 means 1. Paths avoid
	// expensive edges (into gc.garbage, through module dicts) when they can.
	Cost int
}

// Heap is an immutable object graph. Node i has type TypeNames[Types[i]],
// size Sizes[i], external id IDs[i], short value Strings[Values[i]] (or
// none when -1) and flags Flags[i] (bits whose meaning the reader that
// built the heap defines: see graph/pydump's Flag constants); its
// outgoing edges are e in
// Start[i]:Start[i+1], to node EdgeTo[e], of kind Kinds[EdgeKinds[e]],
// labelled Strings[EdgeLabels[e]] (or unlabelled when -1).
type Heap struct {
	Types  []int32
	Sizes  []int64
	IDs    []uint64
	Values []int32
	Flags  []uint8

	Start      []int64
	EdgeTo     []int32
	EdgeKinds  []uint8
	EdgeLabels []int32

	Roots     []int32
	RootKinds []uint8 // index into RootKindNames
	RootLabel []int32 // index into Strings, or -1

	TypeNames     []string
	Strings       []string
	Kinds         []EdgeKind
	RootKindNames []string

	revOnce sync.Once
	rev     *reverse
}

// NumNodes is the number of nodes.
func (h *Heap) NumNodes() int { return len(h.Types) }

// NumEdges is the number of edges.
func (h *Heap) NumEdges() int { return len(h.EdgeTo) }

// TypeName is the type of node n.
func (h *Heap) TypeName(n int32) string { return h.TypeNames[h.Types[n]] }

// Label is the label of edge e, "" when it has none.
func (h *Heap) Label(e int64) string {
	if l := h.EdgeLabels[e]; l >= 0 {
		return h.Strings[l]
	}
	return ""
}

// Kind is the kind of edge e.
func (h *Heap) Kind(e int64) EdgeKind { return h.Kinds[h.EdgeKinds[e]] }

// weakKinds tells, per edge kind index, whether the kind is weak.
func (h *Heap) weakKinds() *[256]bool {
	var w [256]bool
	for i, k := range h.Kinds {
		w[i] = k.Weak
	}
	return &w
}

// Edge returns the range of node n's outgoing edges.
func (h *Heap) Edge(n int32) (lo, hi int64) { return h.Start[n], h.Start[n+1] }

// reverse holds the incoming edges in CSR form: for node n, the edges
// RevEdge[RevStart[n]:RevStart[n+1]] (indexes into the forward edges)
// point to n.
type reverse struct {
	start []int64
	edge  []int64
	from  []int32
}

// Reverse returns the incoming edges of node n as forward-edge indexes and
// their source nodes. The reverse index is built on first use, once.
func (h *Heap) Reverse(n int32) (edges []int64, from []int32) {
	h.revOnce.Do(h.buildReverse)
	lo, hi := h.rev.start[n], h.rev.start[n+1]
	return h.rev.edge[lo:hi], h.rev.from[lo:hi]
}

// DropReverse frees the reverse index (12 bytes per edge and 8 per node)
// until the next call of Reverse builds it again: a series keeps many
// dumps whose reverse edges only their dominators needed. It must not run
// while another goroutine uses the heap.
func (h *Heap) DropReverse() { h.rev, h.revOnce = nil, sync.Once{} }

// buildReverse counts, prefix-sums and fills the reverse CSR.
func (h *Heap) buildReverse() {
	n := h.NumNodes()
	r := &reverse{start: make([]int64, n+1), edge: make([]int64, len(h.EdgeTo)), from: make([]int32, len(h.EdgeTo))}
	for _, to := range h.EdgeTo {
		r.start[to+1]++
	}
	for i := 0; i < n; i++ {
		r.start[i+1] += r.start[i]
	}
	fill := make([]int64, n)
	copy(fill, r.start[:n])
	for from := int32(0); int(from) < n; from++ {
		for e := h.Start[from]; e < h.Start[from+1]; e++ {
			to := h.EdgeTo[e]
			r.edge[fill[to]] = e
			r.from[fill[to]] = from
			fill[to]++
		}
	}
	h.rev = r
}

// MaxKinds is the largest number of distinct edge kinds, and of distinct
// root kinds, a Heap can hold: both are stored as one byte per edge or
// root.
const MaxKinds = 256

// Builder collects nodes, edges and roots, then builds a Heap. Edges may
// be added in any order and before their target node exists.
//
// The adding methods never fail and never panic, whatever the data: the
// first problem they meet (more than MaxKinds edge or root kinds) is
// recorded, Err reports it, and Build returns it. A reader can check Err
// to stop early or just call Build.
type Builder struct {
	h        Heap
	types    map[string]int32
	strings  map[string]int32
	kinds    map[string]uint8
	rootKind map[string]uint8
	from     []int32
	err      error // the first error, returned by Build
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{types: map[string]int32{}, strings: map[string]int32{}, kinds: map[string]uint8{}, rootKind: map[string]uint8{}}
}

// SetKind declares an edge kind's weakness and path cost. Past MaxKinds
// kinds it records an error (see Builder) and changes nothing.
func (b *Builder) SetKind(k EdgeKind) {
	i := b.kind(k.Name)
	if b.h.Kinds[i].Name != k.Name {
		return // no room for the kind
	}
	b.h.Kinds[i] = k
}

// Grow makes room for nodes more nodes and edges more edges, so that a
// reader that knows or can bound its counts allocates each slice once
// instead of growing it by copying. Counts are hints: adding more still
// works, and a negative or zero count grows nothing.
func (b *Builder) Grow(nodes, edges int) {
	if nodes > 0 {
		h := &b.h
		h.Types = slices.Grow(h.Types, nodes)
		h.Sizes = slices.Grow(h.Sizes, nodes)
		h.IDs = slices.Grow(h.IDs, nodes)
		h.Values = slices.Grow(h.Values, nodes)
		h.Flags = slices.Grow(h.Flags, nodes)
	}
	if edges > 0 {
		h := &b.h
		b.from = slices.Grow(b.from, edges)
		h.EdgeTo = slices.Grow(h.EdgeTo, edges)
		h.EdgeKinds = slices.Grow(h.EdgeKinds, edges)
		h.EdgeLabels = slices.Grow(h.EdgeLabels, edges)
	}
}

// Err returns the first error met while adding to the builder, or nil.
func (b *Builder) Err() error { return b.err }

// kind returns the index of the named edge kind, adding it when new. Past
// MaxKinds it records an error and returns 0.
func (b *Builder) kind(name string) uint8 {
	if i, ok := b.kinds[name]; ok {
		return i
	}
	if len(b.h.Kinds) >= MaxKinds {
		if b.err == nil {
			b.err = fmt.Errorf("graph: edge kind %q: more than %d edge kinds", name, MaxKinds)
		}
		return 0
	}
	i := uint8(len(b.h.Kinds))
	b.kinds[name] = i
	b.h.Kinds = append(b.h.Kinds, EdgeKind{Name: name})
	return i
}

// Str interns a string; "" is -1.
func (b *Builder) Str(s string) int32 {
	if s == "" {
		return -1
	}
	if i, ok := b.strings[s]; ok {
		return i
	}
	i := int32(len(b.h.Strings))
	b.strings[s] = i
	b.h.Strings = append(b.h.Strings, s)
	return i
}

// AddNode adds a node and returns its index.
func (b *Builder) AddNode(id uint64, typ string, size int64, value string, flags uint8) int32 {
	t, ok := b.types[typ]
	if !ok {
		t = int32(len(b.h.TypeNames))
		b.types[typ] = t
		b.h.TypeNames = append(b.h.TypeNames, typ)
	}
	n := int32(len(b.h.Types))
	b.h.Types = append(b.h.Types, t)
	b.h.Sizes = append(b.h.Sizes, size)
	b.h.IDs = append(b.h.IDs, id)
	b.h.Values = append(b.h.Values, b.Str(value))
	b.h.Flags = append(b.h.Flags, flags)
	return n
}

// AddEdge adds an edge from node from to node to.
func (b *Builder) AddEdge(from, to int32, kind, label string) {
	b.from = append(b.from, from)
	b.h.EdgeTo = append(b.h.EdgeTo, to)
	b.h.EdgeKinds = append(b.h.EdgeKinds, b.kind(kind))
	b.h.EdgeLabels = append(b.h.EdgeLabels, b.Str(label))
}

// AddRoot marks node n as a root of the given kind ("module", "thread" …).
// Past MaxKinds root kinds it records an error (see Builder).
func (b *Builder) AddRoot(n int32, kind, label string) {
	k, ok := b.rootKind[kind]
	if !ok {
		if len(b.h.RootKindNames) >= MaxKinds {
			if b.err == nil {
				b.err = fmt.Errorf("graph: root kind %q: more than %d root kinds", kind, MaxKinds)
			}
			return
		}
		k = uint8(len(b.h.RootKindNames))
		b.rootKind[kind] = k
		b.h.RootKindNames = append(b.h.RootKindNames, kind)
	}
	b.h.Roots = append(b.h.Roots, n)
	b.h.RootKinds = append(b.h.RootKinds, k)
	b.h.RootLabel = append(b.h.RootLabel, b.Str(label))
}

// Build checks the edges and returns the heap, its edges grouped by source
// node in the order they were added (a stable counting sort). It returns
// the first error the adding methods recorded, if any. The builder must
// not be used afterwards.
func (b *Builder) Build() (*Heap, error) {
	if b.err != nil {
		return nil, b.err
	}
	h := &b.h
	n := int32(len(h.Types))
	for i, to := range h.EdgeTo {
		if to < 0 || to >= n || b.from[i] < 0 || b.from[i] >= n {
			return nil, fmt.Errorf("graph: edge %d from node %d to node %d: no such node (%d nodes)", i, b.from[i], to, n)
		}
	}
	for _, r := range h.Roots {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("graph: root %d: no such node (%d nodes)", r, n)
		}
	}
	h.Start = make([]int64, n+1)
	for _, f := range b.from {
		h.Start[f+1]++
	}
	for i := int32(0); i < n; i++ {
		h.Start[i+1] += h.Start[i]
	}
	fill := make([]int64, n)
	copy(fill, h.Start[:n])
	to := make([]int32, len(h.EdgeTo))
	kinds := make([]uint8, len(h.EdgeTo))
	labels := make([]int32, len(h.EdgeTo))
	for i, f := range b.from {
		j := fill[f]
		fill[f]++
		to[j], kinds[j], labels[j] = h.EdgeTo[i], h.EdgeKinds[i], h.EdgeLabels[i]
	}
	h.EdgeTo, h.EdgeKinds, h.EdgeLabels = to, kinds, labels
	b.from = nil
	out := &Heap{}
	*out = Heap{Types: h.Types, Sizes: h.Sizes, IDs: h.IDs, Values: h.Values, Flags: h.Flags,
		Start: h.Start, EdgeTo: h.EdgeTo, EdgeKinds: h.EdgeKinds, EdgeLabels: h.EdgeLabels,
		Roots: h.Roots, RootKinds: h.RootKinds, RootLabel: h.RootLabel,
		TypeNames: h.TypeNames, Strings: h.Strings, Kinds: h.Kinds, RootKindNames: h.RootKindNames}
	return out, nil
}
