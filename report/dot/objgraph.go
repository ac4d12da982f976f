package dot

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/report/units"
)

// The colours of object-graph pictures. objgraph's vocabulary: the start
// objects highlighted, roots and modules green, other boxes greyer the
// farther they are from the start; types that grew drawn red.
const (
	colStart  = "#ffe680"
	colRoot   = "#b9e4b9"
	colGrew   = "#c62828"
	colBreak  = "#d62728"
	colLine   = "#404040"
	colFaint  = "#8a8a8a"
	greyNear  = 0xff // fill of the start's neighbours …
	greyFar   = 0xb4 // … to the farthest ring
	edgeFont  = "9"
	nodeFont  = "10"
	fontPlain = "Helvetica"
)

// ObjGraphDOT writes an object graph as Graphviz DOT.
func ObjGraphDOT(w io.Writer, og *heap.ObjGraph) error {
	return objDOT(og).write(w)
}

func objDOT(og *heap.ObjGraph) *dotGraph {
	g := &dotGraph{name: "objects"}
	title := []string{og.Title}
	title = append(title, og.Notes...)
	if slices.ContainsFunc(og.Nodes, func(n heap.ObjNode) bool { return n.Grew }) {
		title = append(title, "red: the type grew across the series")
	}
	g.graph = attrs("label", dotTitle(title...), "labelloc", "t", "fontname", fontPlain, "fontsize", "12",
		"nodesep", "0.3", "ranksep", "0.45")
	g.node = attrs("shape", "box", "style", "filled", "fontname", fontPlain, "fontsize", nodeFont,
		"color", colLine, "fillcolor", "#ffffff")
	g.edge = attrs("fontname", fontPlain, "fontsize", edgeFont, "color", colLine, "arrowsize", "0.7")
	far := 1
	for _, n := range og.Nodes {
		far = max(far, n.Dist)
	}
	for i, n := range og.Nodes {
		g.addNode(dotNodeID(i), objNodeAttrs(n, far)...)
	}
	for _, e := range og.Edges {
		kv := []string{"label", dotLines(edgeLabel(e.Kind, e.Label))}
		switch {
		case e.Break:
			kv = []string{"label", dotLines("break here: " + edgeLabel(e.Kind, e.Label)), "color", colBreak, "fontcolor", colBreak,
				"penwidth", "2.5", "tooltip", pictureText(e.Note, 400)}
		case og.Nodes[e.From].More > 0 || og.Nodes[e.To].More > 0:
			kv = append(kv[:0], "style", "dashed", "color", colFaint)
		case e.Weak:
			kv = append(kv, "style", "dashed", "color", colFaint)
		case e.Kind == "garbage":
			kv = append(kv, "style", "dotted", "color", colFaint)
		}
		g.addEdge(dotNodeID(e.From), dotNodeID(e.To), kv...)
	}
	return g
}

// objNodeAttrs are the label and looks of one box.
func objNodeAttrs(n heap.ObjNode, far int) []string {
	if n.More > 0 {
		noun := "references"
		if n.More == 1 {
			noun = "reference"
		}
		return []string{"label", dotLines(fmt.Sprintf("%d more %s", n.More, noun)), "style", "dashed", "fontcolor", colFaint, "color", colFaint}
	}
	lines := []string{heap.ShortType(n.Type)}
	if n.Value != "" {
		lines = append(lines, n.Value)
	}
	if size := sizeLine(n); size != "" {
		lines = append(lines, size)
	}
	if n.Root != "" {
		lines = append(lines, "root: "+n.Root)
	}
	kv := []string{"label", dotLines(lines...), "tooltip", pictureText(tooltip(n), 200)}
	switch {
	case n.Start:
		kv = append(kv, "fillcolor", colStart, "penwidth", "2")
	case n.Root != "":
		kv = append(kv, "fillcolor", colRoot)
	default:
		kv = append(kv, "fillcolor", greyAt(n.Dist, far))
	}
	if n.Grew {
		kv = append(kv, "color", colGrew, "fontcolor", colGrew)
		if !n.Start {
			kv = append(kv, "penwidth", "2")
		}
	}
	return kv
}

func tooltip(n heap.ObjNode) string {
	if n.ID == 0 {
		return n.Type
	}
	if n.Ref != "" {
		return n.Type + " at " + n.Ref
	}
	return fmt.Sprintf("%s at %#x", n.Type, n.ID)
}

// sizeLine is "232 B", with what the object retains when that is more.
func sizeLine(n heap.ObjNode) string {
	if n.Size <= 0 {
		return ""
	}
	s := units.Value(float64(n.Size), "bytes")
	if n.Retained > n.Size {
		s += ", retains " + units.Value(float64(n.Retained), "bytes")
	}
	return s
}

// greyAt is the fill at distance d of far: white next to the start,
// darker farther away.
func greyAt(d, far int) string {
	c := greyNear - (greyNear-greyFar)*min(d, far)/far
	return fmt.Sprintf("#%02x%02x%02x", c, c, c)
}

// edgeLabel names a reference as objgraph does: the attribute, the key's
// repr (the dump's key labels are reprs already), the index in brackets.
func edgeLabel(kind, label string) string {
	switch {
	case label == "":
		return kind
	case kind == "index" && !strings.HasPrefix(label, "["):
		return "[" + label + "]"
	}
	return label
}
