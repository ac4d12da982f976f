package v8

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Error is a position in a heap snapshot and what was wrong there.
type Error struct {
	Off int64 // byte offset in the (decompressed) snapshot
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("byte %d: %s", e.Off, e.Msg) }

// maxDepth bounds the nesting of the JSON values the lexer skips (an
// unknown key's value, trace_tree): deeper input is refused rather than
// followed.
const maxDepth = 10000

// lexer reads JSON tokens from a byte slice. It never recurses and never
// allocates but for the strings it returns.
type lexer struct {
	data []byte
	pos  int
}

func (l *lexer) errf(off int, format string, args ...any) error {
	return &Error{Off: int64(off), Msg: fmt.Sprintf(format, args...)}
}

// ws skips white space and returns the next byte, 0 at the end.
func (l *lexer) ws() byte {
	for l.pos < len(l.data) {
		switch c := l.data[l.pos]; c {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return c
		}
	}
	return 0
}

// describe names what is at the current position, for errors.
func (l *lexer) describe() string {
	if l.pos >= len(l.data) {
		return "the end of the input"
	}
	c := l.data[l.pos]
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// expect consumes the byte c after white space.
func (l *lexer) expect(c byte, what string) error {
	if l.ws() != c {
		return l.errf(l.pos, "expected %s, found %s", what, l.describe())
	}
	l.pos++
	return nil
}

// more is for the elements of an array or members of an object: after
// the opening bracket (first true) it reports whether another element
// follows, consuming the comma before it or the closing bracket after
// the last.
func (l *lexer) more(first bool, closing byte) (bool, error) {
	c := l.ws()
	if c == closing {
		l.pos++
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, l.errf(l.pos, "expected ',' or %q, found %s", closing, l.describe())
		}
		l.pos++
	}
	return true, nil
}

// str reads a JSON string. Raw bytes must be valid UTF-8; escaped lone
// surrogates, which V8 writes for JavaScript strings that hold them,
// become U+FFFD.
func (l *lexer) str() (string, error) {
	if l.ws() != '"' {
		return "", l.errf(l.pos, "expected a string, found %s", l.describe())
	}
	start := l.pos
	l.pos++
	i := l.pos
	// Fast path: no escapes.
	for i < len(l.data) {
		c := l.data[i]
		if c == '"' {
			s := l.data[l.pos:i]
			if !utf8.Valid(s) {
				return "", l.badUTF8(l.pos, i)
			}
			l.pos = i + 1
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", l.errf(i, "control character 0x%02x in a string", c)
		}
		i++
	}
	if i >= len(l.data) {
		return "", l.errf(start, "string not terminated before the end of the input")
	}
	buf := make([]byte, 0, i-l.pos+16)
	buf = append(buf, l.data[l.pos:i]...)
	for i < len(l.data) {
		c := l.data[i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return "", l.badUTF8(l.pos, i)
			}
			l.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", l.errf(i, "control character 0x%02x in a string", c)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(l.data) {
			break
		}
		esc := l.data[i+1]
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(l.data[i+2:])
			if !ok {
				return "", l.errf(i, `expected four hex digits after \u`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(l.data) && l.data[i] == '\\' && l.data[i+1] == 'u' {
					r2, _ = hex4(l.data[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return "", l.errf(i, "invalid escape \\%c in a string", esc)
		}
		i += 2
	}
	return "", l.errf(start, "string not terminated before the end of the input")
}

// badUTF8 is the error for a string between from and to that is not
// valid UTF-8, at its first bad byte.
func (l *lexer) badUTF8(from, to int) error {
	s := l.data[from:to]
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return l.errf(from+i, "invalid UTF-8 in a string")
		}
		i += n
	}
	return l.errf(from, "invalid UTF-8 in a string")
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// uint reads a non-negative integer of at most 19 digits, the only
// numbers the arrays of a heap snapshot hold.
func (l *lexer) uint() (uint64, error) {
	c := l.ws()
	start := l.pos
	if c < '0' || c > '9' {
		return 0, l.errf(start, "expected a non-negative integer, found %s", l.describe())
	}
	var v uint64
	i := l.pos
	for i < len(l.data) {
		c := l.data[i]
		if c < '0' || c > '9' {
			break
		}
		if i-start >= 19 {
			return 0, l.errf(start, "integer too large")
		}
		v = v*10 + uint64(c-'0')
		i++
	}
	if i < len(l.data) {
		switch l.data[i] {
		case '.', 'e', 'E':
			return 0, l.errf(start, "expected an integer, found a fraction or exponent")
		}
	}
	l.pos = i
	return v, nil
}

// nextUint reads the next element of an array of non-negative integers:
// the comma before it unless first, then the number, with white space
// around. done is true, and the closing bracket consumed, after the last.
// at is where the number starts. It is the reader's hot loop: one pass
// over the bytes, no calls.
func (l *lexer) nextUint(first bool) (v uint64, at int, done bool, err error) {
	d := l.data
	i := l.pos
	if !first && i < len(d) && d[i] == ',' {
		i++ // the common case: a comma right after the number before
		goto digits
	}
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	if i < len(d) && d[i] == ']' {
		l.pos = i + 1
		return 0, i, true, nil
	}
	if !first {
		if i >= len(d) || d[i] != ',' {
			l.pos = i
			return 0, i, false, l.errf(i, "expected ',' or ']', found %s", l.describe())
		}
		i++
	}
digits:
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	start := i
	for i < len(d) {
		c := d[i] - '0'
		if c > 9 {
			break
		}
		v = v*10 + uint64(c)
		i++
	}
	l.pos = i
	switch {
	case i == start:
		return 0, start, false, l.errf(start, "expected a non-negative integer, found %s", l.describe())
	case i-start > 19:
		return 0, start, false, l.errf(start, "integer too large")
	case i < len(d) && (d[i] == '.' || d[i] == 'e' || d[i] == 'E'):
		return 0, start, false, l.errf(start, "expected an integer, found a fraction or exponent")
	}
	return v, start, false, nil
}

// skip skips one JSON value of any kind, iteratively.
func (l *lexer) skip() error {
	depth := 0
	// closers holds the bracket each open level waits for; first says the
	// next token is the first of its container.
	var closers []byte
	first := false
	for {
		c := l.ws()
		if len(closers) > 0 {
			closing := closers[len(closers)-1]
			if c == closing {
				l.pos++
				closers = closers[:len(closers)-1]
				depth--
				first = false
				if depth == 0 {
					return nil
				}
				continue
			}
			if !first {
				if c != ',' {
					return l.errf(l.pos, "expected ',' or %q, found %s", closing, l.describe())
				}
				l.pos++
				c = l.ws()
			}
			first = false
			if closing == '}' {
				if _, err := l.str(); err != nil {
					return err
				}
				if err := l.expect(':', "':'"); err != nil {
					return err
				}
				c = l.ws()
			}
		}
		switch {
		case c == '{' || c == '[':
			if depth >= maxDepth {
				return l.errf(l.pos, "values nested more than %d deep", maxDepth)
			}
			depth++
			closers = append(closers, c+2) // '{'+2 == '}', '['+2 == ']'
			l.pos++
			first = true
			continue
		case c == '"':
			if _, err := l.str(); err != nil {
				return err
			}
		case c == '-' || '0' <= c && c <= '9':
			l.number()
		case c == 't' || c == 'f' || c == 'n':
			word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
			if len(l.data)-l.pos < len(word) || string(l.data[l.pos:l.pos+len(word)]) != word {
				return l.errf(l.pos, "expected a JSON value, found %s", l.describe())
			}
			l.pos += len(word)
		default:
			return l.errf(l.pos, "expected a JSON value, found %s", l.describe())
		}
		if depth == 0 {
			return nil
		}
	}
}

// number skips a JSON number loosely: sign, digits, fraction, exponent.
func (l *lexer) number() {
	if l.pos < len(l.data) && l.data[l.pos] == '-' {
		l.pos++
	}
	for l.pos < len(l.data) {
		switch c := l.data[l.pos]; {
		case '0' <= c && c <= '9', c == '.', c == 'e', c == 'E', c == '+', c == '-':
			l.pos++
		default:
			return
		}
	}
}
