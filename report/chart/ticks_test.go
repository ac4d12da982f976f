package chart

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"gonum.org/v1/plot"
)

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{0, "bytes", "0"},
		{1, "bytes", "1 B"},
		{1023, "bytes", "1023 B"},
		{1024, "bytes", "1 KiB"},
		{1536, "bytes", "1.5 KiB"},
		{3 << 20, "bytes", "3 MiB"},
		{12.25 * (1 << 20), "bytes", "12.3 MiB"},
		{1023.9 * 1024, "bytes", "1 MiB"},
		{5 << 30, "bytes", "5 GiB"},
		{-1536, "bytes", "-1.5 KiB"},
		{0, "count", "0"},
		{7, "count", "7"},
		{999, "objects", "999"},
		{1000, "count", "1k"},
		{1500, "count", "1.5k"},
		{12345, "goroutines", "12.3k"},
		{999999, "", "1M"},
		{2.5e6, "count", "2.5M"},
		{3e9, "count", "3G"},
		{0.25, "seconds", "0.25"},
		{math.NaN(), "count", "NaN"},
	} {
		if got := formatValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func labels(ticks []plot.Tick) string {
	var s []string
	for _, t := range ticks {
		s = append(s, t.Label)
	}
	return strings.Join(s, ", ")
}

func TestYAxis(t *testing.T) {
	for _, tc := range []struct {
		lo, hi   float64
		unit     string
		min, max float64
		want     string
	}{
		{0, 252 << 20, "bytes", 0, 300 << 20, "0, 100 MiB, 200 MiB, 300 MiB"},
		{0, 1.1 * (1 << 20), "bytes", 0, 1.5 * (1 << 20), "0, 0.5 MiB, 1 MiB, 1.5 MiB"},
		{0, 0.7 * (1 << 20), "bytes", 0, 800 << 10, "0, 200 KiB, 400 KiB, 600 KiB, 800 KiB"},
		{0, 900, "bytes", 0, 1000, "0, 200 B, 400 B, 600 B, 800 B, 1000 B"},
		{0, 0, "bytes", 0, 1, "0, 1 B"},
		{0, 3, "goroutines", 0, 3, "0, 1, 2, 3"},
		{0, 1640, "count", 0, 2000, "0, 500, 1k, 1.5k, 2k"},
		{-5, 5, "", -6, 6, "-6, -4, -2, 0, 2, 4, 6"},
		{0, 0.9, "seconds", 0, 1, "0, 0.2, 0.4, 0.6, 0.8, 1"},
	} {
		min, max, ticks := yAxis(tc.lo, tc.hi, 5, tc.unit)
		if min != tc.min || math.Abs(max-tc.max) > 1e-6*tc.max || labels(ticks) != tc.want {
			t.Errorf("yAxis(%v, %v, %q) = %v, %v, %q; want %v, %v, %q",
				tc.lo, tc.hi, tc.unit, min, max, labels(ticks), tc.min, tc.max, tc.want)
		}
	}
}

func TestXTicks(t *testing.T) {
	for _, tc := range []struct {
		ticks []plot.Tick
		want  string
	}{
		{snapshotTicks(1, 10), "1"},
		{snapshotTicks(5, 10), "1, 2, 3, 4, 5"},
		{snapshotTicks(12, 7), "1, 3, 5, 7, 9, 11"},
		{snapshotTicks(50, 7), "1, 10, 20, 30, 40, 50"},
		{snapshotTicks(30, 7), "1, 5, 10, 15, 20, 25, 30"},
		{timeTicks(50, 7), "0, 10, 20, 30, 40, 50"},
		{timeTicks(0.5, 5), "0, 0.1, 0.2, 0.3, 0.4, 0.5"},
		{timeTicks(5.8, 9), "0, 1, 2, 3, 4, 5"},
	} {
		if got := labels(tc.ticks); got != tc.want {
			t.Errorf("ticks %q, want %q", got, tc.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	long := strings.Repeat("a", 40) + strings.Repeat("z", 40)
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{hostile, "</text><script>alert(1)</script> `|x"},
		{"  a\r\n\tb\u2028c\u200bd\u202e ", "a b c d"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
		{"non\uFFFEchar", "non\uFFFDchar"},
		{long, strings.Repeat("a", 30) + "…" + strings.Repeat("z", 29)},
	} {
		got := sanitize(tc.in, maxNameRunes)
		if got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > maxNameRunes || !utf8.ValidString(got) {
			t.Errorf("sanitize(%q): %d runes, valid %v", tc.in, n, utf8.ValidString(got))
		}
	}
}
