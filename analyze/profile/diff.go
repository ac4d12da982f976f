package profile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// DiffOptions chooses what a profile diff compares and how it keys samples.
type DiffOptions struct {
	Sample       string // sample type name; "" picks the default (see SelectSample)
	By           series.KeyMode
	KeepProfiler bool           // keep the profiler's own allocations
	Focus        *regexp.Regexp // keep only samples with a frame matching (function or file)
	Ignore       *regexp.Regexp // drop samples with a frame matching
	Noise        series.Noise
}

// SelectSample returns the index of the sample type to compare: the named
// one, else inuse_space when present (heap profiles), else the profile's
// default_sample_type, else the last one (pprof's rule).
func SelectSample(s *pprofwire.Snapshot, name string) (int, error) {
	find := func(n string) int {
		return slices.IndexFunc(s.SampleTypes, func(t series.ValueType) bool { return t.Type == n })
	}
	if name != "" {
		if i := find(name); i >= 0 {
			return i, nil
		}
		avail := make([]string, len(s.SampleTypes))
		for i, t := range s.SampleTypes {
			avail[i] = t.Type
		}
		return 0, fmt.Errorf("no sample type %q in these profiles; available: %s", name, strings.Join(avail, ", "))
	}
	for _, n := range []string{"inuse_space", s.DefaultSampleType} {
		if i := find(n); n != "" && i >= 0 {
			return i, nil
		}
	}
	if len(s.SampleTypes) == 0 {
		return 0, fmt.Errorf("%s has no sample types", s.Name)
	}
	return len(s.SampleTypes) - 1, nil
}

// churnFactor: a row that allocated more than this many times its largest
// in-use value over the series, and did not grow, is churn.
const churnFactor = 10

// allocIndex returns the index of the cumulative alloc_* sample type that
// goes with an inuse_* one, or -1.
func allocIndex(s *pprofwire.Snapshot, inuse string) int {
	rest, ok := strings.CutPrefix(inuse, "inuse_")
	if !ok {
		return -1
	}
	return slices.IndexFunc(s.SampleTypes, func(t series.ValueType) bool { return t.Type == "alloc_"+rest })
}

// Diff computes every key's series across the profiles and classifies it.
func Diff(ps *ProfileSeries, opt DiffOptions) (*series.Result, error) {
	k, st, memory, err := ps.sample(opt.Sample)
	if err != nil {
		return nil, err
	}
	first := ps.Snapshots[0]
	if opt.By == "" {
		opt.By = series.BySite
	}
	tab := ps.tab
	flags := stack.FlagsOf(tab, opt.filter(memory))

	// Key every stack once: -1 hidden as the profiler's, -2 filtered out.
	n := len(ps.Snapshots)
	keyOf := make([]int32, tab.NumStacks())
	keyIdx := map[rowKey]int32{}
	var rows []series.Row
	for sid := range keyOf {
		key, keep := stackKey(tab, int32(sid), flags, opt)
		if keep < 0 {
			keyOf[sid] = int32(keep)
			continue
		}
		id, ok := keyIdx[key]
		if !ok {
			id = int32(len(rows))
			keyIdx[key] = id
			rows = append(rows, series.Row{Key: key.String(tab), Frame: key.frame, Trend: series.Trend{Values: make([]float64, n)}})
		}
		keyOf[sid] = id
		rows[id].Stacks++
	}

	// Sum values; remember each row's biggest stack at the last snapshot in
	// which the row appears.
	hidden := make([]float64, n)
	ka := allocIndex(first, st.Type)
	alloc0, allocN := make([]float64, len(rows)), make([]float64, len(rows))
	best := make([]int32, len(rows))
	bestAt := make([]int, len(rows))
	bestVal := make([]int64, len(rows))
	for i := range best {
		best[i], bestAt[i] = -1, -1
	}
	for i, s := range ps.Snapshots {
		for j, sid := range s.Stacks {
			v := s.Value(j, k)
			switch id := keyOf[sid]; {
			case id == -1:
				hidden[i] += float64(v)
			case id >= 0:
				rows[id].Values[i] += float64(v)
				if ka >= 0 && i == 0 {
					alloc0[id] += float64(s.Value(j, ka))
				}
				if ka >= 0 && i == n-1 {
					allocN[id] += float64(s.Value(j, ka))
				}
				if i > bestAt[id] || v > bestVal[id] {
					best[id], bestAt[id], bestVal[id] = sid, i, v
				}
			}
		}
	}

	ax := series.NewAxis(ps.Times())
	totals := make([]float64, n)
	for _, r := range rows {
		for i, v := range r.Values {
			totals[i] += v
		}
	}
	maxTotal := slices.Max(totals)
	out := rows[:0]
	for i := range rows {
		r := &rows[i]
		r.Allocated = max(0, allocN[i]-alloc0[i])
		if r.Allocated == 0 && slices.IndexFunc(r.Values, func(v float64) bool { return v != 0 }) < 0 {
			continue // present only with zero values
		}
		r.Trend = series.Analyze(ax, r.Values, opt.Noise, maxTotal)
		r.Churn = r.Class != series.Growing && r.Allocated > churnFactor*max(r.Max, r.Noise)
		if r.Class == series.Growing {
			r.Suspect, r.Reasons = true, []string{"growing"}
		}
		r.Stack = tab.StackFrames(best[i])
		out = append(out, *r)
	}
	slices.SortFunc(out, series.ByTrendThenKey)

	res := &series.Result{
		Kind:       series.Kind(first.Kind()),
		SampleType: st,
		By:         opt.By,
		Noun:       opt.By.Noun(memory),
		PerHour:    ax.PerHour,
		Inputs:     ps.Inputs(),
		Rows:       out,
		Total:      series.Analyze(ax, totals, opt.Noise, maxTotal),
		Warnings:   slices.Clone(ps.Warnings),
	}
	if !opt.KeepProfiler && slices.Max(hidden) > 0 {
		res.Hidden = hidden
	}
	if opt.Focus != nil {
		res.Focus = opt.Focus.String()
	}
	if opt.Ignore != nil {
		res.Ignore = opt.Ignore.String()
	}
	if t0, t1 := ps.Snapshots[0].Time, ps.Snapshots[n-1].Time; ax.PerHour {
		res.Span = t1.Sub(t0)
	}
	for _, r := range out {
		if r.Churn {
			res.Churn = append(res.Churn, r)
		}
	}
	slices.SortStableFunc(res.Churn, func(a, b series.Row) int {
		switch {
		case a.Allocated > b.Allocated:
			return -1
		case a.Allocated < b.Allocated:
			return 1
		}
		return 0
	})
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	return res, nil
}

// rowKey identifies a row: by its frame (by site, or by function with only
// the name set), or by its stack id (by stack).
type rowKey struct {
	frame series.Frame
	stack int32 // -1 unless by stack
}

// String is the row's Key: "pkg.Func file:line", the function name, or
// the stack's frames one per line.
func (k rowKey) String(tab *stack.Table) string {
	switch {
	case k.stack >= 0:
		var b strings.Builder
		for i, f := range tab.StackFrames(k.stack) {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(f.String())
		}
		return b.String()
	case k.frame.File == "" && k.frame.Line == 0:
		return k.frame.Func
	}
	return k.frame.String()
}

// stackKey returns the row key of a stack under the key mode; keep is -1
// for the profiler's own samples, -2 for samples the focus and ignore
// filters drop, and 0 otherwise.
func stackKey(tab *stack.Table, sid int32, flags []stack.Flags, opt DiffOptions) (key rowKey, keep int) {
	ids := tab.FrameIDs(sid)
	all := stack.Union(ids, flags)
	if all&stack.Profiler != 0 {
		return key, -1
	}
	if (opt.Focus != nil && all&stack.Focused == 0) || all&stack.Ignored != 0 {
		return key, -2
	}
	site := stack.SiteIndex(ids, flags)
	key.stack = -1
	if len(ids) > 0 {
		key.frame = tab.FrameAt(ids[site])
	}
	switch opt.By {
	case series.ByFunction:
		key.frame = series.Frame{Func: key.frame.Func}
	case series.ByStack:
		key.stack = sid
	}
	return key, 0
}

// sample picks the series' sample type by name (the default when ""):
// its index, its type, and whether it measures memory.
func (ps *ProfileSeries) sample(name string) (int, series.ValueType, bool, error) {
	if len(ps.Snapshots) == 0 {
		return 0, series.ValueType{}, false, fmt.Errorf("no profiles")
	}
	k, err := SelectSample(ps.Snapshots[0], name)
	if err != nil {
		return 0, series.ValueType{}, false, err
	}
	st := ps.Snapshots[0].SampleTypes[k]
	memory := st.Unit == "bytes" || strings.HasSuffix(st.Type, "_objects") || strings.HasSuffix(st.Type, "_space")
	return k, st, memory, nil
}

// filter is the frame filter of the options; memory marks the allocation
// machinery.
func (o DiffOptions) filter(memory bool) stack.Filter {
	return stack.Filter{Memory: memory, KeepProfiler: o.KeepProfiler, Focus: o.Focus, Ignore: o.Ignore}
}
