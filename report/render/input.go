package render

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the DOT text, checked before Graphviz sees it. leakscan's own
// writers stay far below them (labels of a few lines of at most 160
// runes, subgraphs at most one deep); past them Graphviz's layout, or
// our drawing of its texts, takes minutes or fails inside WebAssembly.
const (
	// MaxText is the largest single string, in bytes, that a graph may
	// hold: an identifier, a quoted string ("…", its "+" pieces counted
	// apart) or an HTML string (<…>). A 1 MiB label took 7 s to draw
	// as PNG, a 10 MiB one 90 s.
	MaxText = 16 << 10
	// MaxTotalText bounds the bytes of all strings of a graph together.
	MaxTotalText = 2 << 20
	// MaxDepth is the deepest nesting of braces (the graph's body,
	// subgraphs, and { } groups of edge ends) a graph may have. 20,000
	// nested subgraphs made Graphviz run out of WebAssembly memory.
	MaxDepth = 64
)

// ErrInput is matched, with errors.Is, by the errors that the DOT given
// causes: it is empty, does not parse, or asks for more than this
// package draws (MaxNodes, MaxText, MaxTotalText, MaxDepth). Other
// errors (writing the output, Graphviz failing) do not match it.
var ErrInput = errors.New("bad DOT input")

// inputError is an error caused by the DOT given; it matches ErrInput.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrInput }

// badInput returns an inputError with the formatted message, made safe
// for a terminal with SafeText.
func badInput(format string, args ...any) error {
	return &inputError{SafeText(fmt.Sprintf(format, args...))}
}

// checkDOT scans the DOT text as Graphviz's lexer does (comments, quoted
// and HTML strings, identifiers, braces) and refuses, with an inputError
// naming the line, a string longer than MaxText, strings longer than
// MaxTotalText together, braces nested deeper than MaxDepth, or anything
// but comments after the graph's closing brace, a string or comment that
// never ends, a header other than [strict] graph|digraph [name] {, or a
// NUL byte. Other syntax errors are left to Graphviz's parser, which
// names them better.
//
// Graphviz parses the first graph of its input and keeps the rest for the
// next parse: after "digraph { a } digraph { b }" the next picture, of
// whatever DOT, was of graph b, and after "digraph { a } x" it failed.
// And a syntax error in the header left Graphviz's parser unable to parse
// anything for the rest of the process ("x \"o\" { a }"): hence the
// header check. Graphviz reads its input up to the first NUL byte: a NUL
// in a comment made it see a comment that never ends, after which it
// parsed nothing more; so NUL bytes are refused.
// Other syntax errors are followed by resetParser.
func checkDOT(dot []byte) error {
	if i := bytes.IndexByte(dot, 0); i >= 0 {
		return badInput("DOT line %d: a NUL byte; DOT is text", 1+bytes.Count(dot[:i], []byte{'\n'}))
	}
	line, depth, total := 1, 0, 0
	closed := false // the graph's body has ended
	// The header, [strict] graph|digraph [name] {, checked token by
	// token: hdrStart, hdrStrict (after "strict"), hdrKind (after graph
	// or digraph), hdrName, then hdrBody from its "{" on.
	const (
		hdrStart = iota
		hdrStrict
		hdrKind
		hdrName
		hdrBody
	)
	header := hdrStart
	// token moves the header on by one token, or refuses it.
	token := func(tok []byte) error {
		kw := strings.ToLower(string(tok))
		switch {
		case header == hdrStart && kw == "strict":
			header = hdrStrict
		case (header == hdrStart || header == hdrStrict) && (kw == "graph" || kw == "digraph"):
			header = hdrKind
		case header == hdrKind && tok[0] != '{':
			header = hdrName
		case (header == hdrKind || header == hdrName) && tok[0] == '{':
			header = hdrBody
		default:
			return badInput("DOT line %d: expected \"graph\" or \"digraph\" (after an optional \"strict\"), an optional name and \"{\"; found %q", line, tok[:min(len(tok), 20)])
		}
		return nil
	}
	text := func(start, end, startLine int, what string) error {
		n := end - start
		if n > MaxText {
			return badInput("DOT line %d: %s of %d bytes; at most %d can be drawn (shorten it)", startLine, what, n, MaxText)
		}
		total += n
		if total > MaxTotalText {
			return badInput("DOT line %d: the graph's strings take more than %d bytes together; at most %d can be drawn (shorten them or draw fewer nodes)", startLine, MaxTotalText, MaxTotalText)
		}
		return nil
	}
	atLineStart := true
	for i := 0; i < len(dot); i++ {
		c := dot[i]
		wasLineStart := atLineStart
		atLineStart = false
		if closed && !(c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '#' && wasLineStart || c == '/' && i+1 < len(dot) && (dot[i+1] == '/' || dot[i+1] == '*')) {
			end := min(i+20, len(dot))
			return badInput("DOT line %d: %q after the end of the graph; only one graph can be drawn", line, dot[i:end])
		}
		switch {
		case c == '\n':
			line++
			atLineStart = true
		case c == ' ' || c == '\t' || c == '\r':
			atLineStart = wasLineStart
		case c == '#' && wasLineStart: // a C preprocessor line, ignored
			for i < len(dot) && dot[i] != '\n' {
				i++
			}
			i--
		case c == '/' && i+1 < len(dot) && dot[i+1] == '/':
			for i < len(dot) && dot[i] != '\n' {
				i++
			}
			i--
		case c == '/' && i+1 < len(dot) && dot[i+1] == '*':
			startLine := line
			i += 2
			for i < len(dot) && !(dot[i] == '*' && i+1 < len(dot) && dot[i+1] == '/') {
				if dot[i] == '\n' {
					line++
				}
				i++
			}
			if i >= len(dot) {
				return badInput("DOT line %d: a comment (/* …) that never ends", startLine)
			}
			i++ // at the '/'
		case c == '"':
			start, startLine := i+1, line
			i++
			for i < len(dot) && dot[i] != '"' {
				if dot[i] == '\\' && i+1 < len(dot) {
					i++
				}
				if dot[i] == '\n' {
					line++
				}
				i++
			}
			if err := text(start, min(i, len(dot)), startLine, "a quoted string"); err != nil {
				return err
			}
			if i >= len(dot) {
				return badInput("DOT line %d: a quoted string that never ends", startLine)
			}
			if header < hdrBody {
				if err := token(dot[start-1 : i+1]); err != nil {
					return err
				}
			}
		case c == '<':
			start, startLine, open := i+1, line, 1
			for i++; i < len(dot); i++ {
				switch dot[i] {
				case '<':
					open++
				case '>':
					open--
				case '\n':
					line++
				}
				if open == 0 {
					break
				}
			}
			if err := text(start, min(i, len(dot)), startLine, "an HTML string"); err != nil {
				return err
			}
			if i >= len(dot) {
				return badInput("DOT line %d: an HTML string (<…>) that never ends", startLine)
			}
			if header < hdrBody {
				if err := token(dot[start-1 : i+1]); err != nil {
					return err
				}
			}
		case isIDByte(c):
			start := i
			for i+1 < len(dot) && isIDByte(dot[i+1]) {
				i++
			}
			if err := text(start, i+1, line, "a name"); err != nil {
				return err
			}
			if header < hdrBody {
				if err := token(dot[start : i+1]); err != nil {
					return err
				}
			}
		case c == '{':
			if header < hdrBody {
				if err := token(dot[i : i+1]); err != nil {
					return err
				}
			}
			depth++
			if depth > MaxDepth {
				return badInput("DOT line %d: braces (subgraphs) nested more than %d deep; at most %d can be drawn", line, MaxDepth, MaxDepth)
			}
		case header < hdrBody:
			if err := token(dot[i : i+1]); err != nil {
				return err
			}
		case c == '}':
			depth--
			closed = depth == 0
			depth = max(depth, 0)
		}
	}
	if header < hdrBody {
		return badInput("DOT line %d: expected \"graph\" or \"digraph\" (after an optional \"strict\"), an optional name and \"{\"; found the end of the input", line)
	}
	return nil
}

// isIDByte tells whether c can be part of an unquoted DOT identifier or
// number: letters, digits, '_', '.', and every byte of a non-ASCII
// character.
func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c >= 0x80
}

// isBidi tells whether r is a Unicode bidirectional formatting character:
// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069. Shown raw, they
// can make a name read as something else ("Trojan Source").
func isBidi(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// SafeText returns s fit for one line of a terminal: control characters
// (newlines, ESC, DEL, C1 included), bidirectional formatting characters
// and the line and paragraph separators are shown as Go escapes (\x1b,
// \n, \u202e), and each byte of invalid UTF-8 as \xNN. Anything else is
// kept as it is.
func SafeText(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
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
		case needsEscape(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b', '\u202e', '\n'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape tells whether SafeText escapes r; utf8.RuneError stands for
// invalid UTF-8 here (a real U+FFFD is escaped too, harmlessly).
func needsEscape(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || isBidi(r) || r == 0x2028 || r == 0x2029 || r == utf8.RuneError
}

// noBidi returns s with each bidirectional formatting character replaced
// by U+FFFD, so that no text in a picture can be shown reordered and the
// place of the character stays visible.
func noBidi(s string) string {
	if !strings.ContainsFunc(s, isBidi) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidi(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// cleanSVG is noBidi for Graphviz's SVG output, which also gets U+FFFD
// for what would make it ill-formed XML and Graphviz copies from the DOT:
// the characters XML does not allow (controls but tab, newline and
// carriage return; U+FFFE, U+FFFF), each byte of invalid UTF-8, and
// character references to those or to a bidi control (&#x202E;). An "&" that does
// not start one of XML's five entities or a character reference (an HTML
// label's "&ampt;", which Graphviz passes through) becomes "&amp;".
func cleanSVG(b []byte) []byte {
	var out []byte
	last := 0
	replace := func(i, n int, with []byte) {
		if out == nil {
			out = make([]byte, 0, len(b)+len(b)/8)
		}
		out = append(out, b[last:i]...)
		out = append(out, with...)
		last = i + n
	}
	fffd := []byte("\uFFFD")
	for i := 0; i < len(b); {
		r, n := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		switch {
		case badInSVG(r) || r == utf8.RuneError && n == 1:
			replace(i, n, fffd)
		case r == '&':
			switch ref, v, ok := xmlReference(b[i:]); {
			case !ok:
				replace(i, 1, []byte("&amp;"))
			case v >= 0 && (badInSVG(v) || v > unicode.MaxRune || v >= 0xD800 && v < 0xE000):
				replace(i, len(ref), fffd)
				n = len(ref)
			default:
				n = len(ref)
			}
		}
		i += n
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// badInSVG tells whether cleanSVG replaces r: a bidi control, or a
// character XML does not allow (controls but tab, newline and carriage
// return; U+FFFE and U+FFFF).
func badInSVG(r rune) bool {
	return isBidi(r) || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}

// xmlReference reads the entity or character reference b starts with
// ("&amp;", "&#8238;", "&#x202e;"): it returns its bytes, the character
// of a character reference (-1 for an entity), and false when b does not
// start one of those (XML's five entities are the only ones an SVG
// without a DTD subset may use).
func xmlReference(b []byte) (ref []byte, char rune, ok bool) {
	end := bytes.IndexByte(b[:min(len(b), 16)], ';')
	if end < 2 {
		return nil, 0, false
	}
	name := string(b[1:end])
	switch name {
	case "amp", "lt", "gt", "quot", "apos":
		return b[:end+1], -1, true
	}
	digits, base := name[1:], 10
	if len(name) > 2 && (name[1] == 'x') {
		digits, base = name[2:], 16
	}
	if name[0] != '#' || digits == "" {
		return nil, 0, false
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return nil, 0, false
	}
	return b[:end+1], rune(min(v, unicode.MaxRune+1)), true
}
