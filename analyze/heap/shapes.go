package heap

// This file groups objects by the shape of their retainer paths in time
// linear in the heap: each object's shape is its parent's shape (in the
// tree of shortest retainer paths) plus one step, interned once and
// memoized, so that no path is ever walked twice. Indexes and dict keys
// are left out of a step (they differ between instances), and a step that
// repeats the one before it — the next link of a chain — is folded into
// it, so that every node of a linked list shares one shape whatever its
// depth.

// shapeStep is one hop of a shape: the edge's kind, its label (-2 for an
// index or key, whatever it is) and the type it leads to. For a root,
// kind is the root kind, label the root's label (-1 when it has none) and
// typ the root's type.
type shapeStep struct {
	kind  uint8
	label int32
	typ   int32
}

// shapeNode is an interned shape: the shape before its last step (-1 for
// a root), the last step, and whether that step repeats.
type shapeNode struct {
	parent int32
	step   shapeStep
	repeat bool
}

// shapeTable holds the shapes of one dump.
type shapeTable struct {
	of    []int32 // per object: its shape, -1 unreachable, -2 not yet known
	nodes []shapeNode
	index map[shapeNode]int32
}

// starLabel stands for the label of an index or key edge.
const starLabel = -2

// shapes returns the dump's shape table, made on first use.
func (hd *HeapDump) shapes() *shapeTable {
	if hd.shapeTab == nil {
		of := make([]int32, hd.Dump.Heap.NumNodes())
		for i := range of {
			of[i] = -2
		}
		hd.shapeTab = &shapeTable{of: of, index: map[shapeNode]int32{}}
	}
	return hd.shapeTab
}

func (t *shapeTable) intern(n shapeNode) int32 {
	if id, ok := t.index[n]; ok {
		return id
	}
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, n)
	t.index[n] = id
	return id
}

// shapeOf returns the shape of object v's retainer path; -1 when no root
// reaches v. It walks up only to the first ancestor whose shape is known.
func (hd *HeapDump) shapeOf(v int32) int32 {
	t := hd.shapes()
	if t.of[v] != -2 {
		return t.of[v]
	}
	r := hd.Retainers()
	h := hd.Dump.Heap
	var pending []int32
	u := v
	for t.of[u] == -2 {
		pending = append(pending, u)
		if r.Dist[u] < 0 || r.ViaNode[u] < 0 {
			break
		}
		u = r.ViaNode[u]
	}
	for i := len(pending) - 1; i >= 0; i-- {
		w := pending[i]
		switch {
		case r.Dist[w] < 0:
			t.of[w] = -1
		case r.ViaNode[w] < 0: // a root
			root := r.RootOf[w]
			st := shapeStep{kind: h.RootKinds[root], label: h.RootLabel[root], typ: -1}
			if st.label < 0 {
				st.typ = h.Types[h.Roots[root]]
			}
			t.of[w] = t.intern(shapeNode{parent: -1, step: st})
		default:
			e := r.ViaEdge[w]
			st := shapeStep{kind: h.EdgeKinds[e], label: h.EdgeLabels[e], typ: h.Types[w]}
			if k := h.Kinds[st.kind].Name; k == "index" || k == "key" {
				st.label = starLabel
			}
			p := t.of[r.ViaNode[w]]
			pn := t.nodes[p]
			switch {
			case pn.parent >= 0 && pn.step == st && pn.repeat:
				t.of[w] = p
			case pn.parent >= 0 && pn.step == st:
				t.of[w] = t.intern(shapeNode{parent: pn.parent, step: st, repeat: true})
			default:
				t.of[w] = t.intern(shapeNode{parent: p, step: st})
			}
		}
	}
	return t.of[v]
}
