package pydump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/leakscan/leakscan/graph"
)

// Dump is one Python heap dump, read.
//
// Heap has one node per object record, in file order (node i is the i-th
// object record; Heap.IDs holds the Python id()), with the record's type
// name, size, value and flags (the f bits 1, 2, 4 become FlagGarbage,
// FlagFinalizer, FlagTracked). Its edges are the records' "e"
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
//     gc.garbage also carry FlagGarbage.
//
// Every other kind costs 1, including kinds FORMAT.md does not list
// (treated as "ref" as it asks, but keeping their name; past 200 distinct
// kinds, further unknown kinds are renamed "ref"). One kind is weak:
// "weakref", from a weak reference to its referent (dumps written before
// it have no such edges; a weakref's __callback__ is an ordinary strong
// "attr" edge).
//
// Roots are the root records in order ("module", "thread", "external"; an
// object can be a root several times). The Object of an FD, Task, Loop or
// Coro is a node index, -1 when the record has none or names an object
// not in the dump.
type Dump struct {
	Heap        *graph.Heap
	Time        time.Time // from the header
	PID         int
	Python      string // "3.11.7"
	GC          GC
	Tracemalloc bool
	FDs         []FD
	Tasks       []Task
	Loops       []Loop
	Coros       []Coro // coroutines created and never started
	// Allocs holds, per node, the index in Tracebacks of its allocation
	// traceback (-1 for none); nil when the dump has none (tracemalloc
	// was not tracing).
	Allocs     []int32
	Tracebacks [][]AllocFrame
	Truncated  bool     // no end record: a partial dump
	Warnings   []string // one sentence each, naming the line: "line 1042: …"
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

// Task is an asyncio task of the dumped process: one that is not done,
// or one that is done with an exception nobody retrieved (Exception is
// then its type).
type Task struct {
	Object                 int32 // node index, -1
	State, Coro, WaitingOn string
	Stack                  []TaskFrame
	Exception              string
}

// AllocFrame is one frame of an allocation traceback; tracebacks are
// oldest frame first, as tracemalloc gives them.
type AllocFrame struct {
	File string
	Line int
}

// Loop is an asyncio event loop object found in the heap.
type Loop struct {
	Object          int32 // node index, -1
	Type            string
	Running, Closed bool
	Ready           int // callbacks ready to run
	Timers          int // timer handles scheduled and not cancelled
	TimerCallbacks  []Count
}

// Count is a name and how many times it occurs.
type Count struct {
	Name string
	N    int
}

// Coro is a coroutine object that was created and never started, and is
// not the coroutine of a task ("coroutine ... was never awaited").
type Coro struct {
	Object int32 // node index, -1
	Coro   string
	File   string
	Line   int
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
	KindWeakref = "weakref" // weak: never retains
	CostGlobal  = 20
	CostGarbage = 100
)

const (
	formatName   = "leakscan-pydump"
	maxVersion   = 1
	maxEdgeKinds = 200 // plus "global", "garbage" and "weakref"; graph.MaxKinds is 256
	maxRootKinds = 64  // plus "unknown"
)

// The caps above keep the builder within graph.MaxKinds, so that Build
// never fails on kinds: this does not compile if they grow past it.
var (
	_ [graph.MaxKinds - maxEdgeKinds - 2]struct{}
	_ [graph.MaxKinds - maxRootKinds - 1]struct{}
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
	loops []idRef
	coros []idRef

	allocs  []int32 // per node, the interned traceback; nil when none seen
	tbIndex map[string]int32
	tbRaw   []string
	tbLine  []int

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
	p.b.Grow(objects, 0)

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

// The bits this reader sets in graph.Heap.Flags, from the records' f field.
const (
	FlagGarbage   uint8 = 1 << iota // in Python's gc.garbage
	FlagFinalizer                   // has a finalizer (__del__, a generator …)
	FlagTracked                     // tracked by the cycle collector
)
