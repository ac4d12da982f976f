package graph

// Reachable marks the nodes the roots reach through strong edges.
func Reachable(h *Heap) []bool { return ReachableExcept(h) }

// ReachableExcept marks the nodes the roots reach through strong edges
// whose kind is not one of kinds: with "garbage", what is alive without
// Python's gc.garbage list.
func ReachableExcept(h *Heap, kinds ...string) []bool {
	skip := *h.weakKinds()
	for i, k := range h.Kinds {
		for _, name := range kinds {
			if k.Name == name {
				skip[i] = true
			}
		}
	}
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
			if to := h.EdgeTo[e]; !seen[to] && !skip[h.EdgeKinds[e]] {
				seen[to] = true
				stack = append(stack, to)
			}
		}
	}
	return seen
}
