package graph

// EdgeSource returns the node edge e leaves from, by binary search over
// the CSR offsets (edges are grouped by source).
func (h *Heap) EdgeSource(e int64) int32 {
	lo, hi := 0, h.NumNodes()-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if h.Start[mid] <= e {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return int32(lo)
}

// Value returns the short value of node n ("" when it has none).
func (h *Heap) Value(n int32) string {
	if n < 0 || h.Values[n] < 0 {
		return ""
	}
	return h.Strings[h.Values[n]]
}
