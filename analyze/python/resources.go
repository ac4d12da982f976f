package python

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/graph/pydump"
)

// ResourceInfo is what a row of resources carries besides its counts.
type ResourceInfo struct {
	// Holder is the retainer path most of the resource's objects share at
	// the last snapshot (the socket objects of socket descriptors, the
	// loop objects of event loops); nil when the dump ties none to an
	// object.
	Holder *heap.RetainerShape `json:"holder,omitempty"`
	// Objects counts the descriptors tied to an object of the dump, at
	// the last snapshot.
	Objects int `json:"objects"`
	// Examples are a few descriptions at the last snapshot (socket
	// addresses, file paths).
	Examples []string `json:"examples,omitempty"`
	// Extra counts, for event loops, the loops not closed at the last
	// snapshot but the running one (all of them when none runs); ExtraPath is
	// the retainer path most of them share, and Loops lists the first few
	// with each one's own path.
	Extra     int                 `json:"extra,omitempty"`
	ExtraPath *heap.RetainerShape `json:"extra_path,omitempty"`
	Loops     []LoopInfo          `json:"loops,omitempty"`
}

// maxLoops is how many extra event loops a report lists one by one.
const maxLoops = 5

// LoopInfo is one event loop of a dump.
type LoopInfo struct {
	ID      uint64              `json:"id"`
	Type    string              `json:"type"`
	Running bool                `json:"running"`
	Timers  int                 `json:"timers"`
	Path    *heap.RetainerShape `json:"path"`
}

// RowLoops is the key of the event-loop row of a resource result.
const RowLoops = "event loops not closed"

// DiffResources counts, per dump, open file descriptors by kind (socket,
// pipe, file, each anon_inode kind such as [eventpoll]) and the event
// loops that are not closed, and runs each through the series analysis.
// Suspects: growing kinds, and more than one event loop alive at the last
// snapshot — a process normally runs one; each extra one comes with the
// retainer path that keeps it. Socket and file descriptors are tied to
// the objects that own them, and their common retainer path given.
func DiffResources(ds *heap.DumpSeries) (*series.Result, error) {
	n := len(ds.Dumps)
	if n == 0 {
		return nil, fmt.Errorf("no heap dumps")
	}
	index := map[string]int{}
	var rows []series.Row
	row := func(key string) *series.Row {
		id, ok := index[key]
		if !ok {
			id = len(rows)
			index[key] = id
			rows = append(rows, series.Row{Key: key, Frame: series.Frame{Func: key}, Trend: series.Trend{Values: make([]float64, n)}, Detail: &ResourceInfo{}})
		}
		return &rows[id]
	}
	anyLoops := false
	for _, hd := range ds.Dumps {
		anyLoops = anyLoops || len(native(hd).Loops) > 0
	}
	for i, hd := range ds.Dumps {
		for _, fd := range native(hd).FDs {
			row(fdKind(fd)).Values[i]++
		}
		if anyLoops {
			r := row(RowLoops)
			for _, l := range native(hd).Loops {
				if !l.Closed {
					r.Values[i]++
				}
			}
		}
	}
	last := ds.Dumps[n-1]
	for i := range rows {
		describeResource(last, &rows[i])
	}
	ax := ds.Axis()
	for i := range rows {
		r := &rows[i]
		r.Trend = series.Analyze(ax, r.Values, series.Noise{}, 0)
		if n > 1 && r.Class == series.Growing {
			r.Reasons = append(r.Reasons, "growing")
		}
		if r.Key == RowLoops && r.Last > 1 {
			r.Reasons = append(r.Reasons, fmt.Sprintf("%d event loops alive and not closed", int(r.Last)))
		}
		r.Suspect = len(r.Reasons) > 0
	}
	slices.SortFunc(rows, func(a, b series.Row) int {
		if c := series.SuspectsFirst(a, b); c != 0 {
			return c
		}
		return series.ByTrendThenKey(a, b)
	})
	res := &series.Result{
		Kind: "resource", SampleType: series.ValueType{Type: "open", Unit: "count"}, By: series.ByResource, Noun: "resource",
		Rows: rows,
	}
	ds.Describe(ax, res)
	// the total counts descriptors, not loops
	res.Total = series.Analyze(ax, series.SumValues(rows, n, func(r *series.Row) bool { return r.Key != RowLoops }), series.Noise{}, 0)
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	return res, nil
}

// fdKind names a descriptor's kind: "socket fds", "anon_inode [eventpoll] fds".
func fdKind(fd pydump.FD) string {
	w := fd.What
	if w == "" {
		w = "other"
	}
	if w == "anon_inode" && fd.Detail != "" {
		return "anon_inode " + fd.Detail + " fds"
	}
	return w + " fds"
}

// maxExamples is how many descriptions a resource row keeps.
const maxExamples = 3

// describeResource fills a row's details from the last snapshot: the
// objects of its descriptors and their common retainer path, examples,
// and for event loops, each extra loop's path.
func describeResource(hd *heap.HeapDump, r *series.Row) {
	ri := ResourceOf(r)
	d := native(hd)
	if r.Key == RowLoops {
		var open []pydump.Loop
		for _, l := range d.Loops {
			if !l.Closed && l.Object >= 0 {
				open = append(open, l)
			}
		}
		// the running loop first: it is the one the process uses
		slices.SortStableFunc(open, func(a, b pydump.Loop) int {
			if a.Running != b.Running {
				if a.Running {
					return -1
				}
				return 1
			}
			return 0
		})
		var nodes []int32
		for _, l := range open {
			nodes = append(nodes, l.Object)
		}
		ri.Objects = len(nodes)
		ri.Holder = heap.CommonShape(hd, nodes)
		if len(open) > 1 {
			// beyond the running loop; all of them when none runs
			skip := 0
			if open[0].Running {
				skip = 1
			}
			extra := open[skip:]
			ri.Extra = len(extra)
			ri.ExtraPath = heap.CommonShape(hd, nodes[skip:])
			for _, l := range extra[:min(len(extra), maxLoops)] {
				li := LoopInfo{ID: d.Heap.IDs[l.Object], Type: l.Type, Running: l.Running, Timers: l.Timers}
				li.Path, _ = heap.PathOf(hd, l.Object)
				ri.Loops = append(ri.Loops, li)
			}
		}
		return
	}
	var nodes []int32
	seen := map[string]bool{}
	for _, fd := range d.FDs {
		if fdKind(fd) != r.Key {
			continue
		}
		if fd.Object >= 0 {
			nodes = append(nodes, fd.Object)
		}
		if ex := strings.TrimSpace(fd.Detail); ex != "" && !seen[ex] && len(ri.Examples) < maxExamples {
			seen[ex] = true
			ri.Examples = append(ri.Examples, ex)
		}
	}
	ri.Objects = len(nodes)
	ri.Holder = heap.CommonShape(hd, nodes)
}
