// Package render turns Graphviz DOT text, as written by leakscan's own
// report writers, into pictures: SVG and PNG, without a Graphviz
// installation on the machine.
//
// Layout is done by github.com/goccy/go-graphviz, which runs Graphviz
// compiled to WebAssembly inside the process (with wazero). Three things
// follow from that:
//
//   - One lock. The WebAssembly instance behind go-graphviz is a single
//     module with one linear memory, shared by every graphviz.Graphviz
//     value and by the package-level parser; it is not safe to use from
//     several goroutines. Every call into go-graphviz in this package
//     (parse, count, lay out, render, close) happens under one
//     package-level mutex. The lock is held only for the Graphviz part:
//     drawing the PNG and encoding it happen outside it, so concurrent
//     callers overlap in the expensive half.
//
//   - Lazy start-up. The Graphviz context (graphviz.New) is created on the
//     first picture and reused afterwards, never in init or at package
//     load, so commands that draw nothing do not pay for it. go-graphviz
//     itself, though, compiles its WebAssembly module in its own package
//     init, which this package cannot defer: linking this package costs
//     every start of the program about 25 ms, and about 0.6 s (and 6 MB
//     written to $TMPDIR/go-graphviz, wazero's compilation cache) the
//     first time on a machine. Programs that start often and draw rarely
//     should run the drawing in a separate process.
//
//   - Our own PNG. go-graphviz's built-in PNG output loses node outlines
//     and curved edges (upstream issue 106). So for PNG, Graphviz renders
//     to its "json" format, which carries the laid-out graph as xdot
//     drawing operations (polygons, ellipses, B-splines, text with font
//     and alignment, colours and line styles). This package decodes those
//     operations and draws them itself with git.sr.ht/~sbinet/gg, using
//     the Go fonts bundled in golang.org/x/image, and encodes the image
//     losslessly (image/png for pictures of at most 256 colours, a
//     parallel writer of our own for the others, several times faster
//     than image/png's adaptive filtering on large pictures). SVG comes
//     straight from Graphviz, whose SVG output is correct. Graphviz 12's
//     json output mangles backslashes in texts; the texts are repaired
//     from the labels (see fixTexts).
//
// Layout exposes the positions PNG draws at (image size, node boxes, edge
// control points, in pixels), from the same code path, so that callers and
// tests can relate the picture to the graph.
//
// Graphs with more than MaxNodes nodes are refused: a picture of more is
// unreadable and its layout slow. Trim the graph first. So are, before
// Graphviz sees them, strings longer than MaxText (or MaxTotalText
// together) and braces nested deeper than MaxDepth, which made the layout
// or the drawing run for minutes or exhaust the WebAssembly memory (and
// leave the shared module broken for later pictures). Errors caused by
// the DOT given match ErrInput, and carry no control character: text
// quoted from the input is escaped (SafeText).
//
// Bidirectional formatting characters (U+202E and the like), which could
// make a name read as another, are replaced by U+FFFD in everything drawn
// or returned: the SVG, the texts of the PNG, and Layout's names and
// labels. Graphviz also makes them from character references (&#8238;),
// so they are replaced in its output, not in the DOT.
package render
