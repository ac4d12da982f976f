package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/leakscan/leakscan/analyze/gate"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report"
	"github.com/leakscan/leakscan/report/units"
)

// The outputs of leakscan check: the summary for people, GitHub Actions
// annotations, JUnit XML. Every name in them comes from an input, so each
// goes through printable (and, for annotations, the workflow commands'
// own escaping; for XML, encoding/xml's).

// statusTag is how the summary marks each status.
var statusTag = map[gate.Status]string{gate.Over: "FAIL", gate.Accepted: "accepted", gate.Within: "ok"}

// writeCheckText writes the summary: each result's verdict and its
// suspects, the baseline entries no suspect matched, and the outcome.
func writeCheckText(w io.Writer, res *series.Result, rep *gate.Report) {
	fmt.Fprintln(w, printable(report.VerdictLine(res)))
	var last *series.Result = res
	for _, f := range rep.Findings {
		if f.Result != last {
			last = f.Result
			fmt.Fprintln(w, printable(report.VerdictLine(f.Result)))
		}
		fmt.Fprintf(w, "  %-8s  %s: %s\n", statusTag[f.Status], printable(report.RowTitle(f.Result, f.Row)), why(f))
		fmt.Fprintf(w, "  %-8s  signature: %s\n", "", printable(f.Signature))
	}
	if len(rep.Unseen) > 0 {
		fmt.Fprintf(w, "baseline %s no suspect matched (fixed, or the signature changed):\n", plural(len(rep.Unseen), "entry"))
		for _, sig := range rep.Unseen {
			fmt.Fprintf(w, "  %s\n", printable(sig))
		}
	}
	n := len(rep.Findings)
	var tail []string
	if k := rep.Count(gate.Accepted); k > 0 {
		tail = append(tail, fmt.Sprintf("%d accepted by the baseline", k))
	}
	if k := rep.Count(gate.Within); k > 0 {
		tail = append(tail, fmt.Sprintf("%d within budget", k))
	}
	more := ""
	if len(tail) > 0 {
		more = " (" + strings.Join(tail, ", ") + ")"
	}
	switch over := rep.Count(gate.Over); {
	case over > 0:
		fmt.Fprintf(w, "check failed: %d of %d leak %s over budget%s\n", over, n, plural(n, "suspect"), more)
	case n == 0:
		fmt.Fprintln(w, "check passed: no leak suspects")
	default:
		fmt.Fprintf(w, "check passed: no leak suspect over budget%s\n", more)
	}
}

// why says how a suspect grew and what the check made of it.
func why(f gate.Finding) string {
	var grew string
	switch {
	case f.Growth > 0:
		grew = "grew by " + amount(f.Result, f.Growth)
	case f.Growth < 0:
		grew = "fell by " + amount(f.Result, -f.Growth)
	default:
		grew = "did not grow"
	}
	switch {
	case f.Status == gate.Accepted:
		return grew + ", accepted by the baseline"
	case f.Confirmed && f.Status == gate.Over:
		return grew + ", confirmed leaked by the runtime"
	case f.Budget == "":
		return grew + ", no budget measures " + units.Plural(f.Result.Noun) + ": accept it with --baseline"
	case f.Status == gate.Over:
		return grew + ", over --" + f.Budget + " " + units.Value(f.Limit, f.Unit)
	}
	return grew + ", within --" + f.Budget + " " + units.Value(f.Limit, f.Unit)
}

// amount is a value of a result's kind for people: 26.6 MiB, 15
// goroutines.
func amount(res *series.Result, v float64) string {
	s := units.Value(v, res.SampleType.Unit)
	if res.SampleType.Unit == "count" && res.SampleType.Type != "" {
		s += " " + res.SampleType.Type
	}
	return s
}

// writeAnnotations writes a GitHub Actions workflow command per suspect
// over budget (error) and per accepted one (notice).
func writeAnnotations(w io.Writer, rep *gate.Report) {
	for _, f := range rep.Findings {
		level := map[gate.Status]string{gate.Over: "error", gate.Accepted: "notice"}[f.Status]
		if level == "" {
			continue
		}
		title := "leakscan check: " + f.Result.Noun + " over budget"
		if f.Status == gate.Accepted {
			title = "leakscan check: " + f.Result.Noun + " accepted by the baseline"
		}
		msg := report.RowTitle(f.Result, f.Row) + ": " + why(f) + "\nsignature: " + f.Signature
		fmt.Fprintf(w, "::%s title=%s::%s\n", level, escapeProperty(printable(title)), escapeData(printableLines(msg)))
	}
}

// escapeData escapes the message of a workflow command as the Actions
// runner decodes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property (title=…) of a workflow command.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// printableLines is printable for each line of a text that has several.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return strings.Join(lines, "\n")
}

// bidi are the Unicode controls that reorder the text around them: a name
// holding one could show as another.
var bidi = strings.NewReplacer(
	"\u061c", `\u061c`, "\u200e", `\u200e`, "\u200f", `\u200f`,
	"\u202a", `\u202a`, "\u202b", `\u202b`, "\u202c", `\u202c`, "\u202d", `\u202d`, "\u202e", `\u202e`,
	"\u2066", `\u2066`, "\u2067", `\u2067`, "\u2068", `\u2068`, "\u2069", `\u2069`,
)

// printable escapes control characters, invalid UTF-8 and bidirectional
// controls, so that a name from an input stays one line and reads as it is.
func printable(s string) string { return bidi.Replace(units.Printable(s)) }

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	if strings.HasSuffix(noun, "y") {
		return noun[:len(noun)-1] + "ies"
	}
	return units.Plural(noun)
}

// JUnit XML: the schema most CI systems read (Jenkins, GitLab, Azure
// DevOps …): one testsuite per analysis with suspects, one testcase per
// suspect named by its signature; a failure when it is over budget,
// skipped when the baseline accepts it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes the check as JUnit XML. With no suspect at all, the
// main analysis has one passing testcase, so that the file is never empty.
func writeJUnit(w io.Writer, res *series.Result, rep *gate.Report) error {
	doc := junitSuites{Name: "leakscan check"}
	index := map[*series.Result]int{}
	suite := func(r *series.Result) *junitSuite {
		i, ok := index[r]
		if !ok {
			i = len(doc.Suites)
			index[r] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: printable(suiteName(r))})
		}
		return &doc.Suites[i]
	}
	for _, f := range rep.Findings {
		s := suite(f.Result)
		c := junitCase{Classname: classname(f.Result), Name: printable(f.Signature),
			SystemOut: printable(report.RowTitle(f.Result, f.Row)) + ": " + printable(why(f))}
		switch f.Status {
		case gate.Over:
			c.Failure = &junitFailure{Message: printable(why(f)), Type: "over budget", Text: c.SystemOut}
			s.Failures++
		case gate.Accepted:
			c.Skipped = &junitSkipped{Message: "accepted by the baseline"}
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	if len(rep.Findings) == 0 {
		s := suite(res)
		s.Cases = append(s.Cases, junitCase{Classname: classname(res), Name: "no leak suspects",
			SystemOut: printable(report.VerdictLine(res))})
		s.Tests++
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// classname is the testcase class of a result's suspects:
// "leakscan.check.python-heap".
func classname(r *series.Result) string {
	return "leakscan.check." + strings.ReplaceAll(printable(string(r.Kind)), " ", "-")
}

// suiteName names the testsuite of a result: "heap inuse_space by site".
func suiteName(r *series.Result) string {
	return string(r.Kind) + " " + r.SampleType.Type + " by " + string(r.By) + " (" + strconv.Itoa(len(r.Inputs)) + " snapshots)"
}
