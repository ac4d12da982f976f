package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Value formats a value of the given unit for people: bytes in IEC units
// (KiB, MiB …), counts with k/M suffixes, nanoseconds as durations.
func Value(v float64, unit string) string {
	switch unit {
	case "bytes":
		return bytesString(v)
	case "nanoseconds":
		return durationString(time.Duration(v))
	case "count", "":
		return countString(v)
	}
	return sig3(v) + " " + unit
}

// Signed is Value with an explicit sign, for changes.
func Signed(v float64, unit string) string {
	if v > 0 {
		return "+" + Value(v, unit)
	}
	if v == 0 {
		return "0"
	}
	return "−" + Value(-v, unit)
}

func bytesString(v float64) string {
	neg := v < 0
	v = math.Abs(v)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	s := sig3(v)
	if i == 0 {
		s = strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	}
	if neg {
		s = "−" + s
	}
	return s + " " + units[i]
}

func countString(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return sig3(v/1e9) + "G"
	case a >= 1e6:
		return sig3(v/1e6) + "M"
	case a >= 1e4:
		return sig3(v/1e3) + "k"
	case a >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) // 2568, not 2567.8
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// sig3 formats with three significant digits, no exponent, no trailing zeros
// beyond what the precision gives ("1.50", "12.1", "512").
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func durationString(d time.Duration) string {
	a := d
	if a < 0 {
		a = -a
	}
	switch {
	case a < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case a < time.Millisecond:
		return sig3(float64(d)/1e3) + " µs"
	case a < time.Second:
		return sig3(float64(d)/1e6) + " ms"
	}
	return Span(d)
}

// Span formats a time span the way people say it: "45 s", "12 min",
// "3.5 h", "2.1 d".
func Span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return sig3(d.Seconds()) + " s"
	case d < time.Hour:
		return sig3(d.Minutes()) + " min"
	case d < 48*time.Hour:
		return sig3(d.Hours()) + " h"
	}
	return sig3(d.Hours()/24) + " d"
}

// Percent formats a percentage change, "+12%", "−3.5%".
func Percent(p float64) string {
	s := sig3(math.Abs(p)) + "%"
	switch {
	case p > 0:
		return "+" + s
	case p < 0:
		return "−" + s
	}
	return s
}

// bars are the eight heights of a sparkline.
var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws a series as bars scaled between its min and max; a
// constant series is a row of the lowest bar.
func Sparkline(vs []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var b strings.Builder
	for _, v := range vs {
		i := 0
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(bars)-1)))
		}
		b.WriteRune(bars[i])
	}
	return b.String()
}

// Count says "1 site", "3 sites", "+75 goroutines".
func Count(n int, noun string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %s", n, Plural(noun))
}

func Plural(noun string) string {
	if strings.HasSuffix(noun, "s") {
		return noun + "es"
	}
	return noun + "s"
}

// Printable escapes control and format characters and invalid UTF-8,
// which names read from untrusted inputs may hold, so that they cannot
// break a line, a table column or a terminal, nor show reordered.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether a rune must not reach a terminal or a page
// as it is: control characters, and the invisible format characters —
// among them the bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) that make a name display reordered, and zero-width
// characters that make two names look alike.
func unsafeRune(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }
