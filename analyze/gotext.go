package analyze

import (
	"bytes"
	"fmt"
	"strconv"
)

// This file parses goroutine tracebacks: /debug/pprof/goroutine?debug=2,
// runtime.Stack(buf, true), and the dumps printed on a panic, a fatal
// error, SIGQUIT or a `go test -timeout`, also when they are embedded in
// other output (log lines, test output) with CRLF line ends.
//
// The parser is a state machine over lines (runtime/traceback.go prints
// every line below; the Go version that introduced each variant is in
// tracebackVariants):
//
//	state      line                                          next state
//	outside    goroutine 7 [chan receive]:                   frames
//	outside    anything else (log lines, "panic: …", registers) outside
//	frames     main.worker(0xc000010000, {0x1, 0x2})          file
//	frames     created by main.start in goroutine 1          creator
//	frames     ...12 frames elided...                         frames
//	frames     [originating from goroutine 3]:                ancestor
//	frames     \tgoroutine running on other thread; stack unavailable  frames
//	frames     (empty line)                                  outside
//	frames     anything else                                 outside (the dump ended)
//	file       \t/src/main.go:42 +0x1d [fp=… sp=… pc=…]       frames
//	creator    \t/src/main.go:17 +0x5e                        frames
//	ancestor   frames of the creating goroutine, skipped      outside at an empty line
//
// A header names the goroutine's id, optional gp=/m=/mp= fields, and in
// brackets its status with flags and extras:
//
//	goroutine 7 gp=0xc000007a40 m=nil [chan receive (nil chan) (leaked), 3 minutes, locked to thread, synctest bubble 1 labels:{"k": "v, w"}]:

// tracebackVariant documents one form of traceback line and where it
// comes from; tests check that a fixture exists for each.
type tracebackVariant struct {
	Name    string
	Example string
	Since   string // Go version that introduced it
}

// tracebackVariants lists the forms the parser handles.
var tracebackVariants = []tracebackVariant{
	{"header", "goroutine 1 [running]:", "1.0"},
	{"minutes", "goroutine 5 [chan receive, 3 minutes]:", "1.0"},
	{"locked", "goroutine 5 [select, locked to thread]:", "1.1"},
	{"created-by", "created by main.main", "1.0"},
	{"created-in-goroutine", "created by main.main in goroutine 1", "1.21"},
	{"elided-end", "...additional frames elided...", "1.0"},
	{"elided-middle", "...12 frames elided...", "1.21"},
	{"ancestors", "[originating from goroutine 1]:", "1.12"},
	{"unavailable", "\tgoroutine running on other thread; stack unavailable", "1.0"},
	{"gp-m", "goroutine 1 gp=0xc000002380 m=0 mp=0x5a1e20 [running]:", "1.23"},
	{"m-nil", "goroutine 2 gp=0xc000002e00 m=nil [force gc (idle)]:", "1.23"},
	{"nil-chan", "goroutine 6 [chan receive (nil chan)]:", "1.15"},
	{"synctest", "goroutine 7 [chan receive (durable), synctest bubble 1]:", "1.25"},
	{"leaked", "goroutine 8 [chan send (leaked)]:", "1.26"},
	{"labels", `goroutine 9 [select labels:{"k": "v"}]:`, "1.26"},
	{"fp-sp-pc", "\t/src/main.go:42 +0x1d fp=0xc000046f80 sp=0xc000046f60 pc=0x47e11d", "1.2"},
	{"crlf", "goroutine 1 [running]:\\r", "—"},
}

// goroutineRec is one goroutine as parsed; its byte slices point into the
// input and are valid until the next record.
type goroutineRec struct {
	id          int64
	status      []byte // "chan receive (nil chan)", flags removed
	leaked      bool
	minutes     int // -1 when the header gives none
	locked      bool
	labels      []byte // "{…}" as printed, or nil
	frames      []int32
	creator     int32 // frame id, -1 when none
	parent      int64
	elided      bool
	unavailable bool
	line        int // line number of the header
}

// textParser holds the state of a traceback parse.
type textParser struct {
	name     string
	tab      *stackTable
	emit     func(*goroutineRec)
	warn     func(string)
	rec      goroutineRec
	inG      bool
	pending  Frame // function line waiting for its file line
	havePend bool
	inCreate bool
	skipAnc  bool
	lineNo   int
	count    int
}

// parseTraceback parses every goroutine in data and calls emit for each.
// Problems that leave the rest readable are reported through warn with
// their line; it returns the number of goroutines found.
func parseTraceback(name string, data []byte, tab *stackTable, emit func(*goroutineRec), warn func(string)) int {
	p := &textParser{name: name, tab: tab, emit: emit, warn: warn}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		p.lineNo++
		p.line(line)
	}
	p.end()
	return p.count
}

func (p *textParser) line(line []byte) {
	if p.skipAnc {
		if len(line) == 0 {
			p.skipAnc = false
			p.end()
		}
		return
	}
	if !p.inG {
		p.header(line)
		return
	}
	switch {
	case len(line) > 0 && line[0] == '\t':
		p.fileLine(line[1:])
	case p.havePend || p.inCreate:
		// A function line must be followed by its file line.
		p.warn(fmt.Sprintf("line %d: expected a file:line after a function line, found %q", p.lineNo, clip(line)))
		p.havePend, p.inCreate = false, false
		p.line(line)
	case len(line) == 0:
		p.end()
	case bytes.HasPrefix(line, []byte("created by ")):
		fn := line[len("created by "):]
		if i := bytes.Index(fn, []byte(" in goroutine ")); i >= 0 {
			p.rec.parent, _ = strconv.ParseInt(string(fn[i+len(" in goroutine "):]), 10, 64)
			fn = fn[:i]
		}
		p.pending = Frame{Func: bytesToString(fn)}
		p.havePend, p.inCreate = true, true
	case bytes.HasPrefix(line, []byte("...")) && bytes.HasSuffix(line, []byte("elided...")):
		p.rec.elided = true
	case bytes.HasPrefix(line, []byte("[originating from goroutine ")):
		p.skipAnc = true
	case bytes.HasPrefix(line, []byte("goroutine ")):
		p.end()
		p.header(line)
	default:
		i := bytes.LastIndexByte(line, '(')
		if i <= 0 || line[len(line)-1] != ')' || bytes.IndexByte(line[:i], ' ') >= 0 {
			p.end() // the dump ended inside other output
			p.header(line)
			return
		}
		p.pending = Frame{Func: bytesToString(line[:i])}
		p.havePend = true
	}
}

// fileLine handles "\tfile:line +0x1d [fp=… sp=… pc=…]".
func (p *textParser) fileLine(b []byte) {
	if bytes.HasPrefix(b, []byte("goroutine running on other thread")) {
		p.rec.unavailable = true
		return
	}
	if !p.havePend {
		p.warn(fmt.Sprintf("line %d: a file:line without a function line before it", p.lineNo))
		return
	}
	if i := bytes.Index(b, []byte(" +0x")); i >= 0 {
		b = b[:i]
	} else if i := bytes.Index(b, []byte(" fp=")); i >= 0 {
		b = b[:i]
	}
	f := p.pending
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		if n, err := strconv.ParseInt(string(b[i+1:]), 10, 64); err == nil {
			f.File, f.Line = bytesToString(b[:i]), n
		} else {
			f.File = bytesToString(b)
		}
	} else {
		f.File = bytesToString(b)
	}
	id := p.tab.frameView(f)
	if p.inCreate {
		p.rec.creator = id
	} else {
		p.rec.frames = append(p.rec.frames, id)
	}
	p.havePend, p.inCreate = false, false
}

// header starts a goroutine when line is a goroutine header.
func (p *textParser) header(line []byte) {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok {
		return
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || !bytes.HasSuffix(rest, []byte("]:")) {
		return
	}
	id, err := strconv.ParseInt(string(rest[:i]), 10, 64)
	if err != nil {
		return
	}
	open := bytes.Index(rest[i:], []byte(" ["))
	if open < 0 {
		return
	}
	body := rest[i+open+2 : len(rest)-2]
	frames := p.rec.frames[:0]
	p.rec = goroutineRec{id: id, minutes: -1, creator: -1, frames: frames, line: p.lineNo}
	if j := bytes.Index(body, []byte(" labels:{")); j >= 0 {
		p.rec.labels = body[j+len(" labels:"):]
		body = body[:j]
	} else if j := bytes.Index(body, []byte(", labels:{")); j >= 0 {
		p.rec.labels = body[j+len(", labels:"):]
		body = body[:j]
	}
	for k := 0; len(body) > 0; k++ {
		part := body
		if j := bytes.Index(body, []byte(", ")); j >= 0 {
			part, body = body[:j], body[j+2:]
		} else {
			body = nil
		}
		if k == 0 {
			p.rec.status = p.status(part)
			continue
		}
		switch {
		case bytes.HasSuffix(part, []byte(" minutes")):
			p.rec.minutes, _ = strconv.Atoi(string(part[:len(part)-len(" minutes")]))
		case bytes.Equal(part, []byte("locked to thread")):
			p.rec.locked = true
		}
	}
	p.inG = true
}

// status strips the flags the runtime appends to a status.
func (p *textParser) status(s []byte) []byte {
	for {
		switch {
		case bytes.HasSuffix(s, []byte(" (leaked)")):
			p.rec.leaked = true
			s = s[:len(s)-len(" (leaked)")]
		case bytes.HasSuffix(s, []byte(" (scan)")):
			s = s[:len(s)-len(" (scan)")]
		case bytes.HasSuffix(s, []byte(" (durable)")):
			s = s[:len(s)-len(" (durable)")]
		default:
			return s
		}
	}
}

// end finishes the current goroutine.
func (p *textParser) end() {
	if !p.inG {
		return
	}
	if p.havePend {
		p.warn(fmt.Sprintf("line %d: goroutine %d ends with a function line and no file:line (truncated?)", p.lineNo, p.rec.id))
		p.havePend, p.inCreate = false, false
	}
	if len(p.rec.frames) == 0 && !p.rec.unavailable {
		p.warn(fmt.Sprintf("line %d: goroutine %d has no stack (truncated?)", p.rec.line, p.rec.id))
	}
	p.inG = false
	p.count++
	p.emit(&p.rec)
}

// clip shortens a line for a message.
func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
