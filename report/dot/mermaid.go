package dot

import (
	"fmt"
	"io"
	"strings"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
)

// RingMermaid writes a cycle group's ring as a Mermaid flowchart, which
// GitHub and GitLab draw inside Markdown: one node per object on the ring,
// each edge labelled, the edge to break drawn thick and marked.
func RingMermaid(w io.Writer, ci *python.CycleInfo) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	n := len(ci.Ring)
	for i, st := range ci.Ring {
		fmt.Fprintf(&b, "  r%d[\"%s\"]\n", i+1, mermaidText(ringBox(st)))
	}
	for i, st := range ci.Ring {
		label := edgeLabel(st.Kind, st.Label)
		arrow := "-->"
		if ci.Break != nil && ci.Break.Step == i {
			arrow, label = "==>", "✂ break: "+label
		}
		fmt.Fprintf(&b, "  r%d %s|\"%s\"| r%d\n", i+1, arrow, mermaidText(label), (i+1)%n+1)
	}
	if ci.Break != nil {
		fmt.Fprintf(&b, "  linkStyle %d stroke:%s,stroke-width:3px\n", ci.Break.Step, colBreak)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ringBox is a ring object's text: its short type, and a frame's function.
func ringBox(st python.RingStep) string {
	if st.Note != "" {
		return heap.ShortType(st.Type) + " (" + st.Note + ")"
	}
	return heap.ShortType(st.Type)
}

// mermaidText makes untrusted text safe inside a quoted Mermaid label:
// Mermaid reads #name; and #123; as entities, so every character that
// could end the label, start markup, close the Markdown code fence or the
// HTML around it is written as a numeric entity.
func mermaidText(s string) string {
	s = pictureText(s, maxLabel)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '#', '<', '>', '&', '`', '|', '\\':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
