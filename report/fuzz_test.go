package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/internal/testkit"
)

// fuzzResults are results of three families whose every name is s.
func fuzzResults(s string) []*series.Result {
	tr := series.Trend{Values: []float64{1, 2, 3}, First: 1, Last: 3, Max: 3, Delta: 2, Class: series.Growing, Up: 2, Tau: 1}
	f := series.Frame{Func: s, File: s, Line: 7}
	site := &series.Result{Kind: "heap", SampleType: series.ValueType{Type: "inuse_space", Unit: "bytes"}, By: series.BySite, Noun: "allocation site",
		Inputs: []series.Input{{Name: s}, {Name: s}, {Name: s}}, Warnings: []string{s}, Focus: s,
		Rows: []series.Row{{Key: s, Frame: f, Stack: []series.Frame{f, f}, Stacks: 2, Suspect: true, Reasons: []string{s}, Trend: tr}}}
	gor := &series.Result{Kind: "goroutine", SampleType: series.ValueType{Type: "goroutines", Unit: "count"}, By: series.ByGroup, Noun: "goroutine group",
		GroupedBy: s, Inputs: []series.Input{{Name: s, Format: s}}, Rows: []series.Row{{Key: s, Frame: f, Stack: []series.Frame{f}, Suspect: true,
			Detail: &goroutine.Info{State: s, States: []goroutine.StateCount{{State: s, Count: 2}}, Creator: &f, Labels: []string{s}, MinWait: 1, MaxWait: 3}, Trend: tr}}}
	rs := &heap.RetainerShape{Root: s, Steps: []heap.PathStep{{Kind: s, Label: s, Type: s, Repeat: 3}}, Instances: 1, Of: 2}
	types := &series.Result{Kind: "python heap", SampleType: series.ValueType{Type: "objects", Unit: "count"}, By: series.ByType, Noun: "type",
		Inputs: []series.Input{{Name: s}, {Name: s}, {Name: s}}, Detail: &heap.Detail{Runtime: s, Findings: []heap.Finding{{Holder: rs, Type: s, Value: s,
			Holders: 1, Edge: heap.PathStep{Kind: s, Label: s, Type: s}, Heads: []heap.TypeCount{{Type: s, Count: 1}}, Types: []heap.TypeSeries{{Type: s, Counts: tr.Values}},
			Count: tr, Retained: tr.Values, Samples: []uint64{1}}}},
		Rows: []series.Row{{Key: s, Frame: series.Frame{Func: s}, Suspect: true, Detail: &heap.TypeInfo{Retainer: rs, HeldBy: s}, Trend: tr}}}
	for _, r := range []*series.Result{site, gor, types} {
		r.Verdict = series.VerdictOf(r.Suspects(), 0, 3)
		r.Total = tr
	}
	return []*series.Result{site, gor, types}
}

// FuzzWriters puts an arbitrary name in every field a writer prints and
// checks what a reader of the output relies on: text has no raw control
// or format character and stays valid UTF-8; every Markdown table row has
// the header's cells; JSON is valid and keeps the name exactly.
func FuzzWriters(f *testing.F) {
	for _, s := range testkit.Names {
		f.Add(s)
	}
	f.Add("a\u202eb\u2066c")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2048 {
			return
		}
		for _, res := range fuzzResults(s) {
			var txt, md, js, doc bytes.Buffer
			if err := Text(&txt, res, Options{}); err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(txt.Bytes()) {
				t.Fatalf("text is not UTF-8 for %q", s)
			}
			for _, r := range txt.String() {
				if r != '\n' && unsafeForTerminal(r) {
					t.Fatalf("raw %U in the text for %q", r, s)
				}
			}
			if err := Markdown(&md, res, Options{}); err != nil {
				t.Fatal(err)
			}
			cols := 0
			for _, l := range strings.Split(md.String(), "\n") {
				if !strings.HasPrefix(l, "|") {
					cols = 0
					continue
				}
				n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|")
				if cols == 0 {
					cols = n
				} else if n != cols {
					t.Fatalf("table row with %d pipes, header %d, for %q: %q", n, cols, s, l)
				}
			}
			if err := JSON(&js, res, Options{}); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Rows []struct {
					Key string `json:"key"`
				} `json:"rows"`
			}
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Rows) != 1 || (utf8.ValidString(s) && back.Rows[0].Key != s) {
				t.Fatalf("JSON for %q: %v %+v", s, err, back)
			}
			if err := Document(&doc, res, Options{}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// unsafeForTerminal is what units.Printable escapes.
func unsafeForTerminal(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x202e || r == 0x2066 || r == 0x200b
}
