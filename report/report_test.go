package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
)

// hostile is a result whose names come from a crafted profile.
func hostile() *series.Result {
	evil := series.Frame{Func: "main.`evil`|x</details>\n<script>\x00", File: "/tmp/a|b\tc.go", Line: 7}
	row := series.Row{Key: evil.String(), Frame: evil, Stack: []series.Frame{evil, {Func: "```fence"}}, Stacks: 1,
		Trend: series.Trend{Values: []float64{1, 2, 3, 4, 5}, First: 1, Last: 5, Max: 5, Delta: 4, Class: series.Growing, Score: 1, Up: 4}, Suspect: true}
	return &series.Result{Kind: "heap", SampleType: series.ValueType{Type: "inuse_space", Unit: "bytes"}, By: series.BySite,
		Noun: "allocation site", Rows: []series.Row{row}, Verdict: series.Verdict{Growing: 1, Growth: 4, Snaps: 5},
		Inputs:   []series.Input{{Name: "x|y.pb.gz"}},
		Warnings: []string{"a warning\nwith a second line"}}
}

func TestHostileNames(t *testing.T) {
	res := hostile()
	var md bytes.Buffer
	if err := Markdown(&md, res, Options{}); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, bad := range []string{"</details>\n<script>", "\x00", "\twith", "\nwith"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains unescaped %q:\n%s", bad, out)
		}
	}
	// Only our own <details> blocks open and close, and table cells keep
	// their pipes escaped.
	if strings.Count(out, "\n</details>\n") != strings.Count(out, "<details>") {
		t.Errorf("a name closed a <details> block:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "|") && (strings.Contains(line, "a|b") || strings.Contains(line, "x|y")) {
			t.Errorf("unescaped pipe in a table row: %s", line)
		}
	}
	// The stack block's fence is longer than the backticks inside it.
	if !strings.Contains(out, "````\n") {
		t.Errorf("no long fence around a stack holding ```:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| 1 | growing") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 10 {
			t.Errorf("table row has the wrong number of cells: %s", line)
		}
	}
	var txt bytes.Buffer
	if err := Text(&txt, res, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(txt.String(), "\x00") || strings.Contains(txt.String(), "\n<script>") || strings.Contains(txt.String(), "\t") {
		t.Errorf("text output has raw control characters:\n%q", txt.String())
	}
	var js bytes.Buffer
	if err := JSON(&js, res, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	if rows := doc["rows"].([]any); rows[0].(map[string]any)["function"] != res.Rows[0].Frame.Func {
		t.Errorf("JSON does not round-trip the function name")
	}
}

// TestRetainerTextFoldsAndCuts: a repeated step shows its count, and a
// cut path says how many steps were left out where.
func TestRetainerTextFoldsAndCuts(t *testing.T) {
	rs := &heap.RetainerShape{Root: "module app", Instances: 4998, Of: 5000, Omitted: 40, OmittedAfter: 1, Steps: []heap.PathStep{
		{Kind: "global", Label: "head", Type: "app.Node"},
		{Kind: "attr", Label: "next", Type: "app.Node", Repeat: 142},
	}}
	want := "module app\n  -[global head]-> app.Node\n  … 40 steps left out …\n  -[attr next]-> app.Node × 142   (4998 of 5000 instances share this path)\n"
	if got := RetainerText(rs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := pathSummary(rs); got != "module app → head → … → next ×142" {
		t.Errorf("summary %q", got)
	}
}

// TestLongCellCut: a cell from a crafted input is cut in the middle so
// that a huge name cannot make the table unbounded.
func TestLongCellCut(t *testing.T) {
	var tb table
	tb.add("#", strings.Repeat("a", 5000)+"END")
	var b strings.Builder
	tb.write(&b)
	line := strings.TrimSuffix(b.String(), "\n")
	if n := utf8.RuneCountInString(line); n != 1+2+maxCell || !strings.HasSuffix(line, "aEND") || !strings.Contains(line, "…") {
		t.Errorf("%d runes: %.40q…", n, line)
	}
}
