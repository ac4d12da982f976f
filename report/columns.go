package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze"
)

// column is one column of the rows table, shared by the text and Markdown
// writers.
type column struct {
	head  string
	right bool                     // numbers align right
	input bool                     // the cell holds text from an input: escape it
	cell  func(analyze.Row) string // the cell of one row
}

// columns picks the table's columns for a result: a series shows each
// row's change and trend; a single goroutine dump shows counts; goroutine
// rows add their state, wait and why they are suspects.
func columns(res *analyze.Result) []column {
	unit := res.SampleType.Unit
	single := res.Verdict.Snaps == 1
	var cols []column
	switch {
	case single && res.By == analyze.ByType:
		// a heap dump's types: every measure at once, ranked by the one chosen
		cols = append(cols,
			column{head: "COUNT", right: true, cell: func(r analyze.Row) string { return Value(float64(r.Sizes.Count), "count") }},
			column{head: "SHALLOW", right: true, cell: func(r analyze.Row) string { return Value(float64(r.Sizes.Shallow), "bytes") }},
			column{head: "RETAINED", right: true, cell: func(r analyze.Row) string { return Value(float64(r.Sizes.Retained), "bytes") }},
		)
	case single:
		cols = append(cols, column{head: "COUNT", right: true, cell: func(r analyze.Row) string { return Value(r.Last, unit) }})
	default:
		cols = append(cols,
			column{head: "CLASS", cell: classLabel},
			column{head: "FIRST", right: true, cell: func(r analyze.Row) string { return Value(r.First, unit) }},
			column{head: "LAST", right: true, cell: func(r analyze.Row) string { return Value(r.Last, unit) }},
			column{head: "CHANGE", right: true, cell: func(r analyze.Row) string { return Signed(r.Delta, unit) }},
			column{head: "%", right: true, cell: func(r analyze.Row) string { return pct(r.Trend) }},
			column{head: rateHeader(res), right: true, cell: func(r analyze.Row) string { return Signed(r.Slope, unit) }},
			column{head: "TREND", cell: func(r analyze.Row) string { return Sparkline(r.Values) }},
		)
	}
	if res.Kind == "goroutine" {
		cols = append(cols,
			column{head: "STATE", input: true, cell: goState},
			column{head: "WAIT", right: true, cell: goWait},
			column{head: "WHY", cell: func(r analyze.Row) string { return strings.Join(r.Reasons, "; ") }},
		)
	}
	cols = append(cols, pyColumns(res)...)
	cols = append(cols, column{head: strings.ToUpper(res.Noun), input: true, cell: func(r analyze.Row) string { return rowTitle(r, res.By, true) }})
	return cols
}

// goState is a group's state: its class, or its exact statuses when they
// differ from the class.
func goState(r analyze.Row) string {
	if r.Go == nil {
		return ""
	}
	if len(r.Go.States) == 1 || (len(r.Go.States) > 1 && r.Go.State == "") {
		return r.Go.States[0].State
	}
	if r.Go.State == "" {
		return "—"
	}
	return r.Go.State
}

// goWait is a group's wait range in minutes.
func goWait(r analyze.Row) string {
	switch {
	case r.Go == nil || r.Go.MaxWait < 0:
		return "—"
	case r.Go.MinWait == r.Go.MaxWait:
		return fmt.Sprintf("%d min", r.Go.MaxWait)
	}
	return fmt.Sprintf("%d–%d min", max(r.Go.MinWait, 0), r.Go.MaxWait)
}

// rowsTable lays out rows under the columns for the terminal.
func rowsTable(res *analyze.Result, rows []analyze.Row) *table {
	cols := columns(res)
	t := &table{right: []bool{true}}
	head := []string{"#"}
	for _, c := range cols {
		t.right = append(t.right, c.right)
		head = append(head, c.head)
	}
	t.add(head...)
	for i, r := range rows {
		cells := []string{strconv.Itoa(i + 1)}
		for _, c := range cols {
			cells = append(cells, c.cell(r))
		}
		t.add(cells...)
	}
	return t
}
