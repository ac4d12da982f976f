package heap

import (
	"cmp"
	"slices"
)

// Accumulation is a suspect accumulation point of a single dump, as
// Eclipse MAT's leak-suspects report finds them: an object that retains a
// large share of the heap, and holds it as many objects of one type —
// the shape of a collection that keeps growing. One dump cannot tell
// growth; a series can (Findings).
type Accumulation struct {
	ID       uint64         `json:"id"`
	Type     string         `json:"type"`
	Path     *RetainerShape `json:"path"`
	Retained int64          `json:"retained"`
	Share    float64        `json:"share"` // of the reachable heap's bytes
	// Member is the type most of what it holds directly is, and Members
	// how many of those it holds; MemberBytes what they retain.
	Member      string `json:"member"`
	Members     int    `json:"members"`
	MemberBytes int64  `json:"member_bytes"`
}

// Thresholds of a suspect accumulation point.
const (
	minShare       = 0.10 // of the reachable heap
	minMembers     = 50   // objects of one type held directly
	minMemberShare = 0.5  // of what the holder retains
	maxSuspects    = 5
)

// Accumulations finds the suspect accumulation points of one dump, the
// largest first: objects retaining at least a tenth of the reachable
// heap, more than half of it as at least 50 objects of one type that they
// dominate directly.
func Accumulations(hd *HeapDump) []Accumulation {
	h := hd.Dump.Heap
	var total int64
	for _, v := range hd.Dom.Order {
		total += h.Sizes[v]
	}
	if total == 0 {
		return nil
	}
	start, kids := domChildren(hd)
	var out []Accumulation
	for _, v := range hd.Dom.Order {
		if float64(hd.Retained[v]) < minShare*float64(total) {
			continue
		}
		count := map[int32]int{}
		bytes := map[int32]int64{}
		for _, k := range kids[start[v]:start[v+1]] {
			count[h.Types[k]]++
			bytes[h.Types[k]] += hd.Retained[k]
		}
		best := int32(-1)
		for t, c := range count {
			if best < 0 || c > count[best] || c == count[best] && t < best {
				best = t
			}
		}
		held := hd.Retained[v] - h.Sizes[v]
		if best < 0 || count[best] < minMembers || float64(bytes[best]) < minMemberShare*float64(held) {
			continue
		}
		a := Accumulation{ID: h.IDs[v], Type: h.TypeName(v), Retained: hd.Retained[v], Share: float64(hd.Retained[v]) / float64(total),
			Member: h.TypeNames[best], Members: count[best], MemberBytes: bytes[best]}
		a.Path, _ = PathOf(hd, v)
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Accumulation) int { return cmp.Compare(b.Retained, a.Retained) })
	return out[:min(len(out), maxSuspects)]
}
