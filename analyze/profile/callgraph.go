package profile

import (
	"slices"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// CallGraph builds the call graph of a profile series. It compares
// the sample type Diff compares and keeps the samples Diff keeps (focus,
// ignore, the profiler's own samples hidden); as in Diff, the allocation
// machinery at the innermost end of a memory profile's stacks is skipped,
// so a node's Flat is Diff's row by function.
func CallGraph(ps *ProfileSeries, opt DiffOptions, cg callgraph.CallGraphOptions) (*callgraph.CallGraph, error) {
	k, st, memory, err := ps.sample(opt.Sample)
	if err != nil {
		return nil, err
	}
	tab := ps.tab
	flags := stack.FlagsOf(tab, opt.filter(memory))

	// One pass over each snapshot's samples sums the values per stack.
	n := len(ps.Snapshots)
	sums := make([]float64, tab.NumStacks()*n)
	for i, s := range ps.Snapshots {
		for j, sid := range s.Stacks {
			sums[int(sid)*n+i] += float64(s.Value(j, k))
		}
	}
	var units []callgraph.Unit
	for sid := range tab.NumStacks() {
		vals := sums[sid*n : (sid+1)*n]
		if !slices.ContainsFunc(vals, func(v float64) bool { return v != 0 }) {
			continue
		}
		if _, keep := stackKey(tab, int32(sid), flags, opt); keep < 0 {
			continue
		}
		ids := tab.FrameIDs(int32(sid))
		units = append(units, callgraph.Unit{Frames: ids[stack.SiteIndex(ids, flags):], Creator: -1, Vals: vals})
	}
	if cg.Noise == (series.Noise{}) {
		cg.Noise = opt.Noise
	}
	return callgraph.Build(tab, units, n, st.Unit, st.Type, ps.Times(), cg), nil
}
