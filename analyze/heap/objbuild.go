package heap

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/leakscan/leakscan/graph"
)

// objBuilder collects the nodes and edges of an ObjGraph breadth first.
type objBuilder struct {
	hd     *HeapDump
	h      *graph.Heap
	opt    ObjGraphOptions
	grown  map[string]bool
	roots  map[int32]int // node → first root entry
	index  map[int32]int // heap node → index in nodes
	dist   map[int32]int
	queue  []int32
	seen   map[int64]bool // heap edges drawn
	nodes  []ObjNode
	edges  []ObjEdge
	capped bool
	// backEdges counts the references left out as pointing back at what
	// keeps their source alive.
	backEdges int
}

func newObjBuilder(hd *HeapDump, opt ObjGraphOptions) *objBuilder {
	h := hd.Dump.Heap
	b := &objBuilder{hd: hd, h: h, opt: opt, grown: map[string]bool{}, roots: map[int32]int{},
		index: map[int32]int{}, dist: map[int32]int{}, seen: map[int64]bool{}}
	for _, t := range opt.Grown {
		b.grown[t] = true
	}
	for i, r := range h.Roots {
		if _, ok := b.roots[r]; !ok {
			b.roots[r] = i
		}
	}
	return b
}

// add puts heap node v in the picture at distance d; false when the node
// cap leaves no room.
func (b *objBuilder) add(v int32, d int) bool {
	if _, ok := b.index[v]; ok {
		return true
	}
	if len(b.nodes) >= b.opt.MaxNodes {
		b.capped = true
		return false
	}
	h := b.h
	n := ObjNode{ID: h.IDs[v], Ref: b.hd.Dump.Runtime.FormatID(h.IDs[v]), Type: h.TypeName(v), Size: h.Sizes[v], Dist: d, Grew: b.grown[h.TypeName(v)]}
	if v < int32(len(b.hd.Retained)) {
		n.Retained = b.hd.Retained[v]
	}
	n.Value = b.value(v)
	if r, ok := b.roots[v]; ok {
		n.Root = h.RootKindNames[h.RootKinds[r]] + " " + RootLabel(h, int32(r))
	}
	b.index[v] = len(b.nodes)
	b.dist[v] = d
	b.nodes = append(b.nodes, n)
	b.queue = append(b.queue, v)
	return true
}

// value is what a box shows below the type: the runtime's note (a
// frame's or function's name), else the object's short value — hidden,
// for types whose values may hold secrets, unless values may be shown.
func (b *objBuilder) value(v int32) string {
	h := b.h
	rt := b.hd.Dump.Runtime
	if note := rt.NoteOf(h, v); note != "" {
		return note
	}
	s := h.Value(v)
	if rt.IsSecret(h.TypeName(v)) && !b.opt.ShowValues && s != "" {
		return "(value hidden)"
	}
	return s
}

// link draws heap edge e between two drawn nodes, once.
func (b *objBuilder) link(e int64, from, to int32) {
	if b.seen[e] {
		return
	}
	b.seen[e] = true
	k := b.h.Kind(e)
	b.edges = append(b.edges, ObjEdge{From: b.index[from], To: b.index[to], Kind: k.Name, Label: b.h.Label(e), Weak: k.Weak})
}

// addRetainerPath draws v's shortest retainer path back to its root;
// false when no root reaches v.
func (b *objBuilder) addRetainerPath(v int32) bool {
	edges, ok := b.hd.Retainers().Path(v)
	if !ok {
		return false
	}
	// The path runs root → v; distances count back from v.
	for i := len(edges) - 1; i >= 0; i-- {
		e := edges[i]
		from, to := b.h.EdgeSource(e), b.h.EdgeTo[e]
		if !b.add(from, b.dist[to]+1) {
			break
		}
		b.link(e, from, to)
	}
	return true
}

// neighbour is one reference into (backrefs) or out of (refs) a node.
type neighbour struct {
	edge int64
	node int32
}

// neighbours lists the references to follow from u, the most telling
// first: going back, u's own retainer-path edge, then sources closer to a
// root; going forward, targets retaining more. Ties by edge order (going
// back, by the sources' ids first).
func (b *objBuilder) neighbours(u int32) []neighbour {
	h := b.h
	var nb []neighbour
	if b.opt.Refs {
		lo, hi := h.Edge(u)
		for e := lo; e < hi; e++ {
			nb = append(nb, neighbour{e, h.EdgeTo[e]})
		}
		slices.SortStableFunc(nb, func(x, y neighbour) int {
			return cmp.Compare(b.hd.Retained[y.node], b.hd.Retained[x.node])
		})
		return nb
	}
	r := b.hd.Retainers()
	edges, from := h.Reverse(u)
	for i, e := range edges {
		if b.keptBy(from[i], u, r) {
			b.backEdges++
			continue
		}
		nb = append(nb, neighbour{e, from[i]})
	}
	via := r.ViaEdge[u]
	rank := func(x neighbour) int64 {
		switch d := r.Dist[x.node]; {
		case x.edge == via:
			return -1
		case d < 0:
			return 1 << 40 // unreachable sources (cycles) last
		default:
			return int64(d)
		}
	}
	slices.SortStableFunc(nb, func(x, y neighbour) int {
		if c := cmp.Compare(rank(x), rank(y)); c != 0 {
			return c
		}
		// then by source id and the edge's place among its source's:
		// not by node number, which a reader may have changed
		return cmp.Or(cmp.Compare(h.IDs[x.node], h.IDs[y.node]), cmp.Compare(x.edge-h.Start[x.node], y.edge-h.Start[y.node]))
	})
	return nb
}

// keptBy reports whether u lies on x's shortest retainer path: then the
// reference x → u points back at an object that keeps x alive (a type's
// descriptors and __mro__, a function's __globals__), and says nothing
// about why u is alive.
func (b *objBuilder) keptBy(x, u int32, r *graph.Retainers) bool {
	for i := 0; i < maxBackHops && x >= 0; i++ {
		x = r.ViaNode[x]
		if x == u {
			return true
		}
	}
	return false
}

// maxBackHops bounds the walk up a retainer path in keptBy.
const maxBackHops = 16

// close draws, for a node the depth stops at, its references to objects
// already drawn: a cycle through the frontier shows as one.
func (b *objBuilder) close(u int32, nb []neighbour) {
	for _, x := range nb {
		if _, ok := b.index[x.node]; !ok {
			continue
		}
		if b.opt.Refs {
			b.link(x.edge, u, x.node)
		} else {
			b.link(x.edge, x.node, u)
		}
	}
}

// expand draws u's neighbours at distance d+1, at most TooMany, and a
// "more" box for the rest.
func (b *objBuilder) expand(u int32, d int, nb []neighbour) {
	shown := 0
	for _, x := range nb {
		if shown == b.opt.TooMany {
			break
		}
		if b.seen[x.edge] {
			shown++
			continue
		}
		if !b.add(x.node, d+1) {
			break
		}
		shown++
		if b.opt.Refs {
			b.link(x.edge, u, x.node)
		} else {
			b.link(x.edge, x.node, u)
		}
	}
	if rest := len(nb) - shown; rest > 0 && len(nb) > b.opt.TooMany {
		more := len(b.nodes)
		b.nodes = append(b.nodes, ObjNode{More: rest, Dist: d + 1})
		e := ObjEdge{From: more, To: b.index[u], Label: strconv.Itoa(rest) + " more"}
		if b.opt.Refs {
			e.From, e.To = b.index[u], more
		}
		b.edges = append(b.edges, e)
	}
}
