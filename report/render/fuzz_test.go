package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are small DOT texts: leakscan's own pictures (the smallest
// goldens), hand-made ones, and the hostile cases of issue 17 cut down.
func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		smallDOT,
		bidiDOT,
		"digraph { a -> \x1b[31mRED\x1b[0m ;; ] }",
		`digraph { a [label="` + strings.Repeat("x", 300) + `"]; }`,
		nested(70),
		nested(3),
		`digraph { subgraph cluster_a { label="A"; a; subgraph cluster_b { b } } a -> b [label="x\ly\rz\n"] }`,
		`graph { a -- b -- c; a [shape=record, label="{x|<p>y}|z"]; b [label=<<table><tr><td>h&amp;</td></tr></table>>] }`,
		"/* c */ digraph \"g\" { # x\n a // y\n -> \"b\\\"\" + \"c\" }",
		"strict digraph { edge [dir=both]; node [style=filled, fillcolor=\"#ff000080\"]; a:n -> b:s; }",
	}
	paths, _ := filepath.Glob("../../cmd/leakscan/testdata/*.dot")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) <= 6<<10 {
			seeds = append(seeds, string(data))
		}
	}
	return seeds
}

// FuzzDOT: any DOT text (at most 4 KiB) either draws or gives an error
// that matches ErrInput, on one line without control characters; nothing
// drawn or returned carries a bidirectional formatting character; the SVG
// is well-formed XML; and nothing of the input stays in Graphviz for the
// next picture (20,000 nested subgraphs once broke the shared WebAssembly
// module for good, and text after a graph was parsed as the next one).
//
// Each run lays the graph out once (Layout), renders it once (SVG) and
// lays out a one-node graph, in the process's one Graphviz instance,
// started before the first run.
func FuzzDOT(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	ctx := context.Background()
	if _, err := Layout(ctx, []byte(smallDOT), PNGOptions{}); err != nil {
		f.Fatal(err) // start Graphviz outside the runs
	}
	f.Fuzz(func(t *testing.T, dot string) {
		if len(dot) > 4<<10 {
			return
		}
		l, lerr := Layout(ctx, []byte(dot), PNGOptions{Scale: 0.25})
		var svg bytes.Buffer
		serr := SVG(ctx, []byte(dot), &svg)
		// nothing of this input stays for the next picture
		if z, err := Layout(ctx, []byte("digraph { z }"), PNGOptions{}); err != nil || len(z.Nodes) != 1 || z.Nodes[0].Name != "z" {
			t.Fatalf("after this input, digraph { z } gives %v, %v", z, err)
		}
		for _, err := range []error{lerr, serr} {
			if err == nil {
				continue
			}
			if msg := err.Error(); SafeText(msg) != msg {
				t.Fatalf("error %q has characters to escape", msg)
			}
		}
		if (lerr == nil) != (serr == nil) {
			t.Fatalf("Layout: %v; SVG: %v", lerr, serr)
		}
		if lerr != nil {
			if !errors.Is(lerr, ErrInput) || !errors.Is(serr, ErrInput) {
				t.Errorf("not an input error: Layout: %v; SVG: %v", lerr, serr)
			}
			return
		}
		if i := bytes.IndexFunc(svg.Bytes(), isBidi); i >= 0 {
			t.Fatalf("SVG has a bidi control at %d", i)
		}
		dec := xml.NewDecoder(&svg)
		dec.Strict = true
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("SVG is not XML: %v", err)
			}
		}
		if len(l.Nodes) > MaxNodes || l.Width <= 0 || l.Height <= 0 {
			t.Fatalf("%d nodes, %d × %d", len(l.Nodes), l.Width, l.Height)
		}
		for _, n := range l.Nodes {
			if strings.ContainsFunc(n.Name+n.Label, isBidi) {
				t.Fatalf("node %q, label %q", n.Name, n.Label)
			}
		}
		for _, e := range l.Edges {
			if strings.ContainsFunc(e.Tail+e.Head+e.Label, isBidi) {
				t.Fatalf("edge %q -> %q, label %q", e.Tail, e.Head, e.Label)
			}
		}
	})
}

// FuzzDOTText checks what stands between the input and Graphviz, and
// between Graphviz and the output, without Graphviz (fast): checkDOT
// never panics, refuses only with a one-line ErrInput, and never refuses
// a good header and one level of braces around a body shorter than
// MaxText without strings or comments; SafeText's
// result is valid UTF-8 with nothing left to escape, and is s when s had
// nothing to escape; noBidi removes every bidirectional formatting
// character and keeps the others; cleanSVG makes any text one that XML
// reads, without bidi controls, and leaves clean text as it is.
func FuzzDOTText(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add(`{"{"<{<}>}>/*{*/` + "\n#{\n" + `//{`)
	f.Add("\xff\xfe\u202e\x1b\u0085\u2028\ufffd")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			return
		}
		if err := checkDOT([]byte(s)); err != nil {
			if msg := err.Error(); !errors.Is(err, ErrInput) || SafeText(msg) != msg || !strings.HasPrefix(msg, "DOT line ") {
				t.Fatalf("checkDOT: %v", err)
			}
		}
		// s without braces, strings, comments, backslashes, NULs, as a graph's
		// body: a good header, one level of braces, nothing after it
		body := strings.Map(func(r rune) rune {
			if strings.ContainsRune("{}\"<>/#\\\x00", r) {
				return -1
			}
			return r
		}, s)
		if len(body) <= MaxText-20 {
			if err := checkDOT([]byte("digraph {\n" + body + "\n}\n")); err != nil {
				t.Fatalf("checkDOT refused %q: %v", body, err)
			}
		}

		safe := SafeText(s)
		if !utf8.ValidString(safe) || strings.ContainsFunc(safe, needsEscape) {
			t.Fatalf("SafeText(%q) = %q", s, safe)
		}
		if SafeText(safe) != safe {
			t.Fatalf("SafeText not idempotent on %q", s)
		}
		if !strings.ContainsFunc(s, needsEscape) && utf8.ValidString(s) && safe != s {
			t.Fatalf("SafeText(%q) = %q changed a clean string", s, safe)
		}

		// cleanSVG on s without markup ('<') gives text that XML reads,
		// with no bidi control or forbidden character in it
		text := strings.ReplaceAll(s, "<", "")
		b := cleanSVG([]byte(text))
		dec := xml.NewDecoder(strings.NewReader("<t>" + string(b) + "</t>"))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("cleanSVG(%q) = %q: not XML: %v", text, b, err)
			}
			if cd, ok := tok.(xml.CharData); ok && bytes.ContainsFunc(cd, badInSVG) {
				t.Fatalf("cleanSVG(%q) = %q reads as %q", text, b, cd)
			}
		}
		if !strings.ContainsFunc(text, func(r rune) bool { return badInSVG(r) || r == '&' || r == utf8.RuneError }) && utf8.ValidString(text) && string(b) != text {
			t.Fatalf("cleanSVG(%q) = %q changed clean text", text, b)
		}
		if nb := noBidi(s); strings.ContainsFunc(nb, isBidi) || utf8.ValidString(s) && utf8.RuneCountInString(nb) != utf8.RuneCountInString(s) {
			t.Fatalf("noBidi(%q) = %q", s, nb)
		}
	})
}
