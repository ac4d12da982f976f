package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/goccy/go-graphviz"
)

// nested is a graph of n subgraphs, each inside the previous one.
func nested(n int) string {
	return "digraph { " + strings.Repeat("subgraph { ", n) + "a; " + strings.Repeat("} ", n) + "}"
}

// draws calls SVG, PNG and Layout on dot and returns their errors.
func draws(dot string) (svgErr, pngErr, layoutErr error) {
	ctx := context.Background()
	svgErr = SVG(ctx, []byte(dot), io.Discard)
	pngErr = PNG(ctx, []byte(dot), io.Discard, PNGOptions{})
	_, layoutErr = Layout(ctx, []byte(dot), PNGOptions{})
	return
}

// TestHostileDOT: a huge label and deeply nested subgraphs are refused
// before Graphviz sees them, with one line that says why and matches
// ErrInput. Before the limits, a 1 MiB label took 7 s to draw as PNG (a
// 10 MiB one 90 s), and 20,000 nested subgraphs failed in PNG with
// "failed to read wasm memory".
func TestHostileDOT(t *testing.T) {
	for _, c := range []struct {
		name, dot, want string
	}{
		{"label", `digraph { a [label="` + strings.Repeat("x", 1<<20) + `"]; }`,
			"DOT line 1: a quoted string of 1048576 bytes; at most 16384 can be drawn (shorten it)"},
		{"name", "digraph {\n" + strings.Repeat("n", MaxText+1) + "; }",
			"DOT line 2: a name of 16385 bytes; at most 16384 can be drawn (shorten it)"},
		{"html", "digraph {\n\na [label=<<b>" + strings.Repeat("x", MaxText) + "</b>>]; }",
			"DOT line 3: an HTML string of 16391 bytes; at most 16384 can be drawn (shorten it)"},
		{"total", "digraph { " + strings.Repeat(`n [label="`+strings.Repeat("y", MaxText)+`"]; `, MaxTotalText/MaxText+1) + "}",
			"DOT line 1: the graph's strings take more than 2097152 bytes together; at most 2097152 can be drawn (shorten them or draw fewer nodes)"},
		{"nesting", nested(20000), "DOT line 1: braces (subgraphs) nested more than 64 deep; at most 64 can be drawn"},
	} {
		svgErr, pngErr, layoutErr := draws(c.dot)
		for _, err := range []error{svgErr, pngErr, layoutErr} {
			if err == nil || !errors.Is(err, ErrInput) || !strings.HasSuffix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: %v; want an ErrInput ending %q", c.name, err, c.want)
			}
		}
	}
}

// TestLimitsAllow: graphs at the limits are drawn.
func TestLimitsAllow(t *testing.T) {
	for _, dot := range []string{
		`digraph { a [label="` + strings.Repeat("x", MaxText) + `"]; }`,
		nested(MaxDepth - 1), // the graph's own braces are the 64th
		// braces, quotes and comments inside strings and comments are text
		"digraph {\n# {{{{ \"\n/* {{{{ \" */ // {{{{ \"\n" + `a [label="{{{{\"{{{{"]; b [label=<{{{{ "<i>{</i>>]; a -> { b }` + "\n}",
	} {
		svgErr, pngErr, layoutErr := draws(dot)
		if svgErr != nil || pngErr != nil || layoutErr != nil {
			t.Errorf("%.60q: %v, %v, %v", dot, svgErr, pngErr, layoutErr)
		}
	}
	if err := checkDOT([]byte("digraph {" + strings.Repeat(`/*{*/"}"<}>`, 100) + strings.Repeat("{", MaxDepth-1))); err != nil {
		t.Errorf("checkDOT counted braces in comments or strings: %v", err)
	}
}

// TestErrorsEscapeControls: a syntax error quotes the input near it, and
// the quote comes with control characters escaped (it once carried an
// ESC, which a terminal obeys), on one line, as an ErrInput.
func TestErrorsEscapeControls(t *testing.T) {
	for _, dot := range []string{"digraph { a -> \x1b[31mRED\x1b[0m ;; ] }", "digraph { a -> \u202e\x07\x9b ] }"} {
		svgErr, pngErr, layoutErr := draws(dot)
		for _, err := range []error{svgErr, pngErr, layoutErr} {
			if err == nil || !errors.Is(err, ErrInput) {
				t.Fatalf("%q: %v, want an ErrInput", dot, err)
			}
			if msg := err.Error(); SafeText(msg) != msg {
				t.Errorf("%q: error %q has characters to escape", dot, msg)
			}
		}
		if !strings.Contains(pngErr.Error(), `near '\`) {
			t.Errorf("%q: %q does not show the escaped character", dot, pngErr)
		}
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain café ⟨x⟩":         "plain café ⟨x⟩",
		"a\x1b[31mb\n\r\t\x7f":   `a\x1b[31mb\n\r\t\x7f`,
		"\u202eevil\u2066\u061c": `\u202eevil\u2066\u061c`,
		"\u0085\u2028\xff\xfe":   `\u0085\u2028\xff\xfe`,
	} {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// bidiDOT has bidirectional formatting characters raw and as character
// references in a graph label, node names, node labels (plain and HTML)
// and an edge label.
const bidiDOT = "digraph \"g\u202e\" { label=\"G\u2067x\"; a [label=\"x&#8238;y&#x2066;z\u200f\"]; \"n\u202eame\" -> b [label=\"e\u2069f&#x61C;\"]; c [label=<h&#8238;t\u200e>]; }"

// TestNoBidiInPictures: no bidirectional formatting character reaches an
// SVG, the texts a PNG draws, or the names and labels Layout returns;
// each becomes U+FFFD. Before, U+202E passed raw, so "n\u202eame" showed
// as "nema".
func TestNoBidiInPictures(t *testing.T) {
	svg := renderSVG(t, bidiDOT)
	if i := bytes.IndexFunc(svg, isBidi); i >= 0 {
		t.Errorf("SVG has a bidi control at %d: %q", i, svg[max(0, i-40):i+10])
	}
	for _, want := range []string{"x\uFFFDy\uFFFDz", "n\uFFFDame", "h\uFFFDt"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	l, err := Layout(context.Background(), []byte(bidiDOT), PNGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	check := func(what string, ops []xdotOp) {
		for _, op := range ops {
			if op.Op == "T" {
				texts = append(texts, op.Text)
				if strings.ContainsFunc(op.Text, isBidi) {
					t.Errorf("%s draws %q", what, op.Text)
				}
			}
		}
	}
	check("graph", l.doc.LDraw)
	for _, o := range l.doc.Objects {
		check(o.Name, o.LDraw)
	}
	for _, e := range l.doc.Edges {
		check("edge", e.LDraw)
	}
	if !strings.Contains(strings.Join(texts, "|"), "x\uFFFDy\uFFFDz\uFFFD") {
		t.Errorf("texts drawn %q", texts)
	}
	for _, n := range l.Nodes {
		if strings.ContainsFunc(n.Name+n.Label, isBidi) {
			t.Errorf("node %q, label %q", n.Name, n.Label)
		}
	}
	for _, e := range l.Edges {
		if strings.ContainsFunc(e.Tail+e.Head+e.Label, isBidi) {
			t.Errorf("edge %q -> %q, label %q", e.Tail, e.Head, e.Label)
		}
	}
	renderPNG(t, bidiDOT)
}

func TestCleanSVG(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"abc":                       "abc",
		"abc\t\n\r":                 "abc\t\n\r",
		"a\x03b\x1b\x00":            "a\uFFFDb\uFFFD\uFFFD",
		"a\u202eb\u061cc\xffd":      "a\uFFFDb\uFFFDc\uFFFDd",
		"\u2066\u2067\u2068\u2069":  "\uFFFD\uFFFD\uFFFD\uFFFD",
		"a &ampt; b &":              "a &amp;ampt; b &amp;",
		"&amp;&lt;&#65;&#x41;":      "&amp;&lt;&#65;&#x41;",
		"&#8238;&#x1b;&#0;&#xD800;": "\uFFFD\uFFFD\uFFFD\uFFFD",
		"x\uFFFEy":                  "x\uFFFDy",
	} {
		if got := string(cleanSVG([]byte(in))); got != want {
			t.Errorf("cleanSVG(%q) = %q, want %q", in, got, want)
		}
		if !utf8.ValidString(in) || strings.ContainsFunc(in, func(r rune) bool { return r < 0x20 || r == '&' || r == 0xFFFE }) {
			continue
		}
		if got := noBidi(in); got != want {
			t.Errorf("noBidi(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestControlCharsInLabels: control characters in a label draw as PNG
// (Graphviz's json output carried them raw, which failed with "invalid
// character '\x03' in string literal"; FuzzDOT found it) and leave the
// SVG well-formed XML (they become U+FFFD), as do invalid UTF-8 and an
// HTML label's unknown entity (also found by FuzzDOT).
func TestControlCharsInLabels(t *testing.T) {
	const dot = "digraph { a -> b [label=\"x\x03y\"]; c [label=\"\x1b[31m\"]; d [label=\"x\x87y\"]; e [label=<h&ampt;>] }"
	renderPNG(t, dot)
	svg := renderSVG(t, dot)
	if i := bytes.IndexFunc(svg, func(r rune) bool { return r < 0x20 && r != '\n' }); i >= 0 {
		t.Errorf("SVG has a control character at %d: %q", i, svg[max(0, i-20):i+5])
	}
	if !bytes.Contains(svg, []byte("x\uFFFDy")) {
		t.Errorf("SVG lacks x\uFFFDy")
	}
	if !utf8.Valid(svg) {
		t.Errorf("SVG is not UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
	}
}

// TestOneGraph: text after the graph is refused, so that it cannot stay
// in Graphviz's parser for the next picture: the picture drawn after
// "digraph { a } digraph { b }" was of graph b, whatever its DOT, and the
// one after "digraph { a } x" failed near 'x' (found by FuzzDOT; see also
// TestResetParser). So is a bad header: after "x \"o\" { a }" Graphviz
// could parse nothing for the rest of the process, and so is a NUL byte,
// where Graphviz stops reading ("/* \x00 */ digraph { a }" was a comment
// that never ends to it, and broke it for good too). Strings and comments
// that never end get a clearer message than Graphviz's.
func TestOneGraph(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ dot, want string }{
		{"digraph { a } digraph { b }", `DOT line 1: "digraph { b }" after the end of the graph; only one graph can be drawn`},
		{"digraph { a }\n\n x", `DOT line 3: "x" after the end of the graph; only one graph can be drawn`},
		{"digraph { a } {", `DOT line 1: "{" after the end of the graph; only one graph can be drawn`},
		{"digraph { a } // c\n/* c */\n# c\n", ""},
		{"digraph { a [label=<h&#8238;t\n ] }", `DOT line 1: an HTML string (<…>) that never ends`},
		{"digraph {\n a [label=\"x ] }", `DOT line 2: a quoted string that never ends`},
		{"digraph { /* a ] }", `DOT line 1: a comment (/* …) that never ends`},
		{"x \"o\" { a }", `DOT line 1: expected "graph" or "digraph" (after an optional "strict"), an optional name and "{"; found "x"`},
		{"digra\xe1\xe1 \"objects\" {\n a }", `found "digra\xe1\xe1"`},
		{"strict digraph \"g\" \"h\" { a }", `found "\"h\""`},
		{"/* c */ graph\n", `DOT line 2: expected "graph" or "digraph" (after an optional "strict"), an optional name and "{"; found the end of the input`},
		{"STRICT DiGraph <<b>g</b>> { a }", ""},
		{"/* d\x00 */ digraph { a }", `DOT line 1: a NUL byte; DOT is text`},
		{"digraph {\n a [label=\"x\x00y\"] }", `DOT line 2: a NUL byte; DOT is text`},
	} {
		_, err := Layout(ctx, []byte(c.dot), PNGOptions{})
		if c.want == "" && err != nil || c.want != "" && (!errors.Is(err, ErrInput) || !strings.HasSuffix(err.Error(), c.want)) {
			t.Errorf("%q: %v, want %q", c.dot, err, c.want)
		}
		l, err := Layout(ctx, []byte("digraph { z }"), PNGOptions{})
		if err != nil || len(l.Nodes) != 1 || l.Nodes[0].Name != "z" {
			t.Fatalf("after %q, digraph { z } gives %v, %v", c.dot, l, err)
		}
	}
}

// TestResetParser: a syntax error at the first token leaves the token in
// Graphviz's parser, and every later parse fails near it, until
// resetParser has run (found by FuzzDOT).
func TestResetParser(t *testing.T) {
	bad, good := []byte("x [label=<h]; "), []byte("digraph { z }")
	parse := func(dot []byte) error {
		g, err := graphviz.ParseBytes(dot)
		if err == nil && g != nil {
			g.Close()
		}
		return err
	}
	if _, err := Layout(context.Background(), good, PNGOptions{}); err != nil { // start Graphviz
		t.Fatal(err)
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	if parse(bad) == nil {
		t.Fatal("bad DOT parsed")
	}
	if parse(good) == nil {
		t.Skip("this Graphviz recovers from the error by itself")
	}
	if parse(good) == nil {
		t.Skip("this Graphviz recovers from the error by itself")
	}
	if parse(bad) == nil {
		t.Fatal("bad DOT parsed")
	}
	resetParser()
	if err := parse(good); err != nil {
		t.Errorf("after resetParser: %v", err)
	}
}
