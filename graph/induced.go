package graph

import "slices"

// Induced returns the subgraph of h induced by the nodes with keep[n]
// set — those nodes, in their order, and the edges between them — and
// for each of its nodes the node of h it is. Types, strings and edge
// kinds are shared with h. It has no roots (see WithRoots); the analyses
// of this package then run on the subgraph alone: the cycles among some
// nodes, the dominators of an unreachable part of a heap from chosen
// entry points.
func Induced(h *Heap, keep []bool) (sub *Heap, orig []int32) {
	idx := make([]int32, len(keep)) // valid where keep is set
	for n, k := range keep {
		if k {
			idx[int32(n)] = int32(len(orig))
			orig = append(orig, int32(n))
		}
	}
	sub = &Heap{
		Types:  make([]int32, len(orig)),
		Sizes:  make([]int64, len(orig)),
		IDs:    make([]uint64, len(orig)),
		Values: make([]int32, len(orig)),
		Flags:  make([]uint8, len(orig)),
		Start:  make([]int64, len(orig)+1),

		TypeNames: h.TypeNames,
		Strings:   h.Strings,
		Kinds:     h.Kinds,
	}
	for i, n := range orig {
		sub.Types[i], sub.Sizes[i], sub.IDs[i], sub.Values[i], sub.Flags[i] = h.Types[n], h.Sizes[n], h.IDs[n], h.Values[n], h.Flags[n]
		for e := h.Start[n]; e < h.Start[n+1]; e++ {
			if to := h.EdgeTo[e]; keep[to] {
				sub.EdgeTo = append(sub.EdgeTo, idx[to])
				sub.EdgeKinds = append(sub.EdgeKinds, h.EdgeKinds[e])
				sub.EdgeLabels = append(sub.EdgeLabels, h.EdgeLabels[e])
			}
		}
		sub.Start[i+1] = int64(len(sub.EdgeTo))
	}
	return sub, orig
}

// WithRoots returns a heap that shares h's nodes and edges and has the
// given nodes as its roots, each of kind "entry".
func (h *Heap) WithRoots(roots []int32) *Heap {
	out := &Heap{Types: h.Types, Sizes: h.Sizes, IDs: h.IDs, Values: h.Values, Flags: h.Flags,
		Start: h.Start, EdgeTo: h.EdgeTo, EdgeKinds: h.EdgeKinds, EdgeLabels: h.EdgeLabels,
		TypeNames: h.TypeNames, Strings: h.Strings, Kinds: h.Kinds, RootKindNames: []string{"entry"}}
	out.Roots = slices.Clone(roots)
	out.RootKinds = make([]uint8, len(roots))
	out.RootLabel = make([]int32, len(roots))
	for i := range out.RootLabel {
		out.RootLabel[i] = -1
	}
	return out
}
