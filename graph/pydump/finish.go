package pydump

import (
	"strconv"
	"sync"

	"github.com/leakscan/leakscan/graph"
)

// This file resolves ids, applies edge costs and builds the heap once
// every record has been read.

// finish resolves edge targets and roots, renames the costly kinds and
// builds the heap.
func (p *parser) finish() (*Dump, error) {
	nn := len(p.nodeLine)
	p.nodeEdge = append(p.nodeEdge, int64(len(p.eTo)))
	b := p.b
	b.SetKind(graph.EdgeKind{Name: KindGlobal, Cost: CostGlobal})
	b.SetKind(graph.EdgeKind{Name: KindGarbage, Cost: CostGarbage})
	b.SetKind(graph.EdgeKind{Name: KindWeakref, Weak: true})

	// roots
	rootKinds := map[string]bool{}
	missing, missingLine := 0, 0
	folded, foldedLine := 0, 0
	gcModule := int32(-1)
	var moduleRoots []int32
	for _, r := range p.roots {
		n, ok := p.ids.get(r.id)
		if !ok {
			if missing == 0 {
				missingLine = r.line
			}
			missing++
			continue
		}
		kind := r.kind
		if !rootKinds[kind] {
			if len(rootKinds) >= maxRootKinds {
				if folded == 0 {
					foldedLine = r.line
				}
				folded++
				kind = "unknown"
			}
			rootKinds[kind] = true
		}
		b.AddRoot(n, kind, r.label)
		if kind == "module" {
			moduleRoots = append(moduleRoots, n)
			if r.label == "gc" && gcModule < 0 {
				gcModule = n
			}
		}
	}
	if missing > 0 {
		p.warn(missingLine, "%d roots name objects that are not in the dump; they are dropped", missing)
	}
	if folded > 0 {
		p.warn(foldedLine, "more than %d root kinds: %d roots of further kinds read as \"unknown\"", maxRootKinds, folded)
	}

	// module dicts and gc.garbage
	attr, hasAttr := p.kinds["attr"]
	keyKind, hasKey := p.kinds["key"]
	indexKind, hasIndex := p.kinds["index"]
	dictLabel, hasDictLabel := p.labels["__dict__"]
	dictOf := func(m int32) int32 {
		if !hasAttr || !hasDictLabel {
			return -1
		}
		for e := p.nodeEdge[m]; e < p.nodeEdge[m+1]; e++ {
			if p.eKind[e] == attr && p.eLabel[e] == dictLabel {
				if d, ok := p.ids.get(p.eTo[e]); ok {
					return d
				}
			}
		}
		return -1
	}
	var moduleDict []bool
	if hasKey {
		for _, ms := range [][]int32{p.modules, moduleRoots} {
			for _, m := range ms {
				if d := dictOf(m); d >= 0 {
					if moduleDict == nil {
						moduleDict = make([]bool, nn)
					}
					moduleDict[d] = true
				}
			}
		}
	}
	garbage := int32(-1)
	if gl, ok := p.labels["'garbage'"]; ok && gcModule >= 0 && hasIndex {
		if d := dictOf(gcModule); d >= 0 {
			for e := p.nodeEdge[d]; e < p.nodeEdge[d+1]; e++ {
				if p.eLabel[e] == gl {
					if g, ok := p.ids.get(p.eTo[e]); ok {
						garbage = g
						break
					}
				}
			}
		}
	}

	// edges: look the targets up on two goroutines, then add in order
	targets := make([]int32, len(p.eTo))
	half := len(targets) / 2
	var wg sync.WaitGroup
	for _, r := range [][2]int{{0, half}, {half, len(targets)}} {
		wg.Go(func() {
			for e := r[0]; e < r[1]; e++ {
				targets[e], _ = p.ids.get(p.eTo[e])
			}
		})
	}
	wg.Wait()
	dropped, droppedLine := 0, 0
	b.Grow(0, len(targets))
	for from := 0; from < nn; from++ {
		lo, hi := p.nodeEdge[from], p.nodeEdge[from+1]
		md := moduleDict != nil && moduleDict[from]
		gb := int32(from) == garbage
		for e := lo; e < hi; e++ {
			to := targets[e]
			if to < 0 {
				if dropped == 0 {
					droppedLine = int(p.nodeLine[from])
				}
				dropped++
				continue
			}
			k := p.eKind[e]
			kind := p.kindNames[k]
			switch {
			case md && k == keyKind:
				kind = KindGlobal
			case gb && k == indexKind:
				kind = KindGarbage
			}
			label := ""
			if l := p.eLabel[e]; l >= 0 {
				label = p.labelStrs[l]
			}
			b.AddEdge(int32(from), to, kind, label)
		}
	}
	if dropped > 0 {
		p.warn(droppedLine, "%d edges point to objects that are not in the dump (the first in this object record); they are dropped", dropped)
	}
	if p.end != nil {
		if e := p.end.Objects; e == nil || *e != int64(nn) {
			p.warn(p.endLine, "the end record counts %s objects, the dump has %d", count(e), nn)
		}
		if e := p.end.Edges; e == nil || *e != int64(len(p.eTo)) {
			p.warn(p.endLine, "the end record counts %s edges, the dump has %d", count(e), len(p.eTo))
		}
	}

	// fds, tasks, loops and coroutines
	resolve := func(refs []idRef, set func(i int, n int32), what string) {
		missing, line := 0, 0
		for i, r := range refs {
			if !r.has {
				continue
			}
			if n, ok := p.ids.get(r.id); ok {
				set(i, n)
			} else {
				if missing == 0 {
					line = r.line
				}
				missing++
			}
		}
		if missing > 0 {
			p.warn(line, "%d %s records name objects that are not in the dump", missing, what)
		}
	}
	resolve(p.fds, func(i int, n int32) { p.d.FDs[i].Object = n }, "fd")
	resolve(p.tasks, func(i int, n int32) { p.d.Tasks[i].Object = n }, "task")
	resolve(p.loops, func(i int, n int32) { p.d.Loops[i].Object = n }, "loop")
	resolve(p.coros, func(i int, n int32) { p.d.Coros[i].Object = n }, "coro")
	p.tracebacks(nn)

	// free the parse state before the builder's sort allocates
	p.eTo, p.eKind, p.eLabel, p.nodeEdge, p.nodeLine = nil, nil, nil, nil, nil
	p.ids = idTable{}
	h, err := b.Build()
	if err != nil {
		return nil, err
	}
	p.d.Heap = h
	p.d.renumber(h.Renumber())
	return p.d, nil
}

// renumber maps the node indexes the dump keeps beside its heap through
// graph.Heap.Renumber's new indexes.
func (d *Dump) renumber(newIndex []int32) {
	at := func(n *int32) {
		if *n >= 0 {
			*n = newIndex[*n]
		}
	}
	for i := range d.FDs {
		at(&d.FDs[i].Object)
	}
	for i := range d.Tasks {
		at(&d.Tasks[i].Object)
	}
	for i := range d.Loops {
		at(&d.Loops[i].Object)
	}
	for i := range d.Coros {
		at(&d.Coros[i].Object)
	}
	if d.Allocs != nil {
		allocs := make([]int32, len(d.Allocs))
		for old, tb := range d.Allocs {
			allocs[newIndex[old]] = tb
		}
		d.Allocs = allocs
	}
}

// count formats an optional count from the end record for messages.
func count(n *int64) string {
	if n == nil {
		return "no"
	}
	return strconv.FormatInt(*n, 10)
}
