package v8

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/graph"
)

// Edge kinds of the graph a snapshot becomes, beside V8's own edge type
// names (context, property, internal, hidden, shortcut, weak).
const (
	// KindIndex is V8's element edge: an array index, labelled "[3]".
	KindIndex = "index"
	// KindWeakMapEntry is the edge from a WeakMap's table to a value: it
	// does not retain (an ephemeron's value lives while its key does).
	KindWeakMapEntry = "weakmap entry"
	// KindWeakMapValue is the edge from a WeakMap key to its value: it
	// retains, for as long as the key lives.
	KindWeakMapValue = "weakmap value"
)

// Root kinds.
const (
	RootGC       = "gc root"       // a subroot of (GC roots): "(Stack roots)", "(Global handles)" …
	RootUser     = "user root"     // a global object the synthetic root points to by a shortcut
	RootEmbedder = "embedder root" // another child of the synthetic root: "Node / Environment", "C++ roots"
	RootSynth    = "synthetic root"
)

// ephemeronPrefix starts the name V8 gives the two internal edges it
// adds per WeakMap entry, from the key and from the table to the value,
// after a number of its own: "3 / part of key (K @1) -> value (V @2) pair
// in WeakMap (table @3)" (Node 20; older V8 wrote no number).
const ephemeronPrefix = "part of key ("

// isEphemeron reports whether an internal edge's name is one of those.
func isEphemeron(name string) bool {
	if i := strings.Index(name, " / "); i > 0 {
		if _, ok := slot(name[:i]); ok {
			name = name[i+3:]
		}
	}
	return strings.HasPrefix(name, ephemeronPrefix)
}

// finish checks what could not be checked while reading and builds the
// graph: strings, types, labels, kinds, roots, closures' positions.
func (r *reader) finish() (*Snapshot, error) {
	n := int(r.nodeCount)
	if n == 0 {
		return nil, r.errf(len(r.data), "the snapshot holds no nodes")
	}
	if r.maxStr >= int64(len(r.strings)) {
		what := fmt.Sprintf("edge %d's name", r.maxWhat)
		switch {
		case int64(r.maxWhat) < -r.nodeCount:
			what = fmt.Sprintf("trace function %d's name", -1-r.maxWhat-int(r.nodeCount))
		case r.maxWhat < 0:
			what = fmt.Sprintf("node %d's name", -1-r.maxWhat)
		}
		return nil, r.errf(r.maxStrOff, "%s: string index %d, but strings holds %d", what, r.maxStr, len(r.strings))
	}
	if r.rootIndex >= r.nodeCount*int64(r.nf) || r.rootIndex%int64(r.nf) != 0 {
		return nil, r.errf(len(r.data), "snapshot.root_index %d is not the start of a node record", r.rootIndex)
	}
	h := &graph.Heap{}
	st := newStrings(r.strings)
	r.strings = nil

	// Types and values.
	h.Types = make([]int32, n)
	h.Values = make([]int32, n)
	typeIndex := map[string]int32{}
	typeOf := func(vt uint8, name int32) uint64 { // type<<1 | value-is-name
		typ, valueIsName := typeName(r.meta.NodeTypes[vt], st.orig(name))
		t, ok := typeIndex[typ]
		if !ok {
			t = int32(len(h.TypeNames))
			typeIndex[typ] = t
			h.TypeNames = append(h.TypeNames, typ)
		}
		tv := uint64(t) << 1
		if valueIsName {
			tv |= 1
		}
		return tv
	}
	// Strings, numbers and the like have one type whatever their name:
	// no lookup per distinct name for them.
	var fixed [256]uint64 // vtype → type<<1|value-is-name, plus 1<<63 once known
	var free [256]bool
	for vt, name := range r.meta.NodeTypes {
		free[vt] = nameFree(name)
	}
	byName := map[uint64]uint64{} // vtype<<32|name → type<<1|value-is-name
	for v := 0; v < n; v++ {
		vt, name := r.vtype[v], r.name[v]
		var tv uint64
		if free[vt] {
			if fixed[vt] == 0 {
				fixed[vt] = 1<<63 | typeOf(vt, name)
			}
			tv = fixed[vt] &^ (1 << 63)
		} else {
			key := uint64(vt)<<32 | uint64(uint32(name))
			var ok bool
			if tv, ok = byName[key]; !ok {
				tv = typeOf(vt, name)
				byName[key] = tv
			}
		}
		h.Types[v] = int32(tv >> 1)
		h.Values[v] = -1
		if tv&1 != 0 {
			h.Values[v] = st.ref(name)
		}
	}
	r.name = nil
	h.Sizes, h.IDs, h.Start = r.sizes, r.ids, r.start
	h.Flags = make([]uint8, n)
	for v, d := range r.detached {
		if d == 2 {
			h.Flags[v] |= FlagDetached
		}
	}
	code, shape := slices.Index(r.meta.NodeTypes, "code"), slices.Index(r.meta.NodeTypes, "object shape")
	for v, t := range r.vtype {
		if int(t) == code || int(t) == shape {
			h.Flags[v] |= FlagCode
		}
	}

	// Edge kinds: V8's types, element renamed, weak ones marked, and the
	// two kinds of WeakMap internals.
	kindOf := make([]uint8, len(r.meta.EdgeTypes))
	for i, name := range r.meta.EdgeTypes {
		k := graph.EdgeKind{Name: name}
		switch name {
		case "element":
			k.Name = KindIndex
		case "weak", "shortcut":
			// A shortcut means retention only from the synthetic root,
			// whose shortcut targets are roots here anyway.
			k.Weak = true
		case "internal", "hidden":
			// V8's machinery: paths take the edges a program wrote when
			// they can.
			k.Cost = 2
		}
		kindOf[i] = uint8(len(h.Kinds))
		h.Kinds = append(h.Kinds, k)
	}
	entryKind, valueKind, slotKind := uint8(len(h.Kinds)), uint8(len(h.Kinds)+1), uint8(len(h.Kinds)+2)
	// A numbered slot of one of V8's arrays (an internal edge named "132"
	// from a Map's table, or from an object's elements) is an index as
	// the analyses know it: its label differs from one instance to the
	// next. It costs what an internal edge costs.
	h.Kinds = append(h.Kinds, graph.EdgeKind{Name: KindWeakMapEntry, Weak: true}, graph.EdgeKind{Name: KindWeakMapValue},
		graph.EdgeKind{Name: KindIndex, Cost: 2})

	// Edge labels and kinds, in place.
	h.EdgeTo = r.to
	h.EdgeKinds = r.etype
	h.EdgeLabels = r.label
	// Index labels "[i]", made once per index: in a slice for the indexes
	// below the edge count, in a map for the (sparse) rest.
	indexLabel := make([]int32, 0, 1024)
	sparse := map[int32]int32{}
	index := func(i int32) int32 {
		if int(i) < len(indexLabel) && indexLabel[i] != 0 {
			return indexLabel[i] - 1
		}
		if l, ok := sparse[i]; ok {
			return l
		}
		l := int32(len(st.list))
		st.list = append(st.list, "["+strconv.Itoa(int(i))+"]")
		switch {
		case int(i) < len(indexLabel):
			indexLabel[i] = l + 1
		case int64(i) < r.edgeCount:
			for len(indexLabel) <= int(i) {
				indexLabel = append(indexLabel, 0)
			}
			indexLabel[i] = l + 1
		default:
			sparse[i] = l
		}
		return l
	}
	for v := 0; v < n; v++ {
		for e := h.Start[v]; e < h.Start[v+1]; e++ {
			t := r.etype[e]
			if !r.namedEdge(t) {
				k := kindOf[t]
				if int(t) == r.edgeHidden {
					k = slotKind
				}
				h.EdgeLabels[e], h.EdgeKinds[e] = index(r.label[e]), k
				continue
			}
			name := r.label[e]
			if int(t) == r.edgeInternal && isEphemeron(st.orig(name)) {
				kind := valueKind
				if tableID(st.orig(name)) == h.IDs[v] {
					kind = entryKind
				}
				h.EdgeLabels[e], h.EdgeKinds[e] = -1, kind
				continue
			}
			if i, ok := slot(st.orig(name)); ok && int(t) == r.edgeInternal {
				h.EdgeLabels[e], h.EdgeKinds[e] = index(i), slotKind
				continue
			}
			h.EdgeLabels[e], h.EdgeKinds[e] = st.ref(name), kindOf[t]
		}
	}
	r.label, r.etype, r.to = nil, nil, nil

	snap := &Snapshot{Heap: h, Meta: r.meta, NodeTypes: r.vtype, Scripts: map[int32]string{}}
	r.roots(h, st, int32(r.rootIndex/int64(r.nf)))
	r.closures(snap, st)
	h.Strings = st.list
	snap.Locations = r.locations
	if slices.ContainsFunc(r.trace, func(id uint32) bool { return id != 0 }) {
		snap.TraceNodeIDs = r.trace
	}
	r.finishTraces(snap, st)
	return snap, nil
}

// roots makes the graph's roots: the synthetic root's global objects
// (user roots), the subroots of (GC roots) with their names, the
// synthetic root's other children, then the synthetic nodes themselves.
func (r *reader) roots(h *graph.Heap, st *stringTable, root int32) {
	kinds := map[string]uint8{}
	seen := map[int32]bool{}
	add := func(v int32, kind string, label int32) {
		if seen[v] {
			return
		}
		seen[v] = true
		k, ok := kinds[kind]
		if !ok {
			k = uint8(len(h.RootKindNames))
			kinds[kind] = k
			h.RootKindNames = append(h.RootKindNames, kind)
		}
		h.Roots = append(h.Roots, v)
		h.RootKinds = append(h.RootKinds, k)
		h.RootLabel = append(h.RootLabel, label)
	}
	isGCRoots := func(v int32) bool { return h.TypeNames[h.Types[v]] == "(GC roots)" }
	var gcRoots []int32
	lo, hi := h.Edge(root)
	for e := lo; e < hi; e++ {
		if to := h.EdgeTo[e]; isShortcut(h, e) {
			add(to, RootUser, -1)
		}
	}
	for e := lo; e < hi; e++ {
		to := h.EdgeTo[e]
		if isGCRoots(to) {
			gcRoots = append(gcRoots, to)
			glo, ghi := h.Edge(to)
			for g := glo; g < ghi; g++ {
				sub := h.EdgeTo[g]
				add(sub, RootGC, st.intern(h.TypeNames[h.Types[sub]]))
			}
		}
	}
	for e := lo; e < hi; e++ {
		if to := h.EdgeTo[e]; !isShortcut(h, e) && !isGCRoots(to) {
			add(to, RootEmbedder, -1)
		}
	}
	add(root, RootSynth, -1)
	for _, g := range gcRoots {
		add(g, RootSynth, -1)
	}
}

func isShortcut(h *graph.Heap, e int64) bool { return h.Kinds[h.EdgeKinds[e]].Name == "shortcut" }

// closures gives each closure with a location its source position as
// value ("leak.js:48:20", 1-based) and names the scripts: a closure's
// shared function info points to its script, whose name is the file or
// URL.
func (r *reader) closures(snap *Snapshot, st *stringTable) {
	h := snap.Heap
	closure := -1
	for i, t := range r.meta.NodeTypes {
		if t == "closure" {
			closure = i
		}
	}
	for _, loc := range r.locations {
		v := loc.Node
		if int(r.vtype[v]) != closure {
			continue
		}
		name, ok := snap.Scripts[loc.Script]
		if !ok {
			name = scriptName(h, v, st)
			if name != "" {
				snap.Scripts[loc.Script] = name
			}
		}
		pos := strconv.Itoa(int(loc.Line)+1) + ":" + strconv.Itoa(int(loc.Column)+1)
		if name != "" {
			pos = baseName(name) + ":" + pos
		}
		h.Values[v] = st.intern(pos)
	}
}

// scriptName follows closure → shared → script_or_debug_info (or script)
// and returns that node's name; "" when the graph does not tell.
func scriptName(h *graph.Heap, v int32, st *stringTable) string {
	sfi := follow(h, st, v, "shared")
	if sfi < 0 {
		return ""
	}
	s := follow(h, st, sfi, "script_or_debug_info")
	if s < 0 {
		s = follow(h, st, sfi, "script")
	}
	if s < 0 {
		return ""
	}
	if i := h.Values[s]; i >= 0 {
		return st.list[i]
	}
	return ""
}

// follow returns the target of v's first edge labelled label, or -1.
func follow(h *graph.Heap, st *stringTable, v int32, label string) int32 {
	want := st.find(label)
	if want < 0 {
		return -1
	}
	lo, hi := h.Edge(v)
	for e := lo; e < hi; e++ {
		if h.EdgeLabels[e] == want {
			return h.EdgeTo[e]
		}
	}
	return -1
}

// slot reads an internal edge's name made of digits only (at most 9).
func slot(name string) (int32, bool) {
	if name == "" || len(name) > 9 {
		return 0, false
	}
	var i int32
	for _, c := range []byte(name) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int32(c-'0')
	}
	return i, true
}

// baseName is the last element of a path or URL.
func baseName(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}

// tableID reads the table's id from an ephemeron edge's name; 0 when
// the name does not end with one.
func tableID(name string) uint64 {
	const marker = "(table @"
	i := strings.LastIndex(name, marker)
	if i < 0 || !strings.HasSuffix(name, ")") {
		return 0
	}
	id, err := strconv.ParseUint(name[i+len(marker):len(name)-1], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// nameFree reports whether the type of nodes of V8 type vt does not
// depend on their names (see typeName).
func nameFree(vt string) bool {
	switch vt {
	case "string", "concatenated string", "sliced string", "number", "symbol", "bigint", "regexp":
		return true
	}
	return false
}

// typeName is the type a node of V8 type vt and name gets in the graph,
// and whether its value is its name. The scheme, for a user reading a
// table of types:
//
//	object, native     the constructor's name: Session, Array, Map,
//	                   system / Context, Node / BindingData
//	closure            (closure) onUpdate; (closure) (anonymous)
//	string, concatenated string, sliced string
//	                   (string), the text as value for a flat string
//	number, symbol, bigint, regexp
//	                   (number), (symbol), (bigint), (regexp) with the
//	                   pattern as value
//	hidden, code, array, object shape
//	                   V8's internal class when the name says it
//	                   ("system / Map (String)" → system / Map), a
//	                   parenthesised name as is ((object elements),
//	                   (shared function info)), else (system),
//	                   (compiled code), (array), (object shape) with the
//	                   name as value
//	synthetic          the name: (GC roots), (Stack roots)
//	anything else      the name, or (type) when it has none
func typeName(vt, name string) (string, bool) {
	switch vt {
	case "object", "native", "synthetic", "wasm object":
		if name == "" {
			return "(" + vt + ")", false
		}
		return name, false
	case "closure":
		if name == "" {
			return "(closure) (anonymous)", false
		}
		return "(closure) " + name, false
	case "string":
		return "(string)", true
	case "concatenated string", "sliced string":
		return "(string)", false
	case "number", "symbol", "bigint":
		return "(" + vt + ")", false
	case "regexp":
		return "(regexp)", true
	case "hidden", "code", "array", "object shape":
		if strings.HasPrefix(name, "system / ") {
			if i := strings.Index(name, " ("); i > 0 {
				return name[:i], true
			}
			return name, false
		}
		if strings.HasPrefix(name, "(code for ") {
			return "(compiled code)", true // optimized code, one per function
		}
		if strings.HasPrefix(name, "(") && strings.HasSuffix(name, ")") {
			return name, false
		}
		generic := map[string]string{"hidden": "(system)", "code": "(compiled code)", "array": "(array)", "object shape": "(object shape)"}[vt]
		return generic, name != ""
	}
	if name == "" {
		return "(" + vt + ")", false
	}
	return name, false
}

// stringTable holds the graph's strings: the snapshot's own, as they
// are (V8 writes each distinct name once; a duplicate would only keep two
// labels apart), the empty string standing for no label (-1), then the
// labels the reader adds, deduplicated among themselves.
type stringTable struct {
	list  []string
	n     int // the snapshot's strings: list[:n]
	extra map[string]int32
	found map[string]int32 // find's memo
}

func newStrings(strs []string) *stringTable {
	return &stringTable{list: strs, n: len(strs), extra: map[string]int32{}, found: map[string]int32{}}
}

// orig is the snapshot's string i.
func (st *stringTable) orig(i int32) string { return st.list[i] }

// ref is the graph's index of the snapshot's string i: i, or -1 for "".
func (st *stringTable) ref(i int32) int32 {
	if st.list[i] == "" {
		return -1
	}
	return i
}

// find returns the index of the first snapshot string s, or -1.
func (st *stringTable) find(s string) int32 {
	if i, ok := st.found[s]; ok {
		return i
	}
	i := int32(slices.Index(st.list[:st.n], s))
	st.found[s] = i
	return i
}

// intern adds a label of the reader's own.
func (st *stringTable) intern(s string) int32 {
	if s == "" {
		return -1
	}
	if i, ok := st.extra[s]; ok {
		return i
	}
	i := int32(len(st.list))
	st.extra[s] = i
	st.list = append(st.list, s)
	return i
}
