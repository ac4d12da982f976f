package series

import (
	"strings"
	"time"
)

// This file holds the tail every analysis shares: once each key's values
// are accumulated, rows are analysed, ordered and summed up the same way.

// ByTrendThenKey orders rows by their trends (see Less), then by key, so
// that every listing is deterministic.
func ByTrendThenKey(a, b Row) int {
	if c := Less(&a.Trend, &b.Trend); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

// SuspectsFirst orders suspect rows before the others; 0 when both are
// or are not.
func SuspectsFirst(a, b Row) int {
	switch {
	case a.Suspect == b.Suspect:
		return 0
	case a.Suspect:
		return -1
	}
	return 1
}

// SumValues adds up, per snapshot, the values of the rows keep accepts
// (all when keep is nil).
func SumValues(rows []Row, n int, keep func(*Row) bool) []float64 {
	totals := make([]float64, n)
	for i := range rows {
		if keep != nil && !keep(&rows[i]) {
			continue
		}
		for j, v := range rows[i].Values {
			totals[j] += v
		}
	}
	return totals
}

// VerdictOf sums up the suspects of a series of snaps snapshots.
func VerdictOf(suspects []Row, span time.Duration, snaps int) Verdict {
	v := Verdict{Span: span, Snaps: snaps, Suspects: len(suspects)}
	for _, r := range suspects {
		if r.Class == Growing && snaps > 1 {
			v.Growing++
			v.Growth += r.Delta
		}
		if r.Confirmed {
			v.Confirmed++
		}
	}
	return v
}

// Table accumulates the values of keyed rows over a series of n
// snapshots: Row returns the row of a key, made by mk the first time the
// key is seen, so that an analysis only says which key each object,
// sample or group adds to.
type Table struct {
	n     int
	index map[string]int
	Rows  []Row
}

// NewTable returns an empty table for n snapshots.
func NewTable(n int) *Table { return &Table{n: n, index: map[string]int{}} }

// Row returns the row of key, creating it with mk (which may be nil)
// when the key is new; its Values has one entry per snapshot.
func (t *Table) Row(key string, mk func() Row) *Row {
	if i, ok := t.index[key]; ok {
		return &t.Rows[i]
	}
	var r Row
	if mk != nil {
		r = mk()
	}
	r.Key = key
	r.Values = make([]float64, t.n)
	t.index[key] = len(t.Rows)
	t.Rows = append(t.Rows, r)
	return &t.Rows[len(t.Rows)-1]
}

// Delta is the change from the first value to the last; 0 for none.
func Delta(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1] - vs[0]
}
