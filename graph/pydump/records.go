package pydump

import (
	"encoding/json"
	"fmt"
	"math"
)

// This file scans the record lines of a dump: objects, types and roots by
// hand, the rare records with encoding/json.

// rec is one object, type or root record as scanned; byte slices alias
// the line or the parser's buffers until the next line.
type rec struct {
	k                       []byte
	id                      uint64
	t, s, f, i              int64
	v, n, rkind, label      []byte
	tb                      []byte // the raw "tb" value
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
			start := l.i
			if !l.skip(&p.stack) {
				return false
			}
			r.tb = l.b[start:l.i]
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
		flags |= FlagGarbage
	}
	if r.f&2 != 0 {
		flags |= FlagFinalizer
	}
	if r.f&4 != 0 {
		flags |= FlagTracked
	}
	p.nodeEdge = append(p.nodeEdge, int64(mark))
	if len(r.tb) > 0 && string(r.tb) != "null" {
		p.alloc(len(p.nodeEdge)-1, r.tb)
	}
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
	Exception string      `json:"exception"`
}

type loopRec struct {
	ID             *uint64     `json:"id"`
	Type           string      `json:"type"`
	Running        bool        `json:"running"`
	Closed         bool        `json:"closed"`
	Ready          int         `json:"ready"`
	Timers         int         `json:"timers"`
	TimerCallbacks []countJSON `json:"timer_callbacks"`
}

type coroRec struct {
	ID   *uint64 `json:"id"`
	Coro string  `json:"coro"`
	File string  `json:"file"`
	Line int     `json:"line"`
}

// countJSON is a count as written: [name, n].
type countJSON Count

func (c *countJSON) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) < 2 {
		return fmt.Errorf("a count has %d fields, expected [name, n]", len(a))
	}
	if err := json.Unmarshal(a[0], &c.Name); err != nil {
		return err
	}
	return json.Unmarshal(a[1], &c.N)
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

// rare reads the records that occur a few times per dump (fd, task, loop,
// coro, end)
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
		t := Task{Object: -1, State: r.State, Coro: r.Coro, WaitingOn: r.WaitingOn, Exception: r.Exception}
		for _, f := range r.Stack {
			t.Stack = append(t.Stack, TaskFrame(f))
		}
		p.d.Tasks = append(p.d.Tasks, t)
		p.tasks = append(p.tasks, ref(r.ID, p.line))
	case "loop":
		var r loopRec
		if err := json.Unmarshal(b, &r); err != nil {
			return bad("a loop record", err)
		}
		l := Loop{Object: -1, Type: r.Type, Running: r.Running, Closed: r.Closed, Ready: r.Ready, Timers: r.Timers}
		for _, c := range r.TimerCallbacks {
			l.TimerCallbacks = append(l.TimerCallbacks, Count(c))
		}
		p.d.Loops = append(p.d.Loops, l)
		p.loops = append(p.loops, ref(r.ID, p.line))
	case "coro":
		var r coroRec
		if err := json.Unmarshal(b, &r); err != nil {
			return bad("a coro record", err)
		}
		p.d.Coros = append(p.d.Coros, Coro{Object: -1, Coro: r.Coro, File: r.File, Line: r.Line})
		p.coros = append(p.coros, ref(r.ID, p.line))
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

// alloc records node n's allocation traceback, interned by its raw text
// (decoded once per distinct traceback, at the end).
func (p *parser) alloc(n int, raw []byte) {
	if p.tbIndex == nil {
		p.tbIndex = map[string]int32{}
	}
	for len(p.allocs) < n {
		p.allocs = append(p.allocs, -1)
	}
	i, ok := p.tbIndex[string(raw)]
	if !ok {
		i = int32(len(p.tbRaw))
		p.tbIndex[string(raw)] = i
		p.tbRaw = append(p.tbRaw, string(raw))
		p.tbLine = append(p.tbLine, p.line)
	}
	p.allocs = append(p.allocs, i)
}

// tracebacks decodes the interned allocation tracebacks into the dump; a
// traceback that is not a list of [file, line] pairs is dropped with a
// warning.
func (p *parser) tracebacks(nodes int) {
	if p.allocs == nil {
		return
	}
	for len(p.allocs) < nodes {
		p.allocs = append(p.allocs, -1)
	}
	bad := make([]bool, len(p.tbRaw))
	p.d.Tracebacks = make([][]AllocFrame, len(p.tbRaw))
	for i, raw := range p.tbRaw {
		var pairs [][]json.RawMessage
		err := json.Unmarshal([]byte(raw), &pairs)
		var tb []AllocFrame
		for _, pr := range pairs {
			var f AllocFrame
			if err != nil {
				break
			}
			if len(pr) < 2 {
				err = fmt.Errorf("a frame has %d fields, expected [file, line]", len(pr))
				break
			}
			if err = json.Unmarshal(pr[0], &f.File); err == nil {
				err = json.Unmarshal(pr[1], &f.Line)
			}
			tb = append(tb, f)
		}
		if err != nil {
			p.warn(p.tbLine[i], "allocation traceback (\"tb\") left out: %v", err)
			bad[i] = true
			continue
		}
		p.d.Tracebacks[i] = tb
	}
	for n, i := range p.allocs {
		if i >= 0 && bad[i] {
			p.allocs[n] = -1
		}
	}
	p.d.Allocs = p.allocs
}
