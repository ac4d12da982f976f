package graph

import "slices"

// Idom values that are not nodes.
const (
	ByRoots     int32 = -1 // dominated only by the virtual root: a root, or reached from several
	Unreachable int32 = -2 // not reachable from any root through strong edges
)

// Dominators is the dominator tree of a heap's reachable nodes.
type Dominators struct {
	// Idom is each node's immediate dominator, or ByRoots, or Unreachable.
	Idom []int32
	// Order lists the reachable nodes in depth-first preorder from the
	// virtual root: every node comes after its immediate dominator, so a
	// walk backwards visits children before their dominators.
	Order []int32
}

// ComputeDominators computes the immediate dominators of every node from
// a virtual root that points to all the heap's roots, following strong
// edges only. It is the semi-NCA algorithm: semidominators as Lengauer and
// Tarjan compute them (with path compression), then each immediate
// dominator as the nearest common ancestor, in the DFS tree, of the node's
// parent and its semidominator. Time O(E log V), memory a few words per
// node, no recursion.
func ComputeDominators(h *Heap) *Dominators {
	n := h.NumNodes()
	weak := h.weakKinds()
	pre, vertex, parent := depthFirst(h, weak)
	count := int32(len(vertex))
	isRoot := make([]bool, n)
	for _, r := range h.Roots {
		isRoot[r] = true
	}

	// Predecessors over strong edges, in preorder numbers: a CSR of its
	// own, dropped on return (the heap's reverse index holds every edge
	// and stays; three snapshots of 10M edges would keep 430 MB of it).
	predStart := make([]int64, count+1)
	for i := int32(1); i < count; i++ {
		v := vertex[i]
		for e := h.Start[v]; e < h.Start[v+1]; e++ {
			if to := h.EdgeTo[e]; pre[to] != 0 && !weak[h.EdgeKinds[e]] {
				predStart[pre[to]]++ // pre is the number + 1: counts land one slot up
			}
		}
	}
	for i := int32(0); i < count; i++ {
		predStart[i+1] += predStart[i]
	}
	preds := make([]int32, predStart[count])
	fill := slices.Clone(predStart[:count])
	for i := int32(1); i < count; i++ {
		v := vertex[i]
		for e := h.Start[v]; e < h.Start[v+1]; e++ {
			if to := h.EdgeTo[e]; pre[to] != 0 && !weak[h.EdgeKinds[e]] {
				w := pre[to] - 1
				preds[fill[w]] = i
				fill[w]++
			}
		}
	}
	fill = nil

	// Semidominators, in reverse preorder.
	semi := make([]int32, count)
	label := make([]int32, count)
	ancestor := make([]int32, count)
	for i := range semi {
		semi[i], label[i], ancestor[i] = int32(i), int32(i), -1
	}
	var path []int32
	eval := func(v int32) int32 {
		if ancestor[v] < 0 {
			return v
		}
		// Compress the path from v up to the last node whose ancestor
		// is linked, keeping in label the node of least semidominator.
		path = path[:0]
		for x := v; ancestor[ancestor[x]] >= 0; x = ancestor[x] {
			path = append(path, x)
		}
		for i := len(path) - 1; i >= 0; i-- {
			x := path[i]
			a := ancestor[x]
			if semi[label[a]] < semi[label[x]] {
				label[x] = label[a]
			}
			ancestor[x] = ancestor[a]
		}
		return label[v]
	}
	for i := count - 1; i >= 1; i-- {
		w := vertex[i]
		if isRoot[w] {
			semi[i] = 0 // the virtual root is a predecessor
		}
		for _, v := range preds[predStart[i]:predStart[i+1]] {
			if s := semi[eval(v)]; s < semi[i] {
				semi[i] = s
			}
		}
		ancestor[i] = parent[i]
	}

	// Immediate dominators: walk up from the parent until at or above the
	// semidominator.
	idomPre := make([]int32, count)
	for i := int32(1); i < count; i++ {
		d := parent[i]
		for d > semi[i] {
			d = idomPre[d]
		}
		idomPre[i] = d
	}
	dom := &Dominators{Idom: make([]int32, n), Order: vertex[1:]}
	for i := range dom.Idom {
		dom.Idom[i] = Unreachable
	}
	for i := int32(1); i < count; i++ {
		if d := idomPre[i]; d == 0 {
			dom.Idom[vertex[i]] = ByRoots
		} else {
			dom.Idom[vertex[i]] = vertex[d]
		}
	}
	return dom
}

// RetainedSizes returns each node's retained size: its own size plus the
// sizes of all the nodes it dominates (what freeing it would free).
// Unreachable nodes retain their own size only.
func RetainedSizes(h *Heap, d *Dominators) []int64 {
	ret := make([]int64, h.NumNodes())
	copy(ret, h.Sizes)
	for i := len(d.Order) - 1; i >= 0; i-- {
		v := d.Order[i]
		if p := d.Idom[v]; p >= 0 {
			ret[p] += ret[v]
		}
	}
	return ret
}

// depthFirst is the iterative depth-first search of ComputeDominators and
// Renumber, from a virtual root whose children are the roots in order,
// along strong edges in order. vertex lists the nodes in preorder after
// the virtual root (vertex[0] = -1); parent gives each preorder number its
// parent's (0 for the roots); pre gives each node its preorder number
// plus one, 0 when unreached.
func depthFirst(h *Heap, weak *[256]bool) (pre, vertex, parent []int32) {
	pre = make([]int32, h.NumNodes())
	vertex = append(make([]int32, 0, h.NumNodes()+1), -1)
	parent = append(make([]int32, 0, h.NumNodes()+1), 0)
	type frame struct {
		node int32
		next int64
	}
	var stack []frame
	visit := func(v int32, par int32) {
		pre[v] = int32(len(vertex)) + 1
		vertex = append(vertex, v)
		parent = append(parent, par)
		stack = append(stack, frame{v, h.Start[v]})
	}
	for _, r := range h.Roots {
		if pre[r] != 0 {
			continue
		}
		visit(r, 0)
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == h.Start[top.node+1] {
				stack = stack[:len(stack)-1]
				continue
			}
			e := top.next
			top.next++
			if to := h.EdgeTo[e]; pre[to] == 0 && !weak[h.EdgeKinds[e]] {
				visit(to, pre[top.node]-1)
			}
		}
	}
	return pre, vertex, parent
}
