package analyze

import "time"

// KeyMode says what a row of a profile diff aggregates.
type KeyMode string

// The key modes of a profile diff.
const (
	BySite     KeyMode = "site"     // innermost frame outside the allocation machinery
	ByFunction KeyMode = "function" // that frame's function, all lines together
	ByStack    KeyMode = "stack"    // the whole call stack
	ByGroup    KeyMode = "group"    // goroutines: stack, state class and creator
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

// Result is everything a report shows about one series: what was compared,
// each key's trend, the verdict and the warnings. The report package renders
// it and decides nothing.
type Result struct {
	Kind       string    // "heap", "goroutine", "cpu" …
	SampleType ValueType // the values compared
	By         KeyMode
	Noun       string // what one row is, singular: "allocation site"
	GroupedBy  string // goroutines: what keys a group ("stack, state and creator")
	PerHour    bool   // slopes are per hour; else per snapshot
	Span       time.Duration
	Inputs     []Input
	Rows       []Row // every key, suspects first (see Less)
	Churn      []Row // the rows that are churn, most allocated first
	// BigRetainers lists, for a single heap dump, the objects that retain
	// the most.
	BigRetainers []BigRetainer
	Total        Trend // the sum of all rows per snapshot
	Hidden       []float64
	Warnings     []string
	Verdict      Verdict
	// Collector is, for reference cycles, the state of Python's cycle
	// collector.
	Collector *Collector
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
	Format      Format
}

// Row is one key of the series and its trend.
type Row struct {
	Key    string  // unique; the sort's last tie-breaker
	Frame  Frame   // the site (by site), or the function (by function: Func only)
	Stack  []Frame // the stack contributing most at the last snapshot, innermost first
	Stacks int     // distinct stacks aggregated into this row
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
	// Go holds what a goroutine group adds to a row; nil for profiles.
	Go *GoInfo
	// Cycle holds what a group of reference cycles adds to a row.
	Cycle *CycleInfo
	// Task holds what a group of asyncio tasks adds to a row.
	Task *TaskInfo
	// Resource holds what a kind of resource adds to a row.
	Resource *ResourceInfo
	// Retainer is, for a growing type of a heap dump, the retainer path
	// most of its instances share in the last snapshot.
	Retainer *RetainerShape
	// Sizes are, for a type of a heap dump, its count, shallow and
	// retained bytes at the last snapshot where it appears.
	Sizes *TypeStats
	// Alloc is, for a growing type of a heap dump taken under
	// tracemalloc, the allocation traceback most of its instances share.
	Alloc *AllocSite
	// HeldBy names, for a growing type, the growing type whose instances
	// hold most of its instances (a leaked object's dict and strings).
	HeldBy string
	Trend
}

// GoInfo is what a row of goroutines carries besides its counts, taken
// from the last snapshot in which the group appears.
type GoInfo struct {
	State     string       // state class; "" when the formats carry none
	States    []StateCount // exact statuses
	MinWait   int          // minutes; -1 unknown
	MaxWait   int
	Creator   *Frame // the `go` statement; nil when unknown
	IDs       []int64
	Parents   []int64
	Labels    []string
	Leaked    int // goroutines the runtime's leak detection marked, at the last snapshot where present
	Confirmed bool
	Locked    int
	Elided    bool
}

// Verdict is the one-line answer: how many keys are suspects, how many of
// them grew and by how much together over how long.
type Verdict struct {
	Suspects  int
	Confirmed int // goroutine groups the runtime confirmed leaked
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

// PathStep is one hop of a retainer path: the edge's kind and label, and
// the type of the object it leads to.
type PathStep struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Type  string `json:"type"`
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
}

// AllocSite is the allocation traceback most instances of a type share
// (Python's tracemalloc): file and line of each frame, innermost first.
type AllocSite struct {
	Stack     []Frame `json:"stack"`
	Instances int     `json:"instances"` // instances allocated there
	Of        int     `json:"of"`        // instances with a traceback
}
