package render

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// minFit is the smallest fraction of its font size a label is drawn at.
const minFit = 0.6

// fitText returns the fraction of their font size at which the texts of
// one operation list (one label) are drawn: 1, or less when a text in our
// fonts would not fit where Graphviz, which measured it with its own
// metrics (Times-Roman by default, narrower than Go's fonts), made room
// for it. A line may use the whole width of the label (the widest line)
// and half an em more, as Graphviz leaves at least 8 points of margin
// around a node's label; a piece of an HTML line followed by another on
// the same baseline only its own width. The whole label shrinks by the
// same fraction, so its lines keep one size.
func (p *painter) fitText(ops []xdotOp) float64 {
	if p.faces == nil {
		return 1
	}
	left, right := math.Inf(1), math.Inf(-1) // the label's extent, in points
	for _, op := range ops {
		if op.Op == "T" {
			l, r := textSpan(op)
			left, right = math.Min(left, l), math.Max(right, r)
		}
	}
	fit := 1.0
	face, size, fontchar := "Times-Roman", 14.0, 0
	for i, op := range ops {
		switch op.Op {
		case "F":
			face, size = op.Face, op.Size
		case "t":
			fontchar = op.Fontchar
		case "T":
			f := p.faces.face(styleOf(face, fontchar), p.tr.length(size))
			if f == nil || op.Text == "" || op.Width <= 0 {
				continue
			}
			w := fixToFloat(font.MeasureString(f, op.Text)) / p.tr.scale // points
			if w <= 0 {
				continue
			}
			x, slack := op.Pt[0], size/2
			var room float64
			switch {
			case nextOnLine(ops[i+1:], op.Pt[1]):
				room = op.Width * 1.02
			case op.Align == "l":
				room = right - x + slack/2
			case op.Align == "r":
				room = x - left + slack/2
			default:
				room = 2*math.Min(x-left, right-x) + slack
			}
			fit = math.Min(fit, room/w)
		}
	}
	return math.Max(fit, minFit)
}

// textSpan is where Graphviz put a text, left and right, in points.
func textSpan(op xdotOp) (float64, float64) {
	x, w := op.Pt[0], op.Width
	switch op.Align {
	case "l":
		return x, x + w
	case "r":
		return x - w, x
	}
	return x - w/2, x + w/2
}

// nextOnLine tells whether the next text in ops is on the baseline y.
func nextOnLine(ops []xdotOp, y float64) bool {
	for _, op := range ops {
		if op.Op == "T" {
			return math.Abs(op.Pt[1]-y) < 0.01
		}
	}
	return false
}

// text draws a "T" operation with the pen colour: the baseline at pt,
// aligned left, centred or right, at the size fitText chose for its
// label.
func (p *painter) text(op xdotOp) {
	if p.faces == nil || p.penClear || op.Text == "" {
		return
	}
	size := math.Min(p.tr.length(p.fontSize)*p.fit, 2000)
	face := p.faces.face(styleOf(p.fontFace, p.fontchar), size)
	if face == nil {
		return
	}
	w := fixToFloat(font.MeasureString(face, op.Text))
	x, y := p.tr.pt(op.Pt[0], op.Pt[1])
	switch op.Align {
	case "c":
		x -= w / 2
	case "r":
		x -= w
	}
	d := font.Drawer{Dst: p.img, Src: image.NewUniform(p.penColor()), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}}
	d.DrawString(op.Text)
	if p.fontchar&(4|32) != 0 { // underline, strike-through
		p.dc.SetStrokeStyle(p.pen)
		p.dc.SetLineWidth(math.Max(size/14, 1))
		p.dc.SetDash()
		if p.fontchar&4 != 0 {
			p.dc.DrawLine(x, y+size*0.12, x+w, y+size*0.12)
			p.dc.Stroke()
		}
		if p.fontchar&32 != 0 {
			p.dc.DrawLine(x, y-size*0.3, x+w, y-size*0.3)
			p.dc.Stroke()
		}
	}
}

// penColor is the pen as one colour, for text.
func (p *painter) penColor() color.Color {
	return p.pen.ColorAt(0, 0)
}

func fixToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }
