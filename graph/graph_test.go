package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph/flow"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// build makes a heap of n nodes (size 1+i) from edges and roots.
func build(t testing.TB, n int, edges [][2]int32, roots []int32) *Heap {
	t.Helper()
	b := NewBuilder()
	for i := 0; i < n; i++ {
		b.AddNode(uint64(i), "T", int64(1+i), "", 0)
	}
	for _, e := range edges {
		b.AddEdge(e[0], e[1], "ref", "")
	}
	for _, r := range roots {
		b.AddRoot(r, "module", "")
	}
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// oracleDominators computes immediate dominators with gonum, from a
// virtual root n linked to every root.
func oracleDominators(n int, edges [][2]int32, roots []int32) []int32 {
	g := simple.NewDirectedGraph()
	for i := 0; i <= n; i++ {
		g.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		if e[0] != e[1] {
			g.SetEdge(simple.Edge{F: simple.Node(e[0]), T: simple.Node(e[1])})
		}
	}
	for _, r := range roots {
		g.SetEdge(simple.Edge{F: simple.Node(n), T: simple.Node(r)})
	}
	tree := flow.Dominators(simple.Node(n), g)
	out := make([]int32, n)
	for i := 0; i < n; i++ {
		d := tree.DominatorOf(int64(i))
		switch {
		case d == nil:
			out[i] = Unreachable
		case d.ID() == int64(n):
			out[i] = ByRoots
		default:
			out[i] = int32(d.ID())
		}
	}
	return out
}

func randomGraph(rng *rand.Rand, n, m, nroots int) ([][2]int32, []int32) {
	edges := make([][2]int32, m)
	for i := range edges {
		edges[i] = [2]int32{int32(rng.IntN(n)), int32(rng.IntN(n))}
	}
	roots := make([]int32, nroots)
	for i := range roots {
		roots[i] = int32(rng.IntN(n))
	}
	return edges, roots
}

func TestDominatorsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(60)
		edges, roots := randomGraph(rng, n, rng.IntN(3*n+1), 1+rng.IntN(3))
		h := build(t, n, edges, roots)
		got := ComputeDominators(h).Idom
		want := oracleDominators(n, edges, roots)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (n=%d, edges %v, roots %v):\n got %v\nwant %v", trial, n, edges, roots, got, want)
		}
	}
}

// TestDominatorsPaper checks the flowgraph of Lengauer and Tarjan's paper
// (Fig. 1: R A B C D E F G H I J K L, R the root), whose immediate
// dominators the paper lists.
func TestDominatorsPaper(t *testing.T) {
	const (
		R = iota
		A
		B
		C
		D
		E
		F
		G
		H
		I
		J
		K
		L
	)
	edges := [][2]int32{
		{R, A}, {R, B}, {R, C}, {A, D}, {B, A}, {B, D}, {B, E}, {C, F}, {C, G},
		{D, L}, {E, H}, {F, I}, {G, I}, {G, J}, {H, E}, {H, K}, {I, K}, {J, I},
		{K, I}, {K, R}, {L, H},
	}
	h := build(t, 13, edges, []int32{R})
	got := ComputeDominators(h).Idom
	want := []int32{ByRoots, R, R, R, R, R, C, C, R, R, G, R, D}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if oracle := oracleDominators(13, edges, []int32{R}); !slices.Equal(got, oracle) {
		t.Errorf("got %v, gonum %v", got, oracle)
	}
}

func TestRetainedSizes(t *testing.T) {
	// 0 → 1 → 2, 0 → 3 → 2: 2 is shared, so 1 and 3 retain only themselves.
	h := build(t, 5, [][2]int32{{0, 1}, {1, 2}, {0, 3}, {3, 2}, {4, 4}}, []int32{0})
	d := ComputeDominators(h)
	got := RetainedSizes(h, d)
	want := []int64{1 + 2 + 3 + 4, 2, 3, 4, 5}
	if !slices.Equal(got, want) {
		t.Errorf("retained %v, want %v", got, want)
	}
	if d.Idom[4] != Unreachable {
		t.Errorf("node 4 idom %d", d.Idom[4])
	}
}

// TestLongChain runs every algorithm on a chain of a million nodes, which
// would overflow any recursion.
func TestLongChain(t *testing.T) {
	const n = 1_000_000
	edges := make([][2]int32, n-1)
	for i := range edges {
		edges[i] = [2]int32{int32(i), int32(i + 1)}
	}
	edges = append(edges, [2]int32{n - 1, 0}) // one big cycle
	h := build(t, n, edges, []int32{0})
	d := ComputeDominators(h)
	if d.Idom[n-1] != n-2 || d.Idom[0] != ByRoots {
		t.Errorf("idom of the last %d, of the first %d", d.Idom[n-1], d.Idom[0])
	}
	if ret := RetainedSizes(h, d); ret[0] != int64(n)*(n+1)/2 {
		t.Errorf("root retains %d", ret[0])
	}
	if _, count := SCCs(h); count != 1 {
		t.Errorf("%d components, want 1", count)
	}
	r := ShortestRetainers(h)
	if p, ok := r.Path(n - 1); !ok || len(p) != n-1 {
		t.Errorf("path of %d edges", len(p))
	}
}

func TestSCCsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(50)
		edges, roots := randomGraph(rng, n, rng.IntN(2*n+1), 1)
		h := build(t, n, edges, roots)
		comp, count := SCCs(h)
		g := simple.NewDirectedGraph()
		for i := 0; i < n; i++ {
			g.AddNode(simple.Node(i))
		}
		for _, e := range edges {
			if e[0] != e[1] {
				g.SetEdge(simple.Edge{F: simple.Node(e[0]), T: simple.Node(e[1])})
			}
		}
		want := topo.TarjanSCC(g)
		if int(count) != len(want) {
			t.Fatalf("trial %d: %d components, oracle %d", trial, count, len(want))
		}
		for _, c := range want {
			for _, v := range c {
				if comp[v.ID()] != comp[c[0].ID()] {
					t.Fatalf("trial %d: %d and %d split", trial, v.ID(), c[0].ID())
				}
			}
		}
		// Components are numbered successors first.
		for _, e := range edges {
			if comp[e[0]] < comp[e[1]] {
				t.Fatalf("trial %d: edge %v goes to a later component", trial, e)
			}
		}
	}
}

func TestReverse(t *testing.T) {
	h := build(t, 4, [][2]int32{{0, 2}, {1, 2}, {3, 2}, {2, 0}}, []int32{0})
	edges, from := h.Reverse(2)
	if !slices.Equal(from, []int32{0, 1, 3}) {
		t.Errorf("into 2 from %v", from)
	}
	for i, e := range edges {
		if h.EdgeTo[e] != 2 || e < h.Start[from[i]] || e >= h.Start[from[i]+1] {
			t.Errorf("edge %d does not go from %d to 2", e, from[i])
		}
	}
}

func TestWeakEdgesAndCosts(t *testing.T) {
	b := NewBuilder()
	for i := 0; i < 4; i++ {
		b.AddNode(uint64(i), "T", 1, "", 0)
	}
	b.SetKind(EdgeKind{Name: "weak", Weak: true})
	b.SetKind(EdgeKind{Name: "garbage", Cost: 100})
	b.AddEdge(0, 1, "weak", "w")
	b.AddEdge(0, 2, "garbage", "[0]")
	b.AddEdge(2, 3, "ref", "")
	b.AddEdge(0, 3, "attr", "x") // cheaper than through 2 only by cost
	b.AddRoot(0, "module", "m")
	h, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if reach := Reachable(h); reach[1] || !reach[3] {
		t.Errorf("reachable %v", reach)
	}
	r := ShortestRetainers(h)
	p, ok := r.Path(3)
	if !ok || len(p) != 1 || h.Label(p[0]) != "x" {
		t.Errorf("path to 3: %v", p)
	}
	if d := ComputeDominators(h); d.Idom[1] != Unreachable || d.Idom[3] != 0 {
		t.Errorf("idom %v", d.Idom)
	}
}
