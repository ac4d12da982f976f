package analyze

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// CallGraph is a call graph of how a series changed: functions as nodes,
// calls as edges, each with its value per snapshot. It is built from the
// same series a diff compares, with the same filters, and trimmed to what
// is worth drawing (pprof's node count, node fraction and edge fraction).
type CallGraph struct {
	Unit       string      // the values' unit: "bytes", "count" …
	SampleType string      // "inuse_space", "goroutines" …
	Times      []time.Time // per snapshot, zero when unknown
	// Nodes are sorted by |ΔCum| descending, then larger last Cum, then
	// name; a node's id is its position.
	Nodes []CGNode
	// Edges are sorted by From, To, then call edges before spawn edges.
	Edges []CGEdge
	Total []float64 // the sum over all kept samples, per snapshot
	// DroppedNodes counts the functions trimmed away; DroppedEdges the
	// edges between drawn nodes left out as too small.
	DroppedNodes, DroppedEdges int
}

// CGNode is one function of a call graph.
type CGNode struct {
	Func string // the function, all its lines together
	File string // its file, as first seen
	// Flat is the value of the stacks whose innermost frame is this
	// function; Cum of the stacks it appears on, each stack counted once
	// even when recursive. One value per snapshot.
	Flat, Cum []float64
	New       bool // Cum is 0 at the first snapshot and > 0 at the last
	Gone      bool // Cum is > 0 at the first snapshot and 0 at the last
}

// CGEdge is a call from one function to another, or a `go` statement.
type CGEdge struct {
	From, To int       // caller and callee node ids
	Values   []float64 // per snapshot; each stack counts each edge once
	// Residual says the edge skips trimmed nodes on some stacks (pprof's
	// dotted edges): From calls To through functions not drawn.
	Residual bool
	// Spawn says From started To's goroutines with a `go` statement.
	Spawn bool
}

// CallGraphOptions bounds a call graph. Zero values pick the defaults; a
// negative value turns the bound off.
type CallGraphOptions struct {
	MaxNodes int // nodes kept, largest |ΔCum| first (default 80)
	// NodeFraction and EdgeFraction are of the largest total: a node or
	// edge whose |value| at every snapshot and whose |Δ| are below it is
	// dropped (defaults 0.005 and 0.001).
	NodeFraction, EdgeFraction float64
}

// withDefaults fills in the zero options.
func (o CallGraphOptions) withDefaults() CallGraphOptions {
	if o.MaxNodes == 0 {
		o.MaxNodes = 80
	}
	if o.NodeFraction == 0 {
		o.NodeFraction = 0.005
	}
	if o.EdgeFraction == 0 {
		o.EdgeFraction = 0.001
	}
	return o
}

// cgUnit is one distinct stack of the series: frame ids innermost first,
// the creator's frame id (goroutines) or -1, and its value per snapshot.
type cgUnit struct {
	frames  []int32
	creator int32
	vals    []float64
}

// ProfileCallGraph builds the call graph of a profile series. It compares
// the sample type Diff compares and keeps the samples Diff keeps (focus,
// ignore, the profiler's own samples hidden); as in Diff, the allocation
// machinery at the innermost end of a memory profile's stacks is skipped,
// so a node's Flat is Diff's row by function.
func ProfileCallGraph(ps *ProfileSeries, opt DiffOptions, cg CallGraphOptions) (*CallGraph, error) {
	k, st, memory, err := ps.sample(opt.Sample)
	if err != nil {
		return nil, err
	}
	tab := ps.tab
	flags := frameFlagsOf(tab, opt, memory)

	// One pass over each snapshot's samples sums the values per stack.
	n := len(ps.Snapshots)
	sums := make([]float64, tab.numStacks()*n)
	for i, s := range ps.Snapshots {
		for j, sid := range s.Stacks {
			sums[int(sid)*n+i] += float64(s.value(j, k))
		}
	}
	var units []cgUnit
	for sid := range tab.numStacks() {
		vals := sums[sid*n : (sid+1)*n]
		if !slices.ContainsFunc(vals, func(v float64) bool { return v != 0 }) {
			continue
		}
		if _, keep := stackKey(tab, int32(sid), flags, opt); keep < 0 {
			continue
		}
		ids := tab.frameIDsOf(int32(sid))
		units = append(units, cgUnit{frames: ids[siteIndex(ids, flags):], creator: -1, vals: vals})
	}
	return buildCallGraph(tab, units, n, st.Unit, st.Type, ps.Times(), cg), nil
}

// GoroutineCallGraph builds the call graph of a goroutine series: each
// group's stack with its goroutine count, the groups DiffGoroutines keeps.
// A group's creator, when every dump records creators, is its outermost
// caller, joined to the goroutine's outermost frame by a Spawn edge.
func GoroutineCallGraph(gs *GoroutineSeries, opt GoOptions, cg CallGraphOptions) (*CallGraph, error) {
	if len(gs.Dumps) == 0 {
		return nil, fmt.Errorf("no goroutine dumps")
	}
	tab := gs.tab
	flags := frameFlagsOf(tab, DiffOptions{Focus: opt.Focus, Ignore: opt.Ignore}, false)
	n := len(gs.Dumps)
	// As in DiffGoroutines, creators count only when every dump has them.
	creators := !slices.ContainsFunc(gs.Dumps, func(d *GoroutineDump) bool { return !d.HasCreator })
	index := map[[2]int32]int{} // (stack, creator) → unit; lookups only
	var units []cgUnit
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
				units = append(units, cgUnit{frames: tab.frameIDsOf(g.Stack), creator: key[1], vals: make([]float64, n)})
			}
			units[u].vals[i] += float64(g.Count)
		}
	}
	return buildCallGraph(tab, units, n, "count", "goroutines", times, cg), nil
}

// buildCallGraph sums flat and cum values per function, trims the nodes,
// then derives the edges from each stack with the trimmed frames removed.
// Each unit's path and edges are computed once; its values are then added
// for all snapshots at once.
func buildCallGraph(tab *stackTable, units []cgUnit, n int, unit, sampleType string, times []time.Time, opt CallGraphOptions) *CallGraph {
	opt = opt.withDefaults()
	g := &CallGraph{Unit: unit, SampleType: sampleType, Times: times, Total: make([]float64, n)}
	all, paths := cgPaths(tab, units, n)
	seen := make([]int32, len(all)) // per node: 1 + the last unit that counted it
	for u, p := range paths {
		vals := units[u].vals
		addTo(g.Total, vals)
		if len(p) > 0 {
			addTo(all[p[0]].Flat, vals)
		}
		for _, id := range p {
			if seen[id] != int32(u+1) {
				seen[id] = int32(u + 1)
				addTo(all[id].Cum, vals)
			}
		}
	}
	keep := trimNodes(all, maxAbs(g.Total)*opt.NodeFraction, opt.MaxNodes)
	newID := make([]int, len(all))
	for i := range newID {
		newID[i] = -1
	}
	for i, old := range keep {
		newID[old] = i
		nd := all[old]
		nd.New = nd.Cum[0] == 0 && nd.Cum[n-1] > 0
		nd.Gone = nd.Cum[0] > 0 && nd.Cum[n-1] == 0
		g.Nodes = append(g.Nodes, nd)
	}
	g.DroppedNodes = len(all) - len(keep)
	g.Edges, g.DroppedEdges = stackEdges(units, paths, newID, n, len(keep), maxAbs(g.Total)*opt.EdgeFraction)
	return g
}

// cgPaths makes a node per function and each unit's path of node ids,
// innermost first, the creator last (views of one array).
func cgPaths(tab *stackTable, units []cgUnit, n int) ([]CGNode, [][]int32) {
	frameNode := make([]int32, len(tab.frames))
	for i := range frameNode {
		frameNode[i] = -1
	}
	nodeOf := map[string]int32{} // lookups only
	var all []CGNode
	node := func(fid int32) int32 {
		if id := frameNode[fid]; id >= 0 {
			return id
		}
		f := tab.frames[fid]
		id, ok := nodeOf[f.Func]
		if !ok {
			id = int32(len(all))
			nodeOf[f.Func] = id
			all = append(all, CGNode{Func: f.Func, File: f.File, Flat: make([]float64, n), Cum: make([]float64, n)})
		}
		frameNode[fid] = id
		return id
	}
	size := 0
	for _, un := range units {
		size += len(un.frames) + 1
	}
	buf := make([]int32, 0, size)
	paths := make([][]int32, len(units))
	for u, un := range units {
		start := len(buf)
		for _, fid := range un.frames {
			buf = append(buf, node(fid))
		}
		if un.creator >= 0 {
			buf = append(buf, node(un.creator))
		}
		paths[u] = buf[start:len(buf):len(buf)]
	}
	return all, paths
}

// trimNodes returns the ids of the nodes worth drawing, in drawing order:
// those whose |Cum| at some snapshot or whose |ΔCum| reaches floor, then at
// most limit of them, largest |ΔCum| first (ties: larger last Cum, name).
func trimNodes(all []CGNode, floor float64, limit int) []int {
	var keep []int
	for i, nd := range all {
		if maxAbs(nd.Cum) >= floor || math.Abs(delta(nd.Cum)) >= floor {
			keep = append(keep, i)
		}
	}
	slices.SortFunc(keep, func(a, b int) int {
		x, y := all[a].Cum, all[b].Cum
		return cmp.Or(cmp.Compare(math.Abs(delta(y)), math.Abs(delta(x))),
			cmp.Compare(y[len(y)-1], x[len(x)-1]), strings.Compare(all[a].Func, all[b].Func))
	})
	if limit >= 0 && len(keep) > limit {
		keep = keep[:limit]
	}
	return keep
}

// stackEdges walks each path from the outermost frame, skipping trimmed
// nodes: consecutive kept nodes make an edge, Residual when nodes were
// skipped between them (on any stack, as pprof marks them), Spawn when the
// caller is the creator. Edges whose |value| at every snapshot and |Δ| are
// below floor are dropped.
func stackEdges(units []cgUnit, paths [][]int32, newID []int, n, nodes int, floor float64) ([]CGEdge, int) {
	var edges []CGEdge
	var stamp []int             // per edge: 1 + the last unit that counted it
	out := make([][]int, nodes) // per caller: its edges, for lookups
	for u, p := range paths {
		parent, residual, spawn := -1, false, false
		for i := len(p) - 1; i >= 0; i-- {
			to := newID[p[i]]
			if to < 0 {
				residual = residual || parent >= 0
				continue
			}
			if parent >= 0 && parent != to {
				j := slices.IndexFunc(out[parent], func(e int) bool { return edges[e].To == to && edges[e].Spawn == spawn })
				e := len(edges)
				if j >= 0 {
					e = out[parent][j]
				} else {
					edges = append(edges, CGEdge{From: parent, To: to, Values: make([]float64, n), Spawn: spawn})
					stamp = append(stamp, 0)
					out[parent] = append(out[parent], e)
				}
				if stamp[e] != u+1 {
					stamp[e] = u + 1
					addTo(edges[e].Values, units[u].vals)
				}
				edges[e].Residual = edges[e].Residual || residual
			}
			spawn = i == len(p)-1 && units[u].creator >= 0
			parent, residual = to, false
		}
	}
	kept := edges[:0]
	for _, e := range edges {
		if maxAbs(e.Values) >= floor || math.Abs(delta(e.Values)) >= floor {
			kept = append(kept, e)
		}
	}
	spawnLast := func(e CGEdge) int {
		if e.Spawn {
			return 1
		}
		return 0
	}
	slices.SortFunc(kept, func(a, b CGEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(spawnLast(a), spawnLast(b)))
	})
	return kept, len(edges) - len(kept)
}

// addTo adds vs to sum, element by element.
func addTo(sum, vs []float64) {
	for i, v := range vs {
		sum[i] += v
	}
}

// maxAbs is the largest |v| of a series.
func maxAbs(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// delta is the change from the first value to the last.
func delta(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1] - vs[0]
}
