package chart

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxNameRunes  = 60  // legend entries
	maxTitleRunes = 100 // chart titles
)

// sanitize makes caller text safe and readable as one line of a chart:
// invalid UTF-8 and characters XML forbids become U+FFFD, control and
// format characters (newlines, tabs, bidi overrides, zero-width
// characters) become spaces, runs of spaces collapse, and text longer than
// max runes is cut in the middle (see cutMiddle).
func sanitize(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 0xFFFE || r == 0xFFFF:
			return utf8.RuneError
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return cutMiddle([]rune(s), max)
}

// cutMiddle shortens r to n runes by replacing its middle with "…": the
// start and the end of a name (package path, function) both tell
// something.
func cutMiddle(r []rune, n int) string {
	if len(r) <= n {
		return string(r)
	}
	if n <= 1 {
		return "…"
	}
	head := n / 2
	tail := n - 1 - head
	return strings.TrimRight(string(r[:head]), " ") + "…" + strings.TrimLeft(string(r[len(r)-tail:]), " ")
}
