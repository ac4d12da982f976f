package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	legendGap = vg.Length(10) // between the plot and the legend
	swatchW   = vg.Length(22) // line sample before a label
	swatchGap = vg.Length(5)  // between the sample and the label
	colGap    = vg.Length(16) // between legend columns
	maxRows   = 4             // legend rows at most
)

// entry is one legend line: a sample of the series' style and its name,
// or text alone.
type entry struct {
	label    string
	style    seriesStyle
	textOnly bool
}

// legend is the chart's legend, laid out in rows of columns below the
// plot, left-aligned with the data area.
type legend struct {
	entries []entry
	text    text.Style
	cols    int
	colW    []vg.Length
	rowH    vg.Length
}

// layout arranges the legend in a width of avail, in as many columns as
// fit (a single row if all do), with at most maxRows rows and at most a
// quarter of maxH; labels that still do not fit are cut. It returns the
// legend's height.
func (lg *legend) layout(avail, maxH vg.Length) vg.Length {
	n := len(lg.entries)
	if n == 0 {
		return 0
	}
	lg.text = text.Style{
		Color:   color.Gray{Y: 0x20},
		Font:    sans(9, false),
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
		Handler: plot.DefaultTextHandler,
	}
	lg.rowH = lg.text.FontExtents().Height * 1.3
	rows := max(1, min(maxRows, int(maxH/4/lg.rowH)))
	minCols := (n + rows - 1) / rows
	widths := make([]vg.Length, n)
	for i, e := range lg.entries {
		widths[i] = lg.text.Width(e.label) + lg.swatch(e)
	}
	for cols := n; cols >= minCols; cols-- {
		colW := make([]vg.Length, cols)
		total := colGap * vg.Length(cols-1)
		for i, w := range widths {
			colW[i%cols] = max(colW[i%cols], w)
		}
		for _, w := range colW {
			total += w
		}
		if total <= avail {
			lg.cols, lg.colW = cols, colW
			return lg.height()
		}
	}
	// Too wide even in the fewest columns allowed: equal columns, labels cut.
	lg.cols = minCols
	w := max(0, (avail-colGap*vg.Length(minCols-1))/vg.Length(minCols))
	lg.colW = make([]vg.Length, minCols)
	for i := range lg.colW {
		lg.colW[i] = w
	}
	for i, e := range lg.entries {
		lg.entries[i].label = lg.fit(e.label, w-lg.swatch(e))
	}
	return lg.height()
}

func (lg *legend) height() vg.Length {
	rows := (len(lg.entries) + lg.cols - 1) / lg.cols
	return lg.rowH * vg.Length(rows)
}

// swatch is the width taken by the style sample of e.
func (lg *legend) swatch(e entry) vg.Length {
	if e.textOnly {
		return 0
	}
	return swatchW + swatchGap
}

// fit cuts the middle of s (see cutMiddle) until it is at most width
// wide.
func (lg *legend) fit(s string, width vg.Length) string {
	if lg.text.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for n := len(r) - 1; n > 1; n-- {
		if cut := cutMiddle(r, n); lg.text.Width(cut) <= width {
			return cut
		}
	}
	return "…"
}

// draw draws the laid-out legend with its top-left corner at (left, top).
func (lg *legend) draw(c draw.Canvas, left, top vg.Length) {
	for i, e := range lg.entries {
		row, col := i/lg.cols, i%lg.cols
		x := left + colGap*vg.Length(col)
		for _, w := range lg.colW[:col] {
			x += w
		}
		y := top - lg.rowH*(vg.Length(row)+0.5)
		if !e.textOnly {
			c.StrokeLine2(e.style.line, x, y, x+swatchW, y)
			c.DrawGlyphNoClip(e.style.glyph, vg.Point{X: x + swatchW/2, Y: y})
			x += swatchW + swatchGap
		}
		c.FillText(lg.text, vg.Point{X: x, Y: y}, e.label)
	}
}
