package profile

import (
	"cmp"
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
	ownNoise := growingSites(rows, opt, ax, maxTotal, n)
	out := rows[:0]
	for i := range rows {
		r := &rows[i]
		r.Allocated = max(0, allocN[i]-alloc0[i])
		if r.Allocated == 0 && slices.IndexFunc(r.Values, func(v float64) bool { return v != 0 }) < 0 {
			continue // present only with zero values
		}
		noise := opt.Noise
		if ownNoise[r.Frame] {
			noise.OfTotal = 0
		}
		r.Trend = series.Analyze(ax, r.Values, noise, maxTotal)
		r.Churn = r.Class != series.Growing && r.Allocated > churnFactor*max(r.Max, r.Noise)
		if r.Class == series.Growing {
			r.Suspect, r.Reasons = true, []string{"growing"}
		}
		r.Stack = tab.StackFrames(best[i])
		out = append(out, *r)
	}
	slices.SortFunc(out, series.ByTrendThenKey)
	if opt.By == series.ByStack {
		distinctTitles(out)
	}

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

// growingSites returns, for a diff by stack, the allocation sites that
// grow when their stacks are added up (what a diff by site calls
// growing); nil for the other key modes. A stack of such a site is judged
// against its own size only: the floor of a thousandth of the whole
// profile (Noise.OfTotal) keeps changes too small to matter out of the
// suspects, and the site's growth has cleared it already. Without this, a
// leak spread over several stacks, each below the floor, is found by site
// and missed by stack.
func growingSites(rows []series.Row, opt DiffOptions, ax series.Axis, maxTotal float64, n int) map[series.Frame]bool {
	if opt.By != series.ByStack {
		return nil
	}
	sums := map[series.Frame][]float64{}
	for _, r := range rows {
		v := sums[r.Frame]
		if v == nil {
			v = make([]float64, n)
			sums[r.Frame] = v
		}
		for i, x := range r.Values {
			v[i] += x
		}
	}
	out := map[series.Frame]bool{}
	for f, v := range sums {
		if series.Analyze(ax, v, opt.Noise, maxTotal).Class == series.Growing {
			out[f] = true
		}
	}
	return out
}

// titleFrames is how many frames from the site a stack row's name shows
// when that is enough to tell it from the others.
const titleFrames = 3

// SiteFrames returns a stack row's frames from its site (Row.Frame) on,
// leaving out the allocation machinery inside it.
func SiteFrames(r series.Row) []series.Frame {
	if i := slices.Index(r.Stack, r.Frame); i > 0 {
		return r.Stack[i:]
	}
	return r.Stack
}

// distinctTitles sets each stack row's TitleFrames and TitleLines so that
// no two rows' names read the same: a row shows three frames from its
// site, or one more than it shares with the most similar other row, so
// that it differs from every one (the shortest unique prefix: one more
// than its longest common prefix with its neighbours in sorted order);
// rows whose functions are the same to the end are named the same way by
// their frames with lines. O(rows · log rows) comparisons of frames.
func distinctTitles(rows []series.Row) {
	frames := make([][]series.Frame, len(rows))
	for i := range rows {
		frames[i] = SiteFrames(rows[i])
	}
	byFunc := func(a, b series.Frame) int { return strings.Compare(a.Func, b.Func) }
	byFrame := func(a, b series.Frame) int {
		return cmp.Or(strings.Compare(a.Func, b.Func), strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	}
	// name sets the rows' frames shown, ordered by cmpf: enough for the
	// prefix to differ from each neighbour's.
	name := func(idx []int, cmpf func(a, b series.Frame) int, lines bool) {
		slices.SortFunc(idx, func(a, b int) int { return slices.CompareFunc(frames[a], frames[b], cmpf) })
		common := func(a, b []series.Frame) int {
			n := 0
			for n < len(a) && n < len(b) && cmpf(a[n], b[n]) == 0 {
				n++
			}
			return n
		}
		for k, i := range idx {
			l := 0
			if k > 0 {
				l = common(frames[idx[k-1]], frames[i])
			}
			if k < len(idx)-1 {
				l = max(l, common(frames[i], frames[idx[k+1]]))
			}
			rows[i].TitleFrames = min(len(frames[i]), max(titleFrames, l+1))
			rows[i].TitleLines = lines
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	name(idx, byFunc, false)
	for k := 0; k < len(idx); { // runs of the same functions to the end: by lines
		j := k + 1
		for j < len(idx) && slices.CompareFunc(frames[idx[k]], frames[idx[j]], byFunc) == 0 {
			j++
		}
		if j-k > 1 {
			name(slices.Clone(idx[k:j]), byFrame, true)
		}
		k = j
	}
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
