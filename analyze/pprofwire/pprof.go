package pprofwire

import (
	"slices"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
)

// Snapshot is one loaded profile, reduced to what a series needs: its
// header, and its samples aggregated by interned stack.
type Snapshot struct {
	Name              string
	Time              time.Time // zero when the profile has no time_nanos
	Duration          time.Duration
	SampleTypes       []series.ValueType
	DefaultSampleType string
	PeriodType        series.ValueType
	Period            int64
	Binary            string // build id or file of the main mapping; "" if none
	Negative          bool   // some value is negative (a delta profile)
	Truncated         int    // samples whose stacks may be cut at the depth limit

	// Stacks and Values hold the aggregated samples: Values has
	// len(SampleTypes) entries per stack, Stacks[i]'s at
	// Values[i*len(SampleTypes):].
	Stacks []int32
	Values []int64
	// Labels holds, per aggregated stack, the distinct label sets of its
	// samples (at most maxLabelSets); nil when no sample has labels.
	Labels [][]string
}

// addLabels records a label set of the i-th aggregated stack.
func (s *Snapshot) addLabels(i int, text string) {
	if s.Labels == nil {
		s.Labels = make([][]string, 0, len(s.Stacks))
	}
	for len(s.Labels) <= i {
		s.Labels = append(s.Labels, nil)
	}
	if len(s.Labels[i]) < maxLabelSets && !slices.Contains(s.Labels[i], text) {
		s.Labels[i] = append(s.Labels[i], text)
	}
}

// Value returns the value of the i-th aggregated stack at sample index k.
func (s *Snapshot) Value(i, k int) int64 { return s.Values[i*len(s.SampleTypes)+k] }

// kind names the sort of profile for messages: "heap", "goroutine" …
func (s *Snapshot) Kind() string {
	for _, st := range s.SampleTypes {
		switch st.Type {
		case "inuse_space", "alloc_space":
			return "heap"
		case "goroutine":
			return "goroutine"
		case "cpu", "samples":
			return "cpu"
		case "contentions", "delay":
			return "contention"
		}
	}
	if s.PeriodType.Type != "" {
		return s.PeriodType.Type
	}
	return "unknown"
}

// stackDepthLimits are the depths at which Go runtimes have cut stacks
// (32 before Go 1.23, 128 since; 64 in some runtime/pprof paths).
var stackDepthLimits = map[int]bool{32: true, 64: true, 128: true}

// isRootFrame reports whether a function is where Go stacks begin, so a
// stack ending there is complete.
func isRootFrame(fn string) bool {
	switch fn {
	case "runtime.goexit", "runtime.main", "runtime.mstart", "runtime.rt0_go", "main.main":
		return true
	}
	return false
}

// maxLabelSets bounds the distinct label sets kept per aggregated stack.
const maxLabelSets = 5
