package chart

import (
	"math"
	"os"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	write := func(name string, c *Chart, w, h int) {
		f, _ := os.Create("/tmp/scratch_" + name + ".png")
		defer f.Close()
		if err := c.PNG(f, w, h); err != nil {
			t.Fatal(err)
		}
	}
	write("small", timesChart(), 400, 250)
	write("min", snapsChart(), minWidth, minHeight)
	write("big", snapsChart(), 1400, 700)
	hours := timesChart()
	for i := range hours.Times {
		hours.Times[i] = t0.Add(time.Duration(i) * 7 * time.Minute)
		hours.Series[0].Values[i] *= 40
	}
	hours.Series[1].Values[10] = math.Inf(1)
	hours.Series[1].Values[11] = math.NaN()
	hours.Title = "title\nwith newline " + hostile
	write("hours", hours, 720, 360)
	write("one", &Chart{Title: "one", Unit: "objects", Series: []Series{{Name: "x", Values: []float64{3}, Suspect: true}}}, 720, 360)
	var all []Series
	for i := 0; i < 8; i++ {
		all = append(all, Series{Name: "series " + string(rune('A'+i)), Values: growth(30, float64(i*1000), float64(100*(i+1))), Suspect: true})
	}
	write("eight", &Chart{Title: "eight suspects", Series: all}, 720, 360)
}
