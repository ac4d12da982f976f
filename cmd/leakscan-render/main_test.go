package main

import (
	"bytes"
	"fmt"
	"image/png"
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

// TestRenderBadInput: bad DOT and bad usage give one line and an exit code.
func TestRenderBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		in   string
		code int
	}{
		{[]string{"png"}, "digraph {", 1},
		{[]string{"svg"}, "", 1},
		{[]string{"png"}, "\x00\xff\x1f\x8b garbage", 1},
		{[]string{"png"}, "digraph { " + manyNodes(3000) + " }", 1}, // over the node cap
		{[]string{"jpg"}, "digraph {}", 2},
		{nil, "", 2},
	} {
		var out, errOut bytes.Buffer
		code := run(c.args, strings.NewReader(c.in), &out, &errOut)
		if code != c.code || strings.Count(errOut.String(), "\n") != 1 || out.Len() != 0 {
			t.Errorf("%v %.20q: exit %d, stderr %q, %d bytes out", c.args, c.in, code, errOut.String(), out.Len())
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
