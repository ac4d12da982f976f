package stack

import (
	"slices"
	"strconv"
	"strings"
)

// Goroutine labels are printed three ways: as sample labels in the proto
// profile, as `# labels: {"k":"v", "k2":"v2"}` in debug=1 text, and as
// `labels:{"k": "v"}` in Go 1.26 tracebacks. All three become one
// canonical text, keys sorted: k="v", k2="v2".

// RenderLabels renders key/value pairs canonically.
func RenderLabels(pairs [][2]string) string {
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var b strings.Builder
	for i, kv := range pairs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(strconv.Quote(kv[1]))
	}
	return b.String()
}

// CanonLabels parses a printed label set, `{"k":"v", "k2": "v2"}`, whose
// keys and values are Go-quoted strings (so they may hold commas, colons
// and quotes), into the canonical text. Text it cannot parse is returned
// as it is.
func CanonLabels(raw string) string {
	s := strings.TrimSpace(raw)
	s, ok := strings.CutPrefix(s, "{")
	if !ok {
		return raw
	}
	var pairs [][2]string
	for {
		s = strings.TrimLeft(s, " ,")
		if strings.HasPrefix(s, "}") || s == "" {
			break
		}
		k, rest, ok1 := cutQuoted(s)
		rest = strings.TrimLeft(rest, " ")
		rest, ok2 := strings.CutPrefix(rest, ":")
		v, rest2, ok3 := cutQuoted(strings.TrimLeft(rest, " "))
		if !ok1 || !ok2 || !ok3 {
			return raw
		}
		pairs = append(pairs, [2]string{k, v})
		s = rest2
	}
	return RenderLabels(pairs)
}

// cutQuoted reads one Go-quoted string from the start of s.
func cutQuoted(s string) (val, rest string, ok bool) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", s, false
	}
	val, err = strconv.Unquote(q)
	return val, s[len(q):], err == nil
}
