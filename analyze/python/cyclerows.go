package python

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
)

// CycleInfo is what a row of reference cycles carries besides its counts.
type CycleInfo struct {
	Ring  []RingStep `json:"ring"`
	Break *BreakEdge `json:"break"`
	// Members is the number of objects on one cycle (its strongly
	// connected component, at the last snapshot where present).
	Members int `json:"members"`
	// Shallow and Retained are bytes per snapshot: on the cycles, and
	// what they keep alive (the cycles and what hangs off them only).
	Shallow  []float64 `json:"shallow"`
	Retained []float64 `json:"retained"`
	// InGarbage counts, at the last snapshot where present, the cycles
	// whose objects are in gc.garbage.
	InGarbage int `json:"in_garbage"`
	// Sample is the id of one cycle's first object, last snapshot where
	// present: `leakscan path --id` and `leakscan graph --id` take it.
	Sample uint64 `json:"sample"`
}

// Collector is the state of Python's cycle collector in a series: the
// last dump's, and whether it changed along the series.
type Collector struct {
	Enabled    bool  `json:"enabled"`
	SaveAll    bool  `json:"saveall"`
	Debug      int   `json:"debug"`
	Thresholds []int `json:"thresholds"`
	Counts     []int `json:"counts"`
	Changed    bool  `json:"changed"` // enabled or DEBUG_SAVEALL differ between dumps
	// Unreachable counts per snapshot the objects the roots do not reach
	// (without gc.garbage), on cycles or not, and their bytes.
	Unreachable      []float64 `json:"unreachable"`
	UnreachableBytes []float64 `json:"unreachable_bytes"`
}

// DiffCycles finds, in each dump, the objects only reference cycles keep
// alive, groups the cycles by ring (types and edge labels, whichever
// object the ring is read from), and runs each group's count through the
// series analysis. In a series the growing groups are suspects — but not,
// when the collector runs, a group that fell between two dumps: the
// collector frees it, and it only waits for the next run. In a single
// dump every group is a suspect when the collector cannot free them
// (disabled, or DEBUG_SAVEALL keeping them in gc.garbage).
func DiffCycles(ds *heap.DumpSeries) (*series.Result, error) {
	n := len(ds.Dumps)
	if n == 0 {
		return nil, fmt.Errorf("no heap dumps")
	}
	col := &Collector{Unreachable: make([]float64, n), UnreachableBytes: make([]float64, n)}
	index := map[string]int{}
	var rows []series.Row
	for i, hd := range ds.Dumps {
		scan := findCycles(hd)
		col.Unreachable[i] = float64(scan.unreachable)
		col.UnreachableBytes[i] = float64(scan.unreachableBytes)
		seen := map[int]bool{}
		for _, cy := range scan.cycles {
			id, ok := index[cy.key]
			if !ok {
				id = len(rows)
				index[cy.key] = id
				rows = append(rows, series.Row{Key: cy.key, Frame: series.Frame{Func: ringTitle(cy.ring)}, Trend: series.Trend{Values: make([]float64, n)},
					Detail: &CycleInfo{Shallow: make([]float64, n), Retained: make([]float64, n)}})
			}
			r := &rows[id]
			r.Values[i]++
			ci := CycleOf(r)
			ci.Shallow[i] += float64(cy.shallow)
			ci.Retained[i] += float64(cy.retained)
			if anchorID := hd.Dump.Heap.IDs[cy.anchor]; !seen[id] || anchorID < ci.Sample {
				// the last snapshot's instance with the least id describes
				// the group (whatever order the nodes are numbered in)
				if !seen[id] {
					ci.InGarbage = 0
				}
				seen[id] = true
				ci.Ring, ci.Break, ci.Members, ci.Sample = cy.ring, cy.brk, cy.members, anchorID
			}
			if cy.garbage {
				ci.InGarbage++
			}
		}
		g := native(hd).GC
		if i > 0 && (g.Enabled != col.Enabled || g.SaveAll != col.SaveAll) {
			col.Changed = true
		}
		col.Enabled, col.SaveAll, col.Debug, col.Thresholds, col.Counts = g.Enabled, g.SaveAll, g.Debug, g.Thresholds, g.Counts
	}
	ax := ds.Axis()
	totals := series.SumValues(rows, n, nil)
	kept := !col.Enabled || col.SaveAll
	for i := range rows {
		r := &rows[i]
		r.Trend = series.Analyze(ax, r.Values, series.Noise{}, 0)
		switch {
		case n > 1 && r.Class == series.Growing && !kept && r.Down > 0:
			// the collector runs and freed some of them between dumps:
			// garbage waiting for its next run, not a leak
			r.Reasons = []string{"freed by the collector between dumps"}
		case n > 1 && r.Class == series.Growing:
			r.Suspect, r.Reasons = true, []string{"growing"}
		case n == 1 && kept:
			r.Suspect, r.Reasons = true, []string{"never freed: " + collectorState(col)}
		}
		if r.Suspect && CycleOf(r).InGarbage > 0 {
			r.Reasons = append(r.Reasons, "in gc.garbage")
		}
	}
	slices.SortFunc(rows, func(a, b series.Row) int {
		if c := series.SuspectsFirst(a, b); c != 0 {
			return c
		}
		if n == 1 {
			if c := -cmp.Compare(lastOf(CycleOf(&a).Retained), lastOf(CycleOf(&b).Retained)); c != 0 {
				return c
			}
		}
		return series.ByTrendThenKey(a, b)
	})
	res := &series.Result{
		Kind: "cycle", SampleType: series.ValueType{Type: "cycles", Unit: "count"}, By: series.ByRing, Noun: "reference cycle",
		Rows: rows, Total: series.Analyze(ax, totals, series.Noise{}, 0), Detail: col,
	}
	ds.Describe(ax, res)
	if col.Changed {
		res.Warnings = append(res.Warnings, "the cycle collector's state (enabled, DEBUG_SAVEALL) changed between dumps; counts of cycles are not comparable across that change")
	}
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	return res, nil
}

// collectorState says in a few words what the collector does with cycles.
func collectorState(c *Collector) string {
	switch {
	case c.SaveAll:
		return "DEBUG_SAVEALL keeps every collected cycle in gc.garbage"
	case !c.Enabled:
		return "the cycle collector is disabled"
	}
	return "the cycle collector is enabled"
}

// ringTitle is a ring on one line, short type names:
// "ClientResponse → StreamReader → ClientPayloadError → traceback → frame ↺".
func ringTitle(ring []RingStep) string {
	parts := make([]string, 0, len(ring)+1)
	for _, s := range ring {
		t := heap.ShortType(s.Type)
		if s.Note != "" {
			t += "(" + s.Note + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " → ") + " ↺"
}

func lastOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
