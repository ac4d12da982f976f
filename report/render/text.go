package render

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// text draws a "T" operation with the pen colour: the baseline at pt,
// aligned left, centred or right. Go fonts can be wider than the metrics
// Graphviz laid the label out with (Times-Roman by default); text much
// wider than Graphviz's width is drawn smaller so that it stays inside
// its node.
func (p *painter) text(op xdotOp) {
	if p.faces == nil || p.penClear || op.Text == "" {
		return
	}
	style := styleOf(p.fontFace, p.fontchar)
	size := math.Min(p.tr.length(p.fontSize), 2000)
	face := p.faces.face(style, size)
	if face == nil {
		return
	}
	w := font.MeasureString(face, op.Text)
	// Slack: Graphviz leaves at least 8 points of margin on either side
	// of a node's label, so a centred line half an em wider than
	// Graphviz's width still fits. Left- or right-aligned text may be a
	// piece of a line (HTML labels), followed by the next piece: no slack.
	want := p.tr.length(op.Width) * 1.02
	if op.Align == "c" {
		want += size / 2
	}
	if op.Width > 0 && fixToFloat(w) > want {
		size = math.Max(size*want/fixToFloat(w), size*0.6)
		if f := p.faces.face(style, size); f != nil {
			face, w = f, font.MeasureString(f, op.Text)
		}
	}
	x, y := p.tr.pt(op.Pt[0], op.Pt[1])
	switch op.Align {
	case "c":
		x -= fixToFloat(w) / 2
	case "r":
		x -= fixToFloat(w)
	}
	rgba, ok := p.dc.Image().(*image.RGBA)
	if !ok {
		return
	}
	d := font.Drawer{Dst: rgba, Src: image.NewUniform(p.penColor()), Face: face,
		Dot: fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}}
	d.DrawString(op.Text)
	if p.fontchar&(4|32) != 0 { // underline, strike-through
		lw := math.Max(size/14, 1)
		p.dc.SetStrokeStyle(p.pen)
		p.dc.SetLineWidth(lw)
		p.dc.SetDash()
		for _, off := range []float64{size * 0.12, -size * 0.3} {
			if (off > 0 && p.fontchar&4 != 0) || (off < 0 && p.fontchar&32 != 0) {
				p.dc.DrawLine(x, y+off, x+fixToFloat(w), y+off)
				p.dc.Stroke()
			}
		}
	}
}

// penColor is the pen as one colour, for text.
func (p *painter) penColor() color.Color {
	return p.pen.ColorAt(0, 0)
}

func fixToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }
