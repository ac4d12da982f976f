package profile

import (
	"slices"
	"testing"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// TestProfileCallGraphLeaky: on the bundled heap series the two leaks grow
// all the way up their call paths, the cache rose and stayed, and neither
// the churn (nothing in use) nor the runtime's goroutine stacks grow.
func TestProfileCallGraphLeaky(t *testing.T) {
	ps, err := LoadProfiles(leakySources(t))
	if err != nil {
		t.Fatal(err)
	}
	g, err := CallGraph(ps, DiffOptions{}, callgraph.CallGraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.SampleType != "inuse_space" || g.Unit != "bytes" || len(g.Times) != 6 || g.Times[0].IsZero() {
		t.Fatalf("header %q %q %v", g.SampleType, g.Unit, g.Times)
	}
	// testdata/README.md: the whole-profile inuse_space totals.
	if want := []float64{17804899, 39257221, 49905628, 65043940, 68873085, 82976388}; !slices.Equal(g.Total, want) {
		t.Errorf("totals %v, want %v", g.Total, want)
	}
	// main.leakSliceHolder: 5.51 … 32.06 MiB cum, no flat of its own.
	_, n := g.Node("main.leakSliceHolder")
	if n == nil {
		t.Fatal("no node main.leakSliceHolder")
	}
	if want := []float64{5778439, 11556878, 18385943, 23113757, 28366883, 33620010}; !slices.Equal(n.Cum, want) || slices.Max(n.Flat) != 0 {
		t.Errorf("main.leakSliceHolder cum %v flat %v, want cum %v", n.Cum, n.Flat, want)
	}
	if n.New || n.Gone {
		t.Errorf("main.leakSliceHolder new %v gone %v", n.New, n.Gone)
	}
	maxDelta := 0.0
	for _, n := range g.Nodes {
		maxDelta = max(maxDelta, series.Delta(n.Cum))
	}
	for _, fn := range []string{"main.leakSliceHolder", "main.newSession", "main.leakGlobalMap", "main.newMapValue"} {
		i, n := g.Node(fn)
		if n == nil {
			t.Fatalf("no node %s", fn)
		}
		if d := series.Delta(n.Cum); d < maxDelta/2 || i > 3 {
			t.Errorf("%s: node %d, Δcum %g of at most %g: want one of the four reddest", fn, i, d, maxDelta)
		}
		for j := 1; j < len(n.Cum); j++ {
			if n.Cum[j] <= n.Cum[j-1] {
				t.Errorf("%s: cum %v does not grow at every snapshot", fn, n.Cum)
			}
		}
	}
	if e := g.Edge("main.leakSliceHolder", "main.newSession"); e == nil || e.Residual || !slices.Equal(e.Values, n.Cum) {
		t.Errorf("edge leakSliceHolder → newSession = %+v", e)
	}
	if _, n := g.Node("main.churn"); n != nil && series.Delta(n.Cum) != 0 {
		t.Errorf("churn grows: %v", n.Cum)
	}
	if _, n := g.Node("runtime.malg"); n == nil || series.Delta(n.Cum) != 0 || n.Cum[0] == 0 {
		t.Errorf("runtime.malg: %+v, want a constant node", n)
	}
	if _, n := g.Node("main.fillBoundedCache"); n == nil || n.Cum[1] != n.Cum[5] {
		t.Errorf("main.fillBoundedCache: %+v, want flat after the fill", n)
	}
	// A node's flat is Diff's row by function.
	res := diffLeaky(t, DiffOptions{By: series.ByFunction})
	for _, n := range g.Nodes {
		if r := rowByFunc(res, n.Func); r != nil && !slices.Equal(r.Values, n.Flat) {
			t.Errorf("%s: flat %v, diff row %v", n.Func, n.Flat, r.Values)
		}
	}
	if err := g.Check(); err != nil {
		t.Error(err)
	}
}

// synthetic builds a profile series with one sample type from stacks of
// function names (innermost first) and their values per snapshot.
func synthetic(stacks [][]string, values [][]int64) *ProfileSeries {
	ps := &ProfileSeries{tab: stack.NewTable()}
	for i := range values[0] {
		s := &pprofwire.Snapshot{Name: "synthetic", SampleTypes: []series.ValueType{{Type: "inuse_space", Unit: "bytes"}}}
		for j, st := range stacks {
			ids := make([]int32, len(st))
			for k, fn := range st {
				ids[k] = ps.tab.Frame(series.Frame{Func: fn, File: "x.go", Line: int64(k)})
			}
			s.Stacks = append(s.Stacks, ps.tab.Stack(ids))
			s.Values = append(s.Values, values[j][i])
		}
		ps.Snapshots = append(ps.Snapshots, s)
	}
	return ps
}

// TestCallGraphTrim: with three nodes kept, root → leaf becomes a residual
// edge carrying both paths through the dropped middles and the direct call.
func TestCallGraphTrim(t *testing.T) {
	ps := synthetic([][]string{
		{"leaf", "mid1", "root"},
		{"leaf", "mid2", "root"},
		{"other", "root"},
		{"leaf", "root"},
		{"gone", "root"},
	}, [][]int64{{10, 30}, {10, 30}, {0, 25}, {5, 5}, {3, 0}})
	g, err := CallGraph(ps, DiffOptions{}, callgraph.CallGraphOptions{MaxNodes: 3})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.Func)
	}
	if !slices.Equal(names, []string{"root", "leaf", "other"}) || g.DroppedNodes != 3 {
		t.Fatalf("nodes %v, dropped %d", names, g.DroppedNodes)
	}
	if !g.Nodes[2].New || g.Nodes[0].New || g.Nodes[0].Gone {
		t.Errorf("new/gone flags: %+v", g.Nodes)
	}
	want := []callgraph.CGEdge{
		{From: 0, To: 1, Values: []float64{25, 65}, Residual: true},
		{From: 0, To: 2, Values: []float64{0, 25}},
	}
	if !slices.EqualFunc(g.Edges, want, func(a, b callgraph.CGEdge) bool {
		return a.From == b.From && a.To == b.To && slices.Equal(a.Values, b.Values) && a.Residual == b.Residual && a.Spawn == b.Spawn
	}) {
		t.Errorf("edges %+v, want %+v", g.Edges, want)
	}
	if !slices.Equal(g.Total, []float64{28, 90}) || !slices.Equal(g.Nodes[0].Cum, g.Total) {
		t.Errorf("total %v, root cum %v", g.Total, g.Nodes[0].Cum)
	}

	// Without a bound, every node and edge is drawn, and "gone" is.
	g, _ = CallGraph(ps, DiffOptions{}, callgraph.CallGraphOptions{MaxNodes: -1, NodeFraction: -1, EdgeFraction: -1})
	if len(g.Nodes) != 6 || len(g.Edges) != 7 || g.DroppedNodes != 0 || g.DroppedEdges != 0 {
		t.Errorf("untrimmed: %d nodes, %d edges", len(g.Nodes), len(g.Edges))
	}
	if _, n := g.Node("gone"); n == nil || !n.Gone {
		t.Errorf("gone: %+v", n)
	}
	for _, e := range g.Edges {
		if e.Residual {
			t.Errorf("residual edge %+v in an untrimmed graph", e)
		}
	}
	if err := g.Check(); err != nil {
		t.Error(err)
	}
}

// TestCallGraphRecursion: a recursive stack counts once in cum and once
// per edge; consecutive frames of one function make no self-edge.
func TestCallGraphRecursion(t *testing.T) {
	ps := synthetic([][]string{{"a", "b", "a", "a"}}, [][]int64{{5, 7}})
	g, _ := CallGraph(ps, DiffOptions{}, callgraph.CallGraphOptions{})
	_, a := g.Node("a")
	if a == nil || !slices.Equal(a.Cum, []float64{5, 7}) || !slices.Equal(a.Flat, []float64{5, 7}) {
		t.Fatalf("a: %+v", a)
	}
	if len(g.Edges) != 2 || !slices.Equal(g.Edge("a", "b").Values, []float64{5, 7}) || g.Edge("b", "a") == nil {
		t.Errorf("edges %+v", g.Edges)
	}
}

// TestCallGraphClasses: each node's cum is classified as a diff row is,
// so the picture can colour only the leaks' paths.
func TestCallGraphClasses(t *testing.T) {
	ps, err := LoadProfiles(leakySources(t))
	if err != nil {
		t.Fatal(err)
	}
	g, err := CallGraph(ps, DiffOptions{Noise: series.DefaultNoise}, callgraph.CallGraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for fn, want := range map[string]series.Class{"main.newSession": series.Growing, "main.leakGlobalMap": series.Growing,
		"main.newCacheEntry": series.Plateau, "main.fillBoundedCache": series.Plateau, "main.newBatchPage": series.Sawtooth,
		"runtime.malg": series.Flat} {
		if _, n := g.Node(fn); n == nil || n.Class != want {
			t.Errorf("%s: %+v, want %s", fn, n, want)
		}
	}
}
