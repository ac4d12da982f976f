package dot

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/report/internal/testkit"
)

func hostileGraph() *heap.ObjGraph {
	og := &heap.ObjGraph{Title: testkit.Names[0], Notes: []string{testkit.Names[2]}}
	for i, h := range testkit.Names {
		og.Nodes = append(og.Nodes, heap.ObjNode{ID: uint64(i + 1), Type: "mod." + h, Value: h, Size: 64, Root: strings.Repeat("module ", i%2) + h, Start: i == 0, Grew: i%3 == 0})
		if i > 0 {
			og.Edges = append(og.Edges, heap.ObjEdge{From: i - 1, To: i, Kind: "attr", Label: h})
		}
	}
	og.Edges = append(og.Edges, heap.ObjEdge{From: len(testkit.Names) - 1, To: 0, Kind: "key", Label: testkit.Names[1], Break: true, Note: testkit.Names[4]})
	return og
}

func TestObjGraphDOTHostile(t *testing.T) {
	var b bytes.Buffer
	if err := ObjGraphDOT(&b, hostileGraph()); err != nil {
		t.Fatal(err)
	}
	dot := b.String()
	testkit.Golden(t, "pictures/hostile.objgraph.dot", b.Bytes())
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
	if n := len(regexp.MustCompile(`(?m)^  n\d+ -> n\d+ \[`).FindAllString(dot, -1)); n != len(testkit.Names) {
		t.Errorf("%d edges, want %d", n, len(testkit.Names))
	}
	for _, l := range strings.Split(dot, "\n") {
		if utf8.RuneCountInString(l) > 2000 {
			t.Errorf("line of %d runes: long names are not cut", utf8.RuneCountInString(l))
		}
	}
}

func TestRingMermaidHostile(t *testing.T) {
	ci := &python.CycleInfo{Break: &python.BreakEdge{Step: 1}}
	for _, h := range testkit.Names {
		ci.Ring = append(ci.Ring, python.RingStep{Type: "mod." + h, Note: h, Kind: "attr", Label: h})
	}
	var b strings.Builder
	if err := RingMermaid(&b, ci); err != nil {
		t.Fatal(err)
	}
	m := b.String()
	testkit.Golden(t, "pictures/hostile.ring.mmd", []byte(m))
	lines := strings.Split(strings.TrimSuffix(m, "\n"), "\n")
	// One line per node, per edge, the header and the break's style: no
	// name added a line.
	if len(lines) != 2*len(testkit.Names)+2 {
		t.Errorf("%d lines, want %d", len(lines), 2*len(testkit.Names)+2)
	}
	node := regexp.MustCompile(`^  r\d+\["[^"<>` + "`" + `|]*"\]$`)
	edge := regexp.MustCompile(`^  r\d+ (-->|==>)\|"[^"<>` + "`" + `|]*"\| r\d+$`)
	for _, l := range lines[1 : len(lines)-1] {
		if !node.MatchString(l) && !edge.MatchString(l) {
			t.Errorf("line escapes its label: %q", l)
		}
	}
}
