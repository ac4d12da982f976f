package python

import (
	"strings"

	"github.com/leakscan/leakscan/graph"
)

// classifier ranks objects by how ordinary they are: a ring is told from
// its most ordinary object (an instance of an application class), and the
// edge to break leaves one.
type classifier struct {
	h     *graph.Heap
	types map[int32]int8 // rank by type, without the exception test
}

// Ranks, most ordinary first.
const (
	rankInstance  = 0 // an instance of a class that is not a builtin
	rankContainer = 1 // list, dict, tuple, set, deque and other builtins
	rankCallable  = 2 // function, method, cell, code, type
	rankMachinery = 3 // exception, traceback, frame, coroutine, generator
)

func newClassifier(h *graph.Heap) *classifier {
	return &classifier{h: h, types: map[int32]int8{}}
}

var callableTypes = map[string]bool{
	"builtins.function": true, "builtins.method": true, "builtins.cell": true, "builtins.code": true,
	"builtins.type": true, "builtins.builtin_function_or_method": true, "builtins.staticmethod": true,
	"builtins.classmethod": true, "functools.partial": true, "builtins.property": true,
}

var machineryTypes = map[string]bool{
	"builtins.frame": true, "builtins.traceback": true, "builtins.coroutine": true,
	"builtins.generator": true, "builtins.async_generator": true,
}

var containerTypes = map[string]bool{
	"builtins.list": true, "builtins.dict": true, "builtins.tuple": true, "builtins.set": true,
	"builtins.frozenset": true, "collections.deque": true, "collections.OrderedDict": true,
	"collections.defaultdict": true,
}

func (c *classifier) rank(n int32) int8 {
	if c.isException(n) {
		return rankMachinery
	}
	t := c.h.Types[n]
	r, ok := c.types[t]
	if !ok {
		name := c.h.TypeNames[t]
		switch {
		case machineryTypes[name]:
			r = rankMachinery
		case callableTypes[name]:
			r = rankCallable
		case strings.HasPrefix(name, "builtins.") || containerTypes[name]:
			r = rankContainer
		default:
			r = rankInstance
		}
		c.types[t] = r
	}
	return r
}

// isException tells an exception by its edges: __traceback__,
// __context__ or __cause__.
func (c *classifier) isException(n int32) bool {
	h := c.h
	for e := h.Start[n]; e < h.Start[n+1]; e++ {
		switch h.Kinds[h.EdgeKinds[e]].Name {
		case "traceback", "context", "cause":
			return true
		}
	}
	return false
}

// ringFinder finds shortest cycles inside strongly connected components
// of a graph, reusing its arrays between searches.
type ringFinder struct {
	g     *graph.Heap
	comp  []int32
	stamp []int32 // search number that reached the node
	via   []int64 // the edge it was reached by
	epoch int32
	queue []int32
	edges []int64 // the last ring's edges, in order
}

func newRingFinder(g *graph.Heap, comp []int32) *ringFinder {
	n := g.NumNodes()
	return &ringFinder{g: g, comp: comp, stamp: make([]int32, n), via: make([]int64, n)}
}

// find returns the nodes of a shortest cycle through a (a first), by
// breadth-first search inside a's component; rf.edges holds its edges,
// edges[i] leading from node i to node i+1 (the last one back to a).
func (rf *ringFinder) find(a int32) []int32 {
	g := rf.g
	rf.epoch++
	rf.queue = append(rf.queue[:0], a)
	rf.stamp[a] = rf.epoch
	c := rf.comp[a]
	closing := int64(-1)
	for qi := 0; qi < len(rf.queue) && closing < 0; qi++ {
		u := rf.queue[qi]
		for e := g.Start[u]; e < g.Start[u+1]; e++ {
			w := g.EdgeTo[e]
			if w == a {
				closing = e
				break
			}
			if rf.comp[w] != c || rf.stamp[w] == rf.epoch {
				continue
			}
			rf.stamp[w] = rf.epoch
			rf.via[w] = e
			rf.queue = append(rf.queue, w)
		}
	}
	// walk back from the closing edge's source to a
	var nodes []int32
	rf.edges = rf.edges[:0]
	rf.edges = append(rf.edges, closing)
	for u := g.EdgeSource(closing); u != a; {
		nodes = append(nodes, u)
		e := rf.via[u]
		rf.edges = append(rf.edges, e)
		u = g.EdgeSource(e)
	}
	nodes = append(nodes, a)
	// reverse into ring order: a, …, source of the closing edge
	for i, j := 0, len(nodes)-1; i < j; i, j = i+1, j-1 {
		nodes[i], nodes[j] = nodes[j], nodes[i]
	}
	for i, j := 0, len(rf.edges)-1; i < j; i, j = i+1, j-1 {
		rf.edges[i], rf.edges[j] = rf.edges[j], rf.edges[i]
	}
	return nodes
}

// ringNode is one step of a ring being described, with what the break
// rules need.
type ringNode struct {
	RingStep
	node int32 // in the heap
	rank int8
}

// describeRing turns a cycle of the subgraph into its ring of steps —
// instance attributes held in a materialized __dict__ shown as plain
// attributes, rotated to its canonical start — and names the edge to
// break.
func describeRing(h *graph.Heap, cl *classifier, orig []int32, sub *graph.Heap, nodes []int32, edges []int64) ([]RingStep, *BreakEdge) {
	raw := make([]ringNode, len(nodes))
	for i, v := range nodes {
		o := orig[v]
		raw[i] = ringNode{
			RingStep: RingStep{Type: h.TypeName(o), Note: objectNote(h, o), Kind: sub.Kind(edges[i]).Name, Label: sub.Label(edges[i])},
			node:     o,
			rank:     cl.rank(o),
		}
	}
	ring := canonical(collapseDicts(raw))
	steps := make([]RingStep, len(ring))
	for i, r := range ring {
		steps[i] = r.RingStep
	}
	return steps, breakEdge(ring)
}

// collapseDicts rewrites obj -[attr __dict__]-> dict -[key 'name']-> x as
// obj -[attr name]-> x, the shape CPython 3.11+ gives instances whose
// attributes are inline, so that both shapes make the same ring.
func collapseDicts(raw []ringNode) []ringNode {
	n := len(raw)
	if n < 2 {
		return raw
	}
	drop := make([]bool, n)
	out := make([]ringNode, 0, n)
	for i := range raw {
		j := (i + 1) % n
		if raw[i].Kind == "attr" && raw[i].Label == "__dict__" && raw[j].Type == "builtins.dict" && raw[j].Kind == "key" && !drop[i] {
			drop[j] = true
			raw[i].Label = unquoteKey(raw[j].Label)
		}
	}
	for i, r := range raw {
		if !drop[i] {
			out = append(out, r)
		}
	}
	return out
}

// unquoteKey turns the label of a str dict key ('name') into the name.
func unquoteKey(l string) string {
	if len(l) >= 2 && (l[0] == '\'' || l[0] == '"') && l[len(l)-1] == l[0] {
		return l[1 : len(l)-1]
	}
	return l
}

// canonical rotates a ring to start at its most ordinary object, the
// least rotation (by type, note, kind, label) among those that do: the
// same ring found from any of its objects gives the same steps.
func canonical(ring []ringNode) []ringNode {
	n := len(ring)
	best := -1
	for i := range ring {
		if best < 0 || ring[i].rank < ring[best].rank || (ring[i].rank == ring[best].rank && lessRotation(ring, i, best)) {
			best = i
		}
	}
	out := make([]ringNode, 0, n)
	out = append(out, ring[best:]...)
	return append(out, ring[:best]...)
}

func lessRotation(ring []ringNode, a, b int) bool {
	n := len(ring)
	for k := 0; k < n; k++ {
		x, y := ring[(a+k)%n].RingStep, ring[(b+k)%n].RingStep
		if x != y {
			return stepLess(x, y)
		}
	}
	return false
}

func stepLess(x, y RingStep) bool {
	if x.Type != y.Type {
		return x.Type < y.Type
	}
	if x.Note != y.Note {
		return x.Note < y.Note
	}
	if x.Kind != y.Kind {
		return x.Kind < y.Kind
	}
	return x.Label < y.Label
}

// objectNote names the code behind a frame, coroutine, generator,
// function or bound method ("ClientResponse.read"); "" for other objects.
func objectNote(h *graph.Heap, n int32) string {
	switch h.TypeName(n) {
	case "builtins.frame":
		return codeName(h, follow(h, n, "f_code"))
	case "builtins.coroutine":
		return codeName(h, follow(h, n, "cr_code"))
	case "builtins.generator":
		return codeName(h, follow(h, n, "gi_code"))
	case "builtins.async_generator":
		return codeName(h, follow(h, n, "ag_code"))
	case "builtins.function":
		return strValue(h, follow(h, n, "__qualname__"))
	case "builtins.method":
		return strValue(h, follow(h, follow(h, n, "__func__"), "__qualname__"))
	}
	return ""
}

func codeName(h *graph.Heap, code int32) string {
	if s := strValue(h, follow(h, code, "co_qualname")); s != "" {
		return s
	}
	return strValue(h, follow(h, code, "co_name"))
}

// follow is the target of n's first edge labelled label, or -1.
func follow(h *graph.Heap, n int32, label string) int32 {
	if n < 0 {
		return -1
	}
	for e := h.Start[n]; e < h.Start[n+1]; e++ {
		if h.Label(e) == label {
			return h.EdgeTo[e]
		}
	}
	return -1
}

// strValue is the short value of node n, "" when it has none.
func strValue(h *graph.Heap, n int32) string {
	if n < 0 || h.Values[n] < 0 {
		return ""
	}
	return h.Strings[h.Values[n]]
}
