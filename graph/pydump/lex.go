package pydump

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// lex is a cursor over one line of a dump: a small JSON scanner for the
// fixed record shapes of the hot path (object, type and root records), so
// that a million-object dump is read without encoding/json's reflection
// and allocations. Strings without escapes are returned as slices of the
// line; strings with escapes are decoded into a caller's buffer.
type lex struct {
	b   []byte
	i   int
	err string // what was expected, set by the first failure
}

// fail records what was expected at the cursor and returns false.
func (l *lex) fail(what string) bool {
	if l.err == "" {
		if l.i < len(l.b) {
			l.err = fmt.Sprintf("expected %s, found %s (column %d)", what, quoteByte(l.b[l.i]), l.i+1)
		} else {
			l.err = fmt.Sprintf("expected %s, found the end of the line (column %d)", what, l.i+1)
		}
	}
	return false
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (l *lex) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\r', '\n':
			l.i++
		default:
			return
		}
	}
}

// peek returns the byte at the cursor after white space, 0 at the end.
func (l *lex) peek() byte {
	l.ws()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

// expect consumes c (after white space).
func (l *lex) expect(c byte, what string) bool {
	if l.peek() != c {
		return l.fail(what)
	}
	l.i++
	return true
}

// str reads a JSON string. The result aliases the line when the string
// has no escapes, else *buf (overwritten).
func (l *lex) str(buf *[]byte, what string) ([]byte, bool) {
	if l.peek() != '"' {
		return nil, l.fail(what)
	}
	start := l.i + 1
	q := bytes.IndexByte(l.b[start:], '"')
	if q < 0 {
		l.i = len(l.b)
		return nil, l.fail("the closing '\"' of a string")
	}
	s := l.b[start : start+q]
	if bytes.IndexByte(s, '\\') < 0 {
		l.i = start + q + 1
		return s, true
	}
	return l.strSlow(start, buf)
}

// strSlow decodes a string with escapes, as encoding/json does: \uXXXX
// with surrogate pairs, a lone surrogate becoming U+FFFD.
func (l *lex) strSlow(start int, buf *[]byte) ([]byte, bool) {
	out := (*buf)[:0]
	i := start
	for {
		if i >= len(l.b) {
			l.i = i
			*buf = out
			return nil, l.fail("the closing '\"' of a string")
		}
		c := l.b[i]
		switch {
		case c == '"':
			l.i = i + 1
			*buf = out
			return out, true
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(l.b) {
			l.i = i + 1
			*buf = out
			return nil, l.fail("an escape after '\\'")
		}
		switch e := l.b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(l.b, i+2)
			if !ok {
				l.i = i
				*buf = out
				return nil, l.fail(`a \uXXXX escape`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(l.b, i+2); ok && i+1 < len(l.b) && l.b[i] == '\\' && l.b[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			l.i = i
			*buf = out
			return nil, l.fail(`a valid escape after '\'`)
		}
		i += 2
	}
}

func hex4(b []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// uint reads a non-negative integer.
func (l *lex) uint(what string) (uint64, bool) {
	l.ws()
	start := l.i
	var v uint64
	for l.i < len(l.b) {
		c := l.b[l.i] - '0'
		if c > 9 {
			break
		}
		if v > (math.MaxUint64-uint64(c))/10 {
			l.i = start
			return 0, l.fail(what + " (fitting in 64 bits)")
		}
		v = v*10 + uint64(c)
		l.i++
	}
	if l.i == start {
		return 0, l.fail(what)
	}
	if l.i < len(l.b) {
		if c := l.b[l.i]; c == '.' || c == 'e' || c == 'E' {
			l.i = start
			return 0, l.fail(what + " (an integer)")
		}
	}
	return v, true
}

// int reads an integer that fits in an int64.
func (l *lex) int(what string) (int64, bool) {
	neg := false
	if l.peek() == '-' {
		neg = true
		l.i++
	}
	start := l.i
	u, ok := l.uint(what)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			l.i = start
			return 0, l.fail(what + " (fitting in 64 bits)")
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		l.i = start
		return 0, l.fail(what + " (fitting in 64 bits)")
	}
	return int64(u), true
}

// null consumes a JSON null if one is at the cursor.
func (l *lex) null() bool {
	if l.peek() == 'n' && bytes.HasPrefix(l.b[l.i:], []byte("null")) {
		l.i += 4
		return true
	}
	return false
}

// skip skips any JSON value, without recursion (nesting is bounded by
// the line length, kept in a byte stack).
func (l *lex) skip(stack *[]byte) bool {
	st := (*stack)[:0]
	defer func() { *stack = st[:0] }()
	for {
		switch c := l.peek(); c {
		case '{', '[':
			l.i++
			close := byte('}')
			if c == '[' {
				close = ']'
			}
			if l.peek() == close {
				l.i++
				break
			}
			st = append(st, close)
			if close == '}' {
				if !l.key() {
					return false
				}
			}
			continue
		case '"':
			var scratch []byte
			if _, ok := l.str(&scratch, "a string"); !ok {
				return false
			}
		case 't', 'f', 'n':
			ok := false
			for _, w := range []string{"true", "false", "null"} {
				if bytes.HasPrefix(l.b[l.i:], []byte(w)) {
					l.i += len(w)
					ok = true
					break
				}
			}
			if !ok {
				return l.fail("a JSON value")
			}
		default:
			if !l.number() {
				return false
			}
		}
		// after a value: close containers or go on to the next element
		for {
			if len(st) == 0 {
				return true
			}
			top := st[len(st)-1]
			switch l.peek() {
			case ',':
				l.i++
				if top == '}' && !l.key() {
					return false
				}
			case top:
				l.i++
				st = st[:len(st)-1]
				continue
			default:
				return l.fail(fmt.Sprintf("',' or '%c'", top))
			}
			break
		}
	}
}

// key reads an object key and its colon (for skip).
func (l *lex) key() bool {
	var scratch []byte
	if _, ok := l.str(&scratch, "a key"); !ok {
		return false
	}
	return l.expect(':', "':' after a key")
}

// number skips a JSON number.
func (l *lex) number() bool {
	start := l.i
	if l.i < len(l.b) && l.b[l.i] == '-' {
		l.i++
	}
	digits := 0
	for l.i < len(l.b) {
		c := l.b[l.i]
		if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			if c >= '0' && c <= '9' {
				digits++
			}
			l.i++
			continue
		}
		break
	}
	if digits == 0 {
		l.i = start
		return l.fail("a JSON value")
	}
	return true
}
