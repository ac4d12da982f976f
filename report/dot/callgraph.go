package dot

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze/callgraph"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// CallGraphDOTOptions configures CallGraphDOT.
type CallGraphDOTOptions struct {
	// Title is an extra first line for the legend (the inputs, say); ""
	// for none.
	Title string
}

// CallGraphDOT writes a growth call graph as Graphviz DOT in pprof's diff
// vocabulary, with one change: only the functions whose cum value grew
// steadily (class growing: the paths of the leak suspects) are red, the
// deeper the larger their growth; shrinking ones are green; everything
// else — a cache that filled and stopped, a buffer that is reset, what
// did not change — is grey, with its class in the box. A node's font size
// says how its flat value changed, an edge's width how much more or less
// went through it, its colour that of the function it calls. Beyond
// pprof, each node shows its series of cum values, new functions have a
// double border and a "NEW" line, gone ones a dashed border, edges
// through trimmed functions are dotted and `go` statements dashed.
//
// The picture is kept narrow enough to read at a page's width (GitHub
// shows about 900 pixels): labels of at most 40 characters a line, fonts
// of 12 to 20 points, and the graph's separate parts packed two to a row,
// the parts with the largest growth first, instead of all in one row.
func CallGraphDOT(w io.Writer, cg *callgraph.CallGraph, opt CallGraphDOTOptions) error {
	g := &dotGraph{name: "leakscan"}
	g.graph = attrs("label", cgLegend(cg, opt), "labelloc", "t", "fontname", "Helvetica", "fontsize", "14",
		"rankdir", "TB", "nodesep", "0.3", "ranksep", "0.4", "pack", "true", "packmode", "array_tu2",
		"tooltip", "leakscan growth call graph")
	g.node = attrs("shape", "box", "style", "filled", "fontname", "Helvetica", "margin", "0.15,0.06")
	g.edge = attrs("fontname", "Helvetica", "fontsize", "12", "arrowsize", "0.8")

	maxGrow, maxShrink, maxFlat := 0.0, 0.0, 0.0
	for _, n := range cg.Nodes {
		switch d := cgChange(n.Cum); n.Class {
		case series.Growing:
			maxGrow = math.Max(maxGrow, d)
		case series.Shrinking:
			maxShrink = math.Max(maxShrink, -d)
		}
		maxFlat = math.Max(maxFlat, math.Abs(cgChange(n.Flat)))
	}
	names := cgShortNames(cg.Nodes)
	for i, n := range cg.Nodes {
		fill, line, text := cgClassColors(n, maxGrow, maxShrink)
		lines := []string{names[i]}
		if n.New {
			lines = append([]string{"NEW"}, lines...)
		}
		if n.Gone {
			lines = append(lines, "gone")
		}
		if note := cgClassNote(n); note != "" {
			lines = append(lines, note)
		}
		if df := cgChange(n.Flat); df != 0 {
			lines = append(lines, "flat "+units.Signed(df, cg.Unit))
		}
		lines = append(lines, cgSeriesLines("cum ", n.Cum, cg.Unit)...)
		style, peripheries := "filled", "1"
		switch {
		case n.New:
			style, peripheries = "filled,bold", "2"
		case n.Gone:
			style = "filled,dashed"
		}
		tip := []string{n.Func, n.File, "cum " + cgSeriesText(n.Cum, cg.Unit) + ": " + string(n.Class)}
		if slices.ContainsFunc(n.Flat, func(v float64) bool { return v != 0 }) {
			tip = append(tip, "flat "+cgSeriesText(n.Flat, cg.Unit))
		}
		g.addNode(dotNodeID(i), "label", dotLines(lines...), "tooltip", cgTip(tip...),
			"fontsize", strconv.Itoa(cgFontSize(cgChange(n.Flat), maxFlat)), "sortv", strconv.Itoa(i),
			"fillcolor", fill, "color", line, "fontcolor", text, "style", style, "peripheries", peripheries)
	}

	maxEdge := 0.0
	for _, e := range cg.Edges {
		maxEdge = math.Max(maxEdge, math.Abs(cgChange(e.Values)))
	}
	for _, e := range cg.Edges {
		d := cgChange(e.Values)
		_, line, _ := cgClassColors(cg.Nodes[e.To], maxGrow, maxShrink)
		label := units.Signed(d, cg.Unit)
		style := "solid"
		if e.Spawn {
			label, style = "go "+label, "dashed"
		}
		if e.Residual {
			style = "dotted"
		}
		width := 1.0
		if maxEdge > 0 {
			width += 5 * math.Abs(d) / maxEdge
		}
		tip := []string{cg.Nodes[e.From].Func + " → " + cg.Nodes[e.To].Func, cgSeriesText(e.Values, cg.Unit)}
		g.addEdge(dotNodeID(e.From), dotNodeID(e.To), "label", dotLines(" "+label), "tooltip", cgTip(tip...),
			"penwidth", strconv.FormatFloat(width, 'f', 2, 64), "color", line, "fontcolor", line, "style", style)
	}
	return g.write(w)
}

// cgClassNote names the class of a node that changed without growing
// steadily, so that a grey box says why it is not a suspect.
func cgClassNote(n callgraph.CGNode) string {
	switch n.Class {
	case series.Plateau:
		return "plateau: filled, then stopped"
	case series.Sawtooth:
		return "sawtooth: rises and falls back"
	case series.Shrinking:
		return "shrinking"
	}
	return ""
}

// cgChange is the series' last value minus its first.
func cgChange(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	return vs[len(vs)-1] - vs[0]
}

// cgLegend is the graph's title: what was compared, how the total changed,
// how much is shown, and the key to the pictures.
func cgLegend(cg *callgraph.CallGraph, opt CallGraphDOTOptions) string {
	var lines []string
	if opt.Title != "" {
		lines = append(lines, opt.Title)
	}
	head := fmt.Sprintf("%s · %d snapshots", cg.SampleType, len(cg.Total))
	if n := len(cg.Times); n > 1 && !cg.Times[0].IsZero() && !cg.Times[n-1].IsZero() {
		head += " over " + units.Span(cg.Times[n-1].Sub(cg.Times[0]))
	}
	if len(cg.Total) > 0 {
		head += " · total " + units.Value(cg.Total[0], cg.Unit) + " → " + units.Value(cg.Total[len(cg.Total)-1], cg.Unit) +
			" (" + units.Signed(cgChange(cg.Total), cg.Unit) + ")"
	}
	all := len(cg.Nodes) + cg.DroppedNodes
	shown := fmt.Sprintf("%d of %d %s shown", len(cg.Nodes), all, cgPlural(all, "function"))
	if cg.DroppedEdges > 0 {
		shown += fmt.Sprintf(", %d small %s hidden", cg.DroppedEdges, cgPlural(cg.DroppedEdges, "call"))
	}
	growing := 0
	for _, n := range cg.Nodes {
		if n.Class == series.Growing {
			growing++
		}
	}
	suspects := "no function grew steadily: nothing is red"
	if growing > 0 {
		suspects = fmt.Sprintf("red: the %s that grew steadily, on the leak suspects' paths", cgCount(growing, "function"))
	}
	lines = append(lines, head, shown, suspects,
		"grey: did not grow steadily (filled and stopped, reset, unchanged: class in the box)",
		"green: shrank · font size: flat change · edge width: change",
		"double border: new · dashed border: gone · dashed edge: go statement",
		"dotted edge: through functions not shown")
	return cgTip(lines...)
}

// cgCount is "1 function", "3 functions".
func cgCount(n int, noun string) string { return strconv.Itoa(n) + " " + cgPlural(n, noun) }

func cgPlural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// cgSeriesText is a series written out in full, "1 → 2 → 3 (+2)".
func cgSeriesText(vs []float64, unit string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = units.Value(v, unit)
	}
	return strings.Join(parts, " → ") + " (" + units.Signed(cgChange(vs), unit) + ")"
}

// cgMaxLine is the longest series line of a node before its change goes
// on a line of its own.
const cgMaxLine = 32

// cgSeriesLines writes a series compactly for a label: every value up to
// four snapshots, else the first, "…" and the last; then the change, on
// its own line when one line would be too long. A constant series is one
// value, "(unchanged)".
func cgSeriesLines(prefix string, vs []float64, unit string) []string {
	if len(vs) == 0 {
		return nil
	}
	if !slices.ContainsFunc(vs, func(v float64) bool { return v != vs[0] }) {
		return []string{prefix + units.Value(vs[0], unit) + " (unchanged)"}
	}
	var parts []string
	if len(vs) <= 4 {
		for _, v := range vs {
			parts = append(parts, units.Value(v, unit))
		}
	} else {
		parts = []string{units.Value(vs[0], unit), "…", units.Value(vs[len(vs)-1], unit)}
	}
	s, d := prefix+strings.Join(parts, " → "), "("+units.Signed(cgChange(vs), unit)+")"
	if len([]rune(s))+1+len([]rune(d)) > cgMaxLine {
		return []string{s, d}
	}
	return []string{s + " " + d}
}

// cgTip joins the lines of a tooltip or the legend, each made safe, longer
// than node labels allow.
func cgTip(lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteRune(lineBreak)
		}
		b.WriteString(pictureText(l, 4*maxLabel))
	}
	return b.String()
}

// cgShortFunc drops a function's package path up to its last '/', keeping
// "pkg.(*T).Method". Only the leading run of characters an import path may
// hold is a package path, so slashes in type arguments or in a crafted
// name are left alone.
func cgShortFunc(fn string) string {
	end := strings.IndexFunc(fn, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("./-_~+", r))
	})
	if end < 0 {
		end = len(fn)
	}
	if i := strings.LastIndexByte(fn[:end], '/'); i >= 0 && i+1 < len(fn) {
		return fn[i+1:]
	}
	return fn
}

// cgShortNames are the nodes' short names, or their full names where two
// short names would be the same ("sync.(*Mutex).Lock" and
// "internal/sync.(*Mutex).Lock").
func cgShortNames(nodes []callgraph.CGNode) []string {
	names := make([]string, len(nodes))
	count := map[string]int{} // lookups only
	for i, n := range nodes {
		names[i] = cgShortFunc(n.Func)
		count[names[i]]++
	}
	for i, n := range nodes {
		if count[names[i]] > 1 {
			names[i] = n.Func
		}
	}
	return names
}

// cgFontSize grows from 12 to 20 points with the square root of a node's
// |Δflat| relative to the largest (pprof scales by flat the same way; its
// larger range made pictures too wide to read at a page's width).
func cgFontSize(d, max float64) int {
	if max <= 0 {
		return 12
	}
	return 12 + int(math.Round(8*math.Sqrt(math.Abs(d)/max)))
}

// cgRGB is a colour; the palette's ends are mixed by the size of a change.
type cgRGB struct{ r, g, b float64 }

func (c cgRGB) hex() string {
	return fmt.Sprintf("#%02x%02x%02x", uint8(math.Round(c.r)), uint8(math.Round(c.g)), uint8(math.Round(c.b)))
}

func cgMix(a, b cgRGB, t float64) cgRGB {
	return cgRGB{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

// The diff palette: fill, outline and text colours for no change, the
// largest growth and the largest shrinkage.
var (
	cgGreyFill, cgGreyLine, cgGreyText    = cgRGB{0xf2, 0xf2, 0xf2}, cgRGB{0xa6, 0xa6, 0xa6}, cgRGB{0x59, 0x59, 0x59}
	cgRedFill, cgRedLine, cgRedText       = cgRGB{0xf7, 0xc8, 0xc3}, cgRGB{0xb8, 0x12, 0x12}, cgRGB{0x8f, 0x0a, 0x0a}
	cgGreenFill, cgGreenLine, cgGreenText = cgRGB{0xcc, 0xea, 0xc4}, cgRGB{0x1e, 0x80, 0x2a}, cgRGB{0x12, 0x5e, 0x1c}
)

// cgColors returns the fill, outline and text colours of a change d given
// the largest |change| max: grey mixed towards red (growth) or green by
// the square root of |d|/max, at least half way so that the
// smallest suspect is still plainly red.
func cgColors(d, max float64) (fill, line, text string) {
	t := 0.0
	if max > 0 && d != 0 {
		t = math.Max(0.5, math.Sqrt(math.Min(1, math.Abs(d)/max)))
	}
	f, l, x := cgRedFill, cgRedLine, cgRedText
	if d < 0 {
		f, l, x = cgGreenFill, cgGreenLine, cgGreenText
	}
	return cgMix(cgGreyFill, f, t).hex(), cgMix(cgGreyLine, l, t).hex(), cgMix(cgGreyText, x, t).hex()
}

// cgClassColors colours a node by its class: red for growing, green for
// shrinking, scaled by its change against the largest of its kind; grey
// for every other class.
func cgClassColors(n callgraph.CGNode, maxGrow, maxShrink float64) (fill, line, text string) {
	switch d := cgChange(n.Cum); n.Class {
	case series.Growing:
		return cgColors(d, maxGrow)
	case series.Shrinking:
		return cgColors(d, maxShrink)
	}
	return cgColors(0, 0)
}
