package goroutine

import (
	"bytes"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/stack"
)

// GoGroup is a group of goroutines that share a key: their normalized
// stack, and — when the format records them — their state class and the
// function that created them. Everything else is kept as data.
type GoGroup struct {
	Stack   int32  // normalized stack id in the series' table
	Creator int32  // frame id of the `go` statement, -1 when unknown
	State   string // state class ("chan receive", "select", "sync" …), "" when unknown
	Count   int
	States  []StateCount // exact statuses as printed, most frequent first after finish
	MinWait int          // minutes, -1 when no goroutine of the group printed one
	MaxWait int
	IDs     []int64 // a few goroutine ids, smallest first
	Parents []int64 // a few distinct creating goroutine ids
	Labels  []string
	Leaked  int // goroutines the runtime's leak detection marked
	Locked  int // goroutines locked to their thread
	Elided  bool
}

// StateCount is how many goroutines of a group had one exact status.
type StateCount struct {
	State string `json:"state"`
	Count int    `json:"count"`
}

const groupSamples = 5 // ids, parents and label sets kept per group

// GoroutineDump is one snapshot of goroutines, grouped.
type GoroutineDump struct {
	Name       string
	Format     input.Format
	Time       time.Time // zero for text dumps, which carry no time
	Total      int
	HasState   bool // the format records states (tracebacks)
	HasCreator bool // the format records creators (tracebacks)
	LeakProf   bool // a goroutineleak profile: every goroutine in it leaked
	Groups     []*GoGroup
	index      map[goKey]int32
	labelCache map[string]string // printed label set → canonical
}

func newGoroutineDump(name string, f input.Format) *GoroutineDump {
	return &GoroutineDump{Name: name, Format: f, index: map[goKey]int32{}, labelCache: map[string]string{}}
}

// canonLabels canonicalizes a printed label set, once per distinct text.
func (d *GoroutineDump) canonLabels(raw []byte) string {
	if c, ok := d.labelCache[string(raw)]; ok {
		return c
	}
	c := stack.CanonLabels(string(raw))
	d.labelCache[string(raw)] = c
	return c
}

type goKey struct {
	state   string
	stack   int32
	creator int32
}

// groupOf returns the group of a key, creating it.
func (d *GoroutineDump) groupOf(k goKey) *GoGroup {
	if i, ok := d.index[k]; ok {
		return d.Groups[i]
	}
	g := &GoGroup{Stack: k.stack, Creator: k.creator, State: k.state, MinWait: -1, MaxWait: -1}
	d.index[k] = int32(len(d.Groups))
	d.Groups = append(d.Groups, g)
	return g
}

// add counts n goroutines of one record into their group.
func (d *GoroutineDump) add(tab *stack.Table, rec *goroutineRec, n int) {
	sid := tab.Stack(normalizeGoStack(tab, rec.frames))
	class := stateClass(rec.status)
	g := d.groupOf(goKey{class, sid, rec.creator})
	g.Count += n
	d.Total += n
	if len(rec.status) > 0 {
		found := false
		for i := range g.States {
			if g.States[i].State == string(rec.status) {
				g.States[i].Count += n
				found = true
				break
			}
		}
		if !found {
			g.States = append(g.States, StateCount{string(rec.status), n})
		}
	}
	if rec.minutes >= 0 {
		if g.MinWait < 0 || rec.minutes < g.MinWait {
			g.MinWait = rec.minutes
		}
		g.MaxWait = max(g.MaxWait, rec.minutes)
	}
	if rec.id > 0 {
		g.IDs = keepSmallest(g.IDs, rec.id)
	}
	if rec.parent > 0 && !slices.Contains(g.Parents, rec.parent) && len(g.Parents) < groupSamples {
		g.Parents = append(g.Parents, rec.parent)
	}
	if len(rec.labels) > 0 && len(g.Labels) < groupSamples {
		if l := d.canonLabels(rec.labels); !slices.Contains(g.Labels, l) {
			g.Labels = append(g.Labels, l)
		}
	}
	if rec.leaked || d.LeakProf {
		g.Leaked += n
	}
	if rec.locked {
		g.Locked += n
	}
	g.Elided = g.Elided || rec.elided
}

// keepSmallest keeps the groupSamples smallest ids, sorted.
func keepSmallest(ids []int64, id int64) []int64 {
	i, found := slices.BinarySearch(ids, id)
	if found || i >= groupSamples {
		return ids
	}
	ids = slices.Insert(ids, i, id)
	if len(ids) > groupSamples {
		ids = ids[:groupSamples]
	}
	return ids
}

// finish sorts each group's statuses, most frequent first.
func (d *GoroutineDump) finish() {
	for _, g := range d.Groups {
		slices.SortStableFunc(g.States, func(a, b StateCount) int { return b.Count - a.Count })
	}
}

// normalizeGoStack drops the runtime's unexported frames (runtime.gopark,
// runtime.chanrecv …, runtime.goexit) when the stack has any other frame.
// Tracebacks hide exactly these frames by default (runtime.showframe);
// the proto profile keeps them and debug=1 hides the leading ones, so
// after this every format yields the same stack.
func normalizeGoStack(tab *stack.Table, ids []int32) []int32 {
	keep := 0
	for _, id := range ids {
		if !hiddenRuntime(tab.FrameAt(id).Func) {
			keep++
		}
	}
	if keep == 0 || keep == len(ids) {
		return ids
	}
	out := make([]int32, 0, keep)
	for _, id := range ids {
		if !hiddenRuntime(tab.FrameAt(id).Func) {
			out = append(out, id)
		}
	}
	return out
}

// hiddenRuntime reports whether a traceback hides fn by default: an
// unexported function of package runtime.
func hiddenRuntime(fn string) bool {
	rest, ok := strings.CutPrefix(fn, "runtime.")
	if !ok || rest == "" {
		return false
	}
	r := rune(rest[0])
	return !unicode.IsUpper(r)
}

// stateClasses maps the statuses tracebacks print to the class that keys
// a group: the status without its parenthesised detail, with running and
// runnable together (a snapshot catches either at random).
var stateClasses = map[string]string{
	"running": "running", "runnable": "running", "syscall": "syscall",
	"chan receive": "chan receive", "chan receive (nil chan)": "chan receive",
	"chan send": "chan send", "chan send (nil chan)": "chan send",
	"select": "select", "select (no cases)": "select",
	"IO wait": "IO wait", "sleep": "sleep", "semacquire": "semacquire",
	"sync.Mutex.Lock": "sync.Mutex.Lock", "sync.RWMutex.Lock": "sync.RWMutex.Lock",
	"sync.RWMutex.RLock": "sync.RWMutex.RLock", "sync.Cond.Wait": "sync.Cond.Wait",
	"sync.WaitGroup.Wait": "sync.WaitGroup.Wait", "GC worker (idle)": "GC worker (idle)",
	"finalizer wait": "finalizer wait", "force gc (idle)": "force gc (idle)",
}

// stateClass returns the class of a status, without allocating for the
// statuses the runtime prints most.
func stateClass(status []byte) string {
	if len(status) == 0 {
		return ""
	}
	if c, ok := stateClasses[string(status)]; ok {
		return c
	}
	if i := bytes.Index(status, []byte(" (")); i > 0 {
		status = status[:i]
	}
	return string(status)
}

// isBlockedState tells the classes in which a goroutine waits on a
// channel, a lock or I/O — the states in which leaked goroutines sit.
func isBlockedState(class string) bool {
	switch class {
	case "", "running", "syscall", "sleep":
		return false
	}
	return true
}
