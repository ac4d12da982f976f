package report

import (
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// column is one column of the rows table, shared by the text and Markdown
// writers.
type column struct {
	head  string
	right bool                    // numbers align right
	input bool                    // the cell holds text from an input: escape it
	cell  func(series.Row) string // the cell of one row
}

// columns picks the table's columns for a result: a series shows each
// row's change and trend; a single goroutine dump shows counts; goroutine
// rows add their state, wait and why they are suspects.
func columns(res *series.Result) []column {
	unit := res.SampleType.Unit
	single := res.Verdict.Snaps == 1
	var cols []column
	v := viewOf(res)
	switch lead := v.leadColumns(res); {
	case lead != nil:
		cols = append(cols, lead...)
	case single:
		cols = append(cols, column{head: "COUNT", right: true, cell: func(r series.Row) string { return units.Value(r.Last, unit) }})
	default:
		cols = append(cols,
			column{head: "CLASS", cell: classLabel},
			column{head: "FIRST", right: true, cell: func(r series.Row) string { return units.Value(r.First, unit) }},
			column{head: "LAST", right: true, cell: func(r series.Row) string { return units.Value(r.Last, unit) }},
			column{head: "CHANGE", right: true, cell: func(r series.Row) string { return units.Signed(r.Delta, unit) }},
			column{head: "%", right: true, cell: func(r series.Row) string { return pct(r.Trend) }},
			column{head: rateHeader(res), right: true, cell: func(r series.Row) string { return units.Signed(r.Slope*rateOf(res).scale, unit) }},
			column{head: "TREND", cell: func(r series.Row) string { return units.Sparkline(r.Values) }},
		)
	}
	cols = append(cols, v.columns(res)...)
	cols = append(cols, column{head: strings.ToUpper(res.Noun), input: true, cell: func(r series.Row) string { return rowTitle(res, r, true) }})
	return cols
}

// rowsTable lays out rows under the columns for the terminal.
func rowsTable(res *series.Result, rows []series.Row) *table {
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
