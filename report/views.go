package report

import (
	"fmt"
	"io"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/units"
)

// view renders what one family of analyses adds to the generic report:
// every place where the writers say something only that family knows.
// The writers (text, Markdown, JSON, the report document) call a result's
// view and otherwise treat every result alike; a new analysis adds one
// view here and one row to views.
type view interface {
	// header says what was compared, before the span and filters:
	// "6 heap profiles, inuse_space, by allocation site".
	header(res *series.Result) string
	// verdict is the one-line answer; ok false leaves it to the generic
	// sentence ("3 allocation sites grew steadily: …").
	verdict(res *series.Result, over string) (s string, ok bool)
	// section names the result when it follows another: "reference
	// cycles".
	section(res *series.Result) string
	// title names a row; short trims file paths to their base name.
	title(res *series.Result, r series.Row, short bool) string
	// leadColumns replaces the series columns of a table (nil keeps
	// them); columns adds columns before the row's title.
	leadColumns(res *series.Result) []column
	columns(res *series.Result) []column
	// textLead and mdLead write what follows the verdicts: a heap
	// series' leaks, one per accumulation point.
	textLead(w io.Writer, res *series.Result)
	mdLead(w io.Writer, res *series.Result, opt Options)
	// textPreamble and mdPreamble write what comes before the total: the
	// state of the cycle collector.
	textPreamble(w io.Writer, res *series.Result)
	mdPreamble(w io.Writer, res *series.Result)
	// textRow writes the detail of the i-th row shown after the table
	// (a retainer path, a ring, an await chain).
	textRow(w io.Writer, res *series.Result, i int, r series.Row)
	// textAfter writes what follows the rows (the biggest retainers).
	textAfter(w io.Writer, res *series.Result)
	// mdRow writes a suspect's section after its numbers; done says the
	// section is complete, else the row's stack follows.
	mdRow(w io.Writer, res *series.Result, r series.Row) (done bool)
	// stackHeading names a row's stack in Markdown ("Allocation stack"),
	// and stackFrames gives its frames.
	stackHeading(res *series.Result, r series.Row) string
	stackFrames(r series.Row) []series.Frame
	// hidden says what was hidden as the profiler's own.
	hidden(res *series.Result) string
	// keywords names what an issue tracker can be searched with.
	keywords(res *series.Result, r series.Row, add func(string))
	// jsonRow and jsonDoc fill the fields of the JSON document that only
	// this family has.
	jsonRow(j *jsonRow, r series.Row)
	jsonDoc(j *jsonDoc, res *series.Result)
}

// views is the registry of views, by what the analysis keys its rows by.
var views = map[series.KeyMode]view{
	series.BySite:     profileView{},
	series.ByFunction: profileView{},
	series.ByStack:    profileView{},
	series.ByGroup:    goroutineView{},
	series.ByType:     typeView{},
	series.ByRing:     cycleView{},
	series.ByAwait:    taskView{},
	series.ByResource: resourceView{},
}

// viewOf returns the view of a result; a result of an unknown analysis
// gets the generic one.
func viewOf(res *series.Result) view {
	if v, ok := views[res.By]; ok {
		return v
	}
	return baseView{}
}

// baseView is what a report says of any series; the views embed it and
// override what their family says otherwise.
type baseView struct{}

func (baseView) header(res *series.Result) string {
	return fmt.Sprintf("%d %s profiles, %s, by %s", len(res.Inputs), res.Kind, res.SampleType.Type, res.Noun)
}

func (baseView) verdict(*series.Result, string) (string, bool) { return "", false }

func (baseView) section(res *series.Result) string { return string(res.Kind) }

func (baseView) title(_ *series.Result, r series.Row, short bool) string {
	return frameString(r.Frame, short)
}

func (baseView) leadColumns(*series.Result) []column { return nil }

func (baseView) columns(*series.Result) []column { return nil }

func (baseView) textLead(io.Writer, *series.Result) {}

func (baseView) mdLead(io.Writer, *series.Result, Options) {}

func (baseView) textPreamble(io.Writer, *series.Result) {}

func (baseView) mdPreamble(io.Writer, *series.Result) {}

func (baseView) textRow(io.Writer, *series.Result, int, series.Row) {}

func (baseView) textAfter(io.Writer, *series.Result) {}

func (baseView) mdRow(io.Writer, *series.Result, series.Row) bool { return false }

func (baseView) stackHeading(*series.Result, series.Row) string { return "Stack" }

func (baseView) stackFrames(r series.Row) []series.Frame { return r.Stack }

func (baseView) hidden(res *series.Result) string {
	return fmt.Sprintf("the profiler's own allocations (%s at the last snapshot); --keep-profiler shows them", lastHidden(res))
}

func (baseView) keywords(_ *series.Result, r series.Row, add func(string)) { add(r.Frame.Func) }

func (baseView) jsonRow(*jsonRow, series.Row) {}

func (baseView) jsonDoc(*jsonDoc, *series.Result) {}

// lastHidden is what was hidden at the last snapshot.
func lastHidden(res *series.Result) string {
	return units.Value(res.Hidden[len(res.Hidden)-1], res.SampleType.Unit)
}

// whyColumn lists why a row is a suspect.
var whyColumn = column{head: "WHY", cell: func(r series.Row) string { return joinReasons(r) }}
