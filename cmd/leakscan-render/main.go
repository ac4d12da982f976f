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
// Exit codes, as leakscan's: 0 drawn; 2 bad usage or bad input (DOT that
// does not parse, or asks for more than can be drawn: see usage); 1 any
// other failure (reading stdin, writing the picture, the layout engine
// failing). On failure one line on stderr says why, with control and
// bidirectional formatting characters escaped.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/leakscan/leakscan/report/render"
)

// maxDOT bounds the DOT read from stdin; leakscan's graphs are trimmed to
// a few hundred nodes, far below it.
const maxDOT = 64 << 20

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // reading, writing, the layout engine
	exitBadInput = 2 // bad usage or bad DOT
)

// usage is the --help text.
var usage = fmt.Sprintf(`usage: leakscan-render svg|png < graph.dot > picture

Draws the Graphviz DOT graph read from stdin as SVG or PNG on stdout,
with Graphviz compiled to WebAssembly (no Graphviz installation needed).

Limits: at most %d nodes, %d MiB of DOT, %d KiB in any one name, label or
string and %d MiB in all of them together, braces (subgraphs) nested at
most %d deep. Bidirectional formatting characters (U+202E …) are drawn
as U+FFFD.

Exit codes:
  0  the picture was written
  1  it could not be drawn for another reason (reading stdin, writing
     the picture, the layout engine failing)
  2  bad usage, or bad input: DOT that does not parse or that passes a
     limit above
`, render.MaxNodes, maxDOT>>20, render.MaxText>>10, render.MaxTotalText>>20, render.MaxDepth)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the program, with its streams given; it returns the exit code.
func run(args []string, in io.Reader, out, errOut io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(out, usage)
		return exitOK
	}
	if len(args) != 1 || (args[0] != "svg" && args[0] != "png") {
		fmt.Fprintln(errOut, "usage: leakscan-render svg|png < graph.dot > picture (--help for more)")
		return exitBadInput
	}
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintln(errOut, "leakscan-render: "+render.SafeText(fmt.Sprintf(format, args...)))
		return code
	}
	dot, err := io.ReadAll(io.LimitReader(in, maxDOT+1))
	if err != nil {
		return fail(exitFailure, "reading DOT: %v", err)
	}
	if len(dot) > maxDOT {
		return fail(exitBadInput, "DOT larger than %d MiB", maxDOT>>20)
	}
	w := bufio.NewWriter(out)
	ctx := context.Background()
	if args[0] == "svg" {
		err = render.SVG(ctx, dot, w)
	} else {
		err = render.PNG(ctx, dot, w, render.PNGOptions{})
	}
	if err == nil {
		if ferr := w.Flush(); ferr != nil {
			err = fmt.Errorf("writing %s: %w", strings.ToUpper(args[0]), ferr)
		}
	}
	switch {
	case errors.Is(err, render.ErrInput):
		return fail(exitBadInput, "%v", err)
	case err != nil:
		return fail(exitFailure, "%v", err)
	}
	return exitOK
}
