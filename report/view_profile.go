package report

import (
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
		var parts []string
		for i, fr := range r.Stack {
			if i == 3 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, units.Printable(fr.Func))
		}
		return strings.Join(parts, " ← ")
	}
	return frameString(r.Frame, short)
}

func (profileView) stackHeading(res *series.Result, _ series.Row) string {
	if res.Kind == "heap" {
		return "Allocation stack"
	}
	return "Stack"
}
