package render

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"strings"

	"git.sr.ht/~sbinet/gg"
)

// draw paints the layout's drawing operations onto a new image: the
// graph's background and label, the clusters, the edges, the nodes, and
// the edge labels last so that nothing covers them.
func (l *GraphLayout) draw() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, l.Width, l.Height))
	bg, rest := background(l.doc.Draw)
	fillRGBA(img, bg)
	dc := gg.NewContextForRGBA(img)
	dc.SetLineJoin(gg.LineJoinRound)
	dc.SetLineCap(gg.LineCapButt)
	faces, err := newFaceCache()
	if err != nil {
		faces = nil // draw without text rather than not at all
	} else {
		defer faces.close()
	}
	p := &painter{dc: dc, img: img, tr: l.tr, faces: faces}
	doc := l.doc
	p.run(rest)
	p.run(doc.LDraw)
	var nodes []xdotObj
	for _, o := range doc.Objects {
		if o.GVID < doc.SubgraphCnt {
			p.run(o.Draw)
			p.run(o.LDraw)
		} else {
			nodes = append(nodes, o)
		}
	}
	for _, e := range doc.Edges {
		p.run(e.Draw)
		p.run(e.TDraw)
		p.run(e.HDraw)
	}
	for _, o := range nodes {
		p.run(o.Draw)
		p.run(o.LDraw)
	}
	for _, e := range doc.Edges {
		p.run(e.LDraw)
		p.run(e.TLDraw)
		p.run(e.HLDraw)
	}
	return img
}

// painter draws xdot operations. Its state (colours, line style, font) is
// reset at the start of each operation list, as xdot's lists are
// independent of each other.
type painter struct {
	dc    *gg.Context
	img   *image.RGBA // dc's image, for text
	tr    transform
	faces *faceCache

	pen, fill gg.Pattern
	penClear  bool // the pen colour is fully transparent
	fillClear bool
	width     float64 // line width in points
	dash      string  // "", "dashed" or "dotted"
	fontFace  string
	fontSize  float64 // points
	fontchar  int
	fit       float64 // the fraction of the font size texts are drawn at
}

func (p *painter) reset() {
	p.pen, p.penClear = gg.NewSolidPattern(black), false
	p.fill, p.fillClear = gg.NewSolidPattern(black), false
	p.width, p.dash = 1, ""
	p.fontFace, p.fontSize, p.fontchar = "Times-Roman", 14, 0
}

// background is the colour of the whole image, margin included: the
// graph's background when the graph's first filled polygon (Graphviz's
// bgcolor, covering the bounding box) is opaque, white otherwise. A
// translucent background is composed over white. rest is what remains
// of the graph's operations after the background.
func background(ops []xdotOp) (bg color.RGBA, rest []xdotOp) {
	fill := white
	for i, op := range ops {
		switch op.Op {
		case "C":
			fill = parseColor(op.Color)
		case "P":
			if len(op.Points) != 4 {
				return color.RGBA(white), ops
			}
			a := uint32(fill.A)
			over := func(v uint8) uint8 { return uint8((uint32(v)*a + 255*(255-a) + 127) / 255) }
			return color.RGBA{over(fill.R), over(fill.G), over(fill.B), 0xff}, ops[i+1:]
		case "c", "S":
		default:
			return color.RGBA(white), ops
		}
	}
	return color.RGBA(white), ops
}

// fillRGBA paints the whole image with c, by doubling copies.
func fillRGBA(img *image.RGBA, c color.RGBA) {
	pix := img.Pix
	if len(pix) < 4 {
		return
	}
	pix[0], pix[1], pix[2], pix[3] = c.R, c.G, c.B, c.A
	for n := 4; n < len(pix); n *= 2 {
		copy(pix[n:], pix[:n])
	}
}

// run draws one list of operations.
func (p *painter) run(ops []xdotOp) {
	if len(ops) == 0 {
		return
	}
	p.reset()
	p.fit = 1
	for _, op := range ops {
		if op.Op == "T" {
			p.fit = p.fitText(ops)
			break
		}
	}
	for _, op := range ops {
		switch op.Op {
		case "c":
			p.setColor(op, false)
		case "C":
			p.setColor(op, true)
		case "S":
			p.setStyle(op.Style)
		case "F":
			p.fontFace, p.fontSize = op.Face, op.Size
		case "t":
			p.fontchar = op.Fontchar
		case "p", "P":
			if p.path(op.Points, false) {
				p.dc.ClosePath()
				p.paint(op.Op == "P")
			}
		case "L":
			if p.path(op.Points, false) {
				p.paint(false)
			}
		case "b", "B":
			if p.path(op.Points, true) {
				if op.Op == "B" {
					p.dc.ClosePath()
				}
				p.paint(op.Op == "B")
			}
		case "e", "E":
			cx, cy := p.tr.pt(op.Rect[0], op.Rect[1])
			p.dc.NewSubPath()
			p.dc.DrawEllipse(cx, cy, p.tr.length(op.Rect[2]), p.tr.length(op.Rect[3]))
			p.paint(op.Op == "E")
		case "T":
			p.text(op)
		}
	}
}

// path makes the current path from points, as a polyline or as cubic
// Bézier pieces (the first point, then three points per piece).
func (p *painter) path(pts [][2]float64, bezier bool) bool {
	p.dc.ClearPath()
	if len(pts) < 2 {
		return false
	}
	x, y := p.tr.pt(pts[0][0], pts[0][1])
	p.dc.MoveTo(x, y)
	i := 1
	if bezier {
		for ; i+2 < len(pts); i += 3 {
			x1, y1 := p.tr.pt(pts[i][0], pts[i][1])
			x2, y2 := p.tr.pt(pts[i+1][0], pts[i+1][1])
			x3, y3 := p.tr.pt(pts[i+2][0], pts[i+2][1])
			p.dc.CubicTo(x1, y1, x2, y2, x3, y3)
		}
	}
	for ; i < len(pts); i++ { // a polyline, or a malformed spline's rest
		x, y := p.tr.pt(pts[i][0], pts[i][1])
		p.dc.LineTo(x, y)
	}
	return true
}

// paint fills the current path with the fill colour if filled, then
// strokes it with the pen, as Graphviz does for filled shapes.
func (p *painter) paint(filled bool) {
	if filled && !p.fillClear {
		p.dc.SetFillStyle(p.fill)
		p.dc.FillPreserve()
	}
	if !p.penClear && p.width > 0 {
		p.dc.SetStrokeStyle(p.pen)
		p.dc.SetLineWidth(p.tr.length(p.width))
		p.setDash()
		p.dc.Stroke()
	}
	p.dc.ClearPath()
}

// setDash sets gg's dash pattern for the current style, scaled with the
// line width so that thick lines keep their look.
func (p *painter) setDash() {
	u := p.tr.length(math.Max(p.width, 1))
	switch p.dash {
	case "dashed":
		p.dc.SetDash(5*u, 2*u)
	case "dotted":
		p.dc.SetDash(1.2*u, 2.4*u)
	default:
		p.dc.SetDash()
	}
}

// setStyle applies an "S" operation.
func (p *painter) setStyle(style string) {
	s := strings.TrimSpace(style)
	switch {
	case s == "solid":
		p.dash = ""
	case s == "dashed", s == "dotted":
		p.dash = s
	case s == "bold":
		p.width = 2
	case s == "invis", s == "invisible":
		p.penClear, p.fillClear = true, true
	case strings.HasPrefix(s, "setlinewidth(") && strings.HasSuffix(s, ")"):
		v, err := strconv.ParseFloat(s[len("setlinewidth("):len(s)-1], 64)
		if err == nil && v >= 0 && v < 1000 {
			p.width = v
		}
	}
}

// setColor applies a "c" (pen) or "C" (fill) operation: a plain colour,
// or a linear or radial gradient.
func (p *painter) setColor(op xdotOp, fill bool) {
	var pat gg.Pattern
	clear := false
	switch {
	case op.Grad == "linear" && len(op.P0) >= 2 && len(op.P1) >= 2 && len(op.Stops) > 0:
		x0, y0 := p.tr.pt(op.P0[0], op.P0[1])
		x1, y1 := p.tr.pt(op.P1[0], op.P1[1])
		g := gg.NewLinearGradient(x0, y0, x1, y1)
		addStops(g, op.Stops)
		pat = g
	case op.Grad == "radial" && len(op.P0) >= 3 && len(op.P1) >= 3 && len(op.Stops) > 0:
		x0, y0 := p.tr.pt(op.P0[0], op.P0[1])
		x1, y1 := p.tr.pt(op.P1[0], op.P1[1])
		g := gg.NewRadialGradient(x0, y0, p.tr.length(op.P0[2]), x1, y1, p.tr.length(op.P1[2]))
		addStops(g, op.Stops)
		pat = g
	default:
		c := parseColor(op.Color)
		if op.Grad != "" && op.Grad != "none" && len(op.Stops) > 0 {
			c = parseColor(op.Stops[0].Color)
		}
		clear = c.A == 0
		pat = gg.NewSolidPattern(c)
	}
	if fill {
		p.fill, p.fillClear = pat, clear
	} else {
		p.pen, p.penClear = pat, clear
	}
}

func addStops(g gg.Gradient, stops []xdotStop) {
	for _, s := range stops {
		g.AddColorStop(s.Frac, parseColor(s.Color))
	}
}
