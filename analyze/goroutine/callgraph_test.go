package goroutine

import (
	"slices"
	"testing"

	"github.com/leakscan/leakscan/analyze/callgraph"
)

// TestGoroutineCallGraphLeaky: the five leaks grow from 3 to 18, each
// under a spawn edge from its spawner; the pool of 8 stays flat.
func TestGoroutineCallGraphLeaky(t *testing.T) {
	gs, err := LoadGoroutines(goFixtures(t, "leaky/goroutine-*.debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := CallGraph(gs, GoOptions{}, callgraph.CallGraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grow := []float64{3, 6, 9, 12, 15, 18}
	for fn, spawner := range goLeaks {
		if _, n := g.Node(fn); n == nil || !slices.Equal(n.Cum, grow) {
			t.Errorf("%s: %+v, want cum %v", fn, n, grow)
		}
		if e := g.Edge(spawner, fn); e == nil || !e.Spawn || e.Residual || !slices.Equal(e.Values, grow) {
			t.Errorf("spawn edge %s → %s: %+v", spawner, fn, e)
		}
	}
	i, pool := g.Node("main.poolWorker")
	if pool == nil || !slices.Equal(pool.Cum, []float64{8, 8, 8, 8, 8, 8}) || i < len(goLeaks) {
		t.Errorf("main.poolWorker: node %d %+v, want a flat 8 after the leaks", i, pool)
	}
	if e := g.Edge("main.startPool", "main.poolWorker"); e == nil || !e.Spawn {
		t.Errorf("no spawn edge for the pool: %+v", e)
	}
	if e := g.Edge("main.leakMutex", "sync.(*Mutex).Lock"); e == nil || e.Spawn || !slices.Equal(e.Values, grow) {
		t.Errorf("call edge leakMutex → Lock: %+v", e)
	}
	// The goroutine writing the profile is hidden, as in DiffGoroutines.
	if want := []float64{23, 38, 53, 68, 83, 98}; !slices.Equal(g.Total, want) {
		t.Errorf("totals %v, want %v", g.Total, want)
	}
	if err := g.Check(); err != nil {
		t.Error(err)
	}
}
