package heap

import (
	"fmt"
	"slices"

	"github.com/leakscan/leakscan/graph"
)

// This file answers "why is it alive" for heap dumps: retainer paths and
// the objects that retain the most.

// CommonRetainerShape finds the retainer path shape shared by most of the
// instances of a type in a snapshot; nil when none is reachable.
func CommonRetainerShape(hd *HeapDump, typ string) *RetainerShape {
	h := hd.Dump.Heap
	t := slices.Index(h.TypeNames, typ)
	if t < 0 {
		return nil
	}
	var nodes []int32
	for v := int32(0); int(v) < h.NumNodes(); v++ {
		if h.Types[v] == int32(t) {
			nodes = append(nodes, v)
		}
	}
	return CommonShape(hd, nodes)
}

// CommonShape finds the retainer path shape shared by most of the given
// objects; nil when no root reaches any. Shapes are computed once per
// dump (shapes.go): the cost is linear in the objects and their paths'
// distinct shapes, never in the paths' lengths.
func CommonShape(hd *HeapDump, nodes []int32) *RetainerShape {
	// The example of a shape is its instance of least id, and shapes
	// shared by as many instances are told apart by their examples' ids:
	// the answer does not depend on how the dump's nodes are numbered.
	type shapeInfo struct {
		count   int
		example int32
	}
	ids := hd.Dump.Heap.IDs
	shapes := map[int32]*shapeInfo{}
	of := 0
	for _, v := range nodes {
		id := hd.shapeOf(v)
		if id < 0 {
			continue
		}
		of++
		si := shapes[id]
		if si == nil {
			si = &shapeInfo{example: v}
			shapes[id] = si
		}
		si.count++
		if ids[v] < ids[si.example] {
			si.example = v
		}
	}
	var best *shapeInfo
	for _, si := range shapes {
		if best == nil || si.count > best.count || (si.count == best.count && ids[si.example] < ids[best.example]) {
			best = si
		}
	}
	if best == nil {
		return nil
	}
	rs, _ := PathOf(hd, best.example)
	rs.Instances, rs.Of = best.count, of
	return rs
}

// MaxPathSteps bounds the steps of a path as it is shown: beyond it, the
// first steps from the root and the last ones to the object are kept, and
// Omitted says how many were left out between them.
const MaxPathSteps = 32

// PathOf returns node v's retainer path as one instance's shape, a run of
// identical steps (the links of a chain) folded into one step with its
// Repeat count, and cut to MaxPathSteps; false when no root reaches v.
func PathOf(hd *HeapDump, v int32) (*RetainerShape, bool) {
	h := hd.Dump.Heap
	edges, ok := hd.Retainers().Path(v)
	if !ok {
		return nil, false
	}
	r := hd.Retainers().RootOf[v]
	rs := &RetainerShape{Root: h.RootKindNames[h.RootKinds[r]] + " " + RootLabel(h, r), Instances: 1, Of: 1}
	for _, e := range edges {
		st := PathStep{Kind: h.Kind(e).Name, Label: h.Label(e), Type: h.TypeName(h.EdgeTo[e])}
		if n := len(rs.Steps); n > 0 && sameStep(rs.Steps[n-1], st) {
			last := &rs.Steps[n-1]
			last.Repeat = max(last.Repeat, 1) + 1
			continue
		}
		rs.Steps = append(rs.Steps, st)
	}
	if n := len(rs.Steps); n > MaxPathSteps {
		head := MaxPathSteps / 4
		rs.Omitted = n - MaxPathSteps
		rs.OmittedAfter = head
		rs.Steps = append(rs.Steps[:head:head], rs.Steps[n-(MaxPathSteps-head):]...)
	}
	return rs, true
}

// sameStep reports whether two steps are the same hop of a shape: kind,
// type, and label unless the label is an index or key.
func sameStep(a, b PathStep) bool {
	if a.Kind != b.Kind || a.Type != b.Type {
		return false
	}
	return a.Label == b.Label || a.Kind == "index" || a.Kind == "key"
}

// RootLabel names a root: its label, else its type.
func RootLabel(h *graph.Heap, r int32) string {
	if l := h.RootLabel[r]; l >= 0 {
		return h.Strings[l]
	}
	return h.TypeName(h.Roots[r])
}

// RetainerOf returns the retainer path of the object with the given id.
func RetainerOf(hd *HeapDump, id uint64) (*RetainerShape, error) {
	h := hd.Dump.Heap
	v := int32(slices.Index(h.IDs, id))
	if v < 0 {
		return nil, fmt.Errorf("no object with id %d in %s", id, hd.Name)
	}
	rs, ok := PathOf(hd, v)
	if !ok {
		return nil, fmt.Errorf("object %d (%s) is not reachable from any root: garbage, or kept only by a reference cycle", id, h.TypeName(v))
	}
	return rs, nil
}

// BigRetainer is an object that retains much of a heap dump.
type BigRetainer struct {
	ID       uint64
	Type     string
	Retained int64
	Shallow  int64
	Path     *RetainerShape
}

// BiggestRetainers returns the k objects of a snapshot that retain the most
// (the largest subtrees of the dominator tree). An object that retains
// nearly all of what its immediate dominator, already listed, retains is
// left out: a module, its dict and the one big value in it are one entry.
func BiggestRetainers(hd *HeapDump, k int) []BigRetainer {
	h := hd.Dump.Heap
	order := slices.Clone(hd.Dom.Order)
	slices.SortStableFunc(order, func(a, b int32) int {
		switch ra, rb := hd.Retained[a], hd.Retained[b]; {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return 0
	})
	// Roots of no size are the format's own bookkeeping (V8's "(Strong
	// roots)", "(GC roots)"): what they hold is listed, not they.
	synthetic := map[int32]bool{}
	for _, r := range h.Roots {
		if h.Sizes[r] == 0 {
			synthetic[r] = true
		}
	}
	listed := map[int32]bool{}
	var out []BigRetainer
	for _, v := range order {
		if len(out) == k {
			break
		}
		if synthetic[v] {
			continue
		}
		if p := hd.Dom.Idom[v]; p >= 0 && listed[p] && 10*hd.Retained[v] >= 9*hd.Retained[p] {
			listed[v] = true // stands for the same memory as p
			continue
		}
		listed[v] = true
		br := BigRetainer{ID: h.IDs[v], Type: h.TypeName(v), Retained: hd.Retained[v], Shallow: h.Sizes[v]}
		br.Path, _ = PathOf(hd, v)
		out = append(out, br)
	}
	return out
}

// CommonAllocSite finds the allocation traceback shared by most of the
// instances of a type that have one; nil when the dump has none.
func CommonAllocSite(hd *HeapDump, typ string) *AllocSite {
	h := hd.Dump.Heap
	t := int32(slices.Index(h.TypeNames, typ))
	if t < 0 {
		return nil
	}
	return allocSiteOf(hd, func(v int32) bool { return h.Types[v] == t })
}
