package units

import (
	"testing"
	"time"
)

func TestUnits(t *testing.T) {
	cases := []struct {
		v    float64
		unit string
		want string
	}{
		{0, "bytes", "0 B"},
		{512, "bytes", "512 B"},
		{1536, "bytes", "1.50 KiB"},
		{48 << 20, "bytes", "48.0 MiB"},
		{-3 << 30, "bytes", "−3.00 GiB"},
		{1234, "count", "1234"},
		{123456, "count", "123k"},
		{2.5e6, "count", "2.50M"},
		{1500, "nanoseconds", "1.50 µs"},
		{90e9, "nanoseconds", "1.50 min"},
		{7, "widgets", "7.00 widgets"},
	}
	for _, c := range cases {
		if got := Value(c.v, c.unit); got != c.want {
			t.Errorf("Value(%g, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
	if got := Signed(1<<20, "bytes"); got != "+1.00 MiB" {
		t.Errorf("Signed = %q", got)
	}
	if got := Span(40 * time.Minute); got != "40.0 min" {
		t.Errorf("Span = %q", got)
	}
	if got := Percent(-3.5); got != "−3.50%" {
		t.Errorf("Percent = %q", got)
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 1, 2, 3, 4, 5, 6, 7}); got != "▁▂▃▄▅▆▇█" {
		t.Errorf("ramp %q", got)
	}
	if got := Sparkline([]float64{5, 5, 5}); got != "▁▁▁" {
		t.Errorf("flat %q", got)
	}
}

// TestPrintableBidi: bidirectional overrides, isolates and zero-width
// characters are shown escaped, so a name cannot display reordered.
func TestPrintableBidi(t *testing.T) {
	for in, want := range map[string]string{
		"main.\u202egnp.exe":      `main.\u202egnp.exe`,
		"a\u2066b\u2069c":         `a\u2066b\u2069c`,
		"zero\u200bwidth\u200e":   `zero\u200bwidth\u200e`,
		"plain.Name ✓ ünïcode 名前": "plain.Name ✓ ünïcode 名前",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
