package graph

// Retainers holds, for every node, its cheapest path from a root: the
// edge it was reached by and the node that edge comes from.
type Retainers struct {
	Dist     []int32 // path cost; -1 when unreachable
	ViaEdge  []int64 // the last edge of the path; -1 for a root or unreachable
	ViaNode  []int32 // that edge's source; -1 for a root or unreachable
	RootOf   []int32 // index into Heap.Roots of the path's root; -1 unreachable
	maxCosts int
}

// ShortestRetainers finds, for every node, the cheapest path from any root
// over strong edges, where an edge costs its kind's Cost (1 when unset), so
// that a path through an expensive edge is taken only when no cheaper one
// exists. Ties go to the path found first, in root order and edge order,
// so results are deterministic. Dial's algorithm: Dijkstra with a circular
// array of buckets indexed by cost, O(E + V·C) for edge costs up to C.
func ShortestRetainers(h *Heap) *Retainers {
	n := h.NumNodes()
	maxCost := 1
	for _, k := range h.Kinds {
		maxCost = max(maxCost, k.Cost)
	}
	r := &Retainers{Dist: make([]int32, n), ViaEdge: make([]int64, n), ViaNode: make([]int32, n), RootOf: make([]int32, n)}
	for i := range r.Dist {
		r.Dist[i], r.ViaEdge[i], r.ViaNode[i], r.RootOf[i] = -1, -1, -1, -1
	}
	done := make([]bool, n)
	buckets := make([][]int32, maxCost+1)
	for i, root := range h.Roots {
		if r.Dist[root] < 0 {
			r.Dist[root], r.RootOf[root] = 0, int32(i)
			buckets[0] = append(buckets[0], root)
		}
	}
	pending := len(buckets[0])
	for d := int32(0); pending > 0; d++ {
		b := &buckets[int(d)%(maxCost+1)]
		for len(*b) > 0 {
			v := (*b)[0]
			*b = (*b)[1:]
			pending--
			if done[v] || r.Dist[v] != d {
				continue // a stale entry: v was reached more cheaply
			}
			done[v] = true
			for e := h.Start[v]; e < h.Start[v+1]; e++ {
				k := h.Kinds[h.EdgeKinds[e]]
				if k.Weak {
					continue
				}
				w := h.EdgeTo[e]
				nd := d + int32(max(1, k.Cost))
				if done[w] || (r.Dist[w] >= 0 && r.Dist[w] <= nd) {
					continue
				}
				r.Dist[w], r.ViaEdge[w], r.ViaNode[w], r.RootOf[w] = nd, e, v, r.RootOf[v]
				nb := &buckets[int(nd)%(maxCost+1)]
				*nb = append(*nb, w)
				pending++
			}
		}
		*b = (*b)[:0:0]
	}
	return r
}

// Path returns the edges of n's retainer path, from the root to n; nil
// for a root, and ok false when n is unreachable.
func (r *Retainers) Path(n int32) (edges []int64, ok bool) {
	if r.Dist[n] < 0 {
		return nil, false
	}
	for v := n; r.ViaEdge[v] >= 0; v = r.ViaNode[v] {
		edges = append(edges, r.ViaEdge[v])
	}
	for i, j := 0, len(edges)-1; i < j; i, j = i+1, j-1 {
		edges[i], edges[j] = edges[j], edges[i]
	}
	return edges, true
}
