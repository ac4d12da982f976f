package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
)

// This file holds the views of the analyses of Python heap dumps:
// reference cycles with their rings and the edge to break, asyncio task
// groups, and resources (file descriptors, event loops).

// cycleView renders groups of reference cycles.
type cycleView struct{ baseView }

func (cycleView) header(res *series.Result) string {
	return fmt.Sprintf("%s, objects kept alive only by reference cycles, grouped by ring (types and edge labels)", units.Count(len(res.Inputs), "Python heap dump"))
}

func (cycleView) verdict(res *series.Result, over string) (string, bool) {
	return cycleVerdict(res, over), true
}

func (cycleView) section(*series.Result) string { return "reference cycles" }

func (cycleView) columns(*series.Result) []column {
	return []column{
		{head: "RETAINED", right: true, cell: func(r series.Row) string { return units.Value(lastOf(python.CycleOf(&r).Retained), "bytes") }},
		whyColumn,
	}
}

func (cycleView) textPreamble(w io.Writer, res *series.Result) {
	if python.CollectorOf(res) != nil {
		fmt.Fprintf(w, "collector: %s\n", collectorLine(res))
	}
}

func (cycleView) mdPreamble(w io.Writer, res *series.Result) {
	if python.CollectorOf(res) != nil {
		fmt.Fprintf(w, "Cycle collector: %s.\n\n", mdText(collectorLine(res)))
	}
}

func (cycleView) textRow(w io.Writer, _ *series.Result, i int, r series.Row) {
	if ci := python.CycleOf(&r); ci != nil && (r.Suspect || i < maxRingDetails) {
		fmt.Fprintf(w, "\n%d. %s", i+1, cycleText(ci, "   "))
	}
}

func (cycleView) mdRow(w io.Writer, _ *series.Result, r series.Row) bool {
	mdCycle(w, python.CycleOf(&r))
	return true
}

func (cycleView) keywords(_ *series.Result, r series.Row, add func(string)) {
	ci := python.CycleOf(&r)
	for _, st := range ci.Ring {
		if st.Note != "" {
			add(st.Note)
		}
	}
	for _, st := range ci.Ring {
		add(st.Type)
	}
}

func (cycleView) jsonRow(j *jsonRow, r series.Row) { j.Cycle = python.CycleOf(&r) }

func (cycleView) jsonDoc(j *jsonDoc, res *series.Result) { j.Collector = python.CollectorOf(res) }

// taskView renders groups of asyncio work.
type taskView struct{ baseView }

func (taskView) header(res *series.Result) string {
	return fmt.Sprintf("%s, asyncio tasks grouped by %s", units.Count(len(res.Inputs), "Python heap dump"), res.GroupedBy)
}

func (taskView) verdict(res *series.Result, over string) (string, bool) {
	return taskVerdict(res, over), true
}

func (taskView) section(*series.Result) string { return "asyncio tasks" }

func (taskView) title(_ *series.Result, r series.Row, short bool) string { return taskTitle(r, short) }

func (taskView) columns(*series.Result) []column {
	return []column{
		{head: "WHAT", cell: func(r series.Row) string { return python.TaskOf(&r).What }},
		{head: "WAITS ON", input: true, cell: func(r series.Row) string { return orDash(python.TaskOf(&r).WaitingOn) }},
		whyColumn,
	}
}

func (taskView) textRow(w io.Writer, _ *series.Result, i int, r series.Row) {
	if python.TaskOf(&r) != nil && r.Suspect && len(r.Stack) > 0 {
		fmt.Fprintf(w, "\n%d. %s", i+1, taskText(r, "   "))
	}
}

func (taskView) stackHeading(_ *series.Result, r series.Row) string {
	switch python.TaskOf(&r).What {
	case python.TaskNeverAwaited:
		return "Defined at"
	case python.TaskUnretrieved:
		return "Raised in"
	}
	return "Await chain, innermost first"
}

func (taskView) keywords(_ *series.Result, r series.Row, add func(string)) {
	t := python.TaskOf(&r)
	add(t.Coro)
	add(t.Exception)
	add(t.Callback)
}

func (taskView) jsonRow(j *jsonRow, r series.Row) { j.Task = python.TaskOf(&r) }

// resourceView renders file descriptors by kind and event loops.
type resourceView struct{ baseView }

func (resourceView) header(res *series.Result) string {
	return fmt.Sprintf("%s, open file descriptors by kind and event loops", units.Count(len(res.Inputs), "Python heap dump"))
}

func (resourceView) verdict(res *series.Result, over string) (string, bool) {
	return resourceVerdict(res, over), true
}

func (resourceView) section(*series.Result) string { return "file descriptors and event loops" }

func (resourceView) columns(*series.Result) []column { return []column{whyColumn} }

func (resourceView) textRow(w io.Writer, _ *series.Result, i int, r series.Row) {
	if python.ResourceOf(&r) == nil || !r.Suspect {
		return
	}
	if t := resourceText(r, "   "); t != "" {
		fmt.Fprintf(w, "\n%d. %s", i+1, t)
	}
}

func (resourceView) mdRow(w io.Writer, _ *series.Result, r series.Row) bool {
	mdResource(w, r)
	return true
}

// keywords: none — "socket", "event loops": the types holding them are
// suspects of their own.
func (resourceView) keywords(*series.Result, series.Row, func(string)) {}

func (resourceView) jsonRow(j *jsonRow, r series.Row) { j.Resource = python.ResourceOf(&r) }

// maxRingDetails is how many cycle groups that are not suspects still get
// their ring written out.
const maxRingDetails = 3

// collectorLine describes the cycle collector: "disabled (thresholds
// 700/10/10, counts 412/3/1); 1,204 objects unreachable (96.0 KiB)".
func collectorLine(res *series.Result) string {
	c := python.CollectorOf(res)
	var b strings.Builder
	switch {
	case c.SaveAll:
		b.WriteString("enabled with DEBUG_SAVEALL: every cycle it collects is kept in gc.garbage")
	case c.Enabled:
		b.WriteString("enabled: the cycles below may be freed at its next run; only groups that grow and are never freed between dumps leak")
	default:
		b.WriteString("disabled (gc.disable()): no cycle is ever freed")
	}
	fmt.Fprintf(&b, " (thresholds %s, counts %s)", joinNums(c.Thresholds), joinNums(c.Counts))
	if n := len(c.Unreachable); n > 0 {
		fmt.Fprintf(&b, "; %s unreachable (%s)", units.Count(int(c.Unreachable[n-1]), "object"), units.Value(c.UnreachableBytes[n-1], "bytes"))
		if n > 1 {
			b.WriteString(" at the last dump")
		}
	}
	return b.String()
}

func joinNums(v []int) string {
	if len(v) == 0 {
		return "unknown"
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, "/")
}

// ringLines writes a ring one object per line, the edge to break marked:
//
//	__main__.ClientResponse
//	  -[attr content]-> __main__.StreamReader
//	  -[attr _exception]-> __main__.ClientPayloadError      ✂ break here
//	  …
//	  -[local self]-> (back to __main__.ClientResponse)
func ringLines(ci *python.CycleInfo, indent string) string {
	var b strings.Builder
	ring := ci.Ring
	if len(ring) == 0 {
		return ""
	}
	fmt.Fprintf(&b, "%s%s\n", indent, units.Printable(stepName(ring[0])))
	for i, st := range ring {
		next := "(back to " + stepName(ring[0]) + ")"
		if i+1 < len(ring) {
			next = stepName(ring[i+1])
		}
		edge := edgeText(st.Kind, st.Label)
		mark := ""
		if ci.Break != nil && ci.Break.Step == i {
			mark = "   ✂ break this edge"
		}
		fmt.Fprintf(&b, "%s  -[%s]-> %s%s\n", indent, units.Printable(edge), units.Printable(next), mark)
	}
	return b.String()
}

// stepName is a ring object: its type, and the function of a frame.
func stepName(st python.RingStep) string {
	if st.Note != "" {
		return st.Type + " (" + st.Note + ")"
	}
	return st.Type
}

// cycleText is a cycle group's details for the terminal.
func cycleText(ci *python.CycleInfo, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ring of %s (%s on the strongly connected component), e.g. id %d:\n", units.Count(len(ci.Ring), "object"), units.Count(ci.Members, "object"), ci.Sample)
	b.WriteString(ringLines(ci, indent))
	if br := ci.Break; br != nil {
		label := "known pattern " + br.Pattern
		if br.Guess {
			label = "no known pattern"
		}
		fmt.Fprintf(&b, "%swhy (%s): %s\n", indent, label, units.Printable(br.Why))
		fmt.Fprintf(&b, "%sfix: %s\n", indent, units.Printable(br.Fix))
	}
	return b.String()
}

// taskText is a task group's await chain for the terminal.
func taskText(r series.Row, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", units.Printable(python.TaskOf(&r).What))
	if python.TaskOf(&r).Coro != "" {
		fmt.Fprintf(&b, " %s", units.Printable(python.TaskOf(&r).Coro))
	}
	if python.TaskOf(&r).Exception != "" {
		fmt.Fprintf(&b, " failed with %s", units.Printable(python.TaskOf(&r).Exception))
	}
	if python.TaskOf(&r).Sample != 0 {
		fmt.Fprintf(&b, " (e.g. id %d)", python.TaskOf(&r).Sample)
	}
	switch python.TaskOf(&r).What {
	case python.TaskNeverAwaited:
		b.WriteString(", defined at:\n")
	case python.TaskUnretrieved:
		b.WriteString(", in:\n")
	default:
		b.WriteString(", await chain (innermost first):\n")
	}
	for _, f := range r.Stack {
		fmt.Fprintf(&b, "%s%s\n%s    %s:%d\n", indent, units.Printable(f.Func), indent, units.Printable(f.File), f.Line)
	}
	return b.String()
}

// resourceText is a resource row's details: who holds its objects, and
// for event loops each extra loop's path.
func resourceText(r series.Row, indent string) string {
	ri := python.ResourceOf(&r)
	var b strings.Builder
	if ri.Extra > 0 {
		fmt.Fprintf(&b, "%s: %d that are not the running loop", units.Printable(r.Key), ri.Extra)
		if ri.ExtraPath != nil {
			fmt.Fprintf(&b, "; %d of them kept alive via:\n%s", ri.ExtraPath.Instances, retainerText(ri.ExtraPath, indent))
		} else {
			b.WriteString(", reached from no root\n")
		}
		fmt.Fprintf(&b, "%se.g. %s\n", indent, loopList(ri.Loops))
		return b.String()
	}
	if ri.Holder == nil && len(ri.Examples) == 0 {
		return ""
	}
	fmt.Fprintf(&b, "%s", units.Printable(r.Key))
	if len(ri.Examples) > 0 {
		fmt.Fprintf(&b, ", e.g. %s", units.Printable(strings.Join(ri.Examples, ", ")))
	}
	if ri.Holder != nil {
		fmt.Fprintf(&b, "; %d of %d tied to objects, most held via:\n%s", ri.Objects, int(r.Last), retainerText(ri.Holder, indent))
	} else {
		b.WriteString("\n")
	}
	return b.String()
}

// cycleVerdict: "1 reference cycle group grew: +100 cycles over 6
// snapshots; the top one, ClientResponse → … ↺, keeps 1.2 MiB alive —
// break StreamReader._exception."
func cycleVerdict(res *series.Result, over string) string {
	v := res.Verdict
	if v.Suspects == 0 {
		if len(res.Rows) == 0 {
			return "No object is kept alive by a reference cycle only."
		}
		if v.Snaps == 1 {
			return fmt.Sprintf("%s of %s found; none is a suspect: the cycle collector is enabled.", units.Count(int(res.Total.Last), "reference cycle"), units.Count(len(res.Rows), "shape"))
		}
		freed := 0
		for _, r := range res.Rows {
			if r.Class == series.Growing {
				freed++
			}
		}
		if freed > 0 {
			return fmt.Sprintf("No reference cycle group leaks over %s: the collector freed cycles of the %s that rose between dumps; they only wait for its next run.", over, units.Count(freed, "group"))
		}
		return fmt.Sprintf("No reference cycle group grew over %s.", over)
	}
	top := res.Suspects()[0]
	var s string
	if v.Growing > 0 {
		s = fmt.Sprintf("%s grew: %s cycles over %s", units.Count(v.Growing, "reference cycle group"), units.Signed(v.Growth, "count"), over)
	} else {
		s = fmt.Sprintf("%s never freed", units.Count(v.Suspects, "reference cycle group"))
	}
	s += fmt.Sprintf("; the top one, %s, keeps %s alive", units.Printable(top.Frame.Func), units.Value(lastOf(python.CycleOf(&top).Retained), "bytes"))
	if br := python.CycleOf(&top).Break; br != nil && !br.Guess && br.Step < len(python.CycleOf(&top).Ring) {
		st := python.CycleOf(&top).Ring[br.Step]
		s += fmt.Sprintf(" — break %s.%s", units.Printable(heap.ShortType(st.Type)), units.Printable(st.Label))
	}
	return s + "."
}

// taskVerdict: "3 task groups are leak suspects: 2 grew by +75 tasks over
// 6 snapshots; 1 coroutine never awaited."
func taskVerdict(res *series.Result, over string) string {
	v := res.Verdict
	if v.Suspects == 0 {
		if v.Snaps == 1 {
			return fmt.Sprintf("%s pending; no coroutine left unawaited, no exception unretrieved.", units.Count(int(res.Total.Last), "task or timer"))
		}
		return fmt.Sprintf("No asyncio task group grew over %s.", over)
	}
	var parts []string
	if v.Growing > 0 {
		parts = append(parts, fmt.Sprintf("%d grew by %s over %s", v.Growing, units.Signed(v.Growth, "count"), over))
	}
	for _, what := range []string{python.TaskNeverAwaited, python.TaskUnretrieved} {
		n := 0
		for _, r := range res.Suspects() {
			if python.TaskOf(&r).What == what {
				n += int(r.Last)
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, taskPlural(what, n)))
		}
	}
	verb := "are leak suspects"
	if v.Suspects == 1 {
		verb = "is a leak suspect"
	}
	return fmt.Sprintf("%s %s: %s.", units.Count(v.Suspects, "task group"), verb, strings.Join(parts, "; "))
}

// resourceVerdict: "2 kinds of resource grew: socket fds +6, anon_inode
// [eventpoll] fds +3 over 6 snapshots; 4 event loops alive and not closed."
func resourceVerdict(res *series.Result, over string) string {
	var grew []string
	loops := ""
	for _, r := range res.Suspects() {
		if r.Class == series.Growing && res.Verdict.Snaps > 1 {
			grew = append(grew, fmt.Sprintf("%s %s", units.Printable(r.Key), units.Signed(r.Delta, "count")))
		}
		if r.Key == python.RowLoops && r.Last > 1 {
			loops = fmt.Sprintf("%d event loops alive and not closed", int(r.Last))
		}
	}
	var parts []string
	if len(grew) > 0 {
		parts = append(parts, fmt.Sprintf("%s grew: %s over %s", units.Count(len(grew), "resource kind"), strings.Join(grew, ", "), over))
	}
	if loops != "" {
		parts = append(parts, loops)
	}
	if len(parts) == 0 {
		if res.Verdict.Snaps == 1 {
			return fmt.Sprintf("%s open; at most one event loop alive.", units.Count(int(res.Total.Last), "file descriptor"))
		}
		return fmt.Sprintf("No file descriptor kind grew over %s; at most one event loop alive.", over)
	}
	return capitalize(strings.Join(parts, "; ")) + "."
}

func lastOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// taskTitle names a task group: its await chain, outermost first ("handler
// → _read_body → Event.wait"), the coroutine never awaited and where it is
// defined, the timer's callback, or the task that failed.
func taskTitle(r series.Row, short bool) string {
	t := python.TaskOf(&r)
	switch t.What {
	case python.TaskTimer:
		return units.Printable(t.Callback)
	case python.TaskNeverAwaited:
		return units.Printable(t.Coro) + " (" + frameString(r.Frame, short) + ")"
	case python.TaskUnretrieved:
		return units.Printable(t.Coro) + " raised " + units.Printable(t.Exception)
	}
	var parts []string
	for i := len(r.Stack) - 1; i >= 0; i-- {
		parts = append(parts, units.Printable(r.Stack[i].Func))
	}
	if len(parts) == 0 {
		parts = append(parts, units.Printable(t.Coro))
	}
	// the innermost by its qualified name (Event.wait), or what the
	// innermost coroutine awaits (a Future)
	if w := t.WaitingOn; w != "" {
		if last := parts[len(parts)-1]; strings.HasSuffix(w, "."+last) || w == last {
			parts[len(parts)-1] = units.Printable(w)
		} else {
			parts = append(parts, units.Printable(w))
		}
	}
	if len(parts) > 4 {
		parts = append(parts[:2], "…", parts[len(parts)-1])
	}
	return strings.Join(parts, " → ")
}

// emptySections names the related analyses that found nothing: "no
// reference cycles; no asyncio tasks".
func emptySections(res *series.Result) string {
	var parts []string
	for _, rel := range res.Related {
		if len(rel.Rows) == 0 {
			parts = append(parts, "no "+viewOf(rel).section(rel))
		}
	}
	return strings.Join(parts, "; ")
}

// singular turns a sample type into the noun of one: "goroutines" →
// "goroutine".
func singular(t string) string {
	if s, ok := strings.CutSuffix(t, "s"); ok {
		return s
	}
	return "item"
}

// mdCycle writes a cycle group's ring, in a code block, and the edge to
// break with its reason.
func mdCycle(w io.Writer, ci *python.CycleInfo) {
	ring := ringLines(ci, "")
	fence := codeFence(ring)
	fmt.Fprintf(w, "Ring of %s (%s on the strongly connected component; one of them has id %d):\n\n%s\n%s%s\n\n",
		units.Count(len(ci.Ring), "object"), units.Count(ci.Members, "object"), ci.Sample, fence, ring, fence)
	if br := ci.Break; br != nil {
		label := "known pattern " + mdCode(br.Pattern)
		if br.Guess {
			label = "no known pattern"
		}
		fmt.Fprintf(w, "**Why** (%s): %s.\n\n**Fix:** %s.\n\n", label, mdText(br.Why), mdText(br.Fix))
	}
}

// mdResource writes who holds a resource's objects, and each extra event
// loop's retainer path.
func mdResource(w io.Writer, r series.Row) {
	ri := python.ResourceOf(&r)
	if len(ri.Examples) > 0 {
		var ex []string
		for _, e := range ri.Examples {
			ex = append(ex, mdCode(e))
		}
		fmt.Fprintf(w, "For example %s.\n\n", strings.Join(ex, ", "))
	}
	if ri.Extra > 0 {
		fmt.Fprintf(w, "%d event loops that are not the running loop", ri.Extra)
		if ri.ExtraPath != nil {
			p := retainerText(ri.ExtraPath, "")
			fence := codeFence(p)
			fmt.Fprintf(w, "; %d of them are kept alive via:\n\n%s\n%s%s\n\n", ri.ExtraPath.Instances, fence, p, fence)
		} else {
			fmt.Fprintf(w, ", reached from no root.\n\n")
		}
		fmt.Fprintf(w, "For example %s.\n\n", mdText(loopList(ri.Loops)))
		return
	}
	if ri.Holder != nil {
		p := retainerText(ri.Holder, "")
		fence := codeFence(p)
		fmt.Fprintf(w, "Held via (the most common path of the %d objects tied to them):\n\n%s\n%s%s\n\n", ri.Objects, fence, p, fence)
	}
}

// indentLines prefixes every line of s.
func indentLines(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

// loopList names a few event loops: "_UnixSelectorEventLoop id 1401 (idle,
// 0 timers), …".
func loopList(loops []python.LoopInfo) string {
	var parts []string
	for _, l := range loops {
		state := "idle"
		if l.Running {
			state = "running"
		}
		parts = append(parts, fmt.Sprintf("%s id %d (%s, %s)", units.Printable(heap.ShortType(l.Type)), l.ID, state, units.Count(l.Timers, "timer")))
	}
	return strings.Join(parts, ", ")
}

// taskPlural is the plural of what a task row counts: "coroutines never
// awaited".
func taskPlural(what string, n int) string {
	if n == 1 {
		return what
	}
	noun, rest, _ := strings.Cut(what, " ")
	if rest != "" {
		rest = " " + rest
	}
	return units.Plural(noun) + rest
}
