package goroutine

import "github.com/leakscan/leakscan/analyze/series"

// Info is what a row of goroutines carries besides its counts, taken
// from the last snapshot in which the group appears.
type Info struct {
	State     string       // state class; "" when the formats carry none
	States    []StateCount // exact statuses
	MinWait   int          // minutes; -1 unknown
	MaxWait   int
	Creator   *series.Frame // the `go` statement; nil when unknown
	IDs       []int64
	Parents   []int64
	Labels    []string
	Leaked    int // goroutines the runtime's leak detection marked, at the last snapshot where present
	Confirmed bool
	Locked    int
	Elided    bool
}

// InfoOf returns what a goroutine group adds to its row; nil for a row of
// another analysis.
func InfoOf(r *series.Row) *Info {
	gi, _ := r.Detail.(*Info)
	return gi
}
