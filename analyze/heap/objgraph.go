package heap

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/graph"
)

// ObjGraphOptions say which part of a heap dump's object graph to draw,
// in the manner of objgraph's show_backrefs and show_refs.
type ObjGraphOptions struct {
	Type   string // start at instances of this type (full or short name)
	ID     uint64 // start at the object with this id
	HasID  bool
	Cycle  int  // draw the ring of the n-th cycle group (from 1), as `leakscan cycles` lists them
	Refs   bool // follow references out of the start objects; else back to the roots
	Depth  int  // hops from the start objects; default 3, as objgraph's max_depth
	Starts int  // instances of Type to start from; default 3
	// MaxNodes caps the objects drawn (default 100); TooMany caps the
	// neighbours drawn for one object (default 10), the rest summed up in
	// one "N more references" box.
	MaxNodes, TooMany int
	// Grown are the types that grew across the series, to be coloured.
	Grown []string
	// ShowValues keeps the values of the types the runtime calls secret
	// (Python's str and bytes); without it they show as "(value hidden)".
	ShowValues bool
	// Since, when set, is an earlier dump of the same process: instances
	// of Type absent from it (the growth) are preferred as start objects.
	Since *HeapDump
}

// ObjGraph is a drawable piece of an object graph: objects, the
// references between them and what was left out.
type ObjGraph struct {
	Title string
	Nodes []ObjNode
	Edges []ObjEdge
	Notes []string // what was trimmed ("depth 6 reached", "node cap 100 reached")
	Refs  bool     // edges were followed forwards from the start objects
	Ring  bool     // the graph is a cycle's ring
}

// ObjNode is one box: an object, or (More > 0) the neighbours of an
// object that were not drawn.
type ObjNode struct {
	ID       uint64
	Ref      string // the id as the runtime's tools write it ("0x7f3a…", "@84781")
	Type     string
	Value    string // short value, or the function a frame runs
	Size     int64
	Retained int64
	Dist     int    // hops from the nearest start object
	Start    bool   // a start object
	Root     string // root kind and label when the object is a root ("module json")
	Grew     bool   // its type grew across the series
	More     int    // a "N more references" box
}

// ObjEdge is one reference, From → To (indexes into Nodes), labelled with
// the attribute, key or index.
type ObjEdge struct {
	From, To int
	Kind     string
	Label    string
	Weak     bool
	Break    bool   // the edge to break (rings)
	Note     string // why it is the edge to break
}

func (o *ObjGraphOptions) defaults() {
	if o.Depth <= 0 {
		o.Depth = 3
	}
	if o.Starts <= 0 {
		o.Starts = 3
	}
	if o.MaxNodes <= 0 {
		o.MaxNodes = 100
	}
	if o.TooMany <= 0 {
		o.TooMany = 10
	}
}

// ObjectGraph selects the objects to draw from the last dump of a series:
// from the start objects, breadth first along references (or back along
// them) up to the depth, at most TooMany neighbours per object and
// MaxNodes objects in all. Going backwards it also keeps each start
// object's shortest retainer path whole, so that the picture reaches a
// root whatever the depth, and it does not go past roots.
func ObjectGraph(hd *HeapDump, opt ObjGraphOptions) (*ObjGraph, error) {
	opt.defaults()
	starts, title, err := startObjects(hd, opt)
	if err != nil {
		return nil, err
	}
	b := newObjBuilder(hd, opt)
	og := &ObjGraph{Title: title, Refs: opt.Refs}
	for _, s := range starts {
		b.add(s, 0)
		b.nodes[b.index[s]].Start = true
	}
	if !opt.Refs {
		unreached := 0
		for _, s := range starts {
			if !b.addRetainerPath(s) {
				unreached++
			}
		}
		if unreached > 0 {
			og.Notes = append(og.Notes, fmt.Sprintf("no root reaches %d of the start objects: reference cycles keep them (leakscan cycles)", unreached))
		}
	}
	depthHit := false
	for qi := 0; qi < len(b.queue); qi++ {
		u := b.queue[qi]
		d := b.dist[u]
		if b.nodes[b.index[u]].Root != "" && !b.nodes[b.index[u]].Start && !opt.Refs {
			continue // objgraph stops at modules; we stop at every root
		}
		nb := b.neighbours(u)
		if d >= opt.Depth {
			depthHit = depthHit || len(nb) > 0
			b.close(u, nb)
			continue
		}
		b.expand(u, d, nb)
	}
	if depthHit {
		og.Notes = append(og.Notes, fmt.Sprintf("depth %d reached", opt.Depth))
	}
	if b.backEdges > 0 {
		og.Notes = append(og.Notes, fmt.Sprintf("left out %d references from objects that their target keeps alive (back-pointers)", b.backEdges))
	}
	if b.capped {
		og.Notes = append(og.Notes, fmt.Sprintf("node cap %d reached", opt.MaxNodes))
	}
	og.Nodes, og.Edges = b.nodes, b.edges
	return og, nil
}

// startObjects finds the objects to start from and names the picture.
func startObjects(hd *HeapDump, opt ObjGraphOptions) ([]int32, string, error) {
	h := hd.Dump.Heap
	if opt.HasID {
		v := int32(slices.Index(h.IDs, opt.ID))
		if v < 0 {
			return nil, "", fmt.Errorf("no object with id %d in %s", opt.ID, hd.Name)
		}
		return []int32{v}, fmt.Sprintf("%s at %s", h.TypeName(v), hd.Dump.Runtime.FormatID(opt.ID)), nil
	}
	typ, err := ResolveType(h, opt.Type)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", hd.Name, err)
	}
	var all []int32
	for v := range int32(h.NumNodes()) {
		if h.TypeName(v) == typ {
			all = append(all, v)
		}
	}
	// The new ones first (when there is an earlier dump to tell): they
	// are the growth; then the biggest, which show what retains the most;
	// then by id.
	old := IDsOfType(opt.Since, typ)
	slices.SortFunc(all, func(a, b int32) int {
		if c := cmp.Compare(b2i(old[h.IDs[a]]), b2i(old[h.IDs[b]])); c != 0 {
			return c
		}
		if c := cmp.Compare(hd.Retained[b], hd.Retained[a]); c != 0 {
			return c
		}
		return cmp.Compare(h.IDs[a], h.IDs[b])
	})
	n := min(len(all), opt.Starts)
	title := fmt.Sprintf("%d of %d %s", n, len(all), typ)
	if opt.Since != nil && n > 0 && !old[h.IDs[all[0]]] {
		title += ", new since " + filepath.Base(opt.Since.Name)
	}
	return all[:n], title, nil
}

// IDsOfType is the set of ids of objects of type typ in hd; empty for nil.
func IDsOfType(hd *HeapDump, typ string) map[uint64]bool {
	ids := map[uint64]bool{}
	if hd == nil {
		return ids
	}
	h := hd.Dump.Heap
	for v := range int32(h.NumNodes()) {
		if h.TypeName(v) == typ {
			ids[h.IDs[v]] = true
		}
	}
	return ids
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ResolveType finds the full type name meant by name: itself, or the one
// type whose short name it is.
func ResolveType(h *graph.Heap, name string) (string, error) {
	var short []string
	for _, t := range h.TypeNames {
		if t == name {
			return t, nil
		}
		if ShortType(t) == name {
			short = append(short, t)
		}
	}
	slices.Sort(short)
	short = slices.Compact(short)
	switch len(short) {
	case 0:
		return "", fmt.Errorf("no object of type %q", name)
	case 1:
		return short[0], nil
	}
	return "", fmt.Errorf("type %q is ambiguous: %s", name, strings.Join(short, ", "))
}

// ShortType is a type's name without its module: "Request" for
// "__main__.Request".
func ShortType(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}
