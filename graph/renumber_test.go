package graph

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// randomHeap is a small heap with roots, weak edges, cycles and nodes no
// root reaches.
func randomHeap(t *testing.T, seed uint64, n int) *Heap {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := NewBuilder()
	b.SetKind(EdgeKind{Name: "weak", Weak: true})
	for i := range n {
		b.AddNode(uint64(1000+i), "T"+strconv.Itoa(i%5), int64(8+i%13), "", uint8(i%3))
	}
	for range 3 * n {
		kind := []string{"ref", "attr", "weak"}[rng.IntN(3)]
		b.AddEdge(int32(rng.IntN(n)), int32(rng.IntN(n)), kind, strconv.Itoa(rng.IntN(4)))
	}
	for range 3 {
		b.AddRoot(int32(rng.IntN(n)), "module", "m")
	}
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestRenumber: the renumbered heap is the same graph — every node keeps
// its id, type, size, value and flags, its edges in their order with
// their kinds and labels, the roots theirs — and the analyses give the
// same answers through the mapping; reachable nodes come first, in the
// dominators' depth-first order, so that order is 0, 1, 2 ….
func TestRenumber(t *testing.T) {
	for seed := range uint64(20) {
		old := randomHeap(t, seed, 60)
		h := randomHeap(t, seed, 60)
		newIndex := h.Renumber()
		seen := make([]bool, len(newIndex))
		for _, v := range newIndex {
			seen[v] = true
		}
		if slices.Contains(seen, false) {
			t.Fatalf("seed %d: not a permutation: %v", seed, newIndex)
		}
		for u := range int32(old.NumNodes()) {
			w := newIndex[u]
			if h.IDs[w] != old.IDs[u] || h.TypeName(w) != old.TypeName(u) || h.Sizes[w] != old.Sizes[u] || h.Values[w] != old.Values[u] || h.Flags[w] != old.Flags[u] {
				t.Fatalf("seed %d: node %d → %d changed", seed, u, w)
			}
			lo, hi := old.Edge(u)
			nlo, nhi := h.Edge(w)
			if hi-lo != nhi-nlo {
				t.Fatalf("seed %d: node %d has %d edges, then %d", seed, u, hi-lo, nhi-nlo)
			}
			for e := lo; e < hi; e++ {
				f := nlo + (e - lo)
				if h.EdgeTo[f] != newIndex[old.EdgeTo[e]] || h.Kind(f) != old.Kind(e) || h.Label(f) != old.Label(e) {
					t.Fatalf("seed %d: edge %d of node %d changed", seed, e-lo, u)
				}
			}
		}
		for i, r := range old.Roots {
			if h.Roots[i] != newIndex[r] {
				t.Fatalf("seed %d: root %d", seed, i)
			}
		}
		dOld, dNew := ComputeDominators(old), ComputeDominators(h)
		for i, v := range dNew.Order {
			if v != int32(i) {
				t.Fatalf("seed %d: depth-first order %v, want 0, 1, 2 …", seed, dNew.Order)
			}
		}
		rOld, rNew := RetainedSizes(old, dOld), RetainedSizes(h, dNew)
		for u := range int32(old.NumNodes()) {
			w := newIndex[u]
			want := dOld.Idom[u]
			if want >= 0 {
				want = newIndex[want]
			}
			if dNew.Idom[w] != want || rNew[w] != rOld[u] {
				t.Fatalf("seed %d: node %d: idom %d retained %d, want %d and %d", seed, u, dNew.Idom[w], rNew[w], want, rOld[u])
			}
		}
	}
}
