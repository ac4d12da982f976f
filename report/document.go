package report

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report/dot"
)

// Figure is a picture placed in a Markdown report: an image file next to
// the report, a Mermaid diagram drawn inline by GitHub and GitLab, or both.
type Figure struct {
	Caption string
	Image   string // path of the image relative to the report, "/"-separated; "" for none
	Mermaid string // a Mermaid diagram (from RingMermaid); "" for none
	// DOT is the path of a Graphviz DOT file relative to the report, in
	// place of Image when the picture could not be drawn (leakscan-render
	// missing); "" for none.
	DOT string
}

// FigureKey names where a figure goes: under the suspect with the given
// row key of a result, or after the result's suspects table when the row
// key is empty.
func FigureKey(res *series.Result, row string) string {
	return string(res.Kind) + "\x00" + string(res.By) + "\x00" + row
}

// mdFigures writes figures: a bold caption, the image, the diagram.
func mdFigures(w io.Writer, figs []Figure) {
	for _, f := range figs {
		fmt.Fprintf(w, "**%s**\n\n", mdText(f.Caption))
		if f.Image != "" {
			fmt.Fprintf(w, "![%s](%s)\n\n", mdText(f.Caption), imageLink(f.Image))
		}
		if f.DOT != "" {
			base := path.Base(f.DOT)
			png := strings.TrimSuffix(base, ".dot") + ".png"
			fmt.Fprintf(w, "Not drawn: `leakscan-render` was not installed when this report was written. The graph is [%s](%s) (Graphviz DOT); %s draws it.\n\n",
				mdText(base), imageLink(f.DOT), mdCode("leakscan-render png < "+base+" > "+png))
		}
		if f.Mermaid != "" {
			fmt.Fprintf(w, "```mermaid\n%s```\n\n", f.Mermaid)
		}
	}
}

// imageLink escapes each segment of a relative path for a Markdown link,
// so that a report named "my (draft).md" still links its assets.
func imageLink(p string) string {
	segs := strings.Split(path.Clean(p), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// Document writes the report `leakscan report` produces: the verdict as
// the title, a line of keywords to search issue trackers with, then the
// Markdown report with its figures.
func Document(w io.Writer, res *series.Result, opt Options) error {
	ew := &errWriter{w: w}
	lead := leadResult(res)
	fmt.Fprintf(ew, "# %s\n\n", mdText(VerdictLine(lead)))
	if kw := Keywords(res); len(kw) > 0 {
		codes := make([]string, len(kw))
		for i, k := range kw {
			codes[i] = mdCode(k)
		}
		fmt.Fprintf(ew, "Keywords: %s\n\n", strings.Join(codes, " "))
	}
	opt.section = "##"
	mdRest(ew, res, lead, opt)
	return ew.err
}

// maxKeywords bounds the keywords line.
const maxKeywords = 12

// Keywords are the names to search an issue tracker with: the leaking
// types, functions, coroutines and the creators of leaking goroutines,
// suspects first, each once.
//
// Names of the language's own library (Python's standard modules, Go's
// standard packages: see stdName) are left out unless the suspects name
// nothing else; then the ones every program has (builtins, runtime,
// sync) are left out unless they are all there is.
func Keywords(res *series.Result) []string {
	var kw []string
	for tier := range 3 {
		if tier > 0 && len(kw) > 0 {
			break
		}
		for _, r := range append([]*series.Result{res}, res.Related...) {
			add := func(s string) {
				s = dot.Label(strings.TrimSpace(s))
				if s != "" && keywordTier(r.Kind, s) == tier && !slices.Contains(kw, s) && len(kw) < maxKeywords {
					kw = append(kw, s)
				}
			}
			for _, row := range r.Suspects() {
				rowKeywords(r, row, add)
			}
		}
	}
	return kw
}

// keywordTier is 0 for the program's own names, 1 for its language's
// library, 2 for the names every program has.
func keywordTier(kind series.Kind, s string) int {
	switch {
	case !stdName(kind, s):
		return 0
	case coreName(s):
		return 2
	}
	return 1
}

// coreName reports whether a type or function is one every program of
// its language has.
func coreName(s string) bool {
	for _, p := range []string{"builtins.", "runtime.", "sync.", "internal/"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func rowKeywords(res *series.Result, r series.Row, add func(string)) {
	viewOf(res).keywords(res, r, add)
}

// RowTitle is a row's name as the tables show it, short: for legends.
func RowTitle(res *series.Result, r series.Row) string { return rowTitle(res, r, true) }
