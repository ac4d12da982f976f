package render

import (
	"context"
	"image/color"
	"slices"
	"testing"
)

// TestBackslashes checks the texts drawn for labels with backslashes
// against what Graphviz's SVG shows: Graphviz's json output doubles them
// and loses text after two in a row.
func TestBackslashes(t *testing.T) {
	dot := `digraph {
  a [label="one\\two"];
  b [label="x\\\\y"];
  c [label="\\\\abc\nsecond"];
  d [label=<h\tml &amp; \\>];
  a -> b [label="e\\dge"];
}`
	l, err := Layout(context.Background(), []byte(dot), PNGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, o := range l.doc.Objects {
		for _, op := range o.LDraw {
			if op.Op == "T" {
				texts = append(texts, op.Text)
			}
		}
	}
	for _, e := range l.doc.Edges {
		for _, op := range e.LDraw {
			if op.Op == "T" {
				texts = append(texts, op.Text)
			}
		}
	}
	want := []string{`one\two`, `x\\y`, `\\abc`, `second`, `h\tml & \`, `e\dge`}
	if !slices.Equal(texts, want) {
		t.Errorf("texts %q, want %q", texts, want)
	}
	var labels []string
	for _, n := range l.Nodes {
		labels = append(labels, n.Label)
	}
	if want := []string{`one\two`, `x\\y`, "\\\\abc\nsecond"}; !slices.Equal(labels[:3], want) {
		t.Errorf("labels %q, want %q", labels[:3], want)
	}
	if l.Edges[0].Label != `e\dge` {
		t.Errorf("edge label %q", l.Edges[0].Label)
	}
}

func TestExpandLabel(t *testing.T) {
	subst := map[byte]string{'N': "node", 'G': "graph"}
	for in, want := range map[string]string{
		"":             "node",
		`\N`:           "node",
		`a \N of \G`:   "a node of graph",
		`l1\nl2\ll3\r`: "l1\nl2\nl3",
		`back\\N`:      `back\N`,
		`q\"`:          `q"`,
		`end\`:         `end\`,
	} {
		if got := expandLabel(in, subst); got != want {
			t.Errorf("expandLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseColor(t *testing.T) {
	for in, want := range map[string]color.NRGBA{
		"#ff0000":     {0xff, 0, 0, 0xff},
		"#00ff0080":   {0, 0xff, 0, 0x80},
		"#abc":        {0xaa, 0xbb, 0xcc, 0xff},
		"Red":         {0xff, 0, 0, 0xff},
		"grey50":      {0x80, 0x80, 0x80, 0xff},
		"gray100":     {0xff, 0xff, 0xff, 0xff},
		"lightgrey":   {0xd3, 0xd3, 0xd3, 0xff},
		"light grey":  {0xd3, 0xd3, 0xd3, 0xff},
		"none":        {},
		"transparent": {},
		"#fffffe00":   {0xff, 0xff, 0xfe, 0},
		"chartreuse9": black,
		"#12345":      black,
		"#gg0000":     black,
	} {
		if got := parseColor(in); got != want {
			t.Errorf("parseColor(%q) = %v, want %v", in, got, want)
		}
	}
}
