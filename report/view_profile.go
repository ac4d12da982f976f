package report

import (
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// profileView renders a diff of pprof profiles, keyed by site, function
// or stack.
type profileView struct{ baseView }

func (profileView) title(res *series.Result, r series.Row, short bool) string {
	switch res.By {
	case series.ByFunction:
		return units.Printable(r.Frame.Func)
	case series.ByStack:
		return stackTitle(r, short)
	}
	return frameString(r.Frame, short)
}

func (profileView) stackHeading(res *series.Result, _ series.Row) string {
	if res.Kind == "heap" {
		return "Allocation stack"
	}
	return "Stack"
}

// stackTitle names a stack row by its frames from the site on, as many as
// the analysis chose to tell it from the other rows (three when it did
// not), with their lines when functions alone do not, and "…" when
// frames are left out.
func stackTitle(r series.Row, short bool) string {
	fs := r.Stack
	if i := slices.Index(fs, r.Frame); i > 0 {
		fs = fs[i:]
	}
	n := r.TitleFrames
	if n == 0 {
		n = min(3, len(fs))
	}
	parts := make([]string, 0, n+1)
	for _, fr := range fs[:n] {
		if r.TitleLines {
			parts = append(parts, frameString(fr, short))
		} else {
			parts = append(parts, units.Printable(fr.Func))
		}
	}
	if n < len(fs) {
		parts = append(parts, "…")
	}
	return strings.Join(parts, " ← ")
}
