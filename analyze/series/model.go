package series

import (
	"strconv"
	"time"
)

// Kind says what a result is of; it is the JSON document's "kind": "heap",
// "goroutine", "cpu" … for profiles and dumps of Go, "python heap" for the
// types of Python heap dumps, "cycle", "task", "resource" for the
// analyses of their object graphs.
type Kind string

// KeyMode says what one row of a result aggregates. Each analysis keys its
// rows one way, so the key mode also names the view that renders it.
type KeyMode string

// The key modes of the analyses.
const (
	BySite     KeyMode = "site"     // innermost frame outside the allocation machinery
	ByFunction KeyMode = "function" // that frame's function, all lines together
	ByStack    KeyMode = "stack"    // the whole call stack
	ByGroup    KeyMode = "group"    // goroutines: stack, state and creator
	ByType     KeyMode = "type"     // heap dumps: the objects' type
	ByRing     KeyMode = "ring"     // reference cycles: the ring of types and edge labels
	ByAwait    KeyMode = "await"    // asyncio tasks: the await chain, state and what it waits on
	ByResource KeyMode = "resource" // file descriptors by kind, event loops
)

// Noun names one row in prose ("3 allocation sites grew").
func (m KeyMode) Noun(memory bool) string {
	switch m {
	case ByFunction:
		return "function"
	case ByStack:
		return "stack"
	}
	if memory {
		return "allocation site"
	}
	return "site"
}

// ValueType names a sample value: its type ("inuse_space") and unit ("bytes").
type ValueType struct {
	Type string `json:"type"`
	Unit string `json:"unit"`
}

func (v ValueType) String() string { return v.Type + "/" + v.Unit }

// Frame is one source position of a call stack. Samples are keyed by
// frames, never by addresses or location ids, which change with every
// build.
type Frame struct {
	Func string `json:"function"`
	File string `json:"file"`
	Line int64  `json:"line"`
}

// String formats the frame as "pkg.Func file:line".
func (f Frame) String() string {
	return f.Func + " " + f.File + ":" + strconv.FormatInt(f.Line, 10)
}

// Result is everything a report shows about one series: what was compared,
// each key's trend, the verdict and the warnings. The report package renders
// it and decides nothing.
type Result struct {
	Kind       Kind
	SampleType ValueType // the values compared
	By         KeyMode
	Noun       string // what one row is, singular: "allocation site"
	// GroupedBy says, for analyses that group objects, what keys a group:
	// "stack, state and creator".
	GroupedBy string
	PerHour   bool // slopes are per hour; else per snapshot
	Span      time.Duration
	Inputs    []Input
	Rows      []Row // every key, suspects first
	Churn     []Row // the rows that are churn, most allocated first
	Total     Trend // the sum of all rows per snapshot
	// Hidden is, per snapshot, what was left out as the profiler's own;
	// nil when nothing was.
	Hidden   []float64
	Warnings []string
	Verdict  Verdict
	// Detail is what the analysis adds to the whole result (a goroutine
	// analysis: how groups were keyed; heap dumps: the biggest retainers;
	// reference cycles: the collector's state); nil when nothing. Its
	// type belongs to the analysis's package.
	Detail any
	// Related holds the other analyses of the same inputs a report shows
	// after this one (a Python heap diff: cycles, tasks, resources).
	Related []*Result
	Focus   string // the --focus expression, if any
	Ignore  string // the --ignore expression, if any
}

// Input describes one snapshot of the series, in series order.
type Input struct {
	Name        string
	Arg         int // position among the inputs as given, from 0
	Time        time.Time
	Duration    time.Duration
	SampleTypes []ValueType
	Binary      string
	Format      string // the input format's name
}

// Row is one key of the series and its trend.
type Row struct {
	Key    string  // unique; the sort's last tie-breaker
	Frame  Frame   // the site (by site), or the function (by function: Func only)
	Stack  []Frame // the stack contributing most at the last snapshot, innermost first
	Stacks int     // distinct stacks aggregated into this row
	// TitleFrames and TitleLines say, for rows keyed by stack, how many
	// frames from the site (Frame) a row's name shows, and whether with
	// their lines, so that no two rows read the same: the analysis
	// extends the name of rows that share their first frames until they
	// differ. Zero: the view's default.
	TitleFrames int
	TitleLines  bool
	// Allocated is how much the row allocated between the first and the
	// last snapshot, from the cumulative alloc_* values of heap profiles
	// when in-use values are compared; 0 otherwise.
	Allocated float64
	// Churn: the row allocated more than ten times its largest in-use
	// value and did not grow — allocated and freed, not retained.
	Churn bool
	// Suspect says the row is a leak suspect, and Reasons why ("growing",
	// "confirmed leaked by the runtime", "blocked 12–30 min").
	Suspect bool
	Reasons []string
	// Confirmed says the runtime itself found the row leaked (Go's
	// goroutineleak detection).
	Confirmed bool
	// Detail is what the analysis adds to a row (a goroutine group's
	// states and creator, a type's retainer path, a cycle's ring); its
	// type belongs to the analysis's package. Nil when nothing.
	Detail any
	Trend
}

// Verdict is the one-line answer: how many keys are suspects, how many of
// them grew and by how much together over how long.
type Verdict struct {
	Suspects  int
	Confirmed int // rows the runtime confirmed leaked
	Growing   int
	Growth    float64 // sum of Delta over the growing rows
	Span      time.Duration
	Snaps     int
}

// Suspects returns the suspect rows, in rank order.
func (r *Result) Suspects() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Suspect {
			out = append(out, row)
		}
	}
	return out
}
