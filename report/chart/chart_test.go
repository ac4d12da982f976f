package chart

import (
	"bytes"
	"errors"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const hostile = "</text><script>alert(1)</script>\n`|x"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// growth returns n values from start growing by step, with some wobble.
func growth(n int, start, step float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = start + step*float64(i) + step*0.8*math.Sin(float64(i))
	}
	return v
}

// timesChart is three series of bytes over 50 minutes, one per minute.
func timesChart() *Chart {
	n := 51
	times := make([]time.Time, n)
	for i := range times {
		times[i] = t0.Add(time.Duration(i) * time.Minute)
	}
	return &Chart{
		Title: "Heap growth by type",
		Unit:  "bytes",
		Times: times,
		Series: []Series{
			{Name: "[]*github.com/acme/cache.entry", Values: growth(n, 4<<20, 5<<20), Suspect: true},
			{Name: "map[string]*session.State", Values: growth(n, 20<<20, 1<<20), Suspect: true},
			{Name: "runtime.mspan", Values: growth(n, 40<<20, 0.05*(1<<20))},
		},
	}
}

// snapsChart is counts over 12 snapshots without times, with a hostile
// name, a gap and more series than are drawn.
func snapsChart() *Chart {
	n := 12
	c := &Chart{Title: "Goroutines by creation site", Unit: "goroutines"}
	names := []string{
		"net/http.(*conn).serve", "main.worker\n(leaky)", hostile,
		"github.com/acme/very/long/package/path/that/keeps/going/and/going/forever.(*Type).method",
		"database/sql.(*DB).connectionOpener", "time.Sleep", "io.Copy", "bufio.(*Reader).Read",
		"ninth", "tenth",
	}
	for i, name := range names {
		c.Series = append(c.Series, Series{Name: name, Values: growth(n, float64(100*(i+1)), float64(150-12*i)), Suspect: i < 3})
	}
	c.Series[1].Values[5] = math.NaN()
	return c
}

func TestPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := timesChart().PNG(&buf, 720, 360); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 720 || b.Dy() != 360 {
		t.Fatalf("size %v, want 720×360", b)
	}
	// The first series' colour, in the plot area (above the legend).
	want := palette[0]
	n := 0
	for y := 0; y < 250; y++ {
		for x := 60; x < 720; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == want {
				n++
			}
		}
	}
	if n < 200 {
		t.Errorf("%d pixels of the first series' colour in the plot area, want many", n)
	}
}

func TestDeterministic(t *testing.T) {
	for _, mk := range []func() *Chart{timesChart, snapsChart} {
		render := func(f func(*Chart, io.Writer, int, int) error) []byte {
			var buf bytes.Buffer
			if err := f(mk(), &buf, 720, 360); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		if a, b := render((*Chart).PNG), render((*Chart).PNG); !bytes.Equal(a, b) {
			t.Error("two PNGs of the same chart differ")
		}
		if a, b := render((*Chart).SVG), render((*Chart).SVG); !bytes.Equal(a, b) {
			t.Error("two SVGs of the same chart differ")
		}
	}
}

// Charts may be drawn from several goroutines at once.
func TestConcurrent(t *testing.T) {
	var want bytes.Buffer
	if err := timesChart().PNG(&want, 720, 360); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			err := timesChart().PNG(&buf, 720, 360)
			if err == nil && !bytes.Equal(buf.Bytes(), want.Bytes()) {
				err = errors.New("PNG drawn concurrently differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestErrors(t *testing.T) {
	one := []float64{1, 2}
	for _, tc := range []struct {
		name string
		c    *Chart
		w, h int
		want string
	}{
		{"nil chart", nil, 720, 360, "no series"},
		{"no series", &Chart{}, 720, 360, "no series"},
		{"no values", &Chart{Series: []Series{{Name: "a"}}}, 720, 360, "has no values"},
		{"lengths differ", &Chart{Series: []Series{{Values: one}, {Name: "b\n", Values: []float64{1}}}}, 720, 360, `series 2 ("b") has 1 values but series 1 has 2`},
		{"times", &Chart{Times: []time.Time{t0}, Series: []Series{{Values: one}}}, 720, 360, "1 times for 2 snapshots"},
		{"too small", &Chart{Series: []Series{{Values: one}}}, 10, 10, "out of range"},
		{"too large", &Chart{Series: []Series{{Values: one}}}, 720, 1 << 20, "out of range"},
	} {
		for format, f := range map[string]func(*Chart, io.Writer, int, int) error{"PNG": (*Chart).PNG, "SVG": (*Chart).SVG} {
			err := f(tc.c, io.Discard, tc.w, tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "chart: ") {
				t.Errorf("%s %s: error %v, want one with %q", tc.name, format, err, tc.want)
			}
		}
	}
}

// Odd data must draw without error or panic.
func TestOddData(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for name, c := range map[string]*Chart{
		"non-finite":  {Unit: "bytes", Series: []Series{{Values: []float64{nan, 1, inf, -inf, 5, nan}, Suspect: true}, {Values: []float64{nan, nan, nan, nan, nan, nan}}}},
		"one value":   {Series: []Series{{Values: []float64{3}, Suspect: true}}},
		"one time":    {Times: []time.Time{t0}, Series: []Series{{Values: []float64{3}}}},
		"zeros":       {Unit: "bytes", Series: []Series{{Values: []float64{0, 0, 0}}}},
		"negative":    {Series: []Series{{Values: []float64{-5, 0, 5}, Suspect: true}}},
		"huge":        {Series: []Series{{Values: []float64{-math.MaxFloat64, math.MaxFloat64}, Suspect: true}}},
		"zero time":   {Times: []time.Time{t0, {}}, Series: []Series{{Values: []float64{1, 2}}}},
		"equal times": {Times: []time.Time{t0, t0}, Series: []Series{{Values: []float64{1, 2}}}},
		"hours":       {Unit: "seconds", Times: []time.Time{t0, t0.Add(5 * time.Hour)}, Series: []Series{{Values: []float64{0.5, 2.25}}}},
		"unsorted":    {Times: []time.Time{t0, t0.Add(-time.Minute), t0.Add(time.Minute)}, Series: []Series{{Values: []float64{1, 2, 3}}}},
		"many points": {Series: []Series{{Values: growth(2000, 0, 1), Suspect: true}}},
	} {
		if err := c.PNG(io.Discard, minWidth, minHeight); err != nil {
			t.Errorf("%s: PNG: %v", name, err)
		}
		var buf bytes.Buffer
		if err := c.SVG(&buf, 720, 360); err != nil {
			t.Errorf("%s: SVG: %v", name, err)
		}
		svgText(t, buf.Bytes())
	}
}

// TestWriteExamples writes the example charts to the directory named by
// CHART_EXAMPLES (for looking at them), e.g. CHART_EXAMPLES=/tmp.
func TestWriteExamples(t *testing.T) {
	dir := os.Getenv("CHART_EXAMPLES")
	if dir == "" {
		t.Skip("set CHART_EXAMPLES to a directory to write example charts")
	}
	for name, c := range map[string]*Chart{"chart_times": timesChart(), "chart_snaps": snapsChart()} {
		var png, svg bytes.Buffer
		if err := c.PNG(&png, 720, 360); err != nil {
			t.Fatal(err)
		}
		if err := c.SVG(&svg, 720, 360); err != nil {
			t.Fatal(err)
		}
		for ext, b := range map[string][]byte{".png": png.Bytes(), ".svg": svg.Bytes()} {
			if err := os.WriteFile(filepath.Join(dir, name+ext), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func BenchmarkChartPNG(b *testing.B) {
	c := timesChart()
	for i := range c.Series {
		c.Series[i].Values = c.Series[i].Values[:50]
	}
	c.Times = c.Times[:50]
	for b.Loop() {
		if err := c.PNG(io.Discard, 720, 360); err != nil {
			b.Fatal(err)
		}
	}
}
