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

// Delta is the change from the first value to the last; 0 for none.
func Delta(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1] - vs[0]
}
