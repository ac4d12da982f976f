package goroutine

import (
	"fmt"
	"slices"
	"time"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/stack"
)

// CallGraph builds the call graph of a goroutine series: each
// group's stack with its goroutine count, the groups DiffGoroutines keeps.
// A group's creator, when every dump records creators, is its outermost
// caller, joined to the goroutine's outermost frame by a Spawn edge.
func CallGraph(gs *GoroutineSeries, opt GoOptions, cg callgraph.CallGraphOptions) (*callgraph.CallGraph, error) {
	if len(gs.Dumps) == 0 {
		return nil, fmt.Errorf("no goroutine dumps")
	}
	tab := gs.tab
	flags := stack.FlagsOf(tab, opt.filter())
	n := len(gs.Dumps)
	// As in DiffGoroutines, creators count only when every dump has them.
	creators := !slices.ContainsFunc(gs.Dumps, func(d *GoroutineDump) bool { return !d.HasCreator })
	index := map[[2]int32]int{} // (stack, creator) → unit; lookups only
	var units []callgraph.Unit
	times := make([]time.Time, n)
	for i, d := range gs.Dumps {
		times[i] = d.Time
		for _, g := range d.Groups {
			if isProfilerGroup(tab, g, flags) || !keepGroup(tab, g, flags, opt) {
				continue
			}
			key := [2]int32{g.Stack, -1}
			if creators {
				key[1] = g.Creator
			}
			u, ok := index[key]
			if !ok {
				u = len(units)
				index[key] = u
				units = append(units, callgraph.Unit{Frames: tab.FrameIDs(g.Stack), Creator: key[1], Vals: make([]float64, n)})
			}
			units[u].Vals[i] += float64(g.Count)
		}
	}
	return callgraph.Build(tab, units, n, "count", "goroutines", times, cg), nil
}
