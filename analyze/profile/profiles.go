package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// ProfileSeries is a series of pprof profiles of one kind, in time order,
// whose stacks share one intern table.
type ProfileSeries struct {
	Snapshots []*pprofwire.Snapshot
	Args      []int // Snapshots[i] was the Args[i]-th input given
	Warnings  []string
	tab       *stack.Table
}

// LoadProfiles parses every source as a pprof profile and checks that they
// form one series: the same sample types and units. It orders them by
// their times when every profile has one (and warns when that differs from
// the order given), and warns when the binaries differ or a profile looks
// like a delta profile. Each source should be gated to profiles
// (Source.WithGate, as analyze.Load does), so that the error for another
// format can say what it is.
func LoadProfiles(srcs []input.Source) (*ProfileSeries, error) {
	ps := &ProfileSeries{tab: stack.NewTable()}
	// One goroutine reads, decompresses and decodes the tables of the next
	// profile while this one interns the stacks of the current one; the
	// unbuffered channel keeps at most two profiles' bytes in memory.
	type decoded struct {
		data []byte
		raw  *pprofwire.Tables
		err  error
	}
	ch := make(chan decoded)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for _, src := range srcs {
			var d decoded
			d.data, d.err = src.Bytes()
			if d.err == nil {
				d.raw, d.err = pprofwire.ReadTables(src.Name, d.data)
			}
			select {
			case ch <- d:
			case <-done:
				return
			}
			if d.err != nil {
				return
			}
		}
	}()
	i := 0
	for d := range ch {
		if d.err != nil {
			return nil, d.err
		}
		s, err := pprofwire.BuildSnapshot(srcs[i].Name, d.data, d.raw, ps.tab)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			if err := sameKind(ps.Snapshots[0], s); err != nil {
				return nil, err
			}
		}
		ps.Snapshots = append(ps.Snapshots, s)
		ps.Args = append(ps.Args, i)
		i++
	}
	ps.order()
	ps.warn()
	return ps, nil
}

func sameKind(first, s *pprofwire.Snapshot) error {
	if slices.Equal(first.SampleTypes, s.SampleTypes) {
		return nil
	}
	return &input.InputError{File: s.Name, Msg: fmt.Sprintf(
		"a %s profile with sample types %s, expected %s like %s: compare profiles of one kind",
		s.Kind(), joinTypes(s.SampleTypes), joinTypes(first.SampleTypes), first.Name)}
}

func joinTypes(ts []series.ValueType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// order sorts the snapshots by time when all have one.
func (ps *ProfileSeries) order() {
	for _, s := range ps.Snapshots {
		if s.Time.IsZero() {
			if len(ps.Snapshots) > 1 {
				ps.Warnings = append(ps.Warnings, fmt.Sprintf("%s has no time: the series is in the order given, and growth is per snapshot, not per hour", s.Name))
			}
			return
		}
	}
	idx := make([]int, len(ps.Snapshots))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps.Snapshots[idx[a]].Time.Before(ps.Snapshots[idx[b]].Time) })
	if sort.IntsAreSorted(idx) {
		return
	}
	snaps := make([]*pprofwire.Snapshot, len(idx))
	names := make([]string, len(idx))
	for i, j := range idx {
		snaps[i] = ps.Snapshots[j]
		names[i] = snaps[i].Name
	}
	ps.Snapshots, ps.Args = snaps, idx
	ps.Warnings = append(ps.Warnings, "ordered by the profiles' own times, not as given: "+strings.Join(names, ", "))
}

// warn notes what makes the comparison doubtful.
func (ps *ProfileSeries) warn() {
	first := ps.Snapshots[0]
	for _, s := range ps.Snapshots[1:] {
		if s.Binary != first.Binary {
			ps.Warnings = append(ps.Warnings, fmt.Sprintf("%s comes from another binary than %s (%s vs %s): sites of a rebuilt binary may have moved lines",
				s.Name, first.Name, orNone(s.Binary), orNone(first.Binary)))
			break
		}
	}
	for i, s := range ps.Snapshots {
		if i > 0 && s.Time.Equal(ps.Snapshots[i-1].Time) && !s.Time.IsZero() {
			ps.Warnings = append(ps.Warnings, fmt.Sprintf("%s has the same time as %s: the same profile twice?", s.Name, ps.Snapshots[i-1].Name))
		}
		if s.Duration > 0 || s.Negative {
			why := "negative values"
			if s.Duration > 0 {
				why = fmt.Sprintf("a duration of %s", s.Duration.Round(time.Millisecond))
			}
			if s.Kind() == "heap" {
				ps.Warnings = append(ps.Warnings, fmt.Sprintf("%s looks like a delta profile (%s, as from ?seconds=N): its values are changes over that time, not totals", s.Name, why))
			}
		}
		if s.Truncated > 0 {
			ps.Warnings = append(ps.Warnings, fmt.Sprintf("%s: %d samples have stacks cut at the runtime's depth limit; their sites may merge wrongly", s.Name, s.Truncated))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Inputs describes the snapshots for a report.
func (ps *ProfileSeries) Inputs() []series.Input {
	out := make([]series.Input, len(ps.Snapshots))
	for i, s := range ps.Snapshots {
		out[i] = series.Input{Name: s.Name, Arg: ps.Args[i], Time: s.Time, Duration: s.Duration, SampleTypes: s.SampleTypes, Binary: s.Binary, Format: string(input.FormatPprof)}
	}
	return out
}

// Times returns the snapshot times, zero where unknown.
func (ps *ProfileSeries) Times() []time.Time {
	out := make([]time.Time, len(ps.Snapshots))
	for i, s := range ps.Snapshots {
		out[i] = s.Time
	}
	return out
}
