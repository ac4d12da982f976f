package render

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// objectGraphDOT builds a DOT graph like the object graphs leakscan
// draws: boxes with a type and a size on two lines, edges labelled with
// field names, mostly from older objects to newer ones plus a few back
// references. The same arguments give the same DOT.
func objectGraphDOT(nodes, edges int) []byte { return objectGraph(nodes, edges, false) }

// objectGraph is objectGraphDOT, with one node in five filled with a
// light colour if filled.
func objectGraph(nodes, edges int, filled bool) []byte {
	rng := rand.New(rand.NewPCG(1, uint64(nodes)))
	types := []string{"*http.Request", "[]byte", "map[string]*cache.entry", "*sync.Pool",
		"runtime.g", "*bufio.Reader", "[]interface {}", "*list.Element", "string", "*tls.Conn"}
	fields := []string{".next", ".buf", "[3]", ".conn", ".body", ".m", ".parent", ".items", "[0]", ".ctx"}
	fills := []string{"#ffd0d0", "#d0e8ff", "#fff3b0", "#d8f5d0"}
	var b bytes.Buffer
	b.WriteString("digraph objects {\n  graph [rankdir=LR];\n")
	b.WriteString("  node [shape=box, fontname=\"Helvetica\", fontsize=11];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for i := range nodes {
		fill := ""
		if filled && i%5 == 0 {
			fill = fmt.Sprintf(", style=filled, fillcolor=%q", fills[i/5%len(fills)])
		}
		fmt.Fprintf(&b, "  n%d [label=\"%s\\n%d B, 0x%x\"%s];\n", i, types[rng.IntN(len(types))], 16<<rng.IntN(12), 0xc000010000+i*64, fill)
	}
	for i := range edges {
		var from, to int
		if i < nodes-1 {
			// A spanning tree: every object is referenced from an older one.
			to = i + 1
			from = rng.IntN(to)
		} else {
			from, to = rng.IntN(nodes), rng.IntN(nodes)
		}
		fmt.Fprintf(&b, "  n%d -> n%d [label=\"%s\"];\n", from, to, fields[rng.IntN(len(fields))])
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func BenchmarkRender200(b *testing.B) {
	dot := objectGraphDOT(200, 300)
	ctx := context.Background()
	b.Run("svg", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := SVG(ctx, dot, &buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	b.Run("png", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := PNG(ctx, dot, &buf, PNGOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	// The layout alone (Graphviz in WebAssembly, json output, decoding),
	// the part SVG and PNG share.
	b.Run("layout", func(b *testing.B) {
		for b.Loop() {
			if _, err := Layout(ctx, dot, PNGOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// With filled nodes the picture has too many colours for a palette
	// and is written as true colour, the slower path.
	b.Run("png-filled", func(b *testing.B) {
		filled := objectGraph(200, 300, true)
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := PNG(ctx, filled, &buf, PNGOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
}
