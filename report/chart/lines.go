package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the Okabe–Ito colour-blind-safe palette, ordered for contrast
// on white (its yellow last).
var palette = [MaxSeries]color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// shapes gives each suspect series its own marker too, for readers who
// cannot tell the colours apart.
var shapes = [MaxSeries]draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
}

var (
	contextGrey = color.RGBA{0x9A, 0x9A, 0x9A, 0xFF}
	gridGrey    = color.RGBA{0xE4, 0xE4, 0xE4, 0xFF}
)

// seriesStyle is how one series is drawn, in the plot and in the legend.
type seriesStyle struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
}

// styleFor returns the style of a suspect series (the i-th suspect) or of
// a context series.
func styleFor(suspect bool, i int) seriesStyle {
	if !suspect {
		return seriesStyle{
			line:  draw.LineStyle{Color: contextGrey, Width: vg.Points(0.75)},
			glyph: draw.GlyphStyle{Color: contextGrey, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}},
		}
	}
	c := palette[i%len(palette)]
	return seriesStyle{
		line:  draw.LineStyle{Color: c, Width: vg.Points(1.75)},
		glyph: draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: shapes[i%len(shapes)]},
	}
}

// line is one series' values, one per X value of lines.
type line struct {
	ys    []float64
	style seriesStyle
}

// lines is the plot.Plotter of a chart: horizontal grid lines, then each
// series as a polyline with a marker per point. Non-finite values are
// gaps.
type lines struct {
	xs     []float64
	grid   []float64 // Y values of grid lines
	series []line
}

var _ plot.GlyphBoxer = (*lines)(nil)

// Plot implements plot.Plotter.
func (l *lines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	grid := draw.LineStyle{Color: gridGrey, Width: vg.Points(0.5)}
	for _, y := range l.grid {
		if y != p.Y.Min { // the X axis is there
			c.StrokeLine2(grid, c.Min.X, trY(y), c.Max.X, trY(y))
		}
	}
	for _, s := range l.series {
		var run []vg.Point
		flush := func() {
			if len(run) > 1 {
				c.StrokeLines(s.style.line, c.ClipLinesXY(run)...)
			}
			for _, pt := range run {
				c.DrawGlyph(s.style.glyph, pt)
			}
			run = run[:0]
		}
		for i, y := range s.ys {
			if !finite(y) {
				flush()
				continue
			}
			run = append(run, vg.Point{X: trX(l.xs[i]), Y: trY(y)})
		}
		flush()
	}
}

// GlyphBoxes implements plot.GlyphBoxer, so that markers at the edges of
// the data area are not cut: the largest marker at two opposite corners is
// enough for the padding plot computes.
func (l *lines) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	var r vg.Length
	for _, s := range l.series {
		r = max(r, s.style.glyph.Radius)
	}
	rect := draw.GlyphStyle{Radius: r}.Rectangle()
	return []plot.GlyphBox{{X: 0, Y: 0, Rectangle: rect}, {X: 1, Y: 1, Rectangle: rect}}
}
