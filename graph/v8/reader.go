package v8

import (
	"bytes"
	"math"
	"slices"

	"github.com/leakscan/leakscan/graph"
)

// Meta is the snapshot's description of its own arrays (snapshot.meta):
// the fields of a node, an edge, a location and a trace record, and the
// names of the node and edge types.
type Meta struct {
	NodeFields     []string
	NodeTypes      []string // the names the node "type" field indexes
	EdgeFields     []string
	EdgeTypes      []string // the names the edge "type" field indexes
	LocationFields []string
	// TraceFunctionInfoFields and TraceNodeFields describe the
	// allocation traces of --track-heap-objects.
	TraceFunctionInfoFields []string
	TraceNodeFields         []string
}

// Location is a closure's source position: its script and 0-based line
// and column (snapshot.locations).
type Location struct {
	Node         int32
	Script       int32 // V8's script id
	Line, Column int32
}

// Snapshot is a V8 heap snapshot read into leakscan's graph model, with
// what the graph does not hold.
type Snapshot struct {
	Heap *graph.Heap
	Meta Meta
	// Locations are the source positions of closures, ordered by node.
	Locations []Location
	// Scripts names the scripts of Locations by id, as far as the graph
	// tells (a function's shared info points to its script).
	Scripts map[int32]string
	// NodeTypes is each node's V8 type, an index into Meta.NodeTypes.
	NodeTypes []uint8
	// TraceNodeIDs is each node's allocation trace node
	// (trace_node_id; 0 for none), nil when the snapshot has no such
	// field.
	TraceNodeIDs []uint32
	// Traces are the allocation traces, when the snapshot records them;
	// nil when not.
	Traces *Traces
	// Warnings are problems that left the rest readable, one sentence
	// each.
	Warnings []string
}

// Flags of a node (graph.Heap.Flags).
const (
	// FlagDetached marks a node V8 reports as detached
	// (detachedness 2): a DOM node no document holds.
	FlagDetached uint8 = 1 << iota
	// FlagCode marks V8's code and hidden classes (node types "code" and
	// "object shape"): bytecode, feedback, compiled code, maps.
	FlagCode
)

// reader is the state of one Parse: the lexer, the layouts found in
// meta, and the raw arrays before the strings give them names.
type reader struct {
	lexer
	meta Meta
	nf   int // node fields
	ef   int // edge fields
	// field positions in a node record and an edge record; -1 absent
	fType, fName, fID, fSize, fEdges, fTrace, fDetached int
	eType, eName, eTo                                   int
	edgeElement, edgeHidden, edgeInternal               int // indexes into EdgeTypes; -1 absent

	nodeCount, edgeCount int64
	haveSnapshot         bool
	seen                 map[string]bool

	// per node
	vtype    []uint8
	name     []int32
	trace    []uint32
	detached []uint8
	sizes    []int64
	ids      []uint64
	start    []int64
	// per edge
	etype []uint8
	label []int32 // string index, or the element/hidden index
	to    []int32

	// The largest string index met, and where: checked once the strings
	// are read.
	maxStr    int64
	maxStrOff int
	maxWhat   int // the edge; -1-node for a node's name; -1-node_count-f for trace function f's

	locations []Location
	strings   []string
	traceRecs [][5]int64 // trace_function_infos: name, script, script id, line, column
	traces    *Traces
	rootIndex int64
}

// Limits that keep a hostile snapshot from making the reader allocate
// more than its size justifies.
const (
	maxFields = 64 // fields in one record
)

// Parse reads a V8 heap snapshot (.heapsnapshot JSON, as written by
// v8.writeHeapSnapshot, Chrome DevTools or --heapsnapshot-signal). It
// never builds a generic JSON tree: the numeric arrays are read straight
// into the graph's slices, with every declared count checked against the
// bytes left before anything is allocated.
func Parse(data []byte) (*Snapshot, error) {
	r := &reader{lexer: lexer{data: data}, seen: map[string]bool{}, maxStr: -1}
	if err := r.top(); err != nil {
		return nil, err
	}
	return r.finish()
}

// top reads the outer object, member by member.
func (r *reader) top() error {
	err := r.members("'{' starting a heap snapshot", func(key string, keyOff int) error {
		if r.seen[key] {
			return r.errf(keyOff, "%q given twice", key)
		}
		r.seen[key] = true
		switch key {
		case "snapshot":
			return r.snapshot()
		case "nodes":
			return r.needSnapshot(keyOff, key, r.nodes)
		case "edges":
			if !r.seen["nodes"] {
				return r.errf(keyOff, "expected \"nodes\" before \"edges\"")
			}
			return r.edges()
		case "locations":
			return r.needSnapshot(keyOff, key, r.readLocations)
		case "strings":
			return r.readStrings()
		case "trace_function_infos":
			return r.needSnapshot(keyOff, key, r.traceFunctionInfos)
		case "trace_tree":
			return r.needSnapshot(keyOff, key, r.traceTree)
		}
		return r.skip()
	})
	if err != nil {
		return err
	}
	if c := r.ws(); c != 0 {
		return r.errf(r.pos, "expected the end of the input after the snapshot, found %s", r.describe())
	}
	for _, k := range []string{"snapshot", "nodes", "edges", "strings"} {
		if !r.seen[k] {
			return r.errf(len(r.data), "no %q in the snapshot", k)
		}
	}
	return nil
}

// members reads an object, calling f with each member's key (and where
// the key starts) with the lexer at its value; f must read the value.
func (r *reader) members(what string, f func(key string, keyOff int) error) error {
	if err := r.expect('{', what); err != nil {
		return err
	}
	for first := true; ; first = false {
		ok, err := r.more(first, '}')
		if err != nil || !ok {
			return err
		}
		keyOff := r.pos
		key, err := r.str()
		if err != nil {
			return err
		}
		if err := r.expect(':', "':'"); err != nil {
			return err
		}
		if err := f(key, keyOff); err != nil {
			return err
		}
	}
}

// needSnapshot reads a member that needs snapshot.meta.
func (r *reader) needSnapshot(off int, key string, read func() error) error {
	if !r.haveSnapshot {
		return r.errf(off, "expected \"snapshot\" (with meta) before %q", key)
	}
	return read()
}

// snapshot reads the "snapshot" member: meta and the counts.
func (r *reader) snapshot() error {
	start := r.pos
	haveNodes, haveEdges, haveMeta := false, false, false
	err := r.members("'{' starting \"snapshot\"", func(key string, _ int) error {
		var err error
		switch key {
		case "meta":
			err, haveMeta = r.readMeta(), true
		case "node_count":
			r.nodeCount, err = r.count()
			haveNodes = true
		case "edge_count":
			r.edgeCount, err = r.count()
			haveEdges = true
		case "root_index":
			r.rootIndex, err = r.count()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case !haveMeta:
		return r.errf(start, "no \"meta\" in \"snapshot\"")
	case !haveNodes:
		return r.errf(start, "no \"node_count\" in \"snapshot\"")
	case !haveEdges:
		return r.errf(start, "no \"edge_count\" in \"snapshot\"")
	}
	r.haveSnapshot = true
	return nil
}

// count reads a declared count.
func (r *reader) count() (int64, error) {
	r.ws()
	at := r.pos
	v, err := r.uint()
	if err != nil {
		return 0, err
	}
	if v > math.MaxInt32 {
		return 0, r.errf(at, "count %d is more than this reader supports (%d)", v, math.MaxInt32)
	}
	return int64(v), nil
}

// strList reads an array of strings.
func (r *reader) strList() ([]string, error) {
	if err := r.expect('[', "'['"); err != nil {
		return nil, err
	}
	var out []string
	for first := true; ; first = false {
		ok, err := r.more(first, ']')
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		if len(out) >= maxFields*4 {
			return nil, r.errf(r.pos, "more than %d names in a list of meta", maxFields*4)
		}
		out = append(out, s)
	}
}

// typeList reads node_types or edge_types: per field either the list of
// names of an enumeration, or the name of a value type ("string").
// It returns the enumeration of the field at position enumAt.
func (r *reader) typeList(enumAt *int, out *[]string) error {
	if err := r.expect('[', "'['"); err != nil {
		return err
	}
	for i, first := 0, true; ; i, first = i+1, false {
		ok, err := r.more(first, ']')
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if r.ws() == '[' {
			names, err := r.strList()
			if err != nil {
				return err
			}
			if i == *enumAt {
				*out = names
			}
			continue
		}
		if _, err := r.str(); err != nil {
			return err
		}
	}
}

// readMeta reads snapshot.meta. The type lists are read after the field
// lists whatever their order, since which entry is the type field's
// depends on the fields.
func (r *reader) readMeta() error {
	start := r.pos
	m := &r.meta
	var nodeTypesAt, edgeTypesAt int = -1, -1
	err := r.members("'{' starting \"meta\"", func(key string, _ int) error {
		var err error
		switch key {
		case "node_fields":
			m.NodeFields, err = r.strList()
		case "edge_fields":
			m.EdgeFields, err = r.strList()
		case "location_fields":
			m.LocationFields, err = r.strList()
		case "trace_function_info_fields":
			m.TraceFunctionInfoFields, err = r.strList()
		case "trace_node_fields":
			m.TraceNodeFields, err = r.strList()
		case "node_types":
			nodeTypesAt = r.pos
			err = r.skip()
		case "edge_types":
			edgeTypesAt = r.pos
			err = r.skip()
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	end := r.pos
	r.nf, r.ef = len(m.NodeFields), len(m.EdgeFields)
	field := func(fields []string, name string) int { return slices.Index(fields, name) }
	r.fType, r.fName, r.fID = field(m.NodeFields, "type"), field(m.NodeFields, "name"), field(m.NodeFields, "id")
	r.fSize, r.fEdges = field(m.NodeFields, "self_size"), field(m.NodeFields, "edge_count")
	r.fTrace, r.fDetached = field(m.NodeFields, "trace_node_id"), field(m.NodeFields, "detachedness")
	r.eType, r.eName, r.eTo = field(m.EdgeFields, "type"), field(m.EdgeFields, "name_or_index"), field(m.EdgeFields, "to_node")
	for _, f := range []struct {
		at   int
		what string
	}{{r.fType, "node_fields with \"type\""}, {r.fName, "node_fields with \"name\""}, {r.fID, "node_fields with \"id\""},
		{r.fSize, "node_fields with \"self_size\""}, {r.fEdges, "node_fields with \"edge_count\""},
		{r.eType, "edge_fields with \"type\""}, {r.eName, "edge_fields with \"name_or_index\""}, {r.eTo, "edge_fields with \"to_node\""}} {
		if f.at < 0 {
			return r.errf(start, "expected %s in meta", f.what)
		}
	}
	if r.nf > maxFields || r.ef > maxFields {
		return r.errf(start, "more than %d fields in a node or edge record", maxFields)
	}
	if nodeTypesAt < 0 || edgeTypesAt < 0 {
		return r.errf(start, "expected node_types and edge_types in meta")
	}
	r.pos = nodeTypesAt
	if err := r.typeList(&r.fType, &m.NodeTypes); err != nil {
		return err
	}
	r.pos = edgeTypesAt
	if err := r.typeList(&r.eType, &m.EdgeTypes); err != nil {
		return err
	}
	r.pos = end
	if len(m.NodeTypes) == 0 || len(m.NodeTypes) > 255 {
		return r.errf(nodeTypesAt, "expected node_types to list 1 to 255 names for the \"type\" field")
	}
	if len(m.EdgeTypes) == 0 || len(m.EdgeTypes) > 255 {
		return r.errf(edgeTypesAt, "expected edge_types to list 1 to 255 names for the \"type\" field")
	}
	r.edgeElement, r.edgeHidden = slices.Index(m.EdgeTypes, "element"), slices.Index(m.EdgeTypes, "hidden")
	r.edgeInternal = slices.Index(m.EdgeTypes, "internal")
	return nil
}

// room checks that count records of width fields can fit in the bytes
// left: every number takes at least one digit and one separator.
func (r *reader) room(count int64, fields int, what string) error {
	need := count * int64(fields) * 2
	if left := int64(len(r.data) - r.pos); need > left+1 {
		return r.errf(r.pos, "%s declares %d records, more than the %d bytes left can hold", what, count, left)
	}
	return nil
}

// nodes reads the nodes array straight into per-field slices.
func (r *reader) nodes() error {
	if err := r.room(r.nodeCount, r.nf, "snapshot.node_count"); err != nil {
		return err
	}
	if err := r.expect('[', "'[' starting \"nodes\""); err != nil {
		return err
	}
	n := int(r.nodeCount)
	r.vtype = make([]uint8, n)
	r.name = make([]int32, n)
	r.sizes = make([]int64, n)
	r.ids = make([]uint64, n)
	r.start = make([]int64, n+1)
	if r.fTrace >= 0 {
		r.trace = make([]uint32, n)
	}
	if r.fDetached >= 0 {
		r.detached = make([]uint8, n)
	}
	ntypes := uint64(len(r.meta.NodeTypes))
	var edges int64
	for i := 0; ; i++ {
		v, at, done, err := r.nextUint(i == 0)
		if err != nil {
			return err
		}
		if done {
			if i%r.nf != 0 {
				return r.errf(at, "nodes ends inside a record: %d numbers is not a multiple of the %d node fields", i, r.nf)
			}
			if i/r.nf != n {
				return r.errf(at, "nodes holds %d nodes, snapshot.node_count says %d", i/r.nf, n)
			}
			break
		}
		node, f := i/r.nf, i%r.nf
		if node >= n {
			return r.errf(at, "nodes holds more than the %d nodes of snapshot.node_count", n)
		}
		switch f {
		case r.fType:
			if v >= ntypes {
				return r.errf(at, "node %d: type %d, but meta names %d node types", node, v, ntypes)
			}
			r.vtype[node] = uint8(v)
		case r.fName:
			if v > math.MaxInt32 {
				return r.errf(at, "node %d: name %d is no string index", node, v)
			}
			r.name[node] = int32(v)
			if int64(v) > r.maxStr {
				r.maxStr, r.maxStrOff, r.maxWhat = int64(v), at, -1-node
			}
		case r.fID:
			r.ids[node] = v
		case r.fSize:
			if v > math.MaxInt64/2 {
				return r.errf(at, "node %d: self_size %d is too large", node, v)
			}
			r.sizes[node] = int64(v)
		case r.fEdges:
			if v > uint64(r.edgeCount-edges) {
				return r.errf(at, "node %d: edge_count %d makes more edges than the %d of snapshot.edge_count", node, v, r.edgeCount)
			}
			edges += int64(v)
			r.start[node+1] = edges
		case r.fTrace:
			if v > math.MaxUint32 {
				return r.errf(at, "node %d: trace_node_id %d is too large", node, v)
			}
			r.trace[node] = uint32(v)
		case r.fDetached:
			r.detached[node] = uint8(min(v, 255))
		}
	}
	if edges != r.edgeCount {
		return r.errf(r.pos-1, "the nodes' edge counts add up to %d edges, snapshot.edge_count says %d", edges, r.edgeCount)
	}
	return nil
}

// edges reads the edges array: each node's edges in node order, with
// to_node checked to be the start of a node record.
func (r *reader) edges() error {
	if err := r.room(r.edgeCount, r.ef, "snapshot.edge_count"); err != nil {
		return err
	}
	if err := r.expect('[', "'[' starting \"edges\""); err != nil {
		return err
	}
	m := int(r.edgeCount)
	r.etype = make([]uint8, m)
	r.label = make([]int32, m)
	r.to = make([]int32, m)
	ntypes := uint64(len(r.meta.EdgeTypes))
	nodesLen := uint64(r.nodeCount) * uint64(r.nf)
	from := 0 // the node whose edges are being read
	nameAt := 0
	for i := 0; ; i++ {
		v, at, done, err := r.nextUint(i == 0)
		if err != nil {
			return err
		}
		if done {
			if i%r.ef != 0 || i/r.ef != m {
				return r.errf(at, "edges holds %d numbers, expected %d edges of %d fields (snapshot.edge_count)", i, m, r.ef)
			}
			return nil
		}
		e, f := i/r.ef, i%r.ef
		if e >= m {
			return r.errf(at, "edges holds more than the %d edges of snapshot.edge_count", m)
		}
		switch f {
		case r.eType:
			if v >= ntypes {
				return r.errf(at, "edge %d: type %d, but meta names %d edge types", e, v, ntypes)
			}
			r.etype[e] = uint8(v)
		case r.eName:
			if v > math.MaxInt32 {
				return r.errf(at, "edge %d: name_or_index %d is too large", e, v)
			}
			r.label[e] = int32(v)
			nameAt = at
		case r.eTo:
			if v >= nodesLen || v%uint64(r.nf) != 0 {
				for from < int(r.nodeCount) && r.start[from+1] <= int64(e) {
					from++
				}
				return r.errf(at, "edge %d of node %d: to_node %d is not the start of a node record (%d nodes of %d fields)", e, from, v, r.nodeCount, r.nf)
			}
			r.to[e] = int32(v / uint64(r.nf))
		}
		// At the end of a record, the name is known to be a string
		// index or not.
		if f == r.ef-1 && r.namedEdge(r.etype[e]) && int64(r.label[e]) > r.maxStr {
			r.maxStr, r.maxStrOff, r.maxWhat = int64(r.label[e]), nameAt, e
		}
	}
}

// namedEdge reports whether edges of V8 type t are named by a string
// (all but element and hidden edges, which carry an index).
func (r *reader) namedEdge(t uint8) bool {
	return int(t) != r.edgeElement && int(t) != r.edgeHidden
}

// readLocations reads snapshot.locations: closures' source positions.
func (r *reader) readLocations() error {
	lf := r.meta.LocationFields
	oi, si, li, ci := slices.Index(lf, "object_index"), slices.Index(lf, "script_id"), slices.Index(lf, "line"), slices.Index(lf, "column")
	if err := r.expect('[', "'[' starting \"locations\""); err != nil {
		return err
	}
	if oi < 0 || si < 0 || li < 0 || ci < 0 {
		if ok, err := r.more(true, ']'); err != nil || !ok {
			return err
		}
		return r.errf(r.pos, "locations given, but meta.location_fields lacks object_index, script_id, line or column")
	}
	nodesLen := uint64(r.nodeCount) * uint64(r.nf)
	// The array holds numbers only: its commas count its records.
	if end := bytes.IndexByte(r.data[r.pos:], ']'); end >= 0 {
		r.locations = make([]Location, 0, bytes.Count(r.data[r.pos:r.pos+end], []byte{','})/len(lf)+1)
	}
	var loc Location
	for i := 0; ; i++ {
		v, at, done, err := r.nextUint(i == 0)
		if err != nil {
			return err
		}
		if done {
			if i%len(lf) != 0 {
				return r.errf(at, "locations ends inside a record of %d fields", len(lf))
			}
			break
		}
		switch f := i % len(lf); f {
		case oi:
			if v >= nodesLen || v%uint64(r.nf) != 0 {
				return r.errf(at, "location %d: object_index %d is not the start of a node record", i/len(lf), v)
			}
			loc.Node = int32(v / uint64(r.nf))
		case si, li, ci:
			if v > math.MaxInt32 {
				return r.errf(at, "location %d: %s %d is too large", i/len(lf), lf[f], v)
			}
			switch f {
			case si:
				loc.Script = int32(v)
			case li:
				loc.Line = int32(v)
			case ci:
				loc.Column = int32(v)
			}
		}
		if i%len(lf) == len(lf)-1 {
			r.locations = append(r.locations, loc)
		}
	}
	slices.SortStableFunc(r.locations, func(a, b Location) int { return int(a.Node) - int(b.Node) })
	return nil
}

// readStrings reads the string table.
func (r *reader) readStrings() error {
	if err := r.expect('[', "'[' starting \"strings\""); err != nil {
		return err
	}
	// Room for about as many strings as nodes, as far as the bytes left
	// can hold (each string takes at least three).
	r.strings = make([]string, 0, min(r.nodeCount+16, int64(len(r.data)-r.pos)/3+1))
	for first := true; ; first = false {
		ok, err := r.more(first, ']')
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		s, err := r.str()
		if err != nil {
			return err
		}
		if len(r.strings) >= math.MaxInt32-1 {
			return r.errf(r.pos, "more than %d strings", math.MaxInt32-1)
		}
		r.strings = append(r.strings, s)
	}
}
