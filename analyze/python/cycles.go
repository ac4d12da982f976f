package python

import (
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/graph"
	"github.com/leakscan/leakscan/graph/pydump"
)

// RingStep is one object of a reference cycle and the edge from it to the
// next object of the ring (the last step's edge leads back to the first).
type RingStep struct {
	Type  string `json:"type"`
	Note  string `json:"note,omitempty"` // a frame's function: "ClientResponse.read"
	Kind  string `json:"kind"`           // the edge to the next object
	Label string `json:"label"`
}

// cycle is one reference cycle found in a dump: a strongly connected
// component of the objects the roots do not reach, that no other such
// object points into (what keeps the rest alive).
type cycle struct {
	anchor   int32 // node of the heap: the ring's first object
	members  int   // objects on the component
	shallow  int64 // their sizes
	retained int64 // what only this cycle keeps: the component and what hangs off it
	garbage  bool  // its objects are in gc.garbage
	ring     []RingStep
	brk      *BreakEdge
	key      string
}

// cycleScan is what findCycles learns about one dump.
type cycleScan struct {
	cycles []cycle
	// unreachable objects (and bytes) in all, on or off the cycles; the
	// ones off cycles are garbage awaiting collection or kept only by
	// gc.garbage.
	unreachable      int
	unreachableBytes int64
}

// findCycles finds the objects that only reference cycles keep alive:
// those the roots do not reach without going through gc.garbage. Among
// them (the subgraph they induce), each strongly connected component that
// is a cycle and that no other cycle leads to is one cycle; its
// retained size comes from the dominator tree of that subgraph entered at
// each such component (Tarjan 1972 for the components; the dominators as
// in ComputeDominators). Each cycle's ring is the shortest cycle through
// its most ordinary object, rotated to a canonical start.
func findCycles(hd *heap.HeapDump) cycleScan {
	h := hd.Dump.Heap
	live := graph.ReachableExcept(h, pydump.KindGarbage)
	dead := live // reused in place: dead[n] = !live[n]
	var scan cycleScan
	for n := range dead {
		dead[n] = !dead[n]
		if dead[n] {
			scan.unreachable++
			scan.unreachableBytes += h.Sizes[n]
		}
	}
	if scan.unreachable == 0 {
		return scan
	}
	sub, orig := graph.Induced(h, dead)
	comp, ncomp := graph.SCCs(sub)
	size := make([]int32, ncomp)
	entered := make([]bool, ncomp)
	selfLoop := make([]bool, ncomp)
	for v := range orig {
		c := comp[v]
		size[c]++
		for e := sub.Start[v]; e < sub.Start[v+1]; e++ {
			w := sub.EdgeTo[e]
			switch {
			case comp[w] != c:
				entered[comp[w]] = true
			case int(w) == v:
				selfLoop[c] = true
			}
		}
	}
	// A cycle is reported when no other cycle leads to it: cycles hanging
	// off a reported one are part of what it keeps alive. Tarjan numbers
	// a component after its successors, so walking components from the
	// highest number down visits every predecessor before its successors.
	cyclic := func(c int32) bool { return size[c] > 1 || selfLoop[c] }
	// the members of each component, in CSR form
	cstart := make([]int32, ncomp+1)
	for _, c := range comp {
		cstart[c+1]++
	}
	for c := int32(0); c < ncomp; c++ {
		cstart[c+1] += cstart[c]
	}
	members := make([]int32, len(comp))
	fill := slices.Clone(cstart[:ncomp])
	for v, c := range comp {
		members[fill[c]] = int32(v)
		fill[c]++
	}
	byComp := func(c int32) []int32 { return members[cstart[c]:cstart[c+1]] }
	covered := make([]bool, ncomp)
	for c := ncomp - 1; c >= 0; c-- {
		if !cyclic(c) && !covered[c] {
			continue
		}
		for _, v := range byComp(c) {
			for e := sub.Start[v]; e < sub.Start[v+1]; e++ {
				if d := comp[sub.EdgeTo[e]]; d != c {
					covered[d] = true
				}
			}
		}
	}
	// each reported cycle's anchor: its most ordinary object
	anchor := make([]int32, ncomp)
	cl := newClassifier(h)
	var entries []int32
	for c := range anchor {
		anchor[c] = -1
		switch {
		case cyclic(int32(c)) && !covered[c]:
			best := int8(rankMachinery + 1)
			for _, v := range byComp(int32(c)) {
				if r := cl.rank(orig[v]); r < best {
					anchor[c], best = v, r
				}
			}
			entries = append(entries, anchor[c])
		case !entered[c]:
			// an unreachable object on no cycle that nothing else
			// unreachable holds: an entry of its own, so that it does
			// not count towards a cycle it merely points into
			entries = append(entries, byComp(int32(c))[0])
		}
	}
	rooted := sub.WithRoots(entries)
	dom := graph.ComputeDominators(rooted)
	retained := graph.RetainedSizes(rooted, dom)

	ring := newRingFinder(sub, comp)
	shallow := make([]int64, ncomp)
	garbage := make([]bool, ncomp)
	for v, o := range orig {
		shallow[comp[v]] += h.Sizes[o]
		if h.Flags[o]&pydump.FlagGarbage != 0 {
			garbage[comp[v]] = true
		}
	}
	for c, a := range anchor {
		if a < 0 {
			continue
		}
		steps := ring.find(a)
		cy := cycle{
			anchor:   orig[steps[0]],
			members:  int(size[c]),
			shallow:  shallow[c],
			retained: retained[a],
			garbage:  garbage[c],
		}
		cy.ring, cy.brk = describeRing(h, cl, orig, sub, steps, ring.edges)
		cy.key = ringKey(cy.ring)
		scan.cycles = append(scan.cycles, cy)
	}
	return scan
}

// ringKey is the canonical text of a ring, the key of its group.
func ringKey(ring []RingStep) string {
	var b strings.Builder
	for _, s := range ring {
		b.WriteString(s.Type)
		if s.Note != "" {
			b.WriteString("(" + s.Note + ")")
		}
		b.WriteString(" -[" + s.Kind + " " + s.Label + "]-> ")
	}
	return b.String()
}
