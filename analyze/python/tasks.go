package python

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph/pydump"
)

// TaskInfo is what a row of asyncio work carries besides its counts.
type TaskInfo struct {
	// What the row counts: TaskPending, TaskNeverAwaited, TaskTimer or
	// TaskUnretrieved.
	What string `json:"what"`
	// State is the tasks' state ("pending"); empty for coroutines and
	// timers.
	State     string `json:"state,omitempty"`
	Coro      string `json:"coro,omitempty"`       // the task's coroutine: "app.handler"
	WaitingOn string `json:"waiting_on,omitempty"` // the innermost awaited: "Event.wait"
	Exception string `json:"exception,omitempty"`  // for TaskUnretrieved
	Callback  string `json:"callback,omitempty"`   // for TaskTimer
	// Sample is the id of one task or coroutine object at the last
	// snapshot where present (0 for timers).
	Sample uint64 `json:"sample,omitempty"`
}

// What a row of asyncio work counts.
const (
	TaskPending      = "pending task"
	TaskNeverAwaited = "coroutine never awaited"
	TaskTimer        = "timer"
	TaskUnretrieved  = "exception never retrieved"
)

// DiffTasks groups each dump's asyncio work — tasks not done by their
// await chain (the coroutine of each await, outermost to innermost) and
// what the innermost waits on; coroutines created and never started by
// coroutine; timer handles by callback; done tasks whose exception nobody
// retrieved by coroutine and exception — and runs each group's count
// through the series analysis, as goroutine groups are. Suspects: the
// growing groups; at any snapshot count, coroutines never awaited and
// exceptions never retrieved (bugs whether or not they pile up).
func DiffTasks(ds *heap.DumpSeries) (*series.Result, error) {
	n := len(ds.Dumps)
	if n == 0 {
		return nil, fmt.Errorf("no heap dumps")
	}
	index := map[string]int{}
	var rows []series.Row
	add := func(i int, key string, count int, mk func() series.Row, sample int32, h *heap.HeapDump) {
		id, ok := index[key]
		if !ok {
			id = len(rows)
			index[key] = id
			r := mk()
			r.Key = key
			r.Values = make([]float64, n)
			rows = append(rows, r)
		}
		r := &rows[id]
		r.Values[i] += float64(count)
		if sample >= 0 {
			TaskOf(r).Sample = h.Dump.Heap.IDs[sample]
		}
	}
	for i, hd := range ds.Dumps {
		d := native(hd)
		for _, t := range d.Tasks {
			if t.Exception != "" {
				add(i, "unretrieved|"+t.Coro+"|"+t.Exception, 1, func() series.Row {
					return taskRow(&TaskInfo{What: TaskUnretrieved, State: t.State, Coro: t.Coro, Exception: t.Exception}, t.Stack)
				}, t.Object, hd)
				continue
			}
			add(i, "task|"+t.State+"|"+t.Coro+"|"+awaitKey(t.Stack)+"|"+t.WaitingOn, 1, func() series.Row {
				return taskRow(&TaskInfo{What: TaskPending, State: t.State, Coro: t.Coro, WaitingOn: t.WaitingOn}, t.Stack)
			}, t.Object, hd)
		}
		for _, c := range d.Coros {
			add(i, "coro|"+c.Coro+"|"+c.File+":"+strconv.Itoa(c.Line), 1, func() series.Row {
				return taskRow(&TaskInfo{What: TaskNeverAwaited, Coro: c.Coro}, []pydump.TaskFrame{{File: c.File, Line: c.Line, Func: heap.ShortType(c.Coro)}})
			}, c.Object, hd)
		}
		for _, l := range d.Loops {
			for _, tc := range l.TimerCallbacks {
				add(i, "timer|"+tc.Name, tc.N, func() series.Row {
					r := taskRow(&TaskInfo{What: TaskTimer, Callback: tc.Name}, nil)
					r.Frame = series.Frame{Func: tc.Name}
					return r
				}, -1, hd)
			}
		}
	}
	ax := ds.Axis()
	totals := series.SumValues(rows, n, nil)
	for i := range rows {
		r := &rows[i]
		r.Trend = series.Analyze(ax, r.Values, series.CountNoise, 0)
		if n > 1 && r.Class == series.Growing {
			r.Reasons = append(r.Reasons, "growing")
		}
		if r.Last > 0 && (TaskOf(r).What == TaskNeverAwaited || TaskOf(r).What == TaskUnretrieved) {
			r.Reasons = append(r.Reasons, TaskOf(r).What)
		}
		r.Suspect = len(r.Reasons) > 0
	}
	slices.SortFunc(rows, func(a, b series.Row) int {
		if c := series.SuspectsFirst(a, b); c != 0 {
			return c
		}
		if n == 1 && a.Last != b.Last {
			return -cmp.Compare(a.Last, b.Last)
		}
		return series.ByTrendThenKey(a, b)
	})
	res := &series.Result{
		Kind: "task", SampleType: series.ValueType{Type: "tasks", Unit: "count"}, By: series.ByAwait, Noun: "task group",
		GroupedBy: "await chain, state and what it waits on",
		Rows:      rows, Total: series.Analyze(ax, totals, series.Noise{}, 0),
	}
	ds.Describe(ax, res)
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	return res, nil
}

// taskRow starts a row for a task group: its innermost coroutine is the
// frame, the await chain (innermost first) the stack.
func taskRow(ti *TaskInfo, stack []pydump.TaskFrame) series.Row {
	r := series.Row{Detail: ti, Stacks: 1}
	for i := len(stack) - 1; i >= 0; i-- {
		f := stack[i]
		r.Stack = append(r.Stack, series.Frame{Func: f.Func, File: f.File, Line: int64(f.Line)})
	}
	if len(r.Stack) > 0 {
		r.Frame = r.Stack[0]
	} else {
		r.Frame = series.Frame{Func: ti.Coro}
	}
	return r
}

// awaitKey is an await chain as a key: function, file and line of each
// coroutine.
func awaitKey(stack []pydump.TaskFrame) string {
	var b strings.Builder
	for _, f := range stack {
		fmt.Fprintf(&b, "%s@%s:%d;", f.Func, f.File, f.Line)
	}
	return b.String()
}
