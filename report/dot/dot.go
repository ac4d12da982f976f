package dot

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leakscan/leakscan/report/units"
)

// maxLabel bounds one line of a label in a picture, in runes; longer names
// are cut in the middle, where they are least informative
// ("github.com/…/pkg.(*T).Method").
const maxLabel = 60

// dotGraph is a Graphviz graph built in memory and written in the order
// things were added, so that the same analysis gives the same DOT.
type dotGraph struct {
	name  string
	graph []dotAttr
	node  []dotAttr // defaults for every node
	edge  []dotAttr // defaults for every edge
	nodes []dotNode
	edges []dotEdge
}

type dotAttr struct{ key, value string }

type dotNode struct {
	id    string
	attrs []dotAttr
}

type dotEdge struct {
	from, to string
	attrs    []dotAttr
}

// dotNodeID names the i-th node (from 0) of a picture: n1, n2 …
func dotNodeID(i int) string { return "n" + strconv.Itoa(i+1) }

// attrs builds an attribute list from key, value pairs.
func attrs(kv ...string) []dotAttr {
	out := make([]dotAttr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, dotAttr{kv[i], kv[i+1]})
	}
	return out
}

func (g *dotGraph) addNode(id string, kv ...string) {
	g.nodes = append(g.nodes, dotNode{id: id, attrs: attrs(kv...)})
}

func (g *dotGraph) addEdge(from, to string, kv ...string) {
	g.edges = append(g.edges, dotEdge{from: from, to: to, attrs: attrs(kv...)})
}

// write writes the graph as DOT. Identifiers are ours (n1, n2 …); every
// value is quoted and escaped, so names from a dump cannot end a string,
// add attributes or use Graphviz's \N-style escapes.
func (g *dotGraph) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph " + dotQuote(g.name) + " {\n")
	writeDefaults(bw, "graph", g.graph)
	writeDefaults(bw, "node", g.node)
	writeDefaults(bw, "edge", g.edge)
	for _, n := range g.nodes {
		bw.WriteString("  " + n.id)
		writeAttrs(bw, n.attrs)
	}
	for _, e := range g.edges {
		bw.WriteString("  " + e.from + " -> " + e.to)
		writeAttrs(bw, e.attrs)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func writeDefaults(bw *bufio.Writer, what string, as []dotAttr) {
	if len(as) == 0 {
		return
	}
	bw.WriteString("  " + what)
	writeAttrs(bw, as)
}

func writeAttrs(bw *bufio.Writer, as []dotAttr) {
	if len(as) > 0 {
		bw.WriteString(" [")
		for i, a := range as {
			if i > 0 {
				bw.WriteString(", ")
			}
			v := a.value
			if a.key == "tooltip" {
				// Graphviz expands escapes in tooltips twice.
				v = strings.ReplaceAll(v, `\`, `\\`)
			}
			bw.WriteString(a.key + "=" + dotQuote(v))
		}
		bw.WriteString("]")
	}
	bw.WriteString(";\n")
}

// dotQuote quotes a value for DOT. A label's lines are joined with "\n"
// by dotLines beforehand; here backslashes are doubled (so a name cannot
// use \N, \G or \l) except in the escapes dotLines made, marked by the
// private-use rune lineBreak.
func dotQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '&':
			// Graphviz resolves character references in labels
			// (&lt; draws <): a name's own & is written as one.
			b.WriteString("&amp;")
		case lineBreak:
			b.WriteString(`\n`)
		case leftBreak:
			b.WriteString(`\l`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// lineBreak and leftBreak stand for DOT's centred and left-justified line
// ends inside labels until dotQuote writes them; they are private-use runes
// that pictureText removes from names, so a name cannot forge one.
const (
	lineBreak = '\uE000'
	leftBreak = '\uE001'
)

// maxTitle bounds one line of a picture's title, in runes.
const maxTitle = 160

// dotLines joins label lines, each made safe with pictureText, centred.
func dotLines(lines ...string) string { return joinLines(maxLabel, lines) }

// dotTitle is dotLines for a picture's title, whose lines may be longer.
func dotTitle(lines ...string) string { return joinLines(maxTitle, lines) }

func joinLines(max int, lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteRune(lineBreak)
		}
		b.WriteString(pictureText(l, max))
	}
	return b.String()
}

// pictureText makes one line of untrusted text fit for a picture: invalid
// UTF-8 and control characters (newlines included) are shown escaped,
// private-use runes dropped, and names longer than max runes cut in the
// middle with "…".
func pictureText(s string, max int) string {
	s = units.Printable(s)
	if strings.ContainsAny(s, string([]rune{lineBreak, leftBreak})) {
		s = strings.Map(func(r rune) rune {
			if r == lineBreak || r == leftBreak {
				return -1
			}
			return r
		}, s)
	}
	if n := utf8.RuneCountInString(s); n > max {
		rs := []rune(s)
		head := (max - 1) / 2
		tail := max - 1 - head
		s = string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
	}
	return s
}

// Label makes one line of untrusted text fit for a label, as pictures
// show names: escaped, and cut in the middle beyond the label width.
func Label(s string) string { return pictureText(s, maxLabel) }
