// Command leakscan-render draws a Graphviz DOT graph as SVG or PNG without
// a system Graphviz. leakscan runs it for every picture it draws: the
// layout engine (Graphviz compiled to WebAssembly, in go-graphviz) starts
// up when its package loads, which would cost every leakscan command —
// --help included — tens of milliseconds, and its first run on a machine
// about a second, so it lives in this separate program.
//
// Usage:
//
//	leakscan-render svg|png < graph.dot > picture
//
// It exits 0 on success, 1 when the graph cannot be drawn (one line on
// stderr says why), 2 on bad usage.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/leakscan/leakscan/report/render"
)

// maxDOT bounds the DOT read from stdin; leakscan's graphs are trimmed to
// a few hundred nodes, far below it.
const maxDOT = 64 << 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, in io.Reader, out, errOut io.Writer) int {
	if len(args) != 1 || (args[0] != "svg" && args[0] != "png") {
		fmt.Fprintln(errOut, "usage: leakscan-render svg|png < graph.dot > picture")
		return 2
	}
	dot, err := io.ReadAll(io.LimitReader(in, maxDOT+1))
	if err != nil {
		fmt.Fprintf(errOut, "leakscan-render: reading DOT: %v\n", err)
		return 1
	}
	if len(dot) > maxDOT {
		fmt.Fprintf(errOut, "leakscan-render: DOT larger than %d MiB\n", maxDOT>>20)
		return 1
	}
	w := bufio.NewWriter(out)
	ctx := context.Background()
	if args[0] == "svg" {
		err = render.SVG(ctx, dot, w)
	} else {
		err = render.PNG(ctx, dot, w, render.PNGOptions{})
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(errOut, "leakscan-render: %v\n", err)
		return 1
	}
	return 0
}
