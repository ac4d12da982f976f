package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	const dot = `digraph { a [shape=box, label="A"]; a -> b [label="x"]; }`
	for _, format := range []string{"svg", "png"} {
		var out, errOut bytes.Buffer
		if code := run([]string{format}, strings.NewReader(dot), &out, &errOut); code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut.String())
		}
		if format == "png" {
			if _, err := png.Decode(&out); err != nil {
				t.Errorf("PNG: %v", err)
			}
		} else if !bytes.Contains(out.Bytes(), []byte("<svg")) {
			t.Errorf("SVG: %.100s", out.String())
		}
	}
}

// TestRenderBadInput: bad DOT and bad usage give one line on stderr, with
// control characters escaped, and exit 2, as leakscan does for bad input
// (bad DOT once exited 1, copied an ESC from the input to the terminal,
// took 90 s on a 10 MiB label, and failed in WebAssembly on 20,000 nested
// subgraphs).
func TestRenderBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		in   string
		want string // in the message
	}{
		{[]string{"png"}, "digraph {", "syntax error"},
		{[]string{"svg"}, "", "empty input"},
		{[]string{"png"}, "\x00\xff\x1f\x8b garbage", "a NUL byte"},
		{[]string{"png"}, "\xff\x1f\x8b garbage", `expected "graph" or "digraph"`},
		{[]string{"png"}, "digraph { " + manyNodes(3000) + " }", "graph has 3000 nodes"}, // over the node cap
		{[]string{"png"}, "digraph { a -> \x1b[31mRED\x1b[0m ;; ] }", `near '\x1b'`},
		{[]string{"svg"}, `digraph { a [label="` + strings.Repeat("x", 10<<20) + `"]; }`, "a quoted string of 10485760 bytes"},
		{[]string{"png"}, "digraph { " + strings.Repeat("subgraph { ", 20000) + strings.Repeat("} ", 20000) + "}", "nested more than 64 deep"},
		{[]string{"svg"}, strings.Repeat(" ", maxDOT+1), "DOT larger than 64 MiB"},
		{[]string{"jpg"}, "digraph {}", "usage: "},
		{nil, "", "usage: "},
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, strings.NewReader(c.in), &out, &errOut)
		msg := errOut.String()
		if code != 2 || strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") || out.Len() != 0 || !strings.Contains(msg, c.want) {
			t.Errorf("%v %.20q: exit %d, stderr %q, %d bytes out; want exit 2 and one line with %q", c.args, c.in, code, msg, out.Len(), c.want)
		}
		if i := strings.IndexFunc(strings.TrimSuffix(msg, "\n"), func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			t.Errorf("%v %.20q: stderr %q has a control character", c.args, c.in, msg)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// failingReader fails every read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

// TestRenderFailure: failures that are not the input's exit 1, apart from
// bad input's 2.
func TestRenderFailure(t *testing.T) {
	const dot = `digraph { a -> b; }`
	for _, c := range []struct {
		name string
		in   io.Reader
		out  io.Writer
		want string
	}{
		{"writing", strings.NewReader(dot), failingWriter{}, "leakscan-render: writing SVG: disk full\n"},
		{"reading", failingReader{}, io.Discard, "leakscan-render: reading DOT: broken pipe\n"},
	} {
		var errOut bytes.Buffer
		if code := run([]string{"svg"}, c.in, c.out, &errOut); code != 1 || errOut.String() != c.want {
			t.Errorf("%s: exit %d, stderr %q; want 1, %q", c.name, code, errOut.String(), c.want)
		}
	}
}

// TestHelp: --help documents the exit codes, on stdout, exit 0.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "help"} {
		var out, errOut bytes.Buffer
		if code := run([]string{arg}, strings.NewReader(""), &out, &errOut); code != 0 || errOut.Len() != 0 {
			t.Errorf("%s: exit %d, stderr %q", arg, code, errOut.String())
		}
		for _, want := range []string{"usage: leakscan-render svg|png", "Exit codes:", "  0  ", "  1  ", "  2  bad usage, or bad input", "at most 2000 nodes"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: no %q in\n%s", arg, want, out.String())
			}
		}
	}
}

func manyNodes(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "n%d; ", i)
	}
	return b.String()
}
