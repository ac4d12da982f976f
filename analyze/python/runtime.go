package python

import (
	"errors"
	"fmt"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph/pydump"
)

// Runtime is Python's hook for the format-neutral heap analyses.
var Runtime = &heap.Runtime{
	Name: "Python",
	Own:  func(typ string) bool { return strings.HasPrefix(typ, "builtins.") },
	Secret: func(typ string) bool {
		switch typ {
		case "builtins.str", "builtins.bytes", "builtins.bytearray":
			return true
		}
		return false
	},
	Note:         objectNote,
	StableIDs:    true,
	CycleGarbage: true,
	ParkedKinds:  []string{pydump.KindGarbage},
}

// Read reads a Python heap dump written by leakscan_dump.py: the reader
// of its format's registry row.
func Read(name string, data []byte) (*heap.Dump, error) {
	d, err := pydump.Parse(data)
	if err != nil {
		var pe *pydump.Error
		if errors.As(err, &pe) {
			return nil, &input.InputError{File: name, Pos: fmt.Sprintf("line %d", pe.Line), Msg: pe.Msg}
		}
		return nil, &input.InputError{File: name, Msg: "malformed Python heap dump", Err: err}
	}
	hd := &heap.Dump{Heap: d.Heap, Format: string(input.FormatPyDump), Time: d.Time, PID: d.PID,
		Warnings: d.Warnings, Runtime: Runtime, Native: d}
	if d.Allocs != nil {
		hd.Allocs = d.Allocs
		hd.AllocStacks = make([][]series.Frame, len(d.Tracebacks))
		for i, frames := range d.Tracebacks {
			// tracemalloc lists a traceback outermost first; no function
			// names.
			st := make([]series.Frame, len(frames))
			for j, f := range frames {
				st[len(frames)-1-j] = series.Frame{File: f.File, Line: int64(f.Line)}
			}
			hd.AllocStacks[i] = st
		}
	}
	return hd, nil
}

// Is reports whether a series holds Python dumps, which the analyses of
// this package need.
func Is(ds *heap.DumpSeries) bool { return ds.Runtime() == Runtime }

// native is the Python reader's own model of a dump.
func native(hd *heap.HeapDump) *pydump.Dump { return hd.Dump.Native.(*pydump.Dump) }

// CycleOf returns what a group of reference cycles adds to its row; nil
// for a row of another analysis.
func CycleOf(r *series.Row) *CycleInfo {
	ci, _ := r.Detail.(*CycleInfo)
	return ci
}

// TaskOf returns what a group of asyncio work adds to its row; nil for a
// row of another analysis.
func TaskOf(r *series.Row) *TaskInfo {
	ti, _ := r.Detail.(*TaskInfo)
	return ti
}

// ResourceOf returns what a kind of resource adds to its row; nil for a
// row of another analysis.
func ResourceOf(r *series.Row) *ResourceInfo {
	ri, _ := r.Detail.(*ResourceInfo)
	return ri
}

// CollectorOf returns the collector's state a cycle analysis adds to its
// result; nil for another analysis.
func CollectorOf(res *series.Result) *Collector {
	c, _ := res.Detail.(*Collector)
	return c
}
