package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one line of a growth chart.
type Series struct {
	// Name is the legend text: a type, a function, a goroutine group. It
	// may be anything; it is cleaned and shortened for display.
	Name string
	// Values holds one value per snapshot. NaN and ±Inf are gaps.
	Values []float64
	// Suspect series are drawn solid and coloured; the others thin and
	// grey, for context.
	Suspect bool
}

// Chart is a growth chart: values per snapshot for a few series.
type Chart struct {
	// Title is drawn above the plot; empty for none.
	Title string
	// Unit of the values: "bytes" labels the Y axis in KiB/MiB/GiB;
	// "count", "objects", "goroutines" and "" as whole numbers with k/M
	// suffixes; any other unit as plain numbers, with the unit as the
	// axis label.
	Unit string
	// Times holds when each snapshot was taken: nil, or one per snapshot.
	// If it is nil, or any time is zero, or none is after the first, the X
	// axis is the snapshot number 1..N; otherwise it is seconds (under 2 min), minutes (hours
	// beyond 3 h) since the first snapshot.
	Times []time.Time
	// Series are the lines, in the caller's order of importance: only the
	// first MaxSeries are drawn, and the legend says how many were left out.
	Series []Series
}

// MaxSeries is how many series a chart draws at most.
const MaxSeries = 8

const (
	dpi       = 96 // pixels per inch of PNG output; SVG uses the same scale
	minWidth  = 320
	minHeight = 200
	maxSide   = 8192
)

// PNG draws the chart as a width×height pixel PNG image. It fails if the
// chart has no series, a series without values, series of different
// lengths, Times of another length, or a size outside 320×200 to
// 8192×8192 pixels.
func (c *Chart) PNG(w io.Writer, width, height int) error {
	if err := checkSize(width, height); err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	cv := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))
	if err := c.render(draw.New(cv)); err != nil {
		return err
	}
	_, err := vgimg.PngCanvas{Canvas: cv}.WriteTo(w)
	return err
}

// The SVG writer names the bundled font only; viewers without it need a
// metric-compatible fallback. Text content cannot contain this string: it
// is HTML-escaped, quotes included.
var (
	svgFont         = []byte(`style="font-family:Liberation Sans;`)
	svgFontFallback = []byte(`style="font-family:'Liberation Sans',Arial,Helvetica,sans-serif;`)
)

// SVG draws the chart as an SVG document of width×height pixels (written
// as points, 3/4 of a pixel each, as CSS measures them), failing as PNG
// does. Fonts are not embedded: the text asks for Liberation Sans, then
// the metric-compatible Arial.
func (c *Chart) SVG(w io.Writer, width, height int) error {
	if err := checkSize(width, height); err != nil {
		return err
	}
	cv := vgsvg.New(pixels(width), pixels(height))
	if err := c.render(draw.New(cv)); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return err
	}
	_, err := w.Write(bytes.ReplaceAll(buf.Bytes(), svgFont, svgFontFallback))
	return err
}

func pixels(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }

func checkSize(width, height int) error {
	if width < minWidth || height < minHeight || width > maxSide || height > maxSide {
		return fmt.Errorf("chart: size %d×%d pixels out of range (%d×%d to %d×%d)",
			width, height, minWidth, minHeight, maxSide, maxSide)
	}
	return nil
}

// validate checks the chart's shape and returns its number of snapshots.
func (c *Chart) validate() (int, error) {
	if c == nil || len(c.Series) == 0 {
		return 0, errors.New("chart: no series")
	}
	n := len(c.Series[0].Values)
	for i, s := range c.Series {
		switch len(s.Values) {
		case 0:
			return 0, fmt.Errorf("chart: series %d (%q) has no values", i+1, sanitize(s.Name, maxNameRunes))
		case n:
		default:
			return 0, fmt.Errorf("chart: series %d (%q) has %d values but series 1 has %d",
				i+1, sanitize(s.Name, maxNameRunes), len(s.Values), n)
		}
	}
	if len(c.Times) != 0 && len(c.Times) != n {
		return 0, fmt.Errorf("chart: %d times for %d snapshots", len(c.Times), n)
	}
	return n, nil
}

const margin = 6 // points around the whole chart

// render validates the chart and draws it on dc: the plot on top, the
// legend below it.
func (c *Chart) render(dc draw.Canvas) (err error) {
	n, err := c.validate()
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart: drawing failed: %v", r)
		}
	}()
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	dc = draw.Crop(dc, margin, -margin, margin, -margin)

	p, lg := c.build(n, dc.Rectangle.Size())
	left := p.DataCanvas(dc).Min.X
	h := lg.layout(dc.Max.X-left, dc.Rectangle.Size().Y)
	pc := dc
	if h > 0 {
		pc = draw.Crop(dc, 0, 0, h+legendGap, 0)
	}
	p.Draw(pc)
	lg.draw(dc, left, dc.Min.Y+h)
	return nil
}

// sans returns the bundled Liberation Sans at size points.
func sans(size float64, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return font.From(f, vg.Points(size))
}

// build makes the plot (axes, title, lines) and the legend for a chart of
// n snapshots drawn in an area of the given size.
func (c *Chart) build(n int, size vg.Point) (*plot.Plot, *legend) {
	p := plot.New()
	p.BackgroundColor = nil // render fills the whole canvas
	p.Title.Text = sanitize(c.Title, maxTitleRunes)
	p.Title.TextStyle.Font = sans(12, true)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(10, false)
		a.Tick.Label.Font = sans(9, false)
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(3)
	}
	p.Y.Label.Padding = vg.Points(4)

	xs, xLabel, xmin, xmax, xTicks := c.xAxis(n, size.X)
	p.X.Label.Text = xLabel
	p.X.Min, p.X.Max = xmin, xmax
	p.X.Tick.Marker = plot.ConstantTicks(xTicks)

	shown := c.Series[:min(len(c.Series), MaxSeries)]
	lo, hi := 0.0, 0.0
	for _, s := range shown {
		for _, v := range s.Values {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	target := max(2, int(size.Y/vg.Points(45)))
	var yTicks []plot.Tick
	p.Y.Min, p.Y.Max, yTicks = yAxis(lo, hi, target, c.Unit)
	p.Y.Tick.Marker = plot.ConstantTicks(yTicks)
	if c.Unit != "bytes" {
		p.Y.Label.Text = sanitize(c.Unit, maxNameRunes)
	}

	ln := &lines{xs: xs}
	for _, t := range yTicks {
		ln.grid = append(ln.grid, t.Value)
	}
	lg := &legend{}
	var suspects, context []line
	for _, s := range shown {
		st := styleFor(s.Suspect, len(suspects))
		if s.Suspect {
			suspects = append(suspects, line{ys: s.Values, style: st})
		} else {
			context = append(context, line{ys: s.Values, style: st})
		}
		lg.entries = append(lg.entries, entry{label: sanitize(s.Name, maxNameRunes), style: st})
	}
	if hidden := len(c.Series) - len(shown); hidden > 0 {
		lg.entries = append(lg.entries, entry{label: fmt.Sprintf("+%d more not shown", hidden), textOnly: true})
	}
	ln.series = append(context, suspects...) // suspects drawn last, on top
	p.Add(ln)
	return p, lg
}

// xAxis returns the X value of each of n snapshots, the axis label, range
// and ticks, for an axis of the given length.
func (c *Chart) xAxis(n int, length vg.Length) (xs []float64, label string, lo, hi float64, ticks []plot.Tick) {
	xs = make([]float64, n)
	if span, ok := c.timeSpan(); ok {
		unit, label := time.Minute, "minutes since first snapshot"
		switch {
		case span > 3*time.Hour:
			unit, label = time.Hour, "hours since first snapshot"
		case span < 2*time.Minute:
			unit, label = time.Second, "seconds since first snapshot"
		}
		for i, t := range c.Times {
			xs[i] = float64(t.Sub(c.Times[0])) / float64(unit)
			lo, hi = math.Min(lo, xs[i]), math.Max(hi, xs[i])
		}
		return xs, label, lo, hi, timeTicks(hi, max(2, int(length/vg.Points(60))))
	}
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	lo, hi = 1, float64(n)
	if n == 1 {
		lo, hi = 0.5, 1.5
	}
	return xs, "snapshot", lo, hi, snapshotTicks(n, max(2, int(length/vg.Points(36))))
}

// timeSpan returns how long after the first snapshot the last one was
// taken, and whether the times make a usable axis: one per snapshot, none
// zero, not all equal.
func (c *Chart) timeSpan() (time.Duration, bool) {
	if len(c.Times) == 0 || len(c.Times) != len(c.Series[0].Values) {
		return 0, false
	}
	var span time.Duration
	for _, t := range c.Times {
		if t.IsZero() {
			return 0, false
		}
		span = max(span, t.Sub(c.Times[0]))
	}
	return span, span > 0
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
