package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-graphviz"
)

// MaxNodes is the largest number of nodes a graph may have to be drawn.
// Larger graphs are refused with an error asking to trim them.
const MaxNodes = 2000

// DefaultScale is the PNG resolution used when PNGOptions.Scale is not
// set: pixels per Graphviz point (1/72 inch). 1.5 keeps 14-point labels
// crisp (21 pixels high) without making pictures huge.
const DefaultScale = 1.5

// maxPixels bounds the size of a PNG. A larger picture is drawn at a
// smaller scale than asked, so that the image fits in about 160 MB.
const maxPixels = 40_000_000

// marginPoints is the white border added around the drawing, in points.
const marginPoints = 4.0

// PNGOptions tunes the PNG drawing.
type PNGOptions struct {
	// Scale is the number of pixels per Graphviz point (1/72 inch).
	// Zero or less means DefaultScale. Pictures that would exceed about
	// 40 million pixels are drawn at a smaller scale.
	Scale float64
}

// GraphLayout is a laid-out graph in the pixel coordinates of the PNG that
// PNG draws for the same DOT and options: x to the right, y down, origin
// at the top-left corner of the image.
type GraphLayout struct {
	// Width and Height are the size of the image in pixels.
	Width, Height int
	// Scale is the number of pixels per point actually used.
	Scale float64
	// Nodes are the graph's nodes, in the order Graphviz lists them
	// (declaration order).
	Nodes []Node
	// Edges are the graph's edges, in the order Graphviz lists them.
	Edges []Edge

	doc *xdotGraph // the drawing operations, in points
	tr  transform  // points to pixels
}

// Node is one laid-out node.
type Node struct {
	// Name is the node's name in the DOT text.
	Name string
	// Label is the node's label as shown: Graphviz's escapes resolved
	// (\N is the name, \n, \l and \r end lines, here with newlines). An
	// HTML-like or record label is given as its markup.
	Label string
	// Box is the node's bounding box in pixels.
	Box image.Rectangle
}

// Edge is one laid-out edge.
type Edge struct {
	// Tail and Head are the names of the nodes the edge leaves and enters.
	Tail, Head string
	// Label is the edge's label, if any.
	Label string
	// Points are the control points of the edge's path in pixels. When
	// Spline is true they are a piecewise cubic Bézier curve: the first
	// point, then three points (two controls and an end) per segment;
	// otherwise they are a polyline. The arrowheads are not included.
	Points []Point
	// Spline tells whether Points are Bézier control points.
	Spline bool
}

// Point is a position in pixels.
type Point struct{ X, Y float64 }

var (
	// gvMu serialises every call into go-graphviz: its WebAssembly
	// instance is shared and not safe for concurrent use.
	gvMu sync.Mutex
	// gv is created on first use, under gvMu, and reused.
	gv *graphviz.Graphviz
)

// SVG lays out the DOT graph and writes it to w as SVG, as Graphviz's own
// SVG renderer draws it, except that bidirectional formatting characters
// (which Graphviz also makes from character references such as &#8238;)
// are replaced by U+FFFD, and that text is drawn at svgFontScale of the
// size the layout made room for.
func SVG(ctx context.Context, dot []byte, w io.Writer) error {
	var buf bytes.Buffer
	err := withGraph(ctx, dot, func(g *graphviz.Graphviz, graph *graphviz.Graph) error {
		return g.Render(context.WithoutCancel(ctx), graph, graphviz.SVG, &buf)
	})
	if err != nil {
		return fmt.Errorf("rendering SVG: %w", err)
	}
	if _, err := w.Write(scaleSVGFonts(cleanSVG(buf.Bytes()), svgFontScale)); err != nil {
		return fmt.Errorf("writing SVG: %w", err)
	}
	return nil
}

// PNG lays out the DOT graph, draws it and writes it to w as a PNG image.
// The image is the one Layout describes for the same DOT and options.
func PNG(ctx context.Context, dot []byte, w io.Writer, opt PNGOptions) error {
	l, err := Layout(ctx, dot, opt)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("drawing graph: %w", err)
	}
	if err := encodePNG(w, l.draw()); err != nil {
		return fmt.Errorf("writing PNG: %w", err)
	}
	return nil
}

// Layout lays out the DOT graph and returns where PNG would draw its
// nodes and edges for the same options.
func Layout(ctx context.Context, dot []byte, opt PNGOptions) (*GraphLayout, error) {
	var buf bytes.Buffer
	err := withGraph(ctx, dot, func(g *graphviz.Graphviz, graph *graphviz.Graph) error {
		return g.Render(context.WithoutCancel(ctx), graph, graphviz.Format("json"), &buf)
	})
	if err != nil {
		return nil, fmt.Errorf("laying out graph: %w", err)
	}
	doc, err := decodeXdot(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("laying out graph: reading Graphviz output: %w", err)
	}
	return newLayout(doc, opt.Scale)
}

// resetParser brings Graphviz's parser back to its first state after a
// syntax error. An error at the first token ("x [label=<h]; ") leaves that
// token in the parser, and every later parse, of any DOT, failed near it,
// for the life of the process (found by FuzzDOT). A parse of ">" clears
// it; so until a one-line graph parses, a few times at most, this parses
// ">". (An error in the graph's header is worse: nothing clears it, so
// checkDOT refuses a bad header before Graphviz sees it.) Called under
// gvMu.
func resetParser() {
	parse := func(dot string) bool {
		g, err := graphviz.ParseBytes([]byte(dot))
		if err == nil && g != nil {
			g.Close()
		}
		return err == nil && g != nil
	}
	for range 4 {
		if parse("graph {}") {
			return
		}
		parse(">")
	}
}

// withGraph checks dot against the limits (checkDOT), parses it and
// calls fn with the Graphviz context and the parsed graph, all under
// gvMu. Errors the input causes match ErrInput. Panics from go-graphviz
// come back as errors. ctx is checked before the work starts, not during
// it: calls into the WebAssembly module get a context that is never
// cancelled, as a call cut short could leave the one shared module
// broken.
func withGraph(ctx context.Context, dot []byte, fn func(*graphviz.Graphviz, *graphviz.Graph) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(bytes.TrimSpace(dot)) == 0 {
		return badInput("parsing DOT: empty input")
	}
	if err := checkDOT(dot); err != nil {
		return err
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	if err := ctx.Err(); err != nil { // cancelled while waiting for the lock
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.New(SafeText(fmt.Sprintf("graphviz failed: %v", r)))
			gv = nil // start afresh next time rather than trust its state
		}
	}()
	if gv == nil {
		g, err := graphviz.New(context.WithoutCancel(ctx))
		if err != nil {
			return fmt.Errorf("starting graphviz: %w", err)
		}
		gv = g
	}
	graph, err := graphviz.ParseBytes(dot)
	if err != nil {
		resetParser()
		return badInput("parsing DOT: %s", strings.TrimSpace(err.Error()))
	}
	if graph == nil {
		return badInput("parsing DOT: no graph")
	}
	defer func() {
		if cerr := graph.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing graph: %w", cerr)
		}
	}()
	n, err := graph.NodeNum()
	if err != nil {
		return fmt.Errorf("counting nodes: %w", err)
	}
	if n > MaxNodes {
		return badInput("graph has %d nodes; at most %d can be drawn (trim it first)", n, MaxNodes)
	}
	return fn(gv, graph)
}

// svgFontScale is the fraction of its font size at which an SVG's text is
// drawn. Graphviz lays text out with its built-in metrics of Helvetica and
// Times; a renderer without those fonts draws a wider one in their place
// (librsvg, the usual SVG renderer outside browsers, draws DejaVu Sans,
// up to 15% wider), so that text ran past its box and a title was
// clipped. At 85% the text of every bundled picture stays inside its box
// with rsvg-convert (TestSVGThroughLibrsvg); with Helvetica itself it
// leaves a little more margin. The PNG needs none of this: it measures
// each label in its own fonts and shrinks it to fit (fitText).
const svgFontScale = 0.85

// svgFontSize matches the font sizes Graphviz writes on text elements.
var svgFontSize = regexp.MustCompile(`font-size="([0-9]+(?:\.[0-9]+)?)"`)

// scaleSVGFonts multiplies every font-size attribute of an SVG by f.
func scaleSVGFonts(b []byte, f float64) []byte {
	return svgFontSize.ReplaceAllFunc(b, func(m []byte) []byte {
		v, err := strconv.ParseFloat(string(svgFontSize.FindSubmatch(m)[1]), 64)
		if err != nil {
			return m
		}
		return []byte(`font-size="` + strconv.FormatFloat(v*f, 'f', 2, 64) + `"`)
	})
}
