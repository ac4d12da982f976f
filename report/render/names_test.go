package render_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/report/dot"
	"github.com/leakscan/leakscan/report/render"
)

// nameGraph is an object graph whose every name is s.
func nameGraph(s string) *heap.ObjGraph {
	return &heap.ObjGraph{
		Title: s,
		Nodes: []heap.ObjNode{{ID: 1, Type: s, Value: s, Start: true}, {ID: 2, Type: "mod." + s, Root: "module " + s}, {More: 3}},
		Edges: []heap.ObjEdge{{From: 1, To: 0, Kind: "attr", Label: s}, {From: 0, To: 1, Kind: "key", Label: s, Break: true, Note: s}, {From: 2, To: 0}},
	}
}

// FuzzPictureNames: whatever names a dump carries, the DOT leakscan
// writes parses, lays out with its three nodes and three edges, and its
// SVG is well-formed XML with no element a name brought in.
func FuzzPictureNames(f *testing.F) {
	for _, s := range []string{"", `a"b`, `\N\G\l`, "x\ny", "</text><script>alert(1)</script>", "\xff\xfe", strings.Repeat("ab", 500), "}", "];n9->n1[", "\x00"} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		var buf bytes.Buffer
		if err := dot.ObjGraphDOT(&buf, nameGraph(s)); err != nil {
			t.Fatal(err)
		}
		l, err := render.Layout(ctx, buf.Bytes(), render.PNGOptions{Scale: 0.5})
		if err != nil {
			t.Fatalf("DOT for %q does not lay out: %v\n%s", s, err, buf.Bytes())
		}
		if len(l.Nodes) != 3 || len(l.Edges) != 3 {
			t.Fatalf("%q: %d nodes, %d edges, want 3 and 3\n%s", s, len(l.Nodes), len(l.Edges), buf.Bytes())
		}
		var svg bytes.Buffer
		if err := render.SVG(ctx, buf.Bytes(), &svg); err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(&svg)
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: SVG is not XML: %v", s, err)
			}
			if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "foreignObject") {
				t.Fatalf("%q brought a <%s> element into the SVG", s, se.Name.Local)
			}
		}
	})
}

// TestEntityNames: Graphviz resolves character references in labels, so
// a name that looks like one ("&lt;", "R&amp;D") must still be drawn as
// written, in the PNG's layout and in the SVG's text.
func TestEntityNames(t *testing.T) {
	ctx := context.Background()
	for _, s := range []string{"R&amp;D", "&lt;module&gt;", "a&#65;b", "&quot;x&quot; & y", "&", "&amp"} {
		var buf bytes.Buffer
		if err := dot.ObjGraphDOT(&buf, nameGraph(s)); err != nil {
			t.Fatal(err)
		}
		l, err := render.Layout(ctx, buf.Bytes(), render.PNGOptions{Scale: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(l.Nodes[0].Label, s+"\n") {
			t.Errorf("%q: layout label %q", s, l.Nodes[0].Label)
		}
		var svg bytes.Buffer
		if err := render.SVG(ctx, buf.Bytes(), &svg); err != nil {
			t.Fatal(err)
		}
		var texts []string
		dec := xml.NewDecoder(&svg)
		inText := false
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inText = tok.Name.Local == "text"
			case xml.EndElement:
				inText = false
			case xml.CharData:
				if inText {
					texts = append(texts, string(tok))
				}
			}
		}
		if !slices.Contains(texts, s) {
			t.Errorf("%q: SVG texts %q", s, texts)
		}
	}
}
