package graph

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestReachableExcept(t *testing.T) {
	b := NewBuilder()
	for i := 0; i < 4; i++ {
		b.AddNode(uint64(i), "T", 1, "", 0)
	}
	b.SetKind(EdgeKind{Name: "garbage", Cost: 100})
	b.AddEdge(0, 1, "garbage", "[0]")
	b.AddEdge(1, 2, "attr", "a")
	b.AddEdge(2, 1, "attr", "b")
	b.AddEdge(0, 3, "attr", "c")
	b.AddRoot(0, "module", "gc")
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ReachableExcept(h, "garbage"), []bool{true, false, false, true}; !slices.Equal(got, want) {
		t.Errorf("ReachableExcept = %v, want %v", got, want)
	}
	if got := Reachable(h); !got[1] || !got[2] {
		t.Errorf("Reachable = %v, want all", got)
	}
}

// TestInduced checks the subgraph against the edges filtered by hand, and
// its SCCs against the oracle on the filtered edges.
func TestInduced(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 100; iter++ {
		n := 2 + rng.IntN(40)
		edges, _ := randomGraph(rng, n, rng.IntN(3*n), 0)
		h := build(t, n, edges, nil)
		keep := make([]bool, n)
		for i := range keep {
			keep[i] = rng.IntN(3) > 0
		}
		var roots []int32
		for i := 0; i < 3; i++ {
			roots = append(roots, int32(rng.IntN(n)))
		}
		sub, orig := Induced(h, keep)
		// every kept node once, in order
		var want []int32
		for i, k := range keep {
			if k {
				want = append(want, int32(i))
			}
		}
		if !slices.Equal(orig, want) {
			t.Fatalf("orig = %v, want %v", orig, want)
		}
		// the edges between kept nodes, in order, and sizes carried over
		for i, o := range orig {
			if sub.Sizes[i] != h.Sizes[o] || sub.TypeName(int32(i)) != h.TypeName(o) {
				t.Fatalf("node %d: size %d type %s, want %d %s", i, sub.Sizes[i], sub.TypeName(int32(i)), h.Sizes[o], h.TypeName(o))
			}
			var got, exp []int32
			for e := sub.Start[i]; e < sub.Start[i+1]; e++ {
				got = append(got, orig[sub.EdgeTo[e]])
			}
			for e := h.Start[o]; e < h.Start[o+1]; e++ {
				if keep[h.EdgeTo[e]] {
					exp = append(exp, h.EdgeTo[e])
				}
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("node %d edges %v, want %v", o, got, exp)
			}
		}
		if len(sub.Roots) != 0 {
			t.Fatalf("roots %v", sub.Roots)
		}
		var subRoots []int32
		for i := range orig {
			if slices.Contains(roots, orig[i]) {
				subRoots = append(subRoots, int32(i))
			}
		}
		// dominators of the rooted subgraph against the oracle on the
		// filtered edges
		rooted := sub.WithRoots(subRoots)
		var subEdges [][2]int32
		for v := int32(0); int(v) < len(orig); v++ {
			for e := rooted.Start[v]; e < rooted.Start[v+1]; e++ {
				subEdges = append(subEdges, [2]int32{v, rooted.EdgeTo[e]})
			}
		}
		if got, want := ComputeDominators(rooted).Idom, oracleDominators(len(orig), subEdges, subRoots); !slices.Equal(got, want) {
			t.Fatalf("idom of the subgraph %v, want %v", got, want)
		}
	}
}
