package heap

import (
	"cmp"
	"slices"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
)

// This file finds leaks as accumulation points across a series of dumps
// of one process: the objects that are new since the first dump and
// alive in the last are attributed to the nearest object that dominates
// them and already existed in the first dump — the container they pile
// up in. Accumulation points of one type reached by one retainer-path
// shape are one finding; each finding's objects and bytes are then
// measured in every dump of the series and go through the series engine.
//
// Eclipse MAT's leak suspects name an accumulation point in one heap
// dump (the object whose retained size is a large share of the heap);
// memlab clusters the retainer traces of objects allocated between a
// baseline, a target and a final snapshot. Here the holder is found from
// what is new, not from what is big, and it is judged on the whole
// series: a cache that filled and stopped is a plateau, not a leak.

// Finding is one leak: where objects accumulate, and what accumulates.
type Finding struct {
	// Holder is the retainer path of one accumulation point (the one
	// holding most), ending at it; Holders counts the accumulation
	// points of this type and path shape.
	Holder  *RetainerShape
	Type    string // the accumulation point's type
	Value   string // its short value or the runtime's note; "" when none
	Holders int
	// Edge is the first hop from the accumulation point towards what
	// accumulates (the attribute, key or index), with the type it leads to.
	Edge PathStep
	// New counts the objects new since the first dump that the
	// accumulation points hold at the last; NewBytes their shallow bytes.
	New      int
	NewBytes int64
	// Heads are the types of the new objects the accumulation points
	// hold first (whose immediate dominator they are), with their counts
	// at the last snapshot, most first: what piles up, not its parts.
	Heads []TypeCount
	// Types are what all the objects held are, most first (at most
	// maxTypes), with the count of each held at every snapshot.
	Types []TypeSeries
	// Count is the trend of the objects held at each snapshot (the
	// accumulation points themselves left out); Retained their bytes.
	Count    series.Trend
	Retained []float64
	// Alloc is the allocation stack most of the new objects share, when
	// the dumps record them.
	Alloc *AllocSite
	// Samples are the ids of a few new objects, the topmost first, and
	// HolderIDs of a few accumulation points: `leakscan path --id` and
	// `graph --id` take them.
	Samples   []uint64
	HolderIDs []uint64
	// Echoes are the findings folded into this one: containers of weak
	// references to what this one holds, which grow because it leaks.
	Echoes []Echo
	// Cycle says the objects are kept by reference cycles no root
	// reaches (Runtime.CycleGarbage), not by a container: Type is then
	// the type that names the cycles, Holder one cycle (its Root that
	// type, its steps the way back to the object), Edge its first step,
	// and Holders the number of cycles.
	Cycle bool
}

// Echo is a finding folded into another (see Finding.Echoes): the path
// to its container, the container's type, what piles up there, and by
// how much over the series.
type Echo struct {
	Holder *RetainerShape `json:"holder"`
	Type   string         `json:"type"`
	Heads  []TypeCount    `json:"heads"`
	Count  float64        `json:"count"`
}

// TypeCount is how many objects of one type.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// TypeSeries is how many objects of one type a finding holds at each
// snapshot.
type TypeSeries struct {
	Type   string    `json:"type"`
	Counts []float64 `json:"counts"`
}

// Limits of what a finding lists.
const (
	maxFindings = 10
	maxTypes    = 5
	maxSamples  = 5
)

// Findings finds the accumulation points of a series of dumps whose ids
// are stable (Runtime.StableIDs); nil for fewer than two dumps. Only the
// findings whose held objects grow (the series engine's rule) are kept,
// the most retained-byte growth first.
func Findings(ds *DumpSeries) []Finding {
	n := len(ds.Dumps)
	if n < 2 || !ds.Runtime().StableIDs {
		return nil
	}
	last := ds.Dumps[n-1]
	isNewID := newSince(ds)

	// In the last dump: each new reachable object's accumulation point,
	// in one pass down the dominator tree (Order lists dominators first).
	h := last.Dump.Heap
	dom := last.Dom
	acc := make([]int32, h.NumNodes())
	isNew := make([]bool, h.NumNodes())
	type group struct {
		holders  []int32
		newCount int
		newBytes int64
		types    map[int32]int
		tops     []int32 // new objects whose dominator is the holder
	}
	groups := map[[2]int32]*group{} // holder type and path shape → group
	var keys [][2]int32
	holderGroup := map[int32]*group{}
	// Objects only parked objects lead to are the cycles' (cyclekept.go).
	lastLive := last.Live()
	for _, v := range dom.Order {
		if !isNewID(h.IDs[v]) || !lastLive[v] {
			continue
		}
		isNew[v] = true
		p := dom.Idom[v]
		switch {
		case p < 0:
			acc[v] = -1 // held from several roots at once: no single holder
		case isNew[p]:
			acc[v] = acc[p]
		default:
			acc[v] = p
		}
		a := acc[v]
		if a < 0 {
			continue
		}
		g := holderGroup[a]
		if g == nil {
			shape := last.shapeOf(a)
			if shape < 0 {
				continue
			}
			k := [2]int32{h.Types[a], shape}
			if g = groups[k]; g == nil {
				g = &group{types: map[int32]int{}}
				groups[k] = g
				keys = append(keys, k)
			}
			g.holders = append(g.holders, a)
			holderGroup[a] = g
		}
		g.newCount++
		g.newBytes += h.Sizes[v]
		g.types[h.Types[v]]++
		if p == a {
			g.tops = append(g.tops, v)
		}
	}

	// Every dump: what the holders (found by id) dominate, each object
	// counted for its nearest holder only.
	gi := map[*group]int{}
	for i, k := range keys {
		gi[groups[k]] = i
	}
	holderOf := map[uint64]int{} // holder id → group index
	for _, k := range keys {
		for _, a := range groups[k].holders {
			holderOf[h.IDs[a]] = gi[groups[k]]
		}
	}
	counts := make([][]float64, len(keys))
	bytes := make([][]float64, len(keys))
	typeCounts := make([]map[string][]float64, len(keys))
	for i := range keys {
		counts[i], bytes[i] = make([]float64, n), make([]float64, n)
		typeCounts[i] = map[string][]float64{}
	}
	for di, hd := range ds.Dumps {
		dh := hd.Dump.Heap
		owner := make([]int32, dh.NumNodes())
		live := hd.Live()
		for _, v := range hd.Dom.Order {
			if !live[v] {
				continue // nor what it dominates: only parked objects lead there too
			}
			if g, ok := holderOf[dh.IDs[v]]; ok {
				owner[v] = int32(g) + 1
				continue
			}
			if p := hd.Dom.Idom[v]; p >= 0 {
				owner[v] = owner[p]
			}
			if o := owner[v] - 1; o >= 0 {
				counts[o][di]++
				bytes[o][di] += float64(dh.Sizes[v])
				name := dh.TypeName(v)
				tc := typeCounts[o][name]
				if tc == nil {
					tc = make([]float64, n)
					typeCounts[o][name] = tc
				}
				tc[di]++
			}
		}
	}

	ax := ds.Axis()
	var out []Finding
	var tops [][]int32              // per finding of out, its objects held first
	findingOf := map[*group]int32{} // group → index into out
	for i, k := range keys {
		g := groups[k]
		tr := series.Analyze(ax, counts[i], series.CountNoise, 0)
		if tr.Class != series.Growing || machinery(last, g.holders[0], g.tops) {
			continue
		}
		findingOf[g] = int32(len(out))
		slices.SortFunc(g.holders, func(a, b int32) int {
			return cmp.Or(cmp.Compare(last.Retained[b], last.Retained[a]), cmp.Compare(h.IDs[a], h.IDs[b]))
		})
		top := g.holders[0]
		f := Finding{Type: h.TypeNames[k[0]], Holders: len(g.holders), New: g.newCount, NewBytes: g.newBytes,
			Count: tr, Retained: bytes[i], Value: last.Dump.Runtime.NoteOf(h, top)}
		if f.Value == "" && !last.Dump.Runtime.IsSecret(f.Type) {
			f.Value = h.Value(top)
		}
		f.Holder, _ = PathOf(last, top)
		for _, a := range g.holders[:min(len(g.holders), maxSamples)] {
			f.HolderIDs = append(f.HolderIDs, h.IDs[a])
		}
		heads := map[string]int{}
		for _, v := range g.tops {
			heads[h.TypeName(v)]++
		}
		f.Heads = sortedCounts(heads)
		// Samples and the edge into the growth: the objects of the most
		// common head type first, the biggest first (an array's new
		// backing store is one big head among a hundred small ones it
		// does not hold).
		var headType int32 = -1
		if len(f.Heads) > 0 {
			headType = int32(slices.Index(h.TypeNames, f.Heads[0].Type))
		}
		slices.SortFunc(g.tops, func(a, b int32) int {
			return cmp.Or(boolCmp(h.Types[a] == headType, h.Types[b] == headType),
				cmp.Compare(last.Retained[b], last.Retained[a]), cmp.Compare(h.IDs[a], h.IDs[b]))
		})
		for _, v := range g.tops[:min(len(g.tops), maxSamples)] {
			f.Samples = append(f.Samples, h.IDs[v])
		}
		if len(g.tops) > 0 {
			f.Edge = edgeInto(last, acc[g.tops[0]], g.tops[0])
		}
		var types []int32
		for t := range g.types {
			types = append(types, t)
		}
		slices.SortFunc(types, func(a, b int32) int {
			return cmp.Or(cmp.Compare(g.types[b], g.types[a]), cmp.Compare(h.TypeNames[a], h.TypeNames[b]))
		})
		for _, t := range types[:min(len(types), maxTypes)] {
			f.Types = append(f.Types, TypeSeries{Type: h.TypeNames[t], Counts: typeCounts[i][h.TypeNames[t]]})
		}
		f.Alloc = allocSiteOf(last, func(v int32) bool { return isNew[v] && acc[v] >= 0 && holderGroup[acc[v]] == g })
		out = append(out, f)
		tops = append(tops, g.tops)
	}
	// Which finding holds each new object of the last dump.
	owner := make([]int32, h.NumNodes())
	for i := range owner {
		owner[i] = -1
	}
	for _, v := range dom.Order {
		if isNew[v] && acc[v] >= 0 {
			if fi, ok := findingOf[holderGroup[acc[v]]]; ok {
				owner[v] = fi
			}
		}
	}
	if ds.Runtime().CycleGarbage {
		cf, cOwner := cycleFindings(ds, isNewID)
		base := int32(len(out))
		for v, fi := range cOwner {
			if fi >= 0 {
				owner[v] = base + fi
			}
		}
		out = append(out, cf...)
		tops = append(tops, make([][]int32, len(cf))...)
	}
	out = foldEchoes(h, out, tops, owner)
	slices.SortStableFunc(out, func(a, b Finding) int {
		ga, gb := series.Delta(a.Retained), series.Delta(b.Retained)
		return cmp.Or(cmp.Compare(gb, ga), cmp.Compare(b.Count.Tau, a.Count.Tau), cmp.Compare(b.New, a.New))
	})
	return out[:min(len(out), maxFindings)]
}

// echoShare is the share of a finding's objects that must refer weakly
// to another finding's for it to be that one's echo.
const echoShare = 0.9

// foldEchoes folds into another finding each finding whose objects held
// first are, nearly all (echoShare), weak references to objects another
// finding holds: a registry of weak references that grows only because
// what it refers to leaks (logging's list of weak references to
// handlers; asyncio's weak set of tasks) is the same leak, told once. The
// echo goes to the finding its weak references point into most.
func foldEchoes(h *graph.Heap, out []Finding, tops [][]int32, owner []int32) []Finding {
	echoOf := make([]int32, len(out))
	for b := range out {
		echoOf[b] = -1
		if len(tops[b]) == 0 {
			continue
		}
		into := map[int32]int{}
		weak := 0
		for _, v := range tops[b] {
			for e := h.Start[v]; e < h.Start[v+1]; e++ {
				if a := owner[h.EdgeTo[e]]; h.Kind(e).Weak && a >= 0 && a != int32(b) {
					into[a]++
					weak++
					break
				}
			}
		}
		if float64(weak) < echoShare*float64(len(tops[b])) {
			continue
		}
		best, bestN := int32(-1), 0
		for a, c := range into {
			if c > bestN || (c == bestN && a < best) {
				best, bestN = a, c
			}
		}
		echoOf[b] = best
	}
	var kept []Finding
	index := make([]int, len(out))
	for i := range out {
		if echoOf[i] < 0 {
			index[i] = len(kept)
			kept = append(kept, out[i])
		}
	}
	for b, a := range echoOf {
		// an echo of an echo goes to the end of the chain's finding
		for steps := 0; a >= 0 && echoOf[a] >= 0 && steps < len(out); steps++ {
			a = echoOf[a]
		}
		if a < 0 || echoOf[a] >= 0 {
			continue
		}
		f := &out[b]
		k := &kept[index[a]]
		k.Echoes = append(k.Echoes, Echo{Holder: f.Holder, Type: f.Type, Heads: f.Heads, Count: f.Count.Delta})
	}
	return kept
}

// machinery reports whether a group's growth is the runtime at work: its
// holder is the runtime's machinery, or everything new it holds first is
// (a function's freshly optimized code).
func machinery(hd *HeapDump, holder int32, tops []int32) bool {
	rt, h := hd.Dump.Runtime, hd.Dump.Heap
	if rt.Machinery == nil {
		return false
	}
	if rt.IsMachinery(h, holder) {
		return true
	}
	for _, v := range tops {
		if !rt.IsMachinery(h, v) {
			return false
		}
	}
	return len(tops) > 0
}

// boolCmp orders true before false.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// edgeInto is the first hop from holder a towards object v, which a
// dominates: the step of v's retainer path that leaves a (within a few
// hops; the direct edge when there is one).
func edgeInto(hd *HeapDump, a, v int32) PathStep {
	h := hd.Dump.Heap
	r := hd.Retainers()
	for u, hops := v, 0; u >= 0 && hops < 64; u, hops = r.ViaNode[u], hops+1 {
		if r.ViaNode[u] == a {
			e := r.ViaEdge[u]
			return PathStep{Kind: h.Kind(e).Name, Label: h.Label(e), Type: h.TypeName(u)}
		}
	}
	return PathStep{}
}

// allocSiteOf is the allocation stack most of the objects in keeps share;
// nil when the dump records none.
func allocSiteOf(hd *HeapDump, keep func(v int32) bool) *AllocSite {
	d := hd.Dump
	if d.Allocs == nil {
		return nil
	}
	counts := map[int32]int{}
	of := 0
	for v, tb := range d.Allocs {
		if tb >= 0 && keep(int32(v)) {
			counts[tb]++
			of++
		}
	}
	best, bestN := int32(-1), 0
	for tb, c := range counts {
		if c > bestN || (c == bestN && tb < best) {
			best, bestN = tb, c
		}
	}
	if best < 0 {
		return nil
	}
	return &AllocSite{Stack: slices.Clone(d.AllocStacks[best]), Instances: bestN, Of: of}
}
