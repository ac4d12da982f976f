package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/internal/testkit"
)

// TestDocumentHostile: names from a dump cannot close the document's code
// spans, tables or HTML, and the figures' links stay links.
func TestDocumentHostile(t *testing.T) {
	res := &series.Result{Kind: "python heap", Detail: &heap.Detail{Runtime: "Python"}, By: series.ByType, Noun: "type", SampleType: series.ValueType{Type: "objects", Unit: "count"},
		Inputs: []series.Input{{Name: testkit.Names[3]}, {Name: testkit.Names[4]}}, Warnings: []string{testkit.Names[4]}}
	for _, h := range testkit.Names {
		res.Rows = append(res.Rows, series.Row{Key: "mod." + h, Frame: series.Frame{Func: "mod." + h}, Suspect: true, Reasons: []string{"growing"},
			Trend: series.Trend{Values: []float64{1, 2}, Class: series.Growing, Delta: 1, Last: 2, Max: 2}})
	}
	res.Verdict = series.Verdict{Suspects: len(testkit.Names), Growing: len(testkit.Names), Growth: 9, Snaps: 2}
	figs := map[string][]Figure{FigureKey(res, res.Rows[0].Key): {{Caption: testkit.Names[3] + testkit.Names[4], Image: "my (draft).assets/a b.png", Mermaid: "flowchart LR\n  r1[\"x\"]\n"}}}
	var b bytes.Buffer
	if err := Document(&b, res, Options{Figures: figs}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	testkit.Golden(t, "pictures/hostile.report.md", b.Bytes())
	prose := strings.ReplaceAll(outsideCode(doc), `\<`, "&lt;") // an escaped < is text
	if strings.Contains(prose, "<script") || strings.Contains(prose, "<img") || strings.Count(prose, "</details>") != strings.Count(prose, "<details>") {
		t.Errorf("raw HTML from a name reached the document:\n%s", prose)
	}
	if !strings.Contains(doc, "](my%20%28draft%29.assets/a%20b.png)") {
		t.Error("image link not escaped")
	}
	if !strings.HasPrefix(doc, "# ") || strings.Count(strings.SplitN(doc, "\n", 2)[0], "#") != 1 {
		t.Errorf("first line %q", strings.SplitN(doc, "\n", 2)[0])
	}
	// Every table row has as many cells as the header.
	var cols int
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(l, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d pipes, header %d: %q", n, cols, l)
		}
	}
	if kw := Keywords(res); len(kw) != len(testkit.Names) {
		t.Errorf("%d keywords", len(kw))
	}
}

// outsideCode is a Markdown document without its fenced blocks and code
// spans: the text in which HTML would be live.
func outsideCode(doc string) string {
	var b strings.Builder
	fence := ""
	for _, l := range strings.Split(doc, "\n") {
		if fence != "" {
			if strings.TrimSpace(l) == fence {
				fence = ""
			}
			continue
		}
		if run := strings.TrimLeft(l, "`"); len(l)-len(run) >= 3 {
			fence = l[:len(l)-len(run)]
			continue
		}
		for {
			i := strings.IndexByte(l, '`')
			if i < 0 {
				break
			}
			n := i
			for n < len(l) && l[n] == '`' {
				n++
			}
			end := strings.Index(l[n:], l[i:n])
			if end < 0 {
				break
			}
			l = l[:i] + l[n+end+n-i:]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
