package graph

// SCCs returns the strongly connected component of every node over strong
// edges (Tarjan 1972, with an explicit stack), and the number of
// components. Components are numbered in the order Tarjan's algorithm
// completes them: a component's successors come before it.
func SCCs(h *Heap) (comp []int32, count int32) {
	n := h.NumNodes()
	weak := h.weakKinds()
	index := make([]int32, n) // DFS index + 1; 0 = unvisited
	low := make([]int32, n)
	comp = make([]int32, n)
	onStack := make([]bool, n)
	var stack []int32 // Tarjan's stack of nodes
	type frame struct {
		node int32
		next int64
	}
	var call []frame
	next := int32(1)
	for s := int32(0); int(s) < n; s++ {
		if index[s] != 0 {
			continue
		}
		index[s], low[s] = next, next
		next++
		stack = append(stack, s)
		onStack[s] = true
		call = append(call, frame{s, h.Start[s]})
		for len(call) > 0 {
			top := &call[len(call)-1]
			v := top.node
			if top.next < h.Start[v+1] {
				e := top.next
				top.next++
				if weak[h.EdgeKinds[e]] {
					continue
				}
				w := h.EdgeTo[e]
				if index[w] == 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, h.Start[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				if u := call[len(call)-1].node; low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = count
					if w == v {
						break
					}
				}
				count++
			}
		}
	}
	return comp, count
}
