package heap

import (
	"fmt"
	"slices"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph"
)

// Dump is one object-graph snapshot of any format, as a reader hands it
// over: the graph, when and where it was taken, and the runtime that made
// it. Everything here but Native is format-neutral.
type Dump struct {
	Heap     *graph.Heap
	Format   string    // the input format's name
	Time     time.Time // zero when the dump has none
	PID      int       // 0 when unknown
	Warnings []string  // one sentence each, naming the position
	Runtime  *Runtime
	// Allocs holds, per node, the index into AllocStacks of the stack
	// that allocated it, or -1; nil when the dump records none.
	Allocs []int32
	// AllocStacks are the distinct allocation stacks, innermost first.
	AllocStacks [][]series.Frame
	// Native is the reader's own model of the dump, for the analyses of
	// its runtime (a *pydump.Dump for Python); nil when there is none.
	Native any
}

// Runtime is what the format-neutral heap analyses need to know about the
// runtime that wrote a dump: the small hook each object-graph format
// provides beside its reader.
type Runtime struct {
	// Name names the runtime in prose: "Python", "Go", "V8", "Java".
	Name string
	// Own reports whether a type is the runtime's own (Python's
	// builtins.*): growing types of the application are listed first,
	// and names people search for leave the runtime's out.
	Own func(typ string) bool
	// Secret reports whether the values of a type may hold secrets (the
	// text of strings and bytes): pictures hide them unless asked.
	Secret func(typ string) bool
	// Note is what a box shows below an object's type instead of its
	// value: a frame's or function's name; "" for none.
	Note func(h *graph.Heap, v int32) string
	// Machinery, when set, reports whether node v is the runtime's own
	// machinery (V8's code, feedback and hidden classes): objects piling
	// up under it are the runtime at work — a JIT warming up — not the
	// program's leak, and findings leave such holders out, and holders
	// whose new objects are all machinery (freshly optimized code).
	Machinery func(h *graph.Heap, v int32) bool
	// StableIDs says an object keeps its id from one dump of a process
	// to the next while it lives (Python's id, V8's node ids, Go's
	// addresses): then what is new since the first dump can be told.
	StableIDs bool
	// CycleGarbage says objects no root reaches may still be alive,
	// kept by reference cycles (CPython, whose reference counting never
	// frees a cycle and whose cycle collector may be off or park cycles
	// in gc.garbage): then such objects are leaks to attribute, not
	// garbage the next collection frees.
	CycleGarbage bool
	// IDText writes an object's id as the runtime's own tools show it
	// (V8's DevTools: "@84781"); nil for an address, "0x7f3a…".
	IDText func(id uint64) string
	// ParkedKinds are the edge kinds through which the runtime holds
	// objects its collector found unreachable and kept for inspection
	// (Python's gc.garbage under gc.DEBUG_SAVEALL). With CycleGarbage,
	// objects reached only through them are told as kept by their
	// cycles, not as piling up in that list.
	ParkedKinds []string
}

// FormatID writes an object's id as the runtime's tools show it: by
// IDText, else as a hexadecimal address.
func (rt *Runtime) FormatID(id uint64) string {
	if rt != nil && rt.IDText != nil {
		return rt.IDText(id)
	}
	return fmt.Sprintf("%#x", id)
}

// IsOwn reports whether a type is the runtime's own; false when the
// runtime does not say.
func (rt *Runtime) IsOwn(typ string) bool { return rt.Own != nil && rt.Own(typ) }

// IsSecret reports whether the values of a type may hold secrets; false
// when the runtime does not say.
func (rt *Runtime) IsSecret(typ string) bool { return rt.Secret != nil && rt.Secret(typ) }

// IsMachinery reports whether node v is the runtime's machinery; false
// when the runtime does not say.
func (rt *Runtime) IsMachinery(h *graph.Heap, v int32) bool {
	return rt.Machinery != nil && rt.Machinery(h, v)
}

// NoteOf is the runtime's note on node v; "" when it has none.
func (rt *Runtime) NoteOf(h *graph.Heap, v int32) string {
	if rt.Note == nil {
		return ""
	}
	return rt.Note(h, v)
}

// Kind is the kind of a type analysis of this runtime's dumps: "python
// heap".
func (rt *Runtime) Kind() series.Kind { return series.Kind(lower(rt.Name) + " heap") }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TypeInfo is what a type adds to its row of a heap-dump series.
type TypeInfo struct {
	// Retainer is, for a growing type, the retainer path most of its
	// instances share in the last snapshot.
	Retainer *RetainerShape
	// Sizes are the type's count, shallow and retained bytes at the last
	// snapshot where it appears.
	Sizes *TypeStats
	// Alloc is, for a growing type of a dump that records allocation
	// stacks, the one most of its instances share.
	Alloc *AllocSite
	// HeldBy names, for a growing type, the growing type whose instances
	// hold most of its instances (a leaked object's dict and strings).
	HeldBy string
}

// TypeOf returns what a type adds to its row; nil for a row of another
// analysis.
func TypeOf(r *series.Row) *TypeInfo {
	ti, _ := r.Detail.(*TypeInfo)
	return ti
}

// Detail is what a heap-dump type analysis adds to its result.
type Detail struct {
	// Runtime names the runtime that wrote the dumps: "Python".
	Runtime string
	// BigRetainers lists, for a single dump, the objects that retain the
	// most.
	BigRetainers []BigRetainer
	// Accumulations are, for a single dump, its suspect accumulation
	// points (MAT's leak suspects).
	Accumulations []Accumulation
	// Findings are, for a series whose ids are stable, the accumulation
	// points whose held objects grow, the most growth first.
	Findings []Finding
}

// DetailOf returns what a heap-dump type analysis adds to a result; nil
// for another analysis.
func DetailOf(res *series.Result) *Detail {
	d, _ := res.Detail.(*Detail)
	return d
}

// PathStep is one hop of a retainer path: the edge's kind and label, and
// the type of the object it leads to.
type PathStep struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Type  string `json:"type"`
	// Repeat, when 2 or more, says the step is taken that many times in a
	// row (the links of a chain); Label is the first one's.
	Repeat int `json:"repeat,omitempty"`
}

// RetainerShape is the most common retainer path of a type's instances:
// the root, then each hop. Shapes are compared with the labels of indexes
// and dict keys left out (they differ between instances); the steps shown
// are those of one instance.
type RetainerShape struct {
	Root      string     `json:"root"` // root kind and label: "module __main__"
	Steps     []PathStep `json:"steps"`
	Instances int        `json:"instances"` // instances whose path has this shape
	Of        int        `json:"of"`        // instances reachable from the roots
	// Omitted counts the steps left out of a long path after its first
	// OmittedAfter steps (see MaxPathSteps); 0 when none was.
	Omitted      int `json:"omitted,omitempty"`
	OmittedAfter int `json:"omitted_after,omitempty"`
}

// AllocSite is the allocation traceback most instances of a type share
// (Python's tracemalloc): file and line of each frame, innermost first.
type AllocSite struct {
	Stack     []series.Frame `json:"stack"`
	Instances int            `json:"instances"` // instances allocated there
	Of        int            `json:"of"`        // instances with a traceback
}

// Has reports whether the path takes an edge of the given kind and label.
func (rs *RetainerShape) Has(kind, label string) bool {
	return rs != nil && slices.ContainsFunc(rs.Steps, func(s PathStep) bool { return s.Kind == kind && s.Label == label })
}
