package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// typeView renders the types of a series of object-graph dumps, of any
// runtime.
type typeView struct{ baseView }

func (typeView) header(res *series.Result) string {
	return fmt.Sprintf("%s, %s, by %s", units.Count(len(res.Inputs), runtimeName(res)+" heap dump"), res.SampleType.Type, res.Noun)
}

// runtimeName names the runtime that wrote a result's dumps: "Python".
func runtimeName(res *series.Result) string {
	if d := heap.DetailOf(res); d != nil && d.Runtime != "" {
		return d.Runtime
	}
	return "object-graph"
}

// verdict of a series with leaks counts them; of a single dump it names
// its biggest retainer.
func (typeView) verdict(res *series.Result, over string) (string, bool) {
	if s, ok := findingsVerdict(res, over); ok {
		return s, true
	}
	d := heap.DetailOf(res)
	if res.Verdict.Snaps != 1 || d == nil || len(d.BigRetainers) == 0 {
		return "", false
	}
	br := d.BigRetainers[0]
	objects := res.Total.Last
	if len(res.Rows) > 0 && heap.TypeOf(&res.Rows[0]) != nil && heap.TypeOf(&res.Rows[0]).Sizes != nil {
		objects = 0
		for _, r := range res.Rows {
			objects += float64(heap.TypeOf(&r).Sizes.Count)
		}
	}
	return fmt.Sprintf("%s objects of %d types; the biggest retainer, a %s reached via %s, retains %s.",
		units.Value(objects, "count"), len(res.Rows), units.Printable(br.Type), pathSummary(br.Path), units.Value(float64(br.Retained), "bytes")), true
}

// leadColumns: a single dump's types show every measure at once, ranked
// by the one chosen.
func (typeView) leadColumns(res *series.Result) []column {
	if res.Verdict.Snaps != 1 {
		return nil
	}
	sizes := func(r series.Row) *heap.TypeStats {
		if ti := heap.TypeOf(&r); ti != nil && ti.Sizes != nil {
			return ti.Sizes
		}
		return &heap.TypeStats{}
	}
	return []column{
		{head: "COUNT", right: true, cell: func(r series.Row) string { return units.Value(float64(sizes(r).Count), "count") }},
		{head: "SHALLOW", right: true, cell: func(r series.Row) string { return units.Value(float64(sizes(r).Shallow), "bytes") }},
		{head: "RETAINED", right: true, cell: func(r series.Row) string { return units.Value(float64(sizes(r).Retained), "bytes") }},
	}
}

func (typeView) textRow(w io.Writer, _ *series.Result, i int, r series.Row) {
	ti := heap.TypeOf(&r)
	switch {
	case ti == nil:
	case ti.HeldBy != "":
		fmt.Fprintf(w, "\n%d. %s grows with %s, whose instances hold most of the new ones\n", i+1, units.Printable(r.Key), units.Printable(ti.HeldBy))
	case ti.Retainer != nil || ti.Alloc != nil:
		fmt.Fprintf(w, "\n%d. %s", i+1, units.Printable(r.Key))
		if ti.Retainer != nil {
			fmt.Fprintf(w, " is retained via:\n%s", retainerText(ti.Retainer, "   "))
		} else {
			fmt.Fprintf(w, "\n")
		}
		if ti.Alloc != nil {
			fmt.Fprintf(w, "%s", allocText(ti.Alloc, "   "))
		}
	}
}

// textAfter lists, for a single dump, its suspect accumulation points
// and the objects that retain the most.
func (typeView) textAfter(w io.Writer, res *series.Result) {
	d := heap.DetailOf(res)
	if d == nil {
		return
	}
	if len(d.Accumulations) > 0 {
		fmt.Fprintf(w, "\nsuspect accumulation points (a tenth or more of the heap, held as many objects of one type):\n")
		for _, a := range d.Accumulations {
			fmt.Fprintf(w, "  %s %s (%s of the heap) holds %d %s ← %s\n", units.Value(float64(a.Retained), "bytes"), units.Printable(a.Type),
				fmt.Sprintf("%.0f%%", 100*a.Share), a.Members, units.Printable(a.Member), pathSummary(a.Path))
		}
	}
	if len(d.BigRetainers) == 0 {
		return
	}
	fmt.Fprintf(w, "\nbiggest retainers (what freeing each would free):\n")
	t := table{right: []bool{true, true, false, false}}
	t.add("  RETAINED", "SHALLOW", "TYPE", "ID (REACHED VIA)")
	for _, br := range d.BigRetainers {
		t.add("  "+units.Value(float64(br.Retained), "bytes"), units.Value(float64(br.Shallow), "bytes"), units.Printable(br.Type),
			fmt.Sprintf("%d (%s)", br.ID, pathSummary(br.Path)))
	}
	t.write(w)
}

func (typeView) mdRow(w io.Writer, _ *series.Result, r series.Row) bool {
	ti := heap.TypeOf(&r)
	if ti == nil {
		return false
	}
	if ti.HeldBy != "" {
		fmt.Fprintf(w, "Grows with %s, whose instances hold most of the new ones.\n\n", mdCode(ti.HeldBy))
		return true
	}
	if ti.Alloc != nil {
		a := allocText(ti.Alloc, "")
		fence := codeFence(a)
		fmt.Fprintf(w, "%s\n%s%s\n\n", fence, a, fence)
	}
	if ti.Retainer != nil {
		path := retainerText(ti.Retainer, "")
		fence := codeFence(path)
		fmt.Fprintf(w, "Retained via (the most common path to a root):\n\n%s\n%s%s\n\n", fence, path, fence)
		return true
	}
	return false
}

func (typeView) keywords(_ *series.Result, r series.Row, add func(string)) { add(r.Key) }

func (typeView) jsonRow(j *jsonRow, r series.Row) {
	if ti := heap.TypeOf(&r); ti != nil {
		j.Retainer, j.HeldBy, j.AllocAt, j.Sizes = ti.Retainer, ti.HeldBy, ti.Alloc, ti.Sizes
	}
}

func (typeView) jsonDoc(j *jsonDoc, res *series.Result) {
	if d := heap.DetailOf(res); d != nil {
		j.BigRetainers = d.BigRetainers
		j.Accumulations = d.Accumulations
		for _, f := range d.Findings {
			j.Findings = append(j.Findings, findingJSON(f))
		}
	}
}

// pathSummary is a retainer path on one line: "module __main__ → 'REGISTRY'".
func pathSummary(rs *heap.RetainerShape) string {
	if rs == nil {
		return "unreachable"
	}
	parts := []string{rs.Root}
	for i, st := range rs.Steps {
		if rs.Omitted > 0 && i == rs.OmittedAfter {
			parts = append(parts, "…")
		}
		p := st.Kind
		if st.Label != "" {
			p = st.Label
		}
		if st.Repeat > 1 {
			p += fmt.Sprintf(" ×%d", st.Repeat)
		}
		parts = append(parts, p)
	}
	return units.Printable(strings.Join(parts, " → "))
}

// RetainerText writes a retainer path for the terminal (leakscan path).
func RetainerText(rs *heap.RetainerShape) string { return retainerText(rs, "") }

// retainerText writes a retainer path one hop per line:
//
//	module __main__
//	  -[global REGISTRY]-> builtins.dict
//	  -[key 'req-1']-> __main__.Request   (60 of 60 instances share this path)
func retainerText(rs *heap.RetainerShape, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s\n", indent, units.Printable(rs.Root))
	for i, st := range rs.Steps {
		if rs.Omitted > 0 && i == rs.OmittedAfter {
			fmt.Fprintf(&b, "%s  … %s left out …\n", indent, units.Count(rs.Omitted, "step"))
		}
		fmt.Fprintf(&b, "%s  -[%s]-> %s", indent, units.Printable(edgeText(st.Kind, st.Label)), units.Printable(st.Type))
		if st.Repeat > 1 {
			fmt.Fprintf(&b, " × %d", st.Repeat)
		}
		if i == len(rs.Steps)-1 && rs.Of > 1 {
			fmt.Fprintf(&b, "   (%d of %d instances share this path)", rs.Instances, rs.Of)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// allocText writes an allocation stack, innermost first:
//
//	allocated at (tracemalloc; 300 of 360 instances with a traceback):
//	  leak.py:40
//	  leak.py:75
func allocText(a *heap.AllocSite, indent string) string {
	var b strings.Builder
	// tracemalloc's tracebacks have no function names; V8's allocation
	// traces name each function (its line is where it starts).
	named := len(a.Stack) > 0 && a.Stack[0].Func != ""
	if named {
		fmt.Fprintf(&b, "%sallocated at (%d of %d instances with an allocation trace), innermost first:\n", indent, a.Instances, a.Of)
	} else {
		fmt.Fprintf(&b, "%sallocated at (tracemalloc; %d of %d instances with a traceback), innermost first:\n", indent, a.Instances, a.Of)
	}
	for _, f := range a.Stack {
		if named {
			fmt.Fprintf(&b, "%s  %s %s:%d\n", indent, units.Printable(f.Func), units.Printable(f.File), f.Line)
			continue
		}
		fmt.Fprintf(&b, "%s  %s:%d\n", indent, units.Printable(f.File), f.Line)
	}
	return b.String()
}

// findingsVerdict: "4 leaks: objects pile up in 4 containers, +2.45k
// objects (+162 KiB) over 5.00 s."
func findingsVerdict(res *series.Result, over string) (string, bool) {
	d := heap.DetailOf(res)
	if d == nil || len(d.Findings) == 0 {
		return "", false
	}
	var count, bytes float64
	containers, cycles := 0, 0
	for _, f := range d.Findings {
		count += f.Count.Delta
		bytes += series.Delta(f.Retained)
		if f.Cycle {
			cycles++
		} else {
			containers++
		}
	}
	var where []string
	if containers > 0 {
		where = append(where, "pile up in "+units.Count(containers, "container"))
	}
	if cycles > 0 {
		where = append(where, "are kept by "+units.Count(cycles, "group")+" of reference cycles")
	}
	return fmt.Sprintf("%s: objects %s, %s objects (%s) over %s.", units.Count(len(d.Findings), "leak"),
		strings.Join(where, " or "), units.Signed(count, "count"), units.Signed(bytes, "bytes"), over), true
}

// orCycles is s when some finding is a group of reference cycles, else "".
func orCycles(d *heap.Detail, s string) string {
	for _, f := range d.Findings {
		if f.Cycle {
			return s
		}
	}
	return ""
}

// cycleSummary is a finding's cycle on one line: "ClientResponse →
// content → _exception → … ↺".
func cycleSummary(rs *heap.RetainerShape) string {
	return pathSummary(rs) + " ↺"
}

// findingTitle is a finding on one line: "+1104 objects, +64.3 KiB in
// builtins.list ← thread … → h → 'seen'".
func findingTitle(f heap.Finding) string {
	if f.Cycle {
		return fmt.Sprintf("%s objects, %s kept only by %s: %s", units.Signed(f.Count.Delta, "count"), units.Signed(series.Delta(f.Retained), "bytes"),
			units.Count(f.Holders, "reference cycle"), cycleSummary(f.Holder))
	}
	holders := ""
	if f.Holders > 1 {
		holders = fmt.Sprintf(" (%d of them)", f.Holders)
	}
	return fmt.Sprintf("%s objects, %s in %s%s ← %s", units.Signed(f.Count.Delta, "count"), units.Signed(series.Delta(f.Retained), "bytes"),
		units.Printable(f.Type), holders, pathSummary(f.Holder))
}

// findingTypes says what accumulates: "[96] → __main__.Request +300,
// builtins.str +300".
func findingTypes(f heap.Finding) string {
	if f.Cycle {
		return "new in the cycles: " + units.Printable(findingHeads(f)) + "; in all " + units.Printable(findingMembers(f))
	}
	return units.Printable(edgeText(f.Edge.Kind, f.Edge.Label)) + " → " + units.Printable(findingHeads(f)) + "; in all " + units.Printable(findingMembers(f))
}

// findingHeads says what piles up: "_UnixSelectorEventLoop ×15".
func findingHeads(f heap.Finding) string { return headsText(f.Heads) }

// headsText lists types with their counts: "method ×100, str ×3".
func headsText(heads []heap.TypeCount) string {
	var parts []string
	for _, t := range heads {
		parts = append(parts, fmt.Sprintf("%s ×%d", t.Type, t.Count))
	}
	return strings.Join(parts, ", ")
}

func (typeView) textLead(w io.Writer, res *series.Result) {
	d := heap.DetailOf(res)
	if d == nil || len(d.Findings) == 0 {
		return
	}
	fmt.Fprintf(w, "\nleaks — objects new since the first dump, by the container they pile up in%s:\n", orCycles(d, " or the reference cycles that keep them"))
	for i, f := range d.Findings {
		fmt.Fprintf(w, "  %d. %s\n     %s\n", i+1, findingTitle(f), findingTypes(f))
		for _, e := range f.Echoes {
			fmt.Fprintf(w, "     %s\n", units.Printable(echoText(e)))
		}
	}
}

// echoText says what a folded finding is: "and weak references to them
// pile up in builtins.set ← module logging → … → data:
// weakref.ReferenceType ×100".
func echoText(e heap.Echo) string {
	return fmt.Sprintf("and %s weak references to them in %s ← %s: %s", units.Signed(e.Count, "count"), e.Type, pathSummary(e.Holder), headsText(e.Heads))
}

func (typeView) mdLead(w io.Writer, res *series.Result, opt Options) {
	d := heap.DetailOf(res)
	if d == nil || len(d.Findings) == 0 {
		return
	}
	fmt.Fprintf(w, "%s Leaks\n\nObjects new since the first dump, by the container they pile up in (its accumulation point: the nearest object that dominates them and was already in the first dump)%s.\n\n",
		opt.section, orCycles(d, ", or by the group of reference cycles that keeps them when no root reaches them"))
	for i, f := range d.Findings {
		if f.Cycle {
			fmt.Fprintf(w, "%d. **%s objects, %s** kept only by %s through %s: new in the cycles %s; in all %s.\n", i+1,
				units.Signed(f.Count.Delta, "count"), units.Signed(series.Delta(f.Retained), "bytes"), units.Count(f.Holders, "reference cycle"),
				mdCode(f.Type), mdText(findingHeads(f)), mdText(findingMembers(f)))
			continue
		}
		fmt.Fprintf(w, "%d. **%s objects, %s** in %s, growing at %s: %s; in all %s.\n", i+1, units.Signed(f.Count.Delta, "count"),
			units.Signed(series.Delta(f.Retained), "bytes"), mdCode(f.Type), mdCode(edgeText(f.Edge.Kind, f.Edge.Label)),
			mdText(findingHeads(f)), mdText(findingMembers(f)))
		for _, e := range f.Echoes {
			fmt.Fprintf(w, "   - %s\n", mdText(echoText(e)))
		}
	}
	fmt.Fprintln(w)
	for i, f := range d.Findings {
		path := retainerText(f.Holder, "")
		fence := codeFence(path)
		what := "the path to its container"
		if f.Cycle {
			what = "one of its cycles"
		}
		fmt.Fprintf(w, "<details><summary>Leak %d: %s, and its series</summary>\n\n%s\n%s%s\n\n", i+1, what, fence, path, fence)
		fmt.Fprintf(w, "Objects held: %s. Bytes: %s.", seriesList(f.Count.Values, "count"), seriesList(f.Retained, "bytes"))
		if len(f.Samples) > 0 {
			fmt.Fprintf(w, " New objects, e.g. ids %s (`leakscan path --id`).", joinIDs(f.Samples))
		}
		fmt.Fprintf(w, "\n\n</details>\n\n")
		mdFigures(w, opt.Figures[FindingKey(res, i)])
	}
}

// FindingKey names where the figures of a result's i-th finding go.
func FindingKey(res *series.Result, i int) string {
	return FigureKey(res, fmt.Sprintf("\x00finding %d", i))
}

// findingMembers lists what grew in a finding: "__main__.Request +300,
// builtins.str +300".
func findingMembers(f heap.Finding) string {
	var parts []string
	for _, t := range f.Types {
		if d := series.Delta(t.Counts); d > 0 {
			parts = append(parts, t.Type+" "+units.Signed(d, "count"))
		}
	}
	return strings.Join(parts, ", ")
}

func joinIDs(ids []uint64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}
