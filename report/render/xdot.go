package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
)

// xdotGraph is the part of Graphviz's "json" output this package uses.
// Coordinates are in points, y up, within the bounding box BB.
type xdotGraph struct {
	Name        string     `json:"name"`
	Label       string     `json:"label"`
	BB          string     `json:"bb"`
	Draw        []xdotOp   `json:"_draw_"`
	LDraw       []xdotOp   `json:"_ldraw_"`
	SubgraphCnt int        `json:"_subgraph_cnt"`
	Objects     []xdotObj  `json:"objects"`
	Edges       []xdotEdge `json:"edges"`
}

// xdotObj is a subgraph (cluster) or a node: Graphviz lists all
// subgraphs first, then the nodes; _gvid is the index in that list.
type xdotObj struct {
	GVID   int      `json:"_gvid"`
	Name   string   `json:"name"`
	Label  string   `json:"label"`
	Pos    string   `json:"pos"`
	Width  string   `json:"width"`
	Height string   `json:"height"`
	Draw   []xdotOp `json:"_draw_"`
	LDraw  []xdotOp `json:"_ldraw_"`
}

// xdotEdge is an edge; Tail and Head are _gvid values of nodes.
type xdotEdge struct {
	Tail   int      `json:"tail"`
	Head   int      `json:"head"`
	Label  string   `json:"label"`
	Draw   []xdotOp `json:"_draw_"`
	LDraw  []xdotOp `json:"_ldraw_"`
	HDraw  []xdotOp `json:"_hdraw_"`
	TDraw  []xdotOp `json:"_tdraw_"`
	HLDraw []xdotOp `json:"_hldraw_"`
	TLDraw []xdotOp `json:"_tldraw_"`
}

// xdotOp is one xdot drawing operation. Which fields are set depends on
// Op:
//
//	c, C        pen / fill colour: Color, or a gradient (Grad, P0, P1, Stops)
//	p, P        polygon outline / filled polygon: Points
//	L           polyline: Points
//	b, B        B-spline (cubic Bézier pieces) / filled one: Points
//	e, E        ellipse outline / filled ellipse: Rect = cx, cy, rx, ry
//	T           text: Pt (baseline), Align (l, c, r), Width, Text
//	F           font: Size, Face
//	S           style: Style (solid, dashed, dotted, bold, setlinewidth(N) …)
//	t           font characteristics: Fontchar (1 bold, 2 italic, 4 underline …)
type xdotOp struct {
	Op       string       `json:"op"`
	Grad     string       `json:"grad"`
	Color    string       `json:"color"`
	P0       []float64    `json:"p0"`
	P1       []float64    `json:"p1"`
	Stops    []xdotStop   `json:"stops"`
	Points   [][2]float64 `json:"points"`
	Rect     [4]float64   `json:"rect"`
	Pt       [2]float64   `json:"pt"`
	Align    string       `json:"align"`
	Width    float64      `json:"width"`
	Text     string       `json:"text"`
	Size     float64      `json:"size"`
	Face     string       `json:"face"`
	Style    string       `json:"style"`
	Fontchar int          `json:"fontchar"`
}

// xdotStop is one colour stop of a gradient.
type xdotStop struct {
	Frac  float64 `json:"frac"`
	Color string  `json:"color"`
}

// decodeXdot decodes Graphviz's json output. A field of an unexpected type
// (a user attribute shadowing one of Graphviz's names) is skipped rather
// than failing the picture.
func decodeXdot(data []byte) (*xdotGraph, error) {
	var g xdotGraph
	if err := json.Unmarshal(escapeJSONControls(data), &g); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, err
		}
	}
	g.noBidi()
	g.LDraw = fixTexts(g.LDraw, g.Label, map[byte]string{'G': g.Name})
	names := make(map[int]string, len(g.Objects))
	for i := range g.Objects {
		o := &g.Objects[i]
		names[o.GVID] = o.Name
		o.LDraw = fixTexts(o.LDraw, o.Label, map[byte]string{'N': o.Name, 'G': g.Name})
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		e.LDraw = fixTexts(e.LDraw, e.Label, edgeSubst(g.Name, names[e.Tail], names[e.Head]))
		fixTexts(e.HLDraw, "", nil)
		fixTexts(e.TLDraw, "", nil)
	}
	return &g, nil
}

// escapeJSONControls repairs Graphviz's json output, which copies control
// characters of the DOT (a label="\x03") raw into its strings, where JSON
// does not allow them: inside strings they are written as \u00XX escapes.
// Found by FuzzDOT: such a graph drew as SVG and failed as PNG.
func escapeJSONControls(data []byte) []byte {
	var out []byte
	last, inString := 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case inString && c == '\\':
			i++ // the escaped character
		case inString && c < 0x20:
			if out == nil {
				out = make([]byte, 0, len(data)+64)
			}
			out = append(out, data[last:i]...)
			out = append(out, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			last = i + 1
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// noBidi replaces the bidirectional formatting characters in every name,
// label and text of the graph (see noBidi): Graphviz passes them through,
// and makes them from character references (&#8238;) too, so they are
// removed here, from everything the picture draws and Layout returns.
func (g *xdotGraph) noBidi() {
	ops := func(list []xdotOp) {
		for i := range list {
			list[i].Text = noBidi(list[i].Text)
		}
	}
	g.Name, g.Label = noBidi(g.Name), noBidi(g.Label)
	ops(g.Draw)
	ops(g.LDraw)
	for i := range g.Objects {
		o := &g.Objects[i]
		o.Name, o.Label = noBidi(o.Name), noBidi(o.Label)
		ops(o.Draw)
		ops(o.LDraw)
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		e.Label = noBidi(e.Label)
		for _, l := range [][]xdotOp{e.Draw, e.LDraw, e.HDraw, e.TDraw, e.HLDraw, e.TLDraw} {
			ops(l)
		}
	}
}

// transform maps Graphviz points (y up) to image pixels (y down).
type transform struct {
	llx, ury float64 // the bounding box's left and top, in points
	scale    float64 // pixels per point
	margin   float64 // pixels
}

func (t transform) pt(x, y float64) (float64, float64) {
	return (x-t.llx)*t.scale + t.margin, (t.ury-y)*t.scale + t.margin
}

// length converts a length in points to pixels.
func (t transform) length(v float64) float64 { return v * t.scale }

// newLayout computes the image size and the node and edge positions.
func newLayout(doc *xdotGraph, scale float64) (*GraphLayout, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = DefaultScale
	}
	bb, ok := parseFloats(doc.BB, 4)
	if !ok {
		return nil, fmt.Errorf("laying out graph: bad bounding box %q", doc.BB)
	}
	w, h := math.Max(bb[2]-bb[0], 1), math.Max(bb[3]-bb[1], 1)
	pixels := func(s float64) (int, int) {
		m := 2 * marginPoints * s
		return int(math.Ceil(w*s + m)), int(math.Ceil(h*s + m))
	}
	iw, ih := pixels(scale)
	if float64(iw)*float64(ih) > maxPixels {
		scale *= math.Sqrt(maxPixels / (float64(iw) * float64(ih)))
		iw, ih = pixels(scale)
	}
	tr := transform{llx: bb[0], ury: bb[3], scale: scale, margin: marginPoints * scale}
	l := &GraphLayout{Width: iw, Height: ih, Scale: scale, doc: doc, tr: tr}

	names := make(map[int]string, len(doc.Objects))
	for _, o := range doc.Objects {
		if o.GVID < doc.SubgraphCnt {
			continue // a subgraph
		}
		names[o.GVID] = o.Name
		l.Nodes = append(l.Nodes, Node{
			Name:  o.Name,
			Label: expandLabel(o.Label, map[byte]string{'N': o.Name, 'G': doc.Name}),
			Box:   nodeBox(o, tr),
		})
	}
	for _, e := range doc.Edges {
		edge := Edge{Tail: names[e.Tail], Head: names[e.Head]}
		if e.Label != "" {
			edge.Label = expandLabel(e.Label, edgeSubst(doc.Name, edge.Tail, edge.Head))
		}
		for _, op := range e.Draw {
			if op.Op != "b" && op.Op != "B" && op.Op != "L" {
				continue
			}
			edge.Spline = op.Op != "L"
			for _, p := range op.Points {
				x, y := tr.pt(p[0], p[1])
				edge.Points = append(edge.Points, Point{x, y})
			}
			break
		}
		l.Edges = append(l.Edges, edge)
	}
	return l, nil
}

// nodeBox is a node's bounding box from its centre and size (inches).
func nodeBox(o xdotObj, tr transform) image.Rectangle {
	pos, ok := parseFloats(strings.TrimSuffix(o.Pos, "!"), 2)
	if !ok {
		return image.Rectangle{}
	}
	wi, err1 := strconv.ParseFloat(o.Width, 64)
	hi, err2 := strconv.ParseFloat(o.Height, 64)
	if err1 != nil || err2 != nil {
		return image.Rectangle{}
	}
	x0, y0 := tr.pt(pos[0]-wi*36, pos[1]+hi*36)
	x1, y1 := tr.pt(pos[0]+wi*36, pos[1]-hi*36)
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}

// parseFloats parses n comma-separated numbers.
func parseFloats(s string, n int) ([]float64, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, false
	}
	out := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}
