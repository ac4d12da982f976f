package report

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/leakscan/leakscan/report/units"
)

// table lays out rows of cells in aligned columns, numbers right-aligned
// and text left-aligned, two spaces apart, with no trailing spaces.
type table struct {
	right []bool // per column: align right
	rows  [][]string
}

// Cells are made printable (names come from inputs). maxCell is the most
// runes a cell shows; a longer one (a 100 MB function
// name from a crafted profile) is cut in the middle.
const maxCell = 200

func (t *table) add(cells ...string) {
	for i, c := range cells {
		c = units.Printable(c)
		cells[i] = c
		if utf8.RuneCountInString(c) > maxCell {
			rs := []rune(c)
			cells[i] = string(rs[:maxCell/2-1]) + "…" + string(rs[len(rs)-maxCell/2:])
		}
	}
	t.rows = append(t.rows, cells)
}

func (t *table) write(w io.Writer) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(t.right) && t.right[i] {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
		io.WriteString(w, b.String())
	}
}
