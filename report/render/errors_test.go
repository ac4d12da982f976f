package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestBadDOT(t *testing.T) {
	for _, dot := range []string{"digraph {", "", "   \n", "\x00\x01\xff\xfe\x89PNG\r\n\x1a\n junk {{{", "digraph { a -> }", "}{"} {
		var buf bytes.Buffer
		if err := PNG(context.Background(), []byte(dot), &buf, PNGOptions{}); err == nil {
			t.Errorf("PNG(%q) succeeded", dot)
		} else if !strings.HasPrefix(err.Error(), "laying out graph: ") {
			t.Errorf("PNG(%q): %v", dot, err)
		}
		if err := SVG(context.Background(), []byte(dot), &buf); err == nil {
			t.Errorf("SVG(%q) succeeded", dot)
		}
	}
	// Graphviz still works after the errors.
	renderSVG(t, smallDOT)
}

func TestTooManyNodes(t *testing.T) {
	var b strings.Builder
	b.WriteString("digraph {\n")
	for i := range MaxNodes + 1 {
		fmt.Fprintf(&b, "n%d;\n", i)
	}
	b.WriteString("}\n")
	want := fmt.Sprintf("graph has %d nodes; at most %d can be drawn (trim it first)", MaxNodes+1, MaxNodes)
	err := SVG(context.Background(), []byte(b.String()), io.Discard)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("SVG: %v, want %q", err, want)
	}
	_, err = Layout(context.Background(), []byte(b.String()), PNGOptions{})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Layout: %v, want %q", err, want)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := PNG(ctx, []byte(smallDOT), io.Discard, PNGOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("PNG: %v", err)
	}
	if err := SVG(ctx, []byte(smallDOT), io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("SVG: %v", err)
	}
}
