package heap

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
)

// HeapDump is one object-graph snapshot with the analyses every report
// needs: dominators and retained sizes, and retainer paths on demand.
type HeapDump struct {
	Name      string
	Dump      *Dump
	Dom       *graph.Dominators
	Retained  []int64
	retainers *graph.Retainers // computed on first use: only the last dump of a series needs them
	shapeTab  *shapeTable      // retainer-path shapes, memoized as they are asked for
	domStart  []int32          // children of the dominator tree (domChildren), made once
	domKids   []int32
	Reachable int    // nodes reachable from the roots
	live      []bool // see Live, made on first use
}

// Live reports, per node, whether a root reaches it through strong edges
// other than the runtime's ParkedKinds; without parked kinds, whether a
// root reaches it at all. Made once per dump.
func (hd *HeapDump) Live() []bool {
	if hd.live == nil {
		h := hd.Dump.Heap
		if rt := hd.Dump.Runtime; rt != nil && len(rt.ParkedKinds) > 0 {
			hd.live = graph.ReachableExcept(h, rt.ParkedKinds...)
		} else {
			hd.live = make([]bool, h.NumNodes())
			for _, v := range hd.Dom.Order {
				hd.live[v] = true
			}
		}
	}
	return hd.live
}

// Retainers returns the shortest retainer paths of the dump, computing
// them on first use.
func (hd *HeapDump) Retainers() *graph.Retainers {
	if hd.retainers == nil {
		hd.retainers = graph.ShortestRetainers(hd.Dump.Heap)
	}
	return hd.retainers
}

// DumpSeries is a series of heap dumps in the order given (ordered by
// their own times when every dump has one).
type DumpSeries struct {
	Dumps    []*HeapDump
	Warnings []string
	firstIDs []uint64 // the first dump's ids, sorted, once (newSince)
}

// Reader reads one object-graph dump of some format: a registry row's
// reader. Its errors should be input.InputErrors naming the file and the
// position.
type Reader func(name string, data []byte) (*Dump, error)

// LoadHeapDumps reads a series of object-graph dumps with read and runs
// the graph analyses on each. The dumps must be of one runtime.
func LoadHeapDumps(srcs []input.Source, read Reader) (*DumpSeries, error) {
	ds := &DumpSeries{}
	for _, src := range srcs {
		data, err := src.Bytes()
		if err != nil {
			return nil, err
		}
		d, err := read(src.Name, data)
		if err != nil {
			return nil, err
		}
		if len(ds.Dumps) > 0 && d.Runtime != ds.Dumps[0].Dump.Runtime {
			return nil, &input.InputError{File: src.Name, Msg: fmt.Sprintf("a %s heap dump, expected a %s one like %s: a series follows one process", d.Runtime.Name, ds.Dumps[0].Dump.Runtime.Name, ds.Dumps[0].Name)}
		}
		for _, w := range d.Warnings {
			ds.Warnings = append(ds.Warnings, src.Name+": "+w)
		}
		hd := &HeapDump{Name: src.Name, Dump: d}
		hd.Dom = graph.ComputeDominators(d.Heap)
		hd.Retained = graph.RetainedSizes(d.Heap, hd.Dom)
		hd.Reachable = len(hd.Dom.Order)
		// The reverse edges were for the dominators; a picture of this
		// dump builds them again.
		d.Heap.DropReverse()
		ds.Dumps = append(ds.Dumps, hd)
	}
	ds.order()
	ds.samePID()
	return ds, nil
}

// Runtime is the runtime of the series' dumps; nil for an empty series.
func (ds *DumpSeries) Runtime() *Runtime {
	if len(ds.Dumps) == 0 {
		return nil
	}
	return ds.Dumps[0].Dump.Runtime
}

func (ds *DumpSeries) order() {
	for _, d := range ds.Dumps {
		if d.Dump.Time.IsZero() {
			return
		}
	}
	sorted := slices.IsSortedFunc(ds.Dumps, func(a, b *HeapDump) int { return a.Dump.Time.Compare(b.Dump.Time) })
	if !sorted {
		slices.SortStableFunc(ds.Dumps, func(a, b *HeapDump) int { return a.Dump.Time.Compare(b.Dump.Time) })
		names := make([]string, len(ds.Dumps))
		for i, d := range ds.Dumps {
			names[i] = d.Name
		}
		ds.Warnings = append(ds.Warnings, "ordered by the dumps' own times, not as given: "+strings.Join(names, ", "))
	}
}

// TypeStats is what one snapshot holds of one type.
type TypeStats struct {
	Count    int64 `json:"count"`
	Shallow  int64 `json:"shallow"`
	Retained int64 `json:"retained"` // retained by the instances not dominated by another instance of the type
	// Unreachable counts the instances no root reaches (in Count, not
	// in Retained).
	Unreachable int64 `json:"unreachable,omitempty"`
}

// typeStats sums per type over every node (retained sizes over the nodes
// reachable from the roots), with a
// class's retained size counted once: an instance dominated by another
// instance of its own type adds nothing (Eclipse MAT's rule), found by a
// walk of the dominator tree that counts each type along the current path.
func typeStats(hd *HeapDump) map[string]*TypeStats {
	h := hd.Dump.Heap
	n := h.NumNodes()
	out := map[string]*TypeStats{}
	stats := make([]*TypeStats, len(h.TypeNames))
	for i, name := range h.TypeNames {
		stats[i] = &TypeStats{}
		out[name] = stats[i]
	}
	start, kids := domChildren(hd)
	onPath := make([]int32, len(h.TypeNames))
	type frame struct {
		node int32
		next int32
	}
	stack := []frame{{int32(n), start[n]}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == start[top.node+1] {
			if top.node < int32(n) {
				onPath[h.Types[top.node]]--
			}
			stack = stack[:len(stack)-1]
			continue
		}
		v := kids[top.next]
		top.next++
		t := h.Types[v]
		s := stats[t]
		s.Count++
		s.Shallow += h.Sizes[v]
		if onPath[t] == 0 {
			s.Retained += hd.Retained[v]
		}
		onPath[t]++
		stack = append(stack, frame{v, start[v]})
	}
	// Objects no root reaches (garbage awaiting the cycle collector, or
	// kept only by cycles while it is disabled) still take memory: they
	// count, and retain nothing that is reachable.
	for v := int32(0); int(v) < n; v++ {
		if hd.Dom.Idom[v] == graph.Unreachable {
			s := stats[h.Types[v]]
			s.Count++
			s.Unreachable++
			s.Shallow += h.Sizes[v]
		}
	}
	for name, s := range out {
		if s.Count == 0 {
			delete(out, name)
		}
	}
	return out
}

// TypeOptions chooses what a type series compares.
type TypeOptions struct {
	Sample string         // "objects" (default), "shallow" or "retained"
	Focus  *regexp.Regexp // keep only types matching
	Ignore *regexp.Regexp // drop types matching
}

// DiffTypes runs every type's count (or shallow or retained bytes) through
// the series analysis, and finds each growing type's most common retainer
// path in the last snapshot.
func DiffTypes(ds *DumpSeries, opt TypeOptions) (*series.Result, error) {
	n := len(ds.Dumps)
	if n == 0 {
		return nil, fmt.Errorf("no heap dumps")
	}
	rt := ds.Runtime()
	st := series.ValueType{Type: "objects", Unit: "count"}
	switch opt.Sample {
	case "", "objects":
	case "shallow":
		st = series.ValueType{Type: "shallow", Unit: "bytes"}
	case "retained":
		st = series.ValueType{Type: "retained", Unit: "bytes"}
	default:
		return nil, fmt.Errorf("no sample type %q for heap dumps; available: objects, shallow, retained", opt.Sample)
	}
	index := map[string]int{}
	var rows []series.Row
	for i, hd := range ds.Dumps {
		stats := typeStats(hd)
		names := make([]string, 0, len(stats))
		for name := range stats {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if (opt.Focus != nil && !opt.Focus.MatchString(name)) || (opt.Ignore != nil && opt.Ignore.MatchString(name)) {
				continue
			}
			id, ok := index[name]
			if !ok {
				id = len(rows)
				index[name] = id
				rows = append(rows, series.Row{Key: name, Frame: series.Frame{Func: name}, Stacks: 1, Detail: &TypeInfo{}, Trend: series.Trend{Values: make([]float64, n)}})
			}
			s := stats[name]
			v := float64(s.Count)
			switch st.Type {
			case "shallow":
				v = float64(s.Shallow)
			case "retained":
				v = float64(s.Retained)
			}
			rows[id].Values[i] = v
			sizes := *s
			TypeOf(&rows[id]).Sizes = &sizes // the last snapshot's, in the end
		}
	}
	ax := ds.Axis()
	totals := series.SumValues(rows, n, nil)
	noise := series.Noise{} // sizes of a heap dump are exact
	if st.Type == "objects" {
		noise = series.CountNoise
	}
	last := ds.Dumps[n-1]
	growing := map[string]float64{} // growing type → its growth
	for i := range rows {
		r := &rows[i]
		r.Trend = series.Analyze(ax, r.Values, noise, 0)
		if r.Class == series.Growing {
			growing[r.Key] = r.Delta
		}
	}
	heldBy := secondaryTypes(last, growing, newSince(ds))
	tier := map[string]int{} // growing types: 0 application, 1 builtin, 2 held by another type or by cycles
	for i := range rows {
		r := &rows[i]
		if r.Class != series.Growing {
			continue
		}
		r.Suspect, r.Reasons = true, []string{"growing"}
		ti := TypeOf(r)
		ti.Retainer = CommonRetainerShape(last, r.Key)
		ti.Alloc = CommonAllocSite(last, r.Key)
		if !rt.IsOwn(r.Key) {
			tier[r.Key] = 0
		} else {
			tier[r.Key] = 1
		}
		if u := ti.Sizes.Unreachable; u > 0 && 2*float64(u) >= r.Delta {
			r.Reasons = append(r.Reasons, "its growth is unreachable: kept by reference cycles")
			if tier[r.Key] == 1 {
				tier[r.Key] = 2 // the parts of the cycles' objects
			}
		}
		if u, ok := heldBy[r.Key]; ok {
			ti.HeldBy = u
			r.Reasons = append(r.Reasons, "held by growing "+u)
			tier[r.Key] = 2
		}
	}
	slices.SortFunc(rows, func(a, b series.Row) int {
		// Among growing types, the application's classes come first, and
		// the types that leak before the types they hold (a leaked
		// object's dict and strings, the parts of leaked cycles).
		if a.Class == series.Growing && b.Class == series.Growing && tier[a.Key] != tier[b.Key] {
			return tier[a.Key] - tier[b.Key]
		}
		return series.ByTrendThenKey(a, b)
	})
	det := &Detail{Runtime: rt.Name}
	res := &series.Result{
		Kind: rt.Kind(), Detail: det, SampleType: st, By: series.ByType, Noun: "type",
		Rows: rows, Total: series.Analyze(ax, totals, noise, 0),
	}
	ds.Describe(ax, res)
	if opt.Focus != nil {
		res.Focus = opt.Focus.String()
	}
	if opt.Ignore != nil {
		res.Ignore = opt.Ignore.String()
	}
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	if n == 1 {
		det.BigRetainers = BiggestRetainers(last, 10)
		det.Accumulations = Accumulations(last)
	}
	det.Findings = Findings(ds)
	return res, nil
}

// secondaryTypes finds the growing types whose growth is mostly held by
// instances of another growing type: a leaked object's __dict__, its
// strings and numbers grow with it. Type T is held by U when, walking up
// the dominator tree from T's instances (a few levels), at least as many
// of them as half of T's growth meet an instance of U first among the
// growing types, and those instances of U are many (at least one for
// every four) — so one registry dict holding many objects does not make
// them secondary to dict.
//
// When the dumps' ids are stable, only the instances new since the first
// dump are counted: what holds the growth, not what held the type before.
func secondaryTypes(hd *HeapDump, growth map[string]float64, isNew func(id uint64) bool) map[string]string {
	h := hd.Dump.Heap
	isGrowing := make([]bool, len(h.TypeNames))
	delta := make([]float64, len(h.TypeNames))
	for i, name := range h.TypeNames {
		delta[i], isGrowing[i] = growth[name]
	}
	type tally struct {
		count   int
		holders map[int32]bool
	}
	by := make([]map[int32]*tally, len(h.TypeNames)) // type → holding type → tally
	for _, v := range hd.Dom.Order {
		t := h.Types[v]
		if !isGrowing[t] || isNew != nil && !isNew(h.IDs[v]) {
			continue
		}
		a := hd.Dom.Idom[v]
		for depth := 0; a >= 0 && depth < 6; depth++ {
			if u := h.Types[a]; u != t && isGrowing[u] {
				if by[t] == nil {
					by[t] = map[int32]*tally{}
				}
				tl := by[t][u]
				if tl == nil {
					tl = &tally{holders: map[int32]bool{}}
					by[t][u] = tl
				}
				tl.count++
				tl.holders[a] = true
				break
			}
			a = hd.Dom.Idom[a]
		}
	}
	out := map[string]string{}
	for t, m := range by {
		bestU, best := int32(-1), 0
		for u, tl := range m {
			if tl.count > best || (tl.count == best && u < bestU) {
				bestU, best = u, tl.count
			}
		}
		if bestU >= 0 && float64(2*best) >= delta[t] && 4*len(m[bestU].holders) >= best {
			out[h.TypeNames[t]] = h.TypeNames[bestU]
		}
	}
	// Follow chains (str held by dict held by Request) to the first type
	// that is held by nothing.
	for t, u := range out {
		for seen := 0; seen < 8; seen++ {
			next, ok := out[u]
			if !ok || next == t {
				break
			}
			u = next
		}
		out[t] = u
	}
	return out
}

// Axis is the time axis of the series: the dumps' own times.
func (ds *DumpSeries) Axis() series.Axis {
	times := make([]time.Time, len(ds.Dumps))
	for i, hd := range ds.Dumps {
		times[i] = hd.Dump.Time
	}
	return series.NewAxis(times)
}

// Describe fills what every result over the series says about its
// inputs: the dumps, the time span and the series' warnings.
func (ds *DumpSeries) Describe(ax series.Axis, res *series.Result) {
	res.PerHour = ax.PerHour
	res.Warnings = append(slices.Clone(ds.Warnings), res.Warnings...)
	for i, hd := range ds.Dumps {
		res.Inputs = append(res.Inputs, series.Input{Name: hd.Name, Arg: i, Time: hd.Dump.Time, Format: hd.Dump.Format})
	}
	if n := len(ds.Dumps); ax.PerHour && n > 0 {
		res.Span = ds.Dumps[n-1].Dump.Time.Sub(ds.Dumps[0].Dump.Time)
	}
}

// samePID warns when the dumps come from several processes: a series
// compares one process over time.
func (ds *DumpSeries) samePID() {
	var pids []string
	seen := map[int]bool{}
	for _, hd := range ds.Dumps {
		if pid := hd.Dump.PID; pid != 0 && !seen[pid] {
			seen[pid] = true
			pids = append(pids, fmt.Sprint(pid))
		}
	}
	if len(pids) > 1 {
		ds.Warnings = append(ds.Warnings, fmt.Sprintf("the dumps come from %d processes (pids %s): a series should follow one process", len(pids), strings.Join(pids, ", ")))
	}
}

// domChildren returns the children of the dominator tree in CSR form:
// node v's are kids[start[v]:start[v+1]], and the virtual root's (the
// nodes dominated by the roots together) are at index NumNodes. They are
// made once per dump (type statistics and accumulation points both walk
// them).
func domChildren(hd *HeapDump) (start, kids []int32) {
	if hd.domStart != nil {
		return hd.domStart, hd.domKids
	}
	defer func() { hd.domStart, hd.domKids = start, kids }()
	n := hd.Dump.Heap.NumNodes()
	start = make([]int32, n+2)
	for _, v := range hd.Dom.Order {
		p := hd.Dom.Idom[v]
		if p < 0 {
			p = int32(n) // the virtual root
		}
		start[p+1]++
	}
	for i := 0; i <= n; i++ {
		start[i+1] += start[i]
	}
	kids = make([]int32, len(hd.Dom.Order))
	fill := slices.Clone(start[:n+1])
	for _, v := range hd.Dom.Order {
		p := hd.Dom.Idom[v]
		if p < 0 {
			p = int32(n)
		}
		kids[fill[p]] = v
		fill[p]++
	}
	return start, kids
}

// newSince tells the objects of the last dump that were not in the first;
// nil when the series cannot tell (one dump, or ids that move). The first
// dump's ids are sorted once per series.
func newSince(ds *DumpSeries) func(id uint64) bool {
	if len(ds.Dumps) < 2 || !ds.Runtime().StableIDs {
		return nil
	}
	if ds.firstIDs == nil {
		ds.firstIDs = slices.Clone(ds.Dumps[0].Dump.Heap.IDs)
		slices.Sort(ds.firstIDs)
	}
	old := ds.firstIDs
	return func(id uint64) bool { _, ok := slices.BinarySearch(old, id); return !ok }
}
