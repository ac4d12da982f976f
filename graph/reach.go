package graph

// Reachable marks the nodes the roots reach through strong edges.
func Reachable(h *Heap) []bool {
	weak := h.weakKinds()
	seen := make([]bool, h.NumNodes())
	stack := make([]int32, 0, 64)
	for _, r := range h.Roots {
		if !seen[r] {
			seen[r] = true
			stack = append(stack, r)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for e := h.Start[n]; e < h.Start[n+1]; e++ {
			if to := h.EdgeTo[e]; !seen[to] && !weak[h.EdgeKinds[e]] {
				seen[to] = true
				stack = append(stack, to)
			}
		}
	}
	return seen
}
