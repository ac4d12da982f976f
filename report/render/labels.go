package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelLine is one line of a plain label and its justification: 'c'
// (centred), 'l' or 'r'.
type labelLine struct {
	text  string
	align byte
}

// labelLines resolves Graphviz's escapes in a plain label, in one pass as
// Graphviz does: \N, \G, \T, \H, \E from subst (node, graph, tail, head
// and edge names); \n, \l, \r end a centred, left- or right-justified
// line (a newline ends a centred one); a backslash before any other
// character keeps that character. An empty label of a node is its name.
func labelLines(s string, subst map[byte]string) []labelLine {
	if s == "" {
		return []labelLine{{subst['N'], 'c'}}
	}
	var lines []labelLine
	var b strings.Builder
	end := func(align byte) {
		lines = append(lines, labelLine{noBidi(decodeEntities(b.String())), align})
		b.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			end('c')
			continue
		}
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			end('c')
		case 'l', 'r':
			end(c)
		case 'N', 'G', 'T', 'H', 'E':
			b.WriteString(subst[c])
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 || len(lines) == 0 {
		end('c')
	}
	return lines
}

// expandLabel is a plain label as text, its lines joined with newlines.
func expandLabel(s string, subst map[byte]string) string {
	lines := labelLines(s, subst)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.text
	}
	return strings.Join(texts, "\n")
}

// edgeSubst is what \G, \T, \H and \E stand for in an edge's label.
func edgeSubst(graph, tail, head string) map[byte]string {
	return map[byte]string{'G': graph, 'T': tail, 'H': head, 'E': tail + "->" + head}
}

// lineSpacing is Graphviz's distance between baselines, in font sizes.
const lineSpacing = 1.2

// fixTexts undoes what Graphviz 12's json output does to backslashes in
// text ops, and returns the repaired ops. Each backslash comes out
// doubled ("a\\b" for a\b); where two stood together ("x\\y"), the end of
// the text is lost and so are the operations after it, the label's later
// lines. So: texts are unescaped; then, for a plain label with a
// backslash and more lines than text operations, a text that is the start
// of its line is completed, and the missing lines are added below the
// last one, a line apart, in the same font and colour, justified as the
// label says (widths, and the x of a left- or right-justified line when
// no known line shows it, are estimates).
func fixTexts(ops []xdotOp, label string, subst map[byte]string) []xdotOp {
	var texts []int
	size := 14.0
	for i, op := range ops {
		switch op.Op {
		case "T":
			ops[i].Text = strings.ReplaceAll(op.Text, `\\`, `\`)
			texts = append(texts, i)
		case "F":
			size = op.Size
		}
	}
	if label == "" || len(texts) == 0 || !strings.Contains(label, `\\`) {
		return ops // nothing was lost
	}
	lines := labelLines(label, subst)
	if len(lines) < len(texts) {
		return ops // not a plain label
	}
	for k, i := range texts {
		if !strings.HasPrefix(lines[k].text, ops[i].Text) {
			return ops // not a plain label
		}
		ops[i].Text = lines[k].text
	}
	// Where lines go: the centre of the label, its half-width as far as
	// known, and the x of known left- and right-justified lines.
	first := ops[texts[0]]
	cx, hw := first.Pt[0], 0.0
	switch first.Align {
	case "l":
		cx += first.Width / 2
	case "r":
		cx -= first.Width / 2
	}
	xs := map[string]float64{"c": cx}
	var width, runes float64 // of the known texts, to estimate the others'
	for _, i := range texts {
		hw = max(hw, ops[i].Width/2)
		width += ops[i].Width
		runes += float64(utf8.RuneCountInString(ops[i].Text))
		if _, ok := xs[ops[i].Align]; !ok {
			xs[ops[i].Align] = ops[i].Pt[0]
		}
	}
	perRune := size / 2
	if runes > 0 && width > 0 {
		perRune = width / runes
	}
	widths := make([]float64, len(lines))
	for k := len(texts); k < len(lines); k++ {
		widths[k] = perRune * float64(utf8.RuneCountInString(lines[k].text))
		hw = max(hw, widths[k]/2)
	}
	if _, ok := xs["l"]; !ok {
		xs["l"] = cx - hw
	}
	if _, ok := xs["r"]; !ok {
		xs["r"] = cx + hw
	}
	last := ops[texts[len(texts)-1]]
	for k := len(texts); k < len(lines); k++ {
		op := last
		op.Text, op.Width, op.Align = lines[k].text, widths[k], string(lines[k].align)
		op.Pt[0] = xs[op.Align]
		op.Pt[1] -= float64(k-len(texts)+1) * size * lineSpacing
		ops = append(ops, op)
	}
	return ops
}

// decodeEntities resolves the character references Graphviz resolves in
// plain labels, as it draws them (bidirectional controls it would make
// from them are removed by the caller): &amp; &lt; &gt; &quot; &apos; and
// numeric ones (&#65; &#x41;). Other named entities are left as they are;
// where Graphviz knows them, the label's text then differs from what it
// drew and fixTexts keeps Graphviz's own text operations.
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' {
			if end := strings.IndexByte(s[i:min(len(s), i+12)], ';'); end > 1 {
				if r, ok := entityRune(s[i+1 : i+end]); ok {
					b.WriteRune(r)
					i += end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// entityRune is the character an entity's name (between & and ;) stands
// for.
func entityRune(name string) (rune, bool) {
	switch name {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xD800 && v < 0xE000) {
		return 0, false
	}
	return rune(v), true
}
