package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leakscan/leakscan/analyze"
)

// Options controls every writer.
type Options struct {
	Top int // rows to show; 0 shows all
	// Figures are pictures for the Markdown writer to place: under a
	// suspect's section (keyed by FigureKey of its result and row), or
	// after a result's suspects table (FigureKey with an empty row).
	Figures map[string][]Figure
}

// classes lists the classes in the order summaries mention them.
var classes = []analyze.Class{analyze.Growing, analyze.New, analyze.Plateau, analyze.Sawtooth, analyze.Shrinking, analyze.Gone, analyze.Flat}

// Text writes the aligned table: the verdict, the total, then one row per
// key with its series as a sparkline, suspects first.
func Text(w io.Writer, res *analyze.Result, opt Options) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s\n", header(res))
	fmt.Fprintf(ew, "%s\n", VerdictLine(res))
	for _, rel := range res.Related {
		if rel.Verdict.Suspects > 0 {
			fmt.Fprintf(ew, "%s\n", VerdictLine(rel))
		}
	}
	textBody(ew, res, opt)
	if empty := emptySections(res); empty != "" {
		fmt.Fprintf(ew, "\nalso checked: %s\n", empty)
	}
	for _, rel := range res.Related {
		if len(rel.Rows) == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n== %s ==\n", sectionTitle(rel))
		fmt.Fprintf(ew, "%s\n", VerdictLine(rel))
		textBody(ew, rel, opt)
		for _, wmsg := range rel.Warnings {
			if !slices.Contains(res.Warnings, wmsg) {
				fmt.Fprintf(ew, "warning: %s\n", oneLine(wmsg))
			}
		}
	}
	for _, wmsg := range res.Warnings {
		fmt.Fprintf(ew, "warning: %s\n", oneLine(wmsg))
	}
	return ew.err
}

// textBody writes everything of a result after its verdict but its
// warnings.
func textBody(ew io.Writer, res *analyze.Result, opt Options) {
	if c := caveat(res); c != "" {
		fmt.Fprintf(ew, "note: %s\n", c)
	}
	if res.Collector != nil {
		fmt.Fprintf(ew, "collector: %s\n", collectorLine(res))
	}
	unit := res.SampleType.Unit
	fmt.Fprintf(ew, "total: %s\n", totalLine(res))
	rows := shown(res, opt)
	fmt.Fprintf(ew, "%s: %s", plural(res.Noun), classSummary(res))
	if len(rows) < len(res.Rows) {
		fmt.Fprintf(ew, " (showing the top %d)", len(rows))
	}
	fmt.Fprintln(ew)
	if len(rows) > 0 {
		fmt.Fprintln(ew)
		rowsTable(res, rows).write(ew)
	}
	for i, r := range rows {
		switch {
		case r.HeldBy != "":
			fmt.Fprintf(ew, "\n%d. %s grows with %s, whose instances hold most of the new ones\n", i+1, printable(r.Key), printable(r.HeldBy))
		case r.Retainer != nil || r.Alloc != nil:
			fmt.Fprintf(ew, "\n%d. %s", i+1, printable(r.Key))
			if r.Retainer != nil {
				fmt.Fprintf(ew, " is retained via:\n%s", retainerText(r.Retainer, "   "))
			} else {
				fmt.Fprintf(ew, "\n")
			}
			if r.Alloc != nil {
				fmt.Fprintf(ew, "%s", allocText(r.Alloc, "   "))
			}
		case r.Cycle != nil && (r.Suspect || i < maxRingDetails):
			fmt.Fprintf(ew, "\n%d. %s", i+1, cycleText(r.Cycle, "   "))
		case r.Task != nil && r.Suspect && len(r.Stack) > 0:
			fmt.Fprintf(ew, "\n%d. %s", i+1, taskText(r, "   "))
		case r.Resource != nil && r.Suspect:
			if t := resourceText(r, "   "); t != "" {
				fmt.Fprintf(ew, "\n%d. %s", i+1, t)
			}
		}
	}
	if len(res.BigRetainers) > 0 {
		fmt.Fprintf(ew, "\nbiggest retainers (what freeing each would free):\n")
		t := table{right: []bool{true, true, false, false}}
		t.add("  RETAINED", "SHALLOW", "TYPE", "ID (REACHED VIA)")
		for _, br := range res.BigRetainers {
			t.add("  "+Value(float64(br.Retained), "bytes"), Value(float64(br.Shallow), "bytes"), printable(br.Type),
				fmt.Sprintf("%d (%s)", br.ID, pathSummary(br.Path)))
		}
		t.write(ew)
	}
	if len(res.Churn) > 0 {
		fmt.Fprintf(ew, "\nchurn (allocated and freed, not retained):\n")
		t := table{right: []bool{false, true, false, true}}
		for _, r := range firstN(res.Churn, maxChurn) {
			t.add("  "+rowTitle(r, res.By, true), "allocated "+Value(r.Allocated, unit), "in use at most", Value(r.Max, unit))
		}
		t.write(ew)
	}
	if len(res.Hidden) > 0 {
		fmt.Fprintf(ew, "\nhidden: %s\n", hiddenNote(res))
	}
}

// classLabel is the class shown for a row: its series class, or "churn"
// for a row that allocates much and keeps little.
func classLabel(r analyze.Row) string {
	if r.Churn {
		return "churn"
	}
	return string(r.Class)
}

// pathSummary is a retainer path on one line: "module __main__ → 'REGISTRY'".
func pathSummary(rs *analyze.RetainerShape) string {
	if rs == nil {
		return "unreachable"
	}
	parts := []string{rs.Root}
	for _, st := range rs.Steps {
		if st.Label != "" {
			parts = append(parts, st.Label)
		} else {
			parts = append(parts, st.Kind)
		}
	}
	return printable(strings.Join(parts, " → "))
}

// RetainerText writes a retainer path for the terminal (leakscan path).
func RetainerText(rs *analyze.RetainerShape) string { return retainerText(rs, "") }

// retainerText writes a retainer path one hop per line:
//
//	module __main__
//	  -[global REGISTRY]-> builtins.dict
//	  -[key 'req-1']-> __main__.Request   (60 of 60 instances share this path)
func retainerText(rs *analyze.RetainerShape, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s\n", indent, printable(rs.Root))
	for i, st := range rs.Steps {
		fmt.Fprintf(&b, "%s  -[%s]-> %s", indent, printable(edgeText(st.Kind, st.Label)), printable(st.Type))
		if i == len(rs.Steps)-1 && rs.Of > 1 {
			fmt.Fprintf(&b, "   (%d of %d instances share this path)", rs.Instances, rs.Of)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// hiddenNote says what was hidden as the profiler's own.
func hiddenNote(res *analyze.Result) string {
	last := Value(res.Hidden[len(res.Hidden)-1], res.SampleType.Unit)
	if res.Kind == "goroutine" {
		return fmt.Sprintf("the goroutine writing the profile (%s at the last snapshot)", last)
	}
	return fmt.Sprintf("the profiler's own allocations (%s at the last snapshot); --keep-profiler shows them", last)
}

// maxChurn is how many churn rows a report lists.
const maxChurn = 5

func firstN(rows []analyze.Row, n int) []analyze.Row {
	return rows[:min(n, len(rows))]
}

// totalLine is the total of every row: its change and trend over a
// series, its value in a single snapshot.
func totalLine(res *analyze.Result) string {
	unit := res.SampleType.Unit
	if res.Verdict.Snaps == 1 {
		return Value(res.Total.Last, unit) + " " + res.SampleType.Type
	}
	return fmt.Sprintf("%s → %s (%s)  %s", Value(res.Total.First, unit), Value(res.Total.Last, unit),
		Signed(res.Total.Delta, unit), Sparkline(res.Total.Values))
}

// header says what was compared.
func header(res *analyze.Result) string {
	s := fmt.Sprintf("%d %s profiles, %s, by %s", len(res.Inputs), res.Kind, res.SampleType.Type, res.Noun)
	switch res.Kind {
	case "python heap":
		s = fmt.Sprintf("%s, %s, by %s", count(len(res.Inputs), "Python heap dump"), res.SampleType.Type, res.Noun)
	case "cycle":
		s = fmt.Sprintf("%s, objects kept alive only by reference cycles, grouped by ring (types and edge labels)", count(len(res.Inputs), "Python heap dump"))
	case "task":
		s = fmt.Sprintf("%s, asyncio tasks grouped by %s", count(len(res.Inputs), "Python heap dump"), res.GroupedBy)
	case "resource":
		s = fmt.Sprintf("%s, open file descriptors by kind and event loops", count(len(res.Inputs), "Python heap dump"))
	}
	if res.Kind == "goroutine" {
		var formats []string
		for _, in := range res.Inputs {
			if f := string(in.Format); !slices.Contains(formats, f) {
				formats = append(formats, f)
			}
		}
		s = fmt.Sprintf("%s: %s, grouped by %s", count(len(res.Inputs), "goroutine snapshot"), strings.Join(formats, ", "), res.GroupedBy)
	}
	if res.Span > 0 {
		s += ", over " + Span(res.Span)
	}
	if res.Focus != "" {
		s += ", focus " + res.Focus
	}
	if res.Ignore != "" {
		s += ", ignore " + res.Ignore
	}
	return s
}

// VerdictLine is the one-sentence answer that opens every report:
// "2 allocation sites grew steadily: +48.0 MiB over 40.0 min".
func VerdictLine(res *analyze.Result) string {
	v := res.Verdict
	over := fmt.Sprintf("%d snapshots", v.Snaps)
	if v.Span > 0 {
		over = Span(v.Span)
	}
	unit := res.SampleType.Unit
	switch res.Kind {
	case "goroutine":
		return goVerdict(res, over)
	case "cycle":
		return cycleVerdict(res, over)
	case "task":
		return taskVerdict(res, over)
	case "resource":
		return resourceVerdict(res, over)
	}
	if v.Snaps == 1 && len(res.BigRetainers) > 0 {
		br := res.BigRetainers[0]
		objects := res.Total.Last
		if len(res.Rows) > 0 && res.Rows[0].Sizes != nil {
			objects = 0
			for _, r := range res.Rows {
				objects += float64(r.Sizes.Count)
			}
		}
		return fmt.Sprintf("%s objects of %d types; the biggest retainer, a %s reached via %s, retains %s.",
			Value(objects, "count"), len(res.Rows), printable(br.Type), pathSummary(br.Path), Value(float64(br.Retained), "bytes"))
	}
	if v.Growing == 0 {
		return fmt.Sprintf("No %s grew steadily over %s.", res.Noun, over)
	}
	return fmt.Sprintf("%s grew steadily: %s over %s.", count(v.Growing, res.Noun), Signed(v.Growth, unit), over)
}

// goVerdict: "5 goroutine groups are leak suspects: 5 grew by +75
// goroutines over 6 snapshots; 4 confirmed leaked by the runtime."
func goVerdict(res *analyze.Result, over string) string {
	v := res.Verdict
	if v.Suspects == 0 {
		if v.Snaps == 1 {
			return "No goroutine group is confirmed leaked or blocked for long."
		}
		return fmt.Sprintf("No goroutine group grew or is confirmed leaked over %s.", over)
	}
	verb := "are leak suspects"
	if v.Suspects == 1 {
		verb = "is a leak suspect"
	}
	var parts []string
	if v.Growing > 0 {
		parts = append(parts, fmt.Sprintf("%d grew by %s goroutines over %s", v.Growing, Signed(v.Growth, "count"), over))
	}
	if v.Confirmed > 0 {
		parts = append(parts, fmt.Sprintf("%d confirmed leaked by the runtime", v.Confirmed))
	}
	if n := v.Suspects - max(v.Growing, v.Confirmed); v.Snaps == 1 && n > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked for long", n))
	}
	s := fmt.Sprintf("%s %s", count(v.Suspects, res.Noun), verb)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	return s + "."
}

// count says "1 site", "3 sites", "+75 goroutines".
func count(n int, noun string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %s", n, plural(noun))
}

// caveat says what a short series cannot tell.
func caveat(res *analyze.Result) string {
	switch n := res.Verdict.Snaps; {
	case n == 1:
		return ""
	case n == 2:
		return "two snapshots show one step: a cache warming up or a buffer caught at its peak looks exactly like a leak; take 5 or more"
	case n < 5:
		return fmt.Sprintf("%d snapshots can tell a plateau from growth but not a slow sawtooth, and give no p-value; take 5 or more", n)
	}
	return ""
}

func rateHeader(res *analyze.Result) string {
	if res.PerHour {
		return "RATE/H"
	}
	return "RATE/SNAP"
}

func pct(t analyze.Trend) string {
	if !t.HasPct {
		if t.Last == 0 {
			return "—"
		}
		return "new"
	}
	return Percent(t.DeltaPct)
}

// shown returns the rows to show under opt.Top.
func shown(res *analyze.Result, opt Options) []analyze.Row {
	if opt.Top > 0 && len(res.Rows) > opt.Top {
		return res.Rows[:opt.Top]
	}
	return res.Rows
}

// classSummary counts rows per class: "2 growing · 1 plateau · 40 flat";
// in a single snapshot, where there are no classes, rows and suspects.
func classSummary(res *analyze.Result) string {
	rows := res.Rows
	if res.Verdict.Snaps == 1 {
		return fmt.Sprintf("%d, %d suspects", len(rows), res.Verdict.Suspects)
	}
	var parts []string
	for _, c := range classes {
		n := 0
		for _, r := range rows {
			if r.Class == c {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

// rowTitle names a row: its site, its function, or its stack's first
// frames. short trims file paths to their base name.
func rowTitle(r analyze.Row, by analyze.KeyMode, short bool) string {
	f := r.Frame
	switch by {
	case analyze.ByAwait:
		return taskTitle(r, short)
	case analyze.ByFunction:
		return printable(f.Func)
	case analyze.ByGroup:
		t := frameString(f, short)
		if r.Go != nil && r.Go.Creator != nil {
			t += " ← go " + printable(r.Go.Creator.Func)
		}
		return t
	case analyze.ByStack:
		var parts []string
		for i, fr := range r.Stack {
			if i == 3 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, printable(fr.Func))
		}
		return strings.Join(parts, " ← ")
	}
	return frameString(f, short)
}

func frameString(f analyze.Frame, short bool) string {
	if f.File == "" {
		return printable(f.Func)
	}
	file := f.File
	if short {
		file = filepath.Base(file)
	}
	return fmt.Sprintf("%s %s:%d", printable(f.Func), printable(file), f.Line)
}

func plural(noun string) string {
	if strings.HasSuffix(noun, "s") {
		return noun + "es"
	}
	return noun + "s"
}

// oneLine keeps a message from an input on one line.
func oneLine(s string) string { return printable(s) }

// printable escapes control characters and invalid UTF-8, which names read
// from untrusted inputs may hold, so that they cannot break a line, a table
// column or a terminal.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// errWriter remembers the first write error so writers can check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// edgeText names an edge for a path or a ring: "attr content", "key
// 'req-1'", "index [3]", and the label alone when it names the
// kind already ("__traceback__", "tb_frame", "__self__").
func edgeText(kind, label string) string {
	switch {
	case label == "":
		return kind
	}
	switch kind {
	case "attr", "key", "dictkey", "index", "local", "slot", "global", "garbage", "ref":
		return kind + " " + label
	}
	return label
}

// allocText writes an allocation traceback, innermost first:
//
//	allocated at (tracemalloc; 300 of 360 instances with a traceback):
//	  leak.py:40
//	  leak.py:75
func allocText(a *analyze.AllocSite, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sallocated at (tracemalloc; %d of %d instances with a traceback), innermost first:\n", indent, a.Instances, a.Of)
	for _, f := range a.Stack {
		fmt.Fprintf(&b, "%s  %s:%d\n", indent, printable(f.File), f.Line)
	}
	return b.String()
}
