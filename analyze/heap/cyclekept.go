package heap

import (
	"cmp"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
)

// This file attributes the objects no root reaches (or only through the
// runtime's ParkedKinds: gc.garbage) to the reference cycles that keep
// them, for runtimes where such objects stay alive
// (Runtime.CycleGarbage: CPython frees by reference counting, and what
// only a cycle holds waits for the cycle collector — for ever when it is
// disabled or the objects land in gc.garbage).
//
// Within the unreachable part of a dump, the strongly connected
// components (Tarjan 1972) with no strong edge coming in from another
// unreachable component are what keeps the rest: every unreachable
// object reached from a cyclic one of these "source" components is kept
// by it, and is attributed to the first source that reaches it in a
// breadth-first walk from all of them (in node order, so the result is
// deterministic). Sources are grouped by the set of types they are made
// of: a leak that makes one cycle per request makes many cycles of one
// group, which is the accumulation point of its objects.

// cycleKept is what keeps the unreachable objects of one dump.
type cycleKept struct {
	// group is, per node of the dump, the index into keys of the group of
	// cycles that keeps it; -1 for reachable objects and for unreachable
	// ones no cycle keeps.
	group []int32
	// keys name each group: its member types, sorted, joined by "\x00".
	keys []string
	// sources are, per group, the first node of each source component.
	sources [][]int32
}

// keptByCycles attributes the unreachable objects of hd to the groups of
// cycles that keep them; nil when every object is reachable.
func keptByCycles(hd *HeapDump) *cycleKept {
	h := hd.Dump.Heap
	n := h.NumNodes()
	live := hd.Live()
	unreach := make([]bool, n)
	any := false
	for v, l := range live {
		if !l {
			unreach[v] = true
			any = true
		}
	}
	if !any {
		return nil
	}
	sub, orig := graph.Induced(h, unreach)
	comp, nc := graph.SCCs(sub)
	size := make([]int32, nc)
	for _, c := range comp {
		size[c]++
	}
	entered := make([]bool, nc) // a strong edge comes in from another component
	selfLoop := make([]bool, nc)
	for u := int32(0); int(u) < sub.NumNodes(); u++ {
		for e := sub.Start[u]; e < sub.Start[u+1]; e++ {
			if sub.Kind(e).Weak {
				continue
			}
			to := sub.EdgeTo[e]
			switch {
			case comp[to] != comp[u]:
				entered[comp[to]] = true
			case to == u:
				selfLoop[comp[u]] = true
			}
		}
	}
	// The members of each cyclic source, in node order.
	members := make([][]int32, nc)
	for u, c := range comp {
		if !entered[c] && (size[c] > 1 || selfLoop[c]) {
			members[c] = append(members[c], int32(u))
		}
	}
	ck := &cycleKept{group: make([]int32, n)}
	for i := range ck.group {
		ck.group[i] = -1
	}
	keyIndex := map[string]int32{}
	subGroup := make([]int32, sub.NumNodes())
	for i := range subGroup {
		subGroup[i] = -1
	}
	var queue []int32
	var comps []int32
	for c := range members {
		if members[c] != nil {
			comps = append(comps, int32(c))
		}
	}
	// Sources in the order of their first member's node.
	slices.SortFunc(comps, func(a, b int32) int { return cmp.Compare(members[a][0], members[b][0]) })
	for _, c := range comps {
		key := typeSet(h, orig, members[c])
		g, ok := keyIndex[key]
		if !ok {
			g = int32(len(ck.keys))
			keyIndex[key] = g
			ck.keys = append(ck.keys, key)
			ck.sources = append(ck.sources, nil)
		}
		ck.sources[g] = append(ck.sources[g], orig[members[c][0]])
		for _, u := range members[c] {
			subGroup[u] = g
			queue = append(queue, u)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := sub.Start[u]; e < sub.Start[u+1]; e++ {
			if to := sub.EdgeTo[e]; subGroup[to] < 0 && !sub.Kind(e).Weak {
				subGroup[to] = subGroup[u]
				queue = append(queue, to)
			}
		}
	}
	for u, g := range subGroup {
		ck.group[orig[u]] = g
	}
	return ck
}

// typeSet names a component by the distinct types of its members,
// sorted.
func typeSet(h *graph.Heap, orig, members []int32) string {
	seen := map[int32]bool{}
	var names []string
	for _, u := range members {
		t := h.Types[orig[u]]
		if !seen[t] {
			seen[t] = true
			names = append(names, h.TypeNames[t])
		}
	}
	slices.Sort(names)
	return strings.Join(names, "\x00")
}

// cycleRing is one cycle through node s of the dump, as a path whose
// root is the type of the node it starts from and whose steps lead back
// to that node: the shortest one over strong edges between
// unreachable objects (breadth-first). It starts at the member of s's
// component that best names the cycle: the application's own type
// before the runtime's, then by type name and id.
func cycleRing(hd *HeapDump, ck *cycleKept, s int32) *RetainerShape {
	h := hd.Dump.Heap
	rt := hd.Dump.Runtime
	g := ck.group[s]
	inGroup := func(v int32) bool { return ck.group[v] == g }
	// The start: the best-named node among those s reaches that reach s.
	start := s
	back := ringFrom(h, inGroup, s)
	if back != nil {
		best := s
		for _, st := range back {
			if betterName(h, rt, st.node, best) {
				best = st.node
			}
		}
		start = best
	}
	ring := ringFrom(h, inGroup, start)
	rs := &RetainerShape{Root: h.TypeName(start), Instances: 1, Of: 1}
	for _, st := range ring {
		rs.Steps = append(rs.Steps, PathStep{Kind: h.Kind(st.edge).Name, Label: h.Label(st.edge), Type: h.TypeName(st.node)})
	}
	return rs
}

// ringStep is a hop of a ring: the edge taken and the node it leads to.
type ringStep struct {
	edge int64
	node int32
}

// ringFrom is the shortest cycle from s back to s over strong edges
// within a group; nil when s is on none.
func ringFrom(h *graph.Heap, in func(int32) bool, s int32) []ringStep {
	prevNode := map[int32]int32{}
	prevEdge := map[int32]int64{}
	queue := []int32{s}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for e := h.Start[u]; e < h.Start[u+1]; e++ {
			to := h.EdgeTo[e]
			if h.Kind(e).Weak || !in(to) {
				continue
			}
			if to == s {
				var ring []ringStep
				ring = append(ring, ringStep{e, s})
				for v := u; v != s; v = prevNode[v] {
					ring = append(ring, ringStep{prevEdge[v], v})
				}
				slices.Reverse(ring)
				return ring
			}
			if _, seen := prevNode[to]; !seen {
				prevNode[to], prevEdge[to] = u, e
				queue = append(queue, to)
			}
		}
	}
	return nil
}

// betterName reports whether a names a cycle better than b: the
// application's type before the runtime's, then by type name, then id.
func betterName(h *graph.Heap, rt *Runtime, a, b int32) bool {
	oa, ob := rt.IsOwn(h.TypeName(a)), rt.IsOwn(h.TypeName(b))
	if oa != ob {
		return ob
	}
	return cmp.Or(cmp.Compare(h.TypeName(a), h.TypeName(b)), cmp.Compare(h.IDs[a], h.IDs[b])) < 0
}

// cycleFindings are the findings of objects kept only by reference
// cycles: per group of cycles (see keptByCycles), the objects it keeps
// in every dump through the series engine; the groups that grow and
// hold objects new since the first dump are findings.
//
// It also returns, per node of the last dump, the index of the finding
// that keeps it (-1 for none).
func cycleFindings(ds *DumpSeries, isNewID func(uint64) bool) ([]Finding, []int32) {
	n := len(ds.Dumps)
	last := ds.Dumps[n-1]
	lk := keptByCycles(last)
	if lk == nil {
		return nil, nil
	}
	h := last.Dump.Heap
	// The groups of the last dump, matched by key in the others.
	index := map[string]int{}
	for i, k := range lk.keys {
		index[k] = i
	}
	counts := make([][]float64, len(lk.keys))
	bytes := make([][]float64, len(lk.keys))
	typeCounts := make([]map[string][]float64, len(lk.keys))
	for i := range lk.keys {
		counts[i], bytes[i] = make([]float64, n), make([]float64, n)
		typeCounts[i] = map[string][]float64{}
	}
	for di, hd := range ds.Dumps {
		ck := lk
		if di < n-1 {
			ck = keptByCycles(hd)
		}
		if ck == nil {
			continue
		}
		dh := hd.Dump.Heap
		for v, g := range ck.group {
			if g < 0 {
				continue
			}
			i, ok := index[ck.keys[g]]
			if !ok {
				continue
			}
			counts[i][di]++
			bytes[i][di] += float64(dh.Sizes[v])
			name := dh.TypeName(int32(v))
			tc := typeCounts[i][name]
			if tc == nil {
				tc = make([]float64, n)
				typeCounts[i][name] = tc
			}
			tc[di]++
		}
	}
	// What is new in the last dump, per group.
	newCount := make([]int, len(lk.keys))
	newBytes := make([]int64, len(lk.keys))
	isNew := make([]bool, h.NumNodes())
	for v, g := range lk.group {
		if g >= 0 && isNewID(h.IDs[v]) {
			isNew[v] = true
			newCount[g]++
			newBytes[g] += h.Sizes[v]
		}
	}
	ax := ds.Axis()
	var out []Finding
	findingOf := make([]int32, len(lk.keys))
	for i := range lk.keys {
		findingOf[i] = -1
		if newCount[i] == 0 {
			continue
		}
		tr := series.Analyze(ax, counts[i], series.CountNoise, 0)
		if tr.Class != series.Growing {
			continue
		}
		findingOf[i] = int32(len(out))
		srcs := lk.sources[i]
		ring := cycleRing(last, lk, srcs[0])
		f := Finding{Cycle: true, Type: ring.Root, Holders: len(srcs), New: newCount[i], NewBytes: newBytes[i],
			Count: tr, Retained: bytes[i], Holder: ring}
		if len(ring.Steps) > 0 {
			f.Edge = ring.Steps[0]
		}
		// The heads: the new objects the cycles keep by type, the
		// application's own types only when there are any; samples are
		// new objects of the type that names the cycles.
		heads, own := map[string]int{}, map[string]int{}
		for v, g := range lk.group {
			if g != int32(i) || !isNew[v] {
				continue
			}
			t := h.TypeName(int32(v))
			if last.Dump.Runtime.IsOwn(t) {
				own[t]++
			} else {
				heads[t]++
			}
			if t == f.Type && len(f.Samples) < maxSamples {
				f.Samples = append(f.Samples, h.IDs[v])
			}
		}
		if len(heads) == 0 {
			heads = own
		}
		f.Heads = sortedCounts(heads)
		f.Types = topTypeSeries(typeCounts[i])
		g := int32(i)
		f.Alloc = allocSiteOf(last, func(v int32) bool { return isNew[v] && lk.group[v] == g })
		out = append(out, f)
	}
	owner := make([]int32, h.NumNodes())
	for v, g := range lk.group {
		owner[v] = -1
		if g >= 0 && isNew[v] {
			owner[v] = findingOf[g]
		}
	}
	return out, owner
}

// topTypeSeries lists the types of a finding's objects, the most at the
// last snapshot first (at most maxTypes).
func topTypeSeries(counts map[string][]float64) []TypeSeries {
	var out []TypeSeries
	for t, c := range counts {
		out = append(out, TypeSeries{Type: t, Counts: c})
	}
	slices.SortFunc(out, func(a, b TypeSeries) int {
		return cmp.Or(cmp.Compare(b.Counts[len(b.Counts)-1], a.Counts[len(a.Counts)-1]), cmp.Compare(a.Type, b.Type))
	})
	return out[:min(len(out), maxTypes)]
}

// sortedCounts lists counts by type, the most first (at most maxTypes).
func sortedCounts(m map[string]int) []TypeCount {
	var out []TypeCount
	for t, c := range m {
		out = append(out, TypeCount{Type: t, Count: c})
	}
	slices.SortFunc(out, func(a, b TypeCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Type, b.Type)) })
	return out[:min(len(out), maxTypes)]
}
