package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// goroutineView renders goroutine groups.
type goroutineView struct{ baseView }

func (goroutineView) header(res *series.Result) string {
	var formats []string
	for _, in := range res.Inputs {
		if !slices.Contains(formats, in.Format) {
			formats = append(formats, in.Format)
		}
	}
	return fmt.Sprintf("%s: %s, grouped by %s", units.Count(len(res.Inputs), "goroutine snapshot"), strings.Join(formats, ", "), res.GroupedBy)
}

// verdict: "5 goroutine groups are leak suspects: 5 grew by +75
// goroutines over 6 snapshots; 4 confirmed leaked by the runtime."
func (goroutineView) verdict(res *series.Result, over string) (string, bool) {
	v := res.Verdict
	if v.Suspects == 0 {
		if v.Snaps == 1 {
			return "No goroutine group is confirmed leaked or blocked for long.", true
		}
		return fmt.Sprintf("No goroutine group grew or is confirmed leaked over %s.", over), true
	}
	verb := "are leak suspects"
	if v.Suspects == 1 {
		verb = "is a leak suspect"
	}
	var parts []string
	if v.Growing > 0 {
		parts = append(parts, fmt.Sprintf("%d grew by %s goroutines over %s", v.Growing, units.Signed(v.Growth, "count"), over))
	}
	if v.Confirmed > 0 {
		parts = append(parts, fmt.Sprintf("%d confirmed leaked by the runtime", v.Confirmed))
	}
	if n := v.Suspects - max(v.Growing, v.Confirmed); v.Snaps == 1 && n > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked for long", n))
	}
	s := fmt.Sprintf("%s %s", units.Count(v.Suspects, res.Noun), verb)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	return s + ".", true
}

func (goroutineView) title(_ *series.Result, r series.Row, short bool) string {
	t := frameString(r.Frame, short)
	if g := goroutine.InfoOf(&r); g != nil && g.Creator != nil {
		t += " ← go " + units.Printable(g.Creator.Func)
	}
	return t
}

func (goroutineView) columns(*series.Result) []column {
	return []column{
		{head: "STATE", input: true, cell: goState},
		{head: "WAIT", right: true, cell: goWait},
		whyColumn,
	}
}

// goState is a group's state: its class, or its exact statuses when they
// differ from the class.
func goState(r series.Row) string {
	g := goroutine.InfoOf(&r)
	if g == nil {
		return ""
	}
	if len(g.States) == 1 || (len(g.States) > 1 && g.State == "") {
		return g.States[0].State
	}
	if g.State == "" {
		return "—"
	}
	return g.State
}

// goWait is a group's wait range in minutes.
func goWait(r series.Row) string { return waitText(goroutine.InfoOf(&r)) }

func waitText(g *goroutine.Info) string {
	switch {
	case g == nil || g.MaxWait < 0:
		return "—"
	case g.MinWait == g.MaxWait:
		return fmt.Sprintf("%d min", g.MaxWait)
	}
	return fmt.Sprintf("%d–%d min", max(g.MinWait, 0), g.MaxWait)
}

// mdRow writes what a goroutine group's row knows besides counts; its
// stack follows.
func (goroutineView) mdRow(w io.Writer, _ *series.Result, r series.Row) bool {
	g := goroutine.InfoOf(&r)
	if g == nil {
		return false
	}
	var parts []string
	if len(g.States) > 0 {
		var st []string
		for _, sc := range g.States {
			st = append(st, fmt.Sprintf("%s (%d)", mdCode(sc.State), sc.Count))
		}
		parts = append(parts, "state "+strings.Join(st, ", "))
	}
	if g.MaxWait >= 0 {
		parts = append(parts, "waiting "+waitText(g))
	}
	if g.Leaked > 0 {
		parts = append(parts, fmt.Sprintf("%d marked leaked by the runtime's goroutineleak detection", g.Leaked))
	}
	if g.Locked > 0 {
		parts = append(parts, fmt.Sprintf("%d locked to their thread", g.Locked))
	}
	if len(g.Labels) > 0 {
		var ls []string
		for _, l := range g.Labels {
			ls = append(ls, mdCode(l))
		}
		parts = append(parts, "labels "+strings.Join(ls, ", "))
	}
	if len(g.IDs) > 0 {
		parts = append(parts, "goroutines "+joinInts(g.IDs)+"…")
	}
	if g.Creator != nil {
		c := "created by " + mdCode(frameString(*g.Creator, true))
		if len(g.Parents) > 0 {
			c += " in goroutine " + joinInts(g.Parents)
		}
		parts = append(parts, c)
	}
	if g.Elided {
		parts = append(parts, "stacks elided by the runtime")
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "%s.\n\n", capitalize(strings.Join(parts, "; ")))
	}
	return false
}

// stackFrames ends a group's stack with the `go` statement that created
// it.
func (goroutineView) stackFrames(r series.Row) []series.Frame {
	g := goroutine.InfoOf(&r)
	if g == nil || g.Creator == nil {
		return r.Stack
	}
	return append(slices.Clone(r.Stack), series.Frame{Func: "created by " + g.Creator.Func, File: g.Creator.File, Line: g.Creator.Line})
}

func (goroutineView) hidden(res *series.Result) string {
	return fmt.Sprintf("the goroutine writing the profile (%s at the last snapshot)", lastHidden(res))
}

func (goroutineView) keywords(_ *series.Result, r series.Row, add func(string)) {
	add(r.Frame.Func)
	if g := goroutine.InfoOf(&r); g != nil && g.Creator != nil {
		add(g.Creator.Func)
	}
}

func (goroutineView) jsonRow(j *jsonRow, r series.Row) { j.Go = goJSON(goroutine.InfoOf(&r)) }
