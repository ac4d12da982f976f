package pydump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/leakscan/leakscan/graph"
)

// Dump is one Python heap dump, read.
//
// Heap has one node per object record, in file order (node i is the i-th
// object record; Heap.IDs holds the Python id()), with the record's type
// name, size, value and flags (the f bits 1, 2, 4 become graph.FlagGarbage,
// graph.FlagFinalizer, graph.FlagTracked). Its edges are the records' "e"
// entries in order, kind and label as written, except for two renamed
// kinds that make retainer paths (graph.ShortestRetainers) avoid detours:
//
//   - "global" (Cost 20): the dumper's own "global" edges (frame →
//     f_globals/f_builtins, function → __globals__/__builtins__), and the
//     "key" edges out of a module's __dict__ (the dict reached by an
//     "attr" "__dict__" edge from an object of type builtins.module or from
//     a "module" root), which are renamed "global" with their label kept:
//     __main__ -[attr __dict__]-> dict -[global 'REGISTRY']-> dict.
//   - "garbage" (Cost 100): the "index" edges out of the gc.garbage list,
//     identified as the value of key 'garbage' in the __dict__ of the
//     "module" root labelled "gc" (labels "[i]" kept). Objects in
//     gc.garbage also carry graph.FlagGarbage.
//
// Every other kind costs 1, including kinds FORMAT.md does not list
// (treated as "ref" as it asks, but keeping their name; past 200 distinct
// kinds, further unknown kinds are renamed "ref"). No kind is weak:
// gc.get_referents does not report a weakref's referent, so the dump has
// no edge for it (a weakref's __callback__ is an ordinary strong "attr"
// edge).
//
// Roots are the root records in order ("module", "thread", "external"; an
// object can be a root several times). FD and Task objects are node
// indexes, -1 when the record has none or names an object not in the dump.
type Dump struct {
	Heap        *graph.Heap
	Time        time.Time // from the header
	PID         int
	Python      string // "3.11.7"
	GC          GC
	Tracemalloc bool
	FDs         []FD
	Tasks       []Task
	Truncated   bool     // no end record: a partial dump
	Warnings    []string // one sentence each, naming the line: "line 1042: …"
}

// GC is the state of the cycle collector when the dump was taken.
type GC struct {
	Enabled    bool
	Debug      int
	SaveAll    bool
	Thresholds []int
	Counts     []int
}

// FD is an open file descriptor of the dumped process.
type FD struct {
	FD           int
	What, Detail string
	Object       int32 // node index, -1 none
}

// Task is an asyncio task of the dumped process.
type Task struct {
	Object                 int32 // node index, -1
	State, Coro, WaitingOn string
	Stack                  []TaskFrame
}

// TaskFrame is one coroutine of a task's await chain, outermost first.
type TaskFrame struct {
	File string
	Line int
	Func string
}

// Error is a problem at a line of a dump.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Edge kinds given a cost (see Dump).
const (
	KindGlobal  = "global"
	KindGarbage = "garbage"
	CostGlobal  = 20
	CostGarbage = 100
)

const (
	formatName   = "leakscan-pydump"
	maxVersion   = 1
	maxEdgeKinds = 200 // graph.Builder allows 256
	maxRootKinds = 64
)

// Parse reads a dump from its decompressed bytes (the caller undoes gzip).
//
// A dump that ends without its end record (a dumper killed, a truncated
// file; a last line cut in the middle is dropped) is read as far as it
// goes: Truncated is set and Warnings says so, naming the first missing
// or incomplete line. Any other line that cannot be read is an *Error.
// Records of unknown kinds and unknown keys of object, type and root
// records are skipped with one warning each. Edges to objects that no
// record defines are dropped with one warning counting them.
func Parse(data []byte) (*Dump, error) {
	p := &parser{
		data:   data,
		b:      graph.NewBuilder(),
		kinds:  map[string]uint8{},
		labels: map[string]int32{},
		d:      &Dump{},
	}
	p.kind([]byte("ref"))
	return p.parse()
}

// parser holds the state of one Parse. Object records become builder
// nodes as they are read; their edges are kept (target id, kind, label)
// and resolved once every object is known, since edges may point forward.
type parser struct {
	data []byte
	d    *Dump
	b    *graph.Builder
	line int // the line being read

	types      []string
	moduleType []bool // per type index: builtins.module
	modules    []int32

	// Object records are checked and scanned here, then handed in batches
	// to a goroutine (build) that owns ids, nodeLine, modules and the
	// builder until the scan ends, so scanning and building overlap.
	nodeEdge []int64 // first edge of each node in eTo/eKind/eLabel
	batch    []nodeRec
	toBuild  chan []nodeRec
	free     chan []nodeRec
	built    chan struct{}
	buildErr *Error
	ids      idTable
	nodeLine []int32 // line of each object record

	eTo    []uint64
	eKind  []uint8
	eLabel []int32

	kinds     map[string]uint8
	kindNames []string
	labels    map[string]int32
	labelStrs []string

	roots []rootRec
	fds   []idRef
	tasks []idRef

	end       *endRec
	endLine   int
	afterEnd  int // non-blank lines after the end record
	afterLine int

	unknownKey      string
	unknownKeyLine  int
	unknownKeys     int
	unknownKind     string
	unknownKindLine int
	unknownKinds    int
	extraKinds      int
	extraKindsLine  int

	// scratch buffers for strings with escapes
	kBuf, vBuf, nBuf, rkBuf, rlBuf, ekBuf, elBuf, keyBuf, stack []byte
}

// nodeRec is an object record on its way to the builder.
type nodeRec struct {
	id     uint64
	size   int64
	typ    string
	value  string
	line   int32
	flags  uint8
	module bool
}

const batchSize = 1024

// build adds the nodes of each batch, until the channel closes or an id
// repeats.
func (p *parser) build() {
	defer close(p.built)
	for batch := range p.toBuild {
		// the id table first, in a tight loop: its cache misses overlap
		n0 := int32(len(p.nodeLine))
		for i := 0; i < len(batch) && p.buildErr == nil; i++ {
			r := &batch[i]
			if prev, dup := p.ids.put(r.id, n0+int32(i)); dup {
				line := r.line
				if prev < n0 {
					line = p.nodeLine[prev]
				} else {
					line = batch[prev-n0].line
				}
				p.buildErr = &Error{Line: int(r.line), Msg: fmt.Sprintf("object id %d already defined at line %d", r.id, line)}
			}
		}
		for i := 0; i < len(batch) && p.buildErr == nil; i++ {
			r := &batch[i]
			n := n0 + int32(i)
			if r.module {
				p.modules = append(p.modules, n)
			}
			p.nodeLine = append(p.nodeLine, r.line)
			p.b.AddNode(r.id, r.typ, r.size, r.value, r.flags)
		}
		clear(batch)
		select {
		case p.free <- batch[:0]:
		default:
		}
	}
}

// flush sends the pending batch to build.
func (p *parser) flush() {
	if len(p.batch) == 0 {
		return
	}
	p.toBuild <- p.batch
	select {
	case p.batch = <-p.free:
	default:
		p.batch = make([]nodeRec, 0, batchSize)
	}
}

type rootRec struct {
	id          uint64
	kind, label string
	line        int
}

// idRef is an fd or task record's object id, resolved at the end.
type idRef struct {
	id   uint64
	has  bool
	line int
}

type endRec struct {
	Objects *int64   `json:"objects"`
	Edges   *int64   `json:"edges"`
	Seconds *float64 `json:"seconds"`
}

func (p *parser) warn(line int, format string, args ...any) {
	p.d.Warnings = append(p.d.Warnings, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
}

func (p *parser) parse() (*Dump, error) {
	data := p.data
	lines := bytes.Count(data, []byte{'\n'}) + 1
	// an object record takes at least 24 bytes: never size the id table
	// beyond what the data can hold
	objects := min(lines, len(data)/24+16)
	p.ids.init(objects)
	p.nodeLine = make([]int32, 0, objects)
	p.nodeEdge = make([]int64, 0, objects+1)
	p.eTo = make([]uint64, 0, objects)
	p.eKind = make([]uint8, 0, objects)
	p.eLabel = make([]int32, 0, objects)

	p.batch = make([]nodeRec, 0, batchSize)
	p.toBuild, p.free, p.built = make(chan []nodeRec, 4), make(chan []nodeRec, 8), make(chan struct{})
	go p.build()
	truncatedAt, err := p.lines()
	p.flush()
	close(p.toBuild)
	<-p.built
	if be := p.buildErr; be != nil {
		var se *Error
		if err == nil || errors.As(err, &se) && be.Line < se.Line {
			return nil, be
		}
	}
	if err != nil {
		return nil, err
	}
	if p.line == 0 {
		return nil, &Error{Line: 1, Msg: "expected a leakscan-pydump header, found an empty file"}
	}
	if p.afterEnd > 0 {
		p.warn(p.afterLine, "%d lines after the end record ignored", p.afterEnd)
	}
	if p.end == nil {
		p.d.Truncated = true
		n := truncatedAt
		if n == 0 {
			n = p.line + 1
			if len(data) > 0 && data[len(data)-1] != '\n' {
				n = p.line
			}
		}
		p.warn(n, "the dump ends without its end record (truncated?)")
	}
	if p.unknownKinds > 0 {
		p.warn(p.unknownKindLine, "%d records of unknown kinds (first %q) skipped", p.unknownKinds, p.unknownKind)
	}
	if p.unknownKeys > 0 {
		p.warn(p.unknownKeyLine, "%d unknown keys (first %q) skipped", p.unknownKeys, p.unknownKey)
	}
	if p.extraKinds > 0 {
		p.warn(p.extraKindsLine, "more than %d edge kinds: %d edges of further kinds read as \"ref\"", maxEdgeKinds, p.extraKinds)
	}
	return p.finish()
}

// lines reads the lines; it returns the number of a last line cut in the
// middle (a truncated dump), else 0.
func (p *parser) lines() (int, error) {
	data := p.data
	pos := 0
	for pos < len(data) {
		p.line++
		var b []byte
		complete := true
		if nl := bytes.IndexByte(data[pos:], '\n'); nl >= 0 {
			b = data[pos : pos+nl]
			pos += nl + 1
		} else {
			b = data[pos:]
			pos = len(data)
			complete = false
		}
		if p.line == 1 {
			if err := p.header(b); err != nil {
				return 0, err
			}
			continue
		}
		if blank(b) {
			continue
		}
		if p.end != nil {
			if p.afterEnd == 0 {
				p.afterLine = p.line
			}
			p.afterEnd++
			continue
		}
		if err := p.record(b); err != nil {
			if !complete {
				return p.line, nil
			}
			return 0, err
		}
	}
	return 0, nil
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

type headerRec struct {
	Format      string      `json:"format"`
	Version     json.Number `json:"version"`
	PID         int         `json:"pid"`
	Time        string      `json:"time"`
	Python      string      `json:"python"`
	Tracemalloc bool        `json:"tracemalloc"`
	GC          *struct {
		Enabled    bool  `json:"enabled"`
		Debug      int   `json:"debug"`
		SaveAll    bool  `json:"saveall"`
		Thresholds []int `json:"thresholds"`
		Counts     []int `json:"counts"`
	} `json:"gc"`
}

func (p *parser) header(b []byte) error {
	var h headerRec
	if !bytes.HasPrefix(bytes.TrimLeft(b, " \t"), []byte("{")) || json.Unmarshal(b, &h) != nil || h.Format != formatName {
		// say what the format is when the line is a header with bad fields
		var f struct {
			Format string `json:"format"`
		}
		if json.Unmarshal(b, &f) == nil && f.Format == formatName {
			err := json.Unmarshal(b, &h)
			return &Error{Line: 1, Msg: "expected a leakscan-pydump header: " + err.Error()}
		}
		return &Error{Line: 1, Msg: "expected a leakscan-pydump header"}
	}
	if h.Version == "" {
		return &Error{Line: 1, Msg: "expected a version in the leakscan-pydump header"}
	}
	v, err := strconv.Atoi(string(h.Version))
	if err != nil || v < 1 {
		return &Error{Line: 1, Msg: fmt.Sprintf("expected version 1 in the leakscan-pydump header, found %s", h.Version)}
	}
	if v > maxVersion {
		return &Error{Line: 1, Msg: fmt.Sprintf("written by a newer dumper: version %d, this leakscan reads %d", v, maxVersion)}
	}
	d := p.d
	d.PID, d.Python, d.Tracemalloc = h.PID, h.Python, h.Tracemalloc
	if h.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, h.Time)
		if err != nil {
			p.warn(1, "the header's time %q is not RFC 3339", h.Time)
		}
		d.Time = t
	}
	if g := h.GC; g != nil {
		d.GC = GC{Enabled: g.Enabled, Debug: g.Debug, SaveAll: g.SaveAll, Thresholds: g.Thresholds, Counts: g.Counts}
	}
	return nil
}

// rec is one object, type or root record as scanned; byte slices alias
// the line or the parser's buffers until the next line.
type rec struct {
	k                       []byte
	id                      uint64
	t, s, f, i              int64
	v, n, rkind, label      []byte
	hasK, hasID, hasT, hasI bool
	hasN, hasRKind          bool
	unknown                 string // the first unknown key
	unknowns                int
}

// record reads one line after the header.
func (p *parser) record(b []byte) error {
	l := lex{b: b}
	var r rec
	mark := len(p.eTo)
	if !p.scan(&l, &r, mark) {
		p.truncEdges(mark)
		// a record of a rare kind whose shape the scanner does not know
		var k struct {
			K string `json:"k"`
		}
		if json.Unmarshal(b, &k) == nil {
			switch k.K {
			case "o", "t", "r", "":
			default:
				return p.rare(k.K, b)
			}
		}
		return &Error{Line: p.line, Msg: l.err}
	}
	if !r.hasK {
		p.truncEdges(mark)
		return &Error{Line: p.line, Msg: `expected a record kind ("k")`}
	}
	if len(r.k) != 1 || (r.k[0] != 'o' && r.k[0] != 't' && r.k[0] != 'r') {
		p.truncEdges(mark)
		return p.rare(string(r.k), b)
	}
	if r.unknowns > 0 {
		if p.unknownKeys == 0 {
			p.unknownKey, p.unknownKeyLine = r.unknown, p.line
		}
		p.unknownKeys += r.unknowns
	}
	switch r.k[0] {
	case 'o':
		return p.object(&r, mark)
	case 't':
		p.truncEdges(mark)
		return p.typ(&r)
	default:
		p.truncEdges(mark)
		return p.root(&r)
	}
}

func (p *parser) truncEdges(mark int) {
	p.eTo, p.eKind, p.eLabel = p.eTo[:mark], p.eKind[:mark], p.eLabel[:mark]
}

// scan reads the keys of an object, type or root record into r, and the
// edges of "e" after index mark. It stops early, true, when "k" names
// another kind of record.
func (p *parser) scan(l *lex, r *rec, mark int) bool {
	if !l.expect('{', "a JSON object record") {
		return false
	}
	if l.peek() == '}' {
		l.i++
		return l.atEnd()
	}
	for {
		key, ok := l.str(&p.keyBuf, "a key")
		if !ok || !l.expect(':', "':' after a key") {
			return false
		}
		switch string(key) {
		case "k":
			if r.k, ok = l.str(&p.kBuf, `a record kind ("k") string`); !ok {
				return false
			}
			r.hasK = true
			if len(r.k) != 1 || (r.k[0] != 'o' && r.k[0] != 't' && r.k[0] != 'r') {
				return true // read by encoding/json
			}
		case "id":
			if r.id, ok = l.uint(`an object id ("id")`); !ok {
				return false
			}
			r.hasID = true
		case "t":
			if r.t, ok = l.int(`a type index ("t")`); !ok {
				return false
			}
			r.hasT = true
		case "s":
			if r.s, ok = l.int(`a size ("s")`); !ok {
				return false
			}
		case "f":
			if r.f, ok = l.int(`flags ("f")`); !ok {
				return false
			}
		case "v":
			if l.null() {
				r.v = nil
			} else if r.v, ok = l.str(&p.vBuf, `a value ("v") string`); !ok {
				return false
			}
		case "e":
			p.truncEdges(mark)
			if !p.edges(l) {
				return false
			}
		case "i":
			if r.i, ok = l.int(`a type index ("i")`); !ok {
				return false
			}
			r.hasI = true
		case "n":
			if r.n, ok = l.str(&p.nBuf, `a type name ("n") string`); !ok {
				return false
			}
			r.hasN = true
		case "kind":
			if r.rkind, ok = l.str(&p.rkBuf, `a root kind ("kind") string`); !ok {
				return false
			}
			r.hasRKind = true
		case "label":
			if r.label, ok = l.str(&p.rlBuf, `a root label ("label") string`); !ok {
				return false
			}
		case "tb":
			if !l.skip(&p.stack) {
				return false
			}
		default:
			if r.unknowns == 0 {
				r.unknown = string(key)
			}
			r.unknowns++
			if !l.skip(&p.stack) {
				return false
			}
		}
		switch l.peek() {
		case ',':
			l.i++
		case '}':
			l.i++
			return l.atEnd()
		default:
			return l.fail("',' or '}' after a value")
		}
	}
}

// atEnd checks that nothing but white space follows the record.
func (l *lex) atEnd() bool {
	if l.peek() != 0 {
		return l.fail("the end of the line after the record")
	}
	return true
}

// edges reads an "e" array of [id, "kind", "label"] entries.
func (p *parser) edges(l *lex) bool {
	if !l.expect('[', `an array of edges ("e")`) {
		return false
	}
	if l.peek() == ']' {
		l.i++
		return true
	}
	for {
		if !l.expect('[', `an edge [id, "kind", "label"]`) {
			return false
		}
		id, ok := l.uint("an edge's target id")
		if !ok || !l.expect(',', `',' after an edge's target id`) {
			return false
		}
		kb, ok := l.str(&p.ekBuf, "an edge kind string")
		if !ok || !l.expect(',', `',' after an edge kind`) {
			return false
		}
		lb, ok := l.str(&p.elBuf, "an edge label string")
		if !ok {
			return false
		}
		for l.peek() == ',' { // later versions may add fields
			l.i++
			if !l.skip(&p.stack) {
				return false
			}
		}
		if !l.expect(']', `']' closing an edge`) {
			return false
		}
		p.eTo = append(p.eTo, id)
		p.eKind = append(p.eKind, p.kind(kb))
		p.eLabel = append(p.eLabel, p.label(lb))
		switch l.peek() {
		case ',':
			l.i++
		case ']':
			l.i++
			return true
		default:
			return l.fail(`',' or ']' after an edge`)
		}
	}
}

// kind interns an edge kind.
func (p *parser) kind(b []byte) uint8 {
	if k, ok := p.kinds[string(b)]; ok {
		return k
	}
	if len(p.kindNames) >= maxEdgeKinds {
		if p.extraKinds == 0 {
			p.extraKindsLine = p.line
		}
		p.extraKinds++
		return 0 // "ref"
	}
	k := uint8(len(p.kindNames))
	s := string(b)
	p.kinds[s] = k
	p.kindNames = append(p.kindNames, s)
	return k
}

// label interns an edge label; "" is -1.
func (p *parser) label(b []byte) int32 {
	if len(b) == 0 {
		return -1
	}
	if i, ok := p.labels[string(b)]; ok {
		return i
	}
	i := int32(len(p.labelStrs))
	s := string(b)
	p.labels[s] = i
	p.labelStrs = append(p.labelStrs, s)
	return i
}

func (p *parser) object(r *rec, mark int) error {
	fail := func(msg string) error {
		p.truncEdges(mark)
		return &Error{Line: p.line, Msg: msg}
	}
	switch {
	case !r.hasID:
		return fail(`expected an object id ("id") in the object record`)
	case !r.hasT:
		return fail(`expected a type index ("t") in the object record`)
	case r.t < 0 || r.t >= int64(len(p.types)):
		return fail(fmt.Sprintf("expected a type index defined by an earlier type record, found %d (%d types)", r.t, len(p.types)))
	case r.s < 0:
		return fail(fmt.Sprintf(`expected a size ("s") ≥ 0, found %d`, r.s))
	case len(p.nodeEdge) == math.MaxInt32:
		return fail("expected at most 2^31-1 objects")
	}
	var flags uint8
	if r.f&1 != 0 {
		flags |= graph.FlagGarbage
	}
	if r.f&2 != 0 {
		flags |= graph.FlagFinalizer
	}
	if r.f&4 != 0 {
		flags |= graph.FlagTracked
	}
	p.nodeEdge = append(p.nodeEdge, int64(mark))
	p.batch = append(p.batch, nodeRec{id: r.id, size: r.s, typ: p.types[r.t], value: string(r.v),
		line: int32(min(p.line, math.MaxInt32)), flags: flags, module: p.moduleType[r.t]})
	if len(p.batch) == batchSize {
		p.flush()
	}
	return nil
}

func (p *parser) typ(r *rec) error {
	switch {
	case !r.hasI:
		return &Error{Line: p.line, Msg: `expected a type index ("i") in the type record`}
	case !r.hasN:
		return &Error{Line: p.line, Msg: `expected a type name ("n") in the type record`}
	case r.i != int64(len(p.types)):
		return &Error{Line: p.line, Msg: fmt.Sprintf("expected type index %d (types are numbered densely), found %d", len(p.types), r.i)}
	}
	name := string(r.n)
	p.types = append(p.types, name)
	p.moduleType = append(p.moduleType, name == "builtins.module")
	return nil
}

func (p *parser) root(r *rec) error {
	switch {
	case !r.hasID:
		return &Error{Line: p.line, Msg: `expected an object id ("id") in the root record`}
	case !r.hasRKind:
		return &Error{Line: p.line, Msg: `expected a root kind ("kind") in the root record`}
	}
	p.roots = append(p.roots, rootRec{id: r.id, kind: string(r.rkind), label: string(r.label), line: p.line})
	return nil
}

type fdRec struct {
	FD     *int    `json:"fd"`
	What   string  `json:"what"`
	Detail string  `json:"detail"`
	ID     *uint64 `json:"id"`
}

type taskRec struct {
	ID        *uint64     `json:"id"`
	State     string      `json:"state"`
	Coro      string      `json:"coro"`
	Stack     []frameJSON `json:"stack"`
	WaitingOn string      `json:"waiting_on"`
}

// frameJSON is a task frame as written: [file, line, function].
type frameJSON TaskFrame

func (f *frameJSON) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) < 3 {
		return fmt.Errorf("a stack frame has %d fields, expected [file, line, function]", len(a))
	}
	if err := json.Unmarshal(a[0], &f.File); err != nil {
		return err
	}
	if err := json.Unmarshal(a[1], &f.Line); err != nil {
		return err
	}
	return json.Unmarshal(a[2], &f.Func)
}

// rare reads the records that occur a few times per dump (fd, task, end)
// with encoding/json, and skips records of unknown kinds.
func (p *parser) rare(kind string, b []byte) error {
	bad := func(what string, err error) error {
		return &Error{Line: p.line, Msg: fmt.Sprintf("expected %s: %v", what, err)}
	}
	switch kind {
	case "fd":
		var r fdRec
		if err := json.Unmarshal(b, &r); err != nil {
			return bad("an fd record", err)
		}
		if r.FD == nil {
			return &Error{Line: p.line, Msg: `expected a file descriptor ("fd") in the fd record`}
		}
		p.d.FDs = append(p.d.FDs, FD{FD: *r.FD, What: r.What, Detail: r.Detail, Object: -1})
		p.fds = append(p.fds, ref(r.ID, p.line))
	case "task":
		var r taskRec
		if err := json.Unmarshal(b, &r); err != nil {
			return bad("a task record", err)
		}
		t := Task{Object: -1, State: r.State, Coro: r.Coro, WaitingOn: r.WaitingOn}
		for _, f := range r.Stack {
			t.Stack = append(t.Stack, TaskFrame(f))
		}
		p.d.Tasks = append(p.d.Tasks, t)
		p.tasks = append(p.tasks, ref(r.ID, p.line))
	case "end":
		var r endRec
		if err := json.Unmarshal(b, &r); err != nil {
			return bad("an end record", err)
		}
		p.end, p.endLine = &r, p.line
	case "":
		return &Error{Line: p.line, Msg: `expected a record kind ("k")`}
	default:
		if p.unknownKinds == 0 {
			p.unknownKind, p.unknownKindLine = kind, p.line
		}
		p.unknownKinds++
	}
	return nil
}

func ref(id *uint64, line int) idRef {
	if id == nil {
		return idRef{line: line}
	}
	return idRef{id: *id, has: true, line: line}
}

// finish resolves edge targets and roots, renames the costly kinds and
// builds the heap.
func (p *parser) finish() (*Dump, error) {
	nn := len(p.nodeLine)
	p.nodeEdge = append(p.nodeEdge, int64(len(p.eTo)))
	b := p.b
	b.SetKind(graph.EdgeKind{Name: KindGlobal, Cost: CostGlobal})
	b.SetKind(graph.EdgeKind{Name: KindGarbage, Cost: CostGarbage})

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

	// fds and tasks
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

	// free the parse state before the builder's sort allocates
	p.eTo, p.eKind, p.eLabel, p.nodeEdge, p.nodeLine = nil, nil, nil, nil, nil
	p.ids = idTable{}
	h, err := b.Build()
	if err != nil {
		return nil, err
	}
	p.d.Heap = h
	return p.d, nil
}

func count(n *int64) string {
	if n == nil {
		return "no"
	}
	return strconv.FormatInt(*n, 10)
}

// idTable maps Python ids to node indexes: open addressing with linear
// probing and Fibonacci hashing (ids are addresses, multiples of 16, so
// the multiplication's high bits spread them). Key and value share a slot:
// one cache miss per lookup.
type idTable struct {
	slots []idSlot
	n     int
	shift uint
}

type idSlot struct {
	key uint64
	val int32 // node index + 1; 0 is an empty slot
}

func (t *idTable) init(hint int) {
	size, bits := 16, uint(4)
	for size*3/4 < hint {
		size <<= 1
		bits++
	}
	t.slots = make([]idSlot, size)
	t.n = 0
	t.shift = 64 - bits
}

func (t *idTable) slot(k uint64) int {
	return int((k * 0x9E3779B97F4A7C15) >> t.shift)
}

func (t *idTable) get(k uint64) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.val == 0 {
			return -1, false
		}
		if s.key == k {
			return s.val - 1, true
		}
	}
}

// put adds k → v, or returns the index k already has.
func (t *idTable) put(k uint64, v int32) (int32, bool) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case s.val == 0:
			s.key, s.val = k, v+1
			t.n++
			return v, false
		case s.key == k:
			return s.val - 1, true
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	t.init(max(16, len(old)))
	for _, s := range old {
		if s.val != 0 {
			t.put(s.key, s.val-1)
		}
	}
}
