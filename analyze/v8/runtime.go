package v8

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
	v8snap "github.com/leakscan/leakscan/graph/v8"
)

// Runtime is V8's hook for the format-neutral heap analyses. Types are
// named as graph/v8 names them: constructors (Session, Array, Map),
// (closure) NAME, (string), and V8's internals in parentheses or as
// "system / …".
var Runtime = &heap.Runtime{
	Name:      "V8",
	Own:       Own,
	Secret:    func(typ string) bool { return typ == "(string)" },
	Note:      note,
	Machinery: func(h *graph.Heap, v int32) bool { return h.Flags[v]&v8snap.FlagCode != 0 },
	StableIDs: true,
	// DevTools and memlab write a node's id as @84781.
	IDText: func(id uint64) string { return "@" + strconv.FormatUint(id, 10) },
}

// builtins are the types of JavaScript's own values and standard
// constructors: like Python's builtins, they rank after the program's
// classes when both grow (a leak of Sessions grows strings and arrays
// with it).
var builtins = map[string]bool{
	"(string)": true, "(number)": true, "(symbol)": true, "(bigint)": true, "(regexp)": true, "(object)": true,
	"Object": true, "Array": true, "Map": true, "Set": true, "WeakMap": true, "WeakSet": true, "WeakRef": true,
	"Promise": true, "Date": true, "RegExp": true, "Error": true, "TypeError": true, "RangeError": true,
	"ArrayBuffer": true, "SharedArrayBuffer": true, "DataView": true, "Uint8Array": true, "Int8Array": true,
	"Uint16Array": true, "Int16Array": true, "Uint32Array": true, "Int32Array": true, "Float32Array": true,
	"Float64Array": true, "BigInt64Array": true, "BigUint64Array": true, "Uint8ClampedArray": true,
	"Buffer": true, "FinalizationRegistry": true, "Arguments": true, "Generator": true,
}

// Own reports whether a type is V8's, the embedder's or JavaScript's
// own: hidden classes and other "system / …" objects (contexts among
// them), code, V8's internal arrays and synthetic roots (parenthesised),
// Node's native objects ("Node / …"), and the builtins above. Closures
// and the program's classes are not.
func Own(typ string) bool {
	switch {
	case strings.HasPrefix(typ, "(closure)"):
		return false
	case strings.HasPrefix(typ, "("), builtins[typ]:
		return true
	}
	return strings.HasPrefix(typ, "system / ") || strings.HasPrefix(typ, "Node / ")
}

// note names a closure by its function and source position
// ("onUpdate leak.js:48:20"); other nodes get none.
func note(h *graph.Heap, v int32) string {
	name, ok := strings.CutPrefix(h.TypeName(v), "(closure) ")
	if !ok {
		return ""
	}
	if pos := h.Value(v); pos != "" {
		return name + " " + pos
	}
	return name
}

// Read reads a V8 heap snapshot: the reader of its format's registry
// row.
func Read(name string, data []byte) (*heap.Dump, error) {
	s, err := v8snap.Parse(data)
	if err != nil {
		var ve *v8snap.Error
		if errors.As(err, &ve) {
			return nil, &input.InputError{File: name, Pos: "byte " + strconv.FormatInt(ve.Off, 10), Msg: ve.Msg}
		}
		return nil, &input.InputError{File: name, Msg: "malformed V8 heap snapshot", Err: err}
	}
	d := &heap.Dump{Heap: s.Heap, Format: string(input.FormatV8Snapshot), Warnings: s.Warnings, Runtime: Runtime, Native: s}
	d.Time, d.PID = fromName(name)
	if s.Traces != nil {
		d.Allocs, d.AllocStacks = allocStacks(s)
	}
	return d, nil
}

// nodeName is the name Node gives a snapshot it writes by itself
// (v8.writeHeapSnapshot() with no file name, --heapsnapshot-signal,
// --heapsnapshot-near-heap-limit):
// Heap.YYYYMMDD.HHMMSS.PID.THREAD.SEQ.heapsnapshot, in local time.
var nodeName = regexp.MustCompile(`(?:^|[/\\])Heap\.(\d{8}\.\d{6})\.(\d+)\.\d+\.\d+\.heapsnapshot(?:\.gz)?$`)

// fromName reads the time and process id from a snapshot's file name
// when Node chose it; zero values otherwise (the snapshot itself holds
// neither).
func fromName(name string) (time.Time, int) {
	m := nodeName.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, 0
	}
	t, err := time.ParseInLocation("20060102.150405", m[1], time.Local)
	pid, err2 := strconv.Atoi(m[2])
	if err != nil || err2 != nil {
		return time.Time{}, 0
	}
	return t, pid
}

// allocStacks turns a snapshot's allocation traces into the format-neutral
// allocation stacks: one per node of the trace tree, innermost first, and
// each object's index into them (-1 when V8 did not trace it).
func allocStacks(s *v8snap.Snapshot) ([]int32, [][]series.Frame) {
	tr := s.Traces
	stacks := make([][]series.Frame, len(tr.Parent))
	for t := range tr.Parent {
		for _, fn := range tr.Stack(int32(t)) {
			f := tr.Functions[fn]
			name := f.Name
			if name == "" {
				name = "(anonymous)"
			}
			stacks[t] = append(stacks[t], series.Frame{Func: name, File: f.Script, Line: int64(f.Line)})
		}
	}
	allocs := make([]int32, len(s.TraceNodeIDs))
	for v, id := range s.TraceNodeIDs {
		allocs[v] = -1
		if t, ok := tr.Node[id]; ok && id != 0 && len(stacks[t]) > 0 {
			allocs[v] = t
		}
	}
	return allocs, stacks
}
