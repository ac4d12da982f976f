package goroutine

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// GoOptions chooses what a goroutine analysis keeps and flags.
type GoOptions struct {
	Focus  *regexp.Regexp // keep only groups with a frame matching (function or file)
	Ignore *regexp.Regexp // drop groups with a frame matching
	// LongWait is the wait, in minutes, from which a blocked group of a
	// single dump is a suspect (default 10).
	LongWait int
}

// goMachinery matches the frames of the runtime and standard library's
// blocking primitives, which a goroutine's row skips to name the frame of
// its own code that waits (the full stack is kept).
var goMachinery = regexp.MustCompile(`^(runtime\.|internal/|sync\.|sync/atomic\.|time\.Sleep$)`)

// goSite names where a group waits: the innermost frame of its own code;
// for a goroutine of the runtime's own, the function it runs (the frame
// before runtime.goexit).
func goSite(stack []series.Frame) series.Frame {
	for _, f := range stack {
		if !goMachinery.MatchString(f.Func) {
			return f
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].Func != "runtime.goexit" {
			return stack[i]
		}
	}
	return series.Frame{}
}

// goNoise: goroutine counts are exact, so every change counts.
var goNoise = series.Noise{}

// DiffGoroutines groups every snapshot's goroutines, runs each group's
// count through the series analysis and picks the suspects:
//
//   - in a series: the growing groups, the groups the runtime's
//     goroutineleak detection marked (confirmed leaked by the runtime), and
//     the groups that changed and are blocked in a channel, select, sync or
//     I/O wait for LongWait minutes or more; a constant group — a worker
//     pool — is not a suspect however large, nor however long it waited;
//   - in a single dump: the confirmed groups, and the groups blocked in a
//     channel, select, sync or I/O wait for LongWait minutes or more.
//
// Groups are keyed by normalized stack, and by state class and creator
// when every snapshot records them (tracebacks do; proto and debug=1
// profiles do not), so that a series may mix formats.
func DiffGoroutines(gs *GoroutineSeries, opt GoOptions) (*series.Result, error) {
	if len(gs.Dumps) == 0 {
		return nil, fmt.Errorf("no goroutine dumps")
	}
	if opt.LongWait <= 0 {
		opt.LongWait = 10
	}
	n := len(gs.Dumps)
	keyState, keyCreator := true, true
	for _, d := range gs.Dumps {
		keyState = keyState && d.HasState
		keyCreator = keyCreator && d.HasCreator
	}
	tab := gs.tab
	flags := stack.FlagsOf(tab, opt.filter())
	hidden := make([]float64, n)
	index := map[goKey]int{}
	var rows []series.Row
	lastSeen := []int{}
	for i, d := range gs.Dumps {
		for _, g := range d.Groups {
			if isProfilerGroup(tab, g, flags) {
				hidden[i] += float64(g.Count)
				continue
			}
			if !keepGroup(tab, g, flags, opt) {
				continue
			}
			k := goKey{stack: g.Stack, creator: -1}
			if keyState {
				k.state = g.State
			}
			if keyCreator {
				k.creator = g.Creator
			}
			id, ok := index[k]
			if !ok {
				id = len(rows)
				index[k] = id
				rows = append(rows, goRow(tab, k, n))
				lastSeen = append(lastSeen, -1)
			}
			r := &rows[id]
			r.Values[i] += float64(g.Count)
			mergeGroup(InfoOf(r), g, i > lastSeen[id])
			lastSeen[id] = i
		}
	}
	times := make([]time.Time, n)
	for i, d := range gs.Dumps {
		times[i] = d.Time
	}
	ax := series.NewAxis(times)
	totals := make([]float64, n)
	for _, r := range rows {
		for i, v := range r.Values {
			totals[i] += v
		}
	}
	for i := range rows {
		r := &rows[i]
		r.Trend = series.Analyze(ax, r.Values, goNoise, 0)
		r.Suspect, r.Reasons = goSuspect(r, n, opt)
		r.Confirmed = InfoOf(r).Confirmed
	}
	slices.SortFunc(rows, func(a, b series.Row) int {
		if c := series.SuspectsFirst(a, b); c != 0 {
			return c
		}
		if a.Confirmed != b.Confirmed {
			if a.Confirmed {
				return -1
			}
			return 1
		}
		if n == 1 && a.Last != b.Last {
			if a.Last > b.Last {
				return -1
			}
			return 1
		}
		return series.ByTrendThenKey(a, b)
	})
	res := &series.Result{
		Kind:       Kind,
		SampleType: series.ValueType{Type: "goroutines", Unit: "count"},
		By:         series.ByGroup,
		Noun:       "goroutine group",
		GroupedBy:  groupedBy(keyState, keyCreator),
		PerHour:    ax.PerHour,
		Rows:       rows,
		Total:      series.Analyze(ax, totals, goNoise, 0),
		Warnings:   slices.Clone(gs.Warnings),
	}
	for i, d := range gs.Dumps {
		res.Inputs = append(res.Inputs, series.Input{Name: d.Name, Arg: i, Time: d.Time, Format: string(d.Format)})
	}
	if slices.Max(hidden) > 0 {
		res.Hidden = hidden
	}
	if opt.Focus != nil {
		res.Focus = opt.Focus.String()
	}
	if opt.Ignore != nil {
		res.Ignore = opt.Ignore.String()
	}
	if ax.PerHour {
		res.Span = gs.Dumps[n-1].Time.Sub(gs.Dumps[0].Time)
	}
	if !keyState || !keyCreator {
		if slices.ContainsFunc(gs.Dumps, func(d *GoroutineDump) bool { return d.HasState }) {
			res.Warnings = append(res.Warnings, "some inputs record no states or creators (proto or debug=1 profiles): groups are keyed by stack alone")
		}
	}
	res.Verdict = series.VerdictOf(res.Suspects(), res.Span, n)
	return res, nil
}

func groupedBy(state, creator bool) string {
	switch {
	case state && creator:
		return "stack, state and creator"
	case state:
		return "stack and state"
	case creator:
		return "stack and creator"
	}
	return "stack"
}

// isProfilerGroup tells the goroutine that was writing the profile itself
// (runtime/pprof, net/http/pprof on its stack): it differs with every way
// of taking a dump, so it is hidden like the profiler's allocations.
func isProfilerGroup(tab *stack.Table, g *GoGroup, flags []stack.Flags) bool {
	for _, id := range tab.FrameIDs(g.Stack) {
		if flags[id]&stack.Profiler != 0 {
			return true
		}
	}
	return false
}

// keepGroup applies --focus and --ignore to a group's stack and creator.
func keepGroup(tab *stack.Table, g *GoGroup, flags []stack.Flags, opt GoOptions) bool {
	if opt.Focus == nil && opt.Ignore == nil {
		return true
	}
	var all stack.Flags
	for _, id := range tab.FrameIDs(g.Stack) {
		all |= flags[id]
	}
	if g.Creator >= 0 {
		all |= flags[g.Creator]
	}
	return (opt.Focus == nil || all&stack.Focused != 0) && all&stack.Ignored == 0
}

// goRow makes the row of a group key.
func goRow(tab *stack.Table, k goKey, n int) series.Row {
	stack := tab.StackFrames(k.stack)
	gi := &Info{State: k.state, MinWait: -1, MaxWait: -1}
	r := series.Row{Stack: stack, Stacks: 1, Detail: gi, Trend: series.Trend{Values: make([]float64, n)}}
	r.Frame = goSite(stack)
	if k.creator >= 0 {
		f := tab.FrameAt(k.creator)
		gi.Creator = &f
	}
	var b strings.Builder
	if k.state != "" {
		b.WriteString("[" + k.state + "] ")
	}
	for i, f := range stack {
		if i > 0 {
			b.WriteString(" ← ")
		}
		b.WriteString(f.String())
	}
	if gi.Creator != nil {
		b.WriteString(" (created by " + gi.Creator.String() + ")")
	}
	r.Key = b.String()
	return r
}

// mergeGroup folds a snapshot's group into its row; the details of the
// latest snapshot win.
func mergeGroup(gi *Info, g *GoGroup, newer bool) {
	if newer {
		gi.States = nil
		gi.MinWait, gi.MaxWait = -1, -1
		gi.IDs, gi.Parents = nil, nil
		gi.Leaked, gi.Locked = 0, 0
	}
	for _, sc := range g.States {
		j := slices.IndexFunc(gi.States, func(x StateCount) bool { return x.State == sc.State })
		if j < 0 {
			gi.States = append(gi.States, sc)
		} else {
			gi.States[j].Count += sc.Count
		}
	}
	if g.MinWait >= 0 && (gi.MinWait < 0 || g.MinWait < gi.MinWait) {
		gi.MinWait = g.MinWait
	}
	gi.MaxWait = max(gi.MaxWait, g.MaxWait)
	for _, id := range g.IDs {
		gi.IDs = keepSmallest(gi.IDs, id)
	}
	for _, p := range g.Parents {
		if !slices.Contains(gi.Parents, p) && len(gi.Parents) < groupSamples {
			gi.Parents = append(gi.Parents, p)
		}
	}
	for _, l := range g.Labels {
		if !slices.Contains(gi.Labels, l) && len(gi.Labels) < groupSamples {
			gi.Labels = append(gi.Labels, l)
		}
	}
	gi.Leaked += g.Leaked
	gi.Confirmed = gi.Confirmed || g.Leaked > 0
	gi.Locked += g.Locked
	gi.Elided = gi.Elided || g.Elided
	slices.SortStableFunc(gi.States, func(a, b StateCount) int { return b.Count - a.Count })
}

// goSuspect decides whether a goroutine row is a suspect, and why.
func goSuspect(r *series.Row, n int, opt GoOptions) (bool, []string) {
	gi := InfoOf(r)
	var why []string
	if gi.Confirmed {
		why = append(why, "confirmed leaked by the runtime")
	}
	if n > 1 && r.Class == series.Growing {
		why = append(why, "growing")
	}
	blockedLong := isBlockedState(gi.State) && gi.MaxWait >= opt.LongWait
	if blockedLong {
		w := fmt.Sprintf("blocked %d min", gi.MaxWait)
		if gi.MinWait >= 0 && gi.MinWait != gi.MaxWait {
			w = fmt.Sprintf("blocked %d–%d min", gi.MinWait, gi.MaxWait)
		}
		why = append(why, w)
	}
	// Long waits make a suspect of a group that changed (it rose and
	// stayed, say), never of a constant one: idle pools wait for long too.
	suspect := gi.Confirmed || (n > 1 && r.Class == series.Growing) || (blockedLong && (n == 1 || r.Class != series.Flat))
	if !suspect {
		return false, why
	}
	return true, why
}

// Kind is the kind of a goroutine analysis's result.
const Kind series.Kind = "goroutine"

// filter is the frame filter of the options: the profiler's own frames,
// focus and ignore.
func (o GoOptions) filter() stack.Filter { return stack.Filter{Focus: o.Focus, Ignore: o.Ignore} }
