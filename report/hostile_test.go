package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
)

// hostileNames are names a dump can carry: they try to end a DOT string, use
// Graphviz escapes, close Markdown code spans, tables, HTML blocks and
// Mermaid labels, break lines, and are long or not UTF-8.
var hostileNames = []string{
	`evil"] ; n1 -> n2 [label="x`,
	`back\slash \N \G \l \"`,
	"two\nlines\r\n\tand tab",
	"`code` ``` fence | pipe |",
	"</details><script>alert(1)</script><img src=x onerror=alert(2)>",
	"#quot; #35; &amp; --> ==> |x| [y] {z}",
	"bad utf8 \xff\xfe end",
	strings.Repeat("verylongname.", 30),
	"\uE000private\uE001use",
}

func hostileGraph() *heap.ObjGraph {
	og := &heap.ObjGraph{Title: hostileNames[0], Notes: []string{hostileNames[2]}}
	for i, h := range hostileNames {
		og.Nodes = append(og.Nodes, heap.ObjNode{ID: uint64(i + 1), Type: "mod." + h, Value: h, Size: 64, Root: strings.Repeat("module ", i%2) + h, Start: i == 0, Grew: i%3 == 0})
		if i > 0 {
			og.Edges = append(og.Edges, heap.ObjEdge{From: i - 1, To: i, Kind: "attr", Label: h})
		}
	}
	og.Edges = append(og.Edges, heap.ObjEdge{From: len(hostileNames) - 1, To: 0, Kind: "key", Label: hostileNames[1], Break: true, Note: hostileNames[4]})
	return og
}

func TestObjGraphDOTHostile(t *testing.T) {
	var b bytes.Buffer
	if err := ObjGraphDOT(&b, hostileGraph()); err != nil {
		t.Fatal(err)
	}
	dot := b.String()
	checkGolden(t, "pictures/hostile.objgraph.dot", b.Bytes())
	checkDOTSyntax(t, strings.Replace(dot, `digraph "objects" {`, "digraph  {", 1))
	if !utf8.ValidString(dot) {
		t.Error("DOT is not UTF-8")
	}
	for _, bad := range []string{"\\N", "\\G", "\uE000", "\uE001"} {
		// A Graphviz escape may appear only with its backslash doubled.
		if strings.Contains(strings.ReplaceAll(dot, `\\`, ""), bad) {
			t.Errorf("DOT carries %q unescaped", bad)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^  n\d+ -> n\d+ \[`).FindAllString(dot, -1)); n != len(hostileNames) {
		t.Errorf("%d edges, want %d", n, len(hostileNames))
	}
	for _, l := range strings.Split(dot, "\n") {
		if utf8.RuneCountInString(l) > 2000 {
			t.Errorf("line of %d runes: long names are not cut", utf8.RuneCountInString(l))
		}
	}
}

func TestRingMermaidHostile(t *testing.T) {
	ci := &python.CycleInfo{Break: &python.BreakEdge{Step: 1}}
	for _, h := range hostileNames {
		ci.Ring = append(ci.Ring, python.RingStep{Type: "mod." + h, Note: h, Kind: "attr", Label: h})
	}
	var b strings.Builder
	if err := RingMermaid(&b, ci); err != nil {
		t.Fatal(err)
	}
	m := b.String()
	checkGolden(t, "pictures/hostile.ring.mmd", []byte(m))
	lines := strings.Split(strings.TrimSuffix(m, "\n"), "\n")
	// One line per node, per edge, the header and the break's style: no
	// name added a line.
	if len(lines) != 2*len(hostileNames)+2 {
		t.Errorf("%d lines, want %d", len(lines), 2*len(hostileNames)+2)
	}
	node := regexp.MustCompile(`^  r\d+\["[^"<>` + "`" + `|]*"\]$`)
	edge := regexp.MustCompile(`^  r\d+ (-->|==>)\|"[^"<>` + "`" + `|]*"\| r\d+$`)
	for _, l := range lines[1 : len(lines)-1] {
		if !node.MatchString(l) && !edge.MatchString(l) {
			t.Errorf("line escapes its label: %q", l)
		}
	}
}

// TestDocumentHostile: names from a dump cannot close the document's code
// spans, tables or HTML, and the figures' links stay links.
func TestDocumentHostile(t *testing.T) {
	res := &series.Result{Kind: "python heap", Detail: &heap.Detail{Runtime: "Python"}, By: series.ByType, Noun: "type", SampleType: series.ValueType{Type: "objects", Unit: "count"},
		Inputs: []series.Input{{Name: hostileNames[3]}, {Name: hostileNames[4]}}, Warnings: []string{hostileNames[4]}}
	for _, h := range hostileNames {
		res.Rows = append(res.Rows, series.Row{Key: "mod." + h, Frame: series.Frame{Func: "mod." + h}, Suspect: true, Reasons: []string{"growing"},
			Trend: series.Trend{Values: []float64{1, 2}, Class: series.Growing, Delta: 1, Last: 2, Max: 2}})
	}
	res.Verdict = series.Verdict{Suspects: len(hostileNames), Growing: len(hostileNames), Growth: 9, Snaps: 2}
	figs := map[string][]Figure{FigureKey(res, res.Rows[0].Key): {{Caption: hostileNames[3] + hostileNames[4], Image: "my (draft).assets/a b.png", Mermaid: "flowchart LR\n  r1[\"x\"]\n"}}}
	var b bytes.Buffer
	if err := Document(&b, res, Options{Figures: figs}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	checkGolden(t, "pictures/hostile.report.md", b.Bytes())
	prose := strings.ReplaceAll(outsideCode(doc), `\<`, "&lt;") // an escaped < is text
	if strings.Contains(prose, "<script") || strings.Contains(prose, "<img") || strings.Count(prose, "</details>") != strings.Count(prose, "<details>") {
		t.Errorf("raw HTML from a name reached the document:\n%s", prose)
	}
	if !strings.Contains(doc, "](my%20%28draft%29.assets/a%20b.png)") {
		t.Error("image link not escaped")
	}
	if !strings.HasPrefix(doc, "# ") || strings.Count(strings.SplitN(doc, "\n", 2)[0], "#") != 1 {
		t.Errorf("first line %q", strings.SplitN(doc, "\n", 2)[0])
	}
	// Every table row has as many cells as the header.
	var cols int
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(l, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d pipes, header %d: %q", n, cols, l)
		}
	}
	if kw := Keywords(res); len(kw) != len(hostileNames) {
		t.Errorf("%d keywords", len(kw))
	}
}

// outsideCode is a Markdown document without its fenced blocks and code
// spans: the text in which HTML would be live.
func outsideCode(doc string) string {
	var b strings.Builder
	fence := ""
	for _, l := range strings.Split(doc, "\n") {
		if fence != "" {
			if strings.TrimSpace(l) == fence {
				fence = ""
			}
			continue
		}
		if run := strings.TrimLeft(l, "`"); len(l)-len(run) >= 3 {
			fence = l[:len(l)-len(run)]
			continue
		}
		for {
			i := strings.IndexByte(l, '`')
			if i < 0 {
				break
			}
			n := i
			for n < len(l) && l[n] == '`' {
				n++
			}
			end := strings.Index(l[n:], l[i:n])
			if end < 0 {
				break
			}
			l = l[:i] + l[n+end+n-i:]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
