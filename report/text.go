package report

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// Options controls every writer.
type Options struct {
	Top int // rows to show; 0 shows all
	// Figures are pictures for the Markdown writer to place: under a
	// suspect's section (keyed by FigureKey of its result and row), or
	// after a result's suspects table (FigureKey with an empty row).
	Figures map[string][]Figure
	// section is the Markdown heading of a document's sections ("##"
	// under an H1 title, "###" under an H2 one); set by the writers.
	section string
}

// classes lists the classes in the order summaries mention them.
var classes = []series.Class{series.Growing, series.New, series.BelowNoise, series.Plateau, series.Sawtooth, series.Shrinking, series.Gone, series.Flat}

// Text writes the aligned table: the verdict, the total, then one row per
// key with its series as a sparkline, suspects first.
func Text(w io.Writer, res *series.Result, opt Options) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "%s\n", header(res))
	fmt.Fprintf(ew, "%s\n", VerdictLine(res))
	for _, rel := range res.Related {
		if rel.Verdict.Suspects > 0 {
			fmt.Fprintf(ew, "%s\n", VerdictLine(rel))
		}
	}
	viewOf(res).textLead(ew, res)
	textBody(ew, res, opt)
	if empty := emptySections(res); empty != "" {
		fmt.Fprintf(ew, "\nalso checked: %s\n", empty)
	}
	for _, rel := range res.Related {
		if len(rel.Rows) == 0 {
			continue
		}
		fmt.Fprintf(ew, "\n== %s ==\n", viewOf(rel).section(rel))
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
func textBody(ew io.Writer, res *series.Result, opt Options) {
	if c := caveat(res); c != "" {
		fmt.Fprintf(ew, "note: %s\n", c)
	}
	v := viewOf(res)
	v.textPreamble(ew, res)
	unit := res.SampleType.Unit
	fmt.Fprintf(ew, "total: %s\n", totalLine(res))
	rows := shown(res, opt)
	fmt.Fprintf(ew, "%s: %s", units.Plural(res.Noun), classSummary(res))
	if len(rows) < len(res.Rows) {
		fmt.Fprintf(ew, " (showing the top %d)", len(rows))
	}
	fmt.Fprintln(ew)
	if len(rows) > 0 {
		fmt.Fprintln(ew)
		rowsTable(res, rows).write(ew)
	}
	for i, r := range rows {
		v.textRow(ew, res, i, r)
	}
	v.textAfter(ew, res)
	if len(res.Churn) > 0 {
		fmt.Fprintf(ew, "\nchurn (allocated and freed, not retained):\n")
		t := table{right: []bool{false, true, false, true}}
		for _, r := range firstN(res.Churn, maxChurn) {
			t.add("  "+rowTitle(res, r, true), "allocated "+units.Value(r.Allocated, unit), "in use at most", units.Value(r.Max, unit))
		}
		t.write(ew)
	}
	if len(res.Hidden) > 0 {
		fmt.Fprintf(ew, "\nhidden: %s\n", hiddenNote(res))
	}
}

// classLabel is the class shown for a row: its series class, or "churn"
// for a row that allocates much and keeps little.
func classLabel(r series.Row) string {
	if r.Churn {
		return "churn"
	}
	return string(r.Class)
}

// hiddenNote says what was hidden as the profiler's own.
func hiddenNote(res *series.Result) string { return viewOf(res).hidden(res) }

// maxChurn is how many churn rows a report lists.
const maxChurn = 5

func firstN(rows []series.Row, n int) []series.Row {
	return rows[:min(n, len(rows))]
}

// totalLine is the total of every row: its change and trend over a
// series, its value in a single snapshot.
func totalLine(res *series.Result) string {
	unit := res.SampleType.Unit
	if res.Verdict.Snaps == 1 {
		return units.Value(res.Total.Last, unit) + " " + res.SampleType.Type
	}
	return fmt.Sprintf("%s → %s (%s)  %s", units.Value(res.Total.First, unit), units.Value(res.Total.Last, unit),
		units.Signed(res.Total.Delta, unit), units.Sparkline(res.Total.Values))
}

// header says what was compared.
func header(res *series.Result) string {
	s := viewOf(res).header(res)
	if res.Span > 0 {
		s += ", over " + units.Span(res.Span)
	}
	if res.Focus != "" {
		s += ", focus " + res.Focus
	}
	if res.Ignore != "" {
		s += ", ignore " + res.Ignore
	}
	return units.Printable(s)
}

// VerdictLine is the one-sentence answer that opens every report:
// "2 allocation sites grew steadily: +48.0 MiB over 40.0 min".
func VerdictLine(res *series.Result) string {
	v := res.Verdict
	over := fmt.Sprintf("%d snapshots", v.Snaps)
	if v.Span > 0 {
		over = units.Span(v.Span)
	}
	if s, ok := viewOf(res).verdict(res, over); ok {
		return s
	}
	if v.Growing == 0 {
		return fmt.Sprintf("No %s grew steadily over %s.", res.Noun, over)
	}
	return fmt.Sprintf("%s grew steadily: %s over %s.", units.Count(v.Growing, res.Noun), units.Signed(v.Growth, res.SampleType.Unit), over)
}

// caveat says what a short series cannot tell.
func caveat(res *series.Result) string {
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

// rate is the unit the human writers give growth rates in.
type rate struct {
	per   string  // "second", "minute", "hour", "day", "snapshot"
	abbr  string  // for column heads: "S", "MIN", "H", "D", "SNAP"
	scale float64 // multiplies a slope (per hour, or per snapshot) into this unit
}

// rateOf picks the natural unit of a series' span: per second under two
// minutes, per minute under two hours, per hour under two days, else per
// day — a two-second series says "+4 MiB per second", not an alarming
// "+14 GiB per hour" it never lived to see. Per snapshot when the inputs
// carry no times. (The JSON document keeps per hour: rate_unit.)
func rateOf(res *series.Result) rate {
	if !res.PerHour {
		return rate{"snapshot", "SNAP", 1}
	}
	span := res.Verdict.Span
	if span == 0 {
		span = res.Span
	}
	if n := len(res.Inputs); span == 0 && n >= 2 && !res.Inputs[0].Time.IsZero() {
		span = res.Inputs[n-1].Time.Sub(res.Inputs[0].Time)
	}
	switch {
	case span < 2*time.Minute:
		return rate{"second", "S", 1.0 / 3600}
	case span < 2*time.Hour:
		return rate{"minute", "MIN", 1.0 / 60}
	case span < 48*time.Hour:
		return rate{"hour", "H", 1}
	}
	return rate{"day", "D", 24}
}

func rateHeader(res *series.Result) string { return "RATE/" + rateOf(res).abbr }

func pct(t series.Trend) string {
	if !t.HasPct {
		if t.Last == 0 {
			return "—"
		}
		return "new"
	}
	return units.Percent(t.DeltaPct)
}

// shown returns the rows to show under opt.Top.
func shown(res *series.Result, opt Options) []series.Row {
	if opt.Top > 0 && len(res.Rows) > opt.Top {
		return res.Rows[:opt.Top]
	}
	return res.Rows
}

// classSummary counts rows per class: "2 growing · 1 plateau · 40 flat";
// in a single snapshot, where there are no classes, rows and suspects.
func classSummary(res *series.Result) string {
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

// rowTitle names a row as its view does: its site, its function, its
// stack's first frames, a type, a ring, an await chain. short trims file
// paths to their base name.
func rowTitle(res *series.Result, r series.Row, short bool) string {
	return viewOf(res).title(res, r, short)
}

// joinReasons is why a row is a suspect, on one line.
func joinReasons(r series.Row) string { return strings.Join(r.Reasons, "; ") }

func frameString(f series.Frame, short bool) string {
	if f.File == "" {
		return units.Printable(f.Func)
	}
	file := f.File
	if short {
		file = filepath.Base(file)
	}
	return fmt.Sprintf("%s %s:%d", units.Printable(f.Func), units.Printable(file), f.Line)
}

// oneLine keeps a message from an input on one line.
func oneLine(s string) string { return units.Printable(s) }

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
