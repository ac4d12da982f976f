package graph

// Renumber reorders the nodes of h in place so that the graph passes walk
// memory mostly forward, and returns for each old node index its new one.
//
// The order is the depth-first preorder the dominator computation takes
// (from the roots in order, following strong edges in order), then every
// node no root reaches, in their old order. In that order a node's
// subtree of the depth-first tree is contiguous and most edges lead a
// short way forward, so the passes that follow edges — dominators, SCCs,
// retainer paths, reverse edges — touch neighbouring memory instead of a
// random node per edge; reading a dump leaves nodes in the order the
// dumper met them, which for a large heap is close to random. This is
// the classic locality gain of renumbering a graph in traversal order
// (cf. Wei, Yu, Lu, Lin, "Speedup Graph Processing by Graph Ordering",
// SIGMOD 2016, whose baselines include BFS and DFS orders).
//
// Every per-node slice is permuted, edges keep their order within a node,
// roots keep theirs, and IDs go with their nodes, so a reader that keeps
// node indexes of its own maps them through the returned slice. It must
// not run while another goroutine uses the heap.
func (h *Heap) Renumber() (newIndex []int32) {
	n := h.NumNodes()
	order := h.dfsOrder()
	newIndex = make([]int32, n)
	for i, v := range order {
		newIndex[v] = int32(i)
	}
	permute32 := func(s []int32) []int32 {
		out := make([]int32, len(s))
		for i, v := range order {
			out[i] = s[v]
		}
		return out
	}
	h.Types = permute32(h.Types)
	h.Values = permute32(h.Values)
	sizes := make([]int64, n)
	ids := make([]uint64, n)
	flags := make([]uint8, n)
	for i, v := range order {
		sizes[i], ids[i], flags[i] = h.Sizes[v], h.IDs[v], h.Flags[v]
	}
	h.Sizes, h.IDs, h.Flags = sizes, ids, flags

	m := len(h.EdgeTo)
	start := make([]int64, n+1)
	to := make([]int32, m)
	kinds := make([]uint8, m)
	labels := make([]int32, m)
	var j int64
	for i, v := range order {
		for e := h.Start[v]; e < h.Start[v+1]; e++ {
			to[j], kinds[j], labels[j] = newIndex[h.EdgeTo[e]], h.EdgeKinds[e], h.EdgeLabels[e]
			j++
		}
		start[i+1] = j
	}
	h.Start, h.EdgeTo, h.EdgeKinds, h.EdgeLabels = start, to, kinds, labels
	for i, r := range h.Roots {
		h.Roots[i] = newIndex[r]
	}
	h.DropReverse() // built again on first use
	return newIndex
}

// dfsOrder is the renumbering order of Renumber: the preorder of
// ComputeDominators' depth-first search, then the unreached nodes.
func (h *Heap) dfsOrder() []int32 {
	pre, vertex, _ := depthFirst(h, h.weakKinds())
	order := append(make([]int32, 0, h.NumNodes()), vertex[1:]...)
	for v, p := range pre {
		if p == 0 {
			order = append(order, int32(v))
		}
	}
	return order
}
