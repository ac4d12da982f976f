package chart

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

var (
	binaryUnits  = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	decimalUnits = []string{"", "k", "M", "G", "T"}
)

// formatValue formats one value of the given unit for a label: bytes in
// binary units ("1023 B", "1.5 KiB", "3 MiB"), anything else as a plain
// number with k/M/G suffixes ("999", "1.5k", "2M"). Zero is "0". At most
// three significant digits are kept below 100 units, none after the point
// above it.
func formatValue(v float64, unit string) string {
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if unit == "bytes" {
		if math.Abs(v) < 1024 {
			return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + " B"
		}
		return scaled(v, 1024, binaryUnits, " ")
	}
	return scaled(v, 1000, decimalUnits, "")
}

// scaled divides v by base until it is below base (after rounding), and
// formats it with the matching suffix from units.
func scaled(v, base float64, units []string, sep string) string {
	k := 0
	s := v
	for {
		r := round3(s)
		if math.Abs(r) < base || k == len(units)-1 {
			out := trimZeros(strconv.FormatFloat(r, 'f', decimals3(r), 64))
			if units[k] == "" {
				return out
			}
			return out + sep + units[k]
		}
		s /= base
		k++
	}
}

// round3 rounds to three significant digits, or to an integer at 100 and
// above.
func round3(v float64) float64 {
	p := math.Pow(10, float64(decimals3(v)))
	return math.Round(v*p) / p
}

// decimals3 is how many decimals three significant digits need (0 at 100
// and above).
func decimals3(v float64) int {
	a := math.Abs(v)
	switch {
	case a >= 100 || a == 0:
		return 0
	case a >= 10:
		return 1
	case a >= 1:
		return 2
	}
	return 2 - int(math.Floor(math.Log10(a)))
}

// trimZeros drops trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// niceStep is the smallest of 1, 2 or 5 times a power of ten that is at
// least rough.
func niceStep(rough float64) float64 {
	if rough <= 0 || math.IsNaN(rough) || math.IsInf(rough, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(rough)))
	switch f := rough / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// stepDecimals is how many decimals labels of multiples of step need.
func stepDecimals(step float64) int {
	d := -int(math.Floor(math.Log10(step) + 1e-9))
	return max(d, 0)
}

// yAxis returns the range and ticks of a value axis that covers lo..hi
// (lo ≤ 0 ≤ hi) with about target ticks, labelled by unit. The range is
// widened to whole steps so that the top line has a label.
func yAxis(lo, hi float64, target int, unit string) (min, max float64, ticks []plot.Tick) {
	if hi <= lo {
		hi = lo + 1
	}
	scale, suffix := 1.0, ""
	if unit == "bytes" {
		k := 0
		for k < len(binaryUnits)-1 && hi >= math.Pow(1024, float64(k+1)) {
			k++
		}
		scale, suffix = math.Pow(1024, float64(k)), " "+binaryUnits[k]
	}
	step := niceStep((hi/scale - lo/scale) / float64(target))
	if unit == "bytes" || countUnit(unit) {
		step = math.Max(step, 1/scale)
	}
	first, last := math.Floor(lo/scale/step), math.Ceil(hi/scale/step)
	if last-first > 1000 || math.IsInf(last-first, 0) { // absurd values: label the ends only
		return lo, hi, []plot.Tick{{Value: lo, Label: formatValue(lo, unit)}, {Value: hi, Label: formatValue(hi, unit)}}
	}
	dec := stepDecimals(step)
	for i := first; i <= last; i++ {
		v := i * step * scale
		label := "0"
		switch {
		case i == 0:
		case unit == "bytes":
			label = trimZeros(strconv.FormatFloat(i*step, 'f', dec, 64)) + suffix
		default:
			label = formatValue(v, unit)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return first * step * scale, last * step * scale, ticks
}

// countUnit tells whether values of unit are whole numbers.
func countUnit(unit string) bool {
	switch unit {
	case "", "count", "objects", "goroutines":
		return true
	}
	return false
}

// timeTicks returns about target ticks for an axis from 0 to hi.
func timeTicks(hi float64, target int) []plot.Tick {
	if hi <= 0 {
		hi = 1
	}
	step := niceStep(hi / float64(target))
	dec := stepDecimals(step)
	var ticks []plot.Tick
	for i := 0.0; i*step <= hi*(1+1e-9); i++ {
		v := i * step
		ticks = append(ticks, plot.Tick{Value: v, Label: trimZeros(strconv.FormatFloat(v, 'f', dec, 64))})
	}
	return ticks
}

// snapshotTicks returns integer ticks for snapshots 1..n: every snapshot
// or every other one while that is few enough, else 1 and multiples of a
// round step (1, 10, 20 …).
func snapshotTicks(n, target int) []plot.Tick {
	step := int(math.Max(1, niceStep(float64(n-1)/float64(target))))
	label := func(i int) plot.Tick { return plot.Tick{Value: float64(i), Label: strconv.Itoa(i)} }
	var ticks []plot.Tick
	if step <= 2 {
		for i := 1; i <= n; i += step {
			ticks = append(ticks, label(i))
		}
		return ticks
	}
	ticks = append(ticks, label(1))
	for i := step; i <= n; i += step {
		ticks = append(ticks, label(i))
	}
	return ticks
}
