package callgraph

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
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
	// Class is the shape of Cum by the series engine's rules, as a diff
	// classifies a row: growing marks the functions on the leaks' paths,
	// apart from caches that fill (plateau) and buffers that are reset
	// (sawtooth).
	Class series.Class
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
	// Noise is the noise level of the series engine that classifies each
	// node's Cum (CGNode.Class): the one the diff of the same series uses.
	Noise series.Noise
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

// Unit is one distinct stack of a series: frame ids innermost first, the
// creator's frame id (goroutines) or -1, and its value per snapshot.
type Unit struct {
	Frames  []int32
	Creator int32
	Vals    []float64
}

// Build builds the call graph of n snapshots from the distinct stacks of
// a series, interned in tab, with their values in unit of sampleType and
// the snapshots' times. It sums flat and cum values per function, trims the nodes,
// then derives the edges from each stack with the trimmed frames removed.
// Each unit's path and edges are computed once; its values are then added
// for all snapshots at once.
func Build(tab *stack.Table, units []Unit, n int, unit, sampleType string, times []time.Time, opt CallGraphOptions) *CallGraph {
	opt = opt.withDefaults()
	g := &CallGraph{Unit: unit, SampleType: sampleType, Times: times, Total: make([]float64, n)}
	all, paths := cgPaths(tab, units, n)
	seen := make([]int32, len(all)) // per node: 1 + the last unit that counted it
	for u, p := range paths {
		vals := units[u].Vals
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
	ax := series.NewAxis(times)
	if len(times) != n {
		ax = series.NewAxis(make([]time.Time, n)) // by snapshot
	}
	for i := range all {
		all[i].Class = series.Analyze(ax, all[i].Cum, opt.Noise, maxAbs(g.Total)).Class
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
	g.Edges, g.DroppedEdges = stackEdges(units, paths, newID, g.Nodes, n, maxAbs(g.Total)*opt.EdgeFraction)
	return g
}

// cgPaths makes a node per function and each unit's path of node ids,
// innermost first, the creator last (views of one array).
func cgPaths(tab *stack.Table, units []Unit, n int) ([]CGNode, [][]int32) {
	frameNode := make([]int32, tab.NumFrames())
	for i := range frameNode {
		frameNode[i] = -1
	}
	nodeOf := map[string]int32{} // lookups only
	var all []CGNode
	node := func(fid int32) int32 {
		if id := frameNode[fid]; id >= 0 {
			return id
		}
		f := tab.FrameAt(fid)
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
		size += len(un.Frames) + 1
	}
	buf := make([]int32, 0, size)
	paths := make([][]int32, len(units))
	for u, un := range units {
		start := len(buf)
		for _, fid := range un.Frames {
			buf = append(buf, node(fid))
		}
		if un.Creator >= 0 {
			buf = append(buf, node(un.Creator))
		}
		paths[u] = buf[start:len(buf):len(buf)]
	}
	return all, paths
}

// trimNodes returns the ids of the nodes worth drawing, in drawing order:
// those whose |Cum| at some snapshot or whose |ΔCum| reaches floor, and
// those whose Cum grows however small (the paths of the leaks), then at
// most limit of them, largest |ΔCum| first (ties: larger last Cum, name).
func trimNodes(all []CGNode, floor float64, limit int) []int {
	var keep []int
	for i, nd := range all {
		if maxAbs(nd.Cum) >= floor || math.Abs(series.Delta(nd.Cum)) >= floor || nd.Class == series.Growing {
			keep = append(keep, i)
		}
	}
	slices.SortFunc(keep, func(a, b int) int {
		x, y := all[a].Cum, all[b].Cum
		return cmp.Or(cmp.Compare(math.Abs(series.Delta(y)), math.Abs(series.Delta(x))),
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
// below floor are dropped, unless they grew between two growing nodes.
func stackEdges(units []Unit, paths [][]int32, newID []int, kept []CGNode, n int, floor float64) ([]CGEdge, int) {
	nodes := len(kept)
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
					addTo(edges[e].Values, units[u].Vals)
				}
				edges[e].Residual = edges[e].Residual || residual
			}
			spawn = i == len(p)-1 && units[u].Creator >= 0
			parent, residual = to, false
		}
	}
	drawn := edges[:0]
	for _, e := range edges {
		onLeak := kept[e.From].Class == series.Growing && kept[e.To].Class == series.Growing && series.Delta(e.Values) > 0
		if maxAbs(e.Values) >= floor || math.Abs(series.Delta(e.Values)) >= floor || onLeak {
			drawn = append(drawn, e)
		}
	}
	spawnLast := func(e CGEdge) int {
		if e.Spawn {
			return 1
		}
		return 0
	}
	slices.SortFunc(drawn, func(a, b CGEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(spawnLast(a), spawnLast(b)))
	})
	return drawn, len(edges) - len(drawn)
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

// Node returns the id and node of function fn; -1 and nil when the graph
// does not draw it.
func (g *CallGraph) Node(fn string) (int, *CGNode) {
	for i := range g.Nodes {
		if g.Nodes[i].Func == fn {
			return i, &g.Nodes[i]
		}
	}
	return -1, nil
}

// Edge returns the edge between two functions; nil when there is none.
func (g *CallGraph) Edge(from, to string) *CGEdge {
	f, _ := g.Node(from)
	t, _ := g.Node(to)
	for i := range g.Edges {
		if e := &g.Edges[i]; e.From == f && e.To == t {
			return e
		}
	}
	return nil
}

// Check reports the first place where the nodes or edges break their
// documented order.
func (g *CallGraph) Check() error {
	for i := 1; i < len(g.Nodes); i++ {
		a, b := g.Nodes[i-1], g.Nodes[i]
		da, db := math.Abs(series.Delta(a.Cum)), math.Abs(series.Delta(b.Cum))
		if da < db || da == db && a.Cum[len(a.Cum)-1] < b.Cum[len(b.Cum)-1] {
			return fmt.Errorf("nodes %d, %d out of order: %s, %s", i-1, i, a.Func, b.Func)
		}
	}
	for i := 1; i < len(g.Edges); i++ {
		a, b := g.Edges[i-1], g.Edges[i]
		if a.From > b.From || a.From == b.From && a.To > b.To {
			return fmt.Errorf("edges %d, %d out of order", i-1, i)
		}
	}
	return nil
}
