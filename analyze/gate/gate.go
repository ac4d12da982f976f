package gate

import (
	"path"
	"regexp"
	"strings"

	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
)

// Budgets are the growth each suspect may show before the check fails,
// one per kind of value; zero lets no growth pass.
type Budgets struct {
	MaxGrowth     float64 // bytes
	MaxGoroutines float64 // goroutines
	MaxObjects    float64 // objects
}

// Budget names of the kinds of value, as the flags of leakscan check
// spell them.
const (
	BudgetGrowth     = "max-growth"
	BudgetGoroutines = "max-goroutines"
	BudgetObjects    = "max-objects"
)

// Status is what the check says of one suspect.
type Status string

// The statuses of a suspect.
const (
	Over     Status = "over"     // over its budget, or no budget measures it: fails the check
	Accepted Status = "accepted" // its signature is in the baseline
	Within   Status = "within"   // grew no more than its budget
)

// Finding is one suspect of a result and what the check says of it.
type Finding struct {
	Result    *series.Result // the result the suspect is a row of
	Row       series.Row
	Signature string
	// Budget names the budget that applies ("max-growth"); "" when none
	// does. Limit is its value.
	Budget string
	Limit  float64
	Growth float64 // last value minus first, in Unit
	Unit   string  // the unit of the values compared: "bytes", "count"
	Status Status
	// Confirmed says the runtime itself found the suspect leaked; it
	// fails whatever its growth.
	Confirmed bool
}

// Report is the outcome of a check: every suspect in result order (the
// main result's, then each related one's), in rank order within each.
type Report struct {
	Findings []Finding
	// Unseen lists the baseline's signatures that no suspect has, sorted:
	// leaks fixed since the baseline was written, or signatures that
	// changed.
	Unseen []string
}

// Failed reports whether a suspect failed the check.
func (r *Report) Failed() bool { return r.Count(Over) > 0 }

// Count is the number of findings with the given status.
func (r *Report) Count(s Status) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == s {
			n++
		}
	}
	return n
}

// Check measures every suspect of res and of its related results
// against the budgets, accepting those whose signature the baseline
// holds (nil accepts none).
func Check(res *series.Result, b Budgets, base *Baseline) *Report {
	rep := &Report{}
	seen := map[string]bool{}
	var walk func(*series.Result)
	walk = func(res *series.Result) {
		budget, limit := budgetOf(res, b)
		suspects := res.Suspects()
		if leaks := leakRows(res); leaks != nil {
			// A heap series with findings is gated on its leaks, one
			// each, not on the types they are made of.
			suspects = leaks
			budget, limit = BudgetObjects, b.MaxObjects
		}
		for _, row := range suspects {
			f := Finding{Result: res, Row: row, Signature: Signature(res, &row), Budget: budget, Limit: limit,
				Growth: row.Delta, Unit: res.SampleType.Unit, Confirmed: row.Confirmed}
			seen[f.Signature] = true
			switch {
			case base.Has(f.Signature):
				f.Status = Accepted
			case budget == "" || f.Confirmed || f.Growth > limit:
				f.Status = Over
			default:
				f.Status = Within
			}
			rep.Findings = append(rep.Findings, f)
		}
		for _, rel := range res.Related {
			walk(rel)
		}
	}
	walk(res)
	if base != nil {
		for _, e := range base.Accepted {
			if !seen[e.Signature] {
				rep.Unseen = append(rep.Unseen, e.Signature)
			}
		}
	}
	return rep
}

// budgetOf says which budget measures the rows of a result: goroutine
// counts, bytes, or the objects of heap profiles and heap dumps; "" when
// none does.
func budgetOf(res *series.Result, b Budgets) (string, float64) {
	switch {
	case res.By == series.ByGroup:
		return BudgetGoroutines, b.MaxGoroutines
	case res.SampleType.Unit == "bytes":
		return BudgetGrowth, b.MaxGrowth
	case res.SampleType.Unit == "count" && (res.Kind == "heap" || res.By == series.ByType):
		return BudgetObjects, b.MaxObjects
	}
	return "", 0
}

// Signature is the name of a row that stays the same across runs and
// rebuilds; the package documentation says what it is made of. It is
// valid UTF-8 (invalid bytes become U+FFFD), so that it survives a
// baseline file unchanged.
func Signature(res *series.Result, r *series.Row) string {
	return strings.ToValidUTF8(signature(res, r), "\uFFFD")
}

func signature(res *series.Result, r *series.Row) string {
	kind := string(res.Kind)
	switch res.By {
	case series.BySite:
		s := kind + " site " + r.Frame.Func
		if r.Frame.File != "" {
			s += " (" + baseName(r.Frame.File) + ")"
		}
		return s
	case series.ByFunction:
		return kind + " function " + r.Frame.Func
	case series.ByStack:
		return kind + " stack " + funcs(r.Stack)
	case series.ByGroup:
		return goroutineSignature(r)
	case series.ByType:
		return typeSignature(kind, r)
	case series.ByRing:
		if ci := python.CycleOf(r); ci != nil {
			return "cycle " + ringText(ci.Ring)
		}
	case series.ByAwait:
		if ti := python.TaskOf(r); ti != nil {
			return taskSignature(ti, r)
		}
	case series.ByResource:
		return "resource " + scrub(r.Key)
	}
	return kind + " " + string(res.By) + " " + scrub(r.Key)
}

func goroutineSignature(r *series.Row) string {
	var b strings.Builder
	b.WriteString("goroutine")
	gi := goroutine.InfoOf(r)
	if gi != nil && gi.State != "" {
		b.WriteString(" [" + gi.State + "]")
	}
	b.WriteString(" " + funcs(r.Stack))
	if gi != nil && gi.Creator != nil {
		b.WriteString(" (created by " + gi.Creator.Func + ")")
	}
	return b.String()
}

// leakRows are the findings of a heap-dump type analysis as suspect rows
// (the finding's title as key, its objects held as values, its holder's
// path as the type row's retainer, so that typeSignature names it); nil
// for a result without findings.
func leakRows(res *series.Result) []series.Row {
	d := heap.DetailOf(res)
	if d == nil || len(d.Findings) == 0 || res.By != series.ByType {
		return nil
	}
	rows := make([]series.Row, len(d.Findings))
	for i, f := range d.Findings {
		// "leak: builtins.list handlers -[index *]->": the holder's type
		// and name, and the edge the growth hangs from
		name := ""
		if n := len(f.Holder.Steps); n > 0 {
			name = " " + scrub(f.Holder.Steps[n-1].Label)
		}
		key := "leak: " + scrub(f.Type) + name + " -[" + edge(f.Edge.Kind, f.Edge.Label) + "]->"
		if f.Cycle {
			key = "leak: reference cycles through " + scrub(f.Type) + " -[" + edge(f.Edge.Kind, f.Edge.Label) + "]->"
		}
		rows[i] = series.Row{Key: key, Frame: series.Frame{Func: key}, Trend: f.Count, Suspect: true,
			Detail: &heap.TypeInfo{Retainer: f.Holder}}
	}
	return rows
}

func typeSignature(kind string, r *series.Row) string {
	s := kind + " type " + scrub(r.Key)
	if strings.HasPrefix(r.Key, "leak: ") {
		s = kind + " " + r.Key
	}
	ti := heap.TypeOf(r)
	if ti == nil || ti.Retainer == nil {
		return s
	}
	rs := ti.Retainer
	var b strings.Builder
	b.WriteString(s + " via " + scrub(rs.Root))
	for i, st := range rs.Steps {
		if rs.Omitted > 0 && i == rs.OmittedAfter {
			b.WriteString(" …")
		}
		b.WriteString(" -[" + edge(st.Kind, st.Label) + "]")
		if st.Repeat >= 2 {
			b.WriteString("+")
		}
		b.WriteString("-> " + scrub(st.Type))
	}
	return b.String()
}

func ringText(ring []python.RingStep) string {
	var b strings.Builder
	for i, s := range ring {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(scrub(s.Type))
		if s.Note != "" {
			b.WriteString("(" + scrub(s.Note) + ")")
		}
		b.WriteString(" -[" + edge(s.Kind, s.Label) + "]->")
	}
	return b.String()
}

func taskSignature(ti *python.TaskInfo, r *series.Row) string {
	parts := []string{"task", ti.What}
	if ti.State != "" {
		parts = append(parts, "["+ti.State+"]")
	}
	if ti.Coro != "" {
		parts = append(parts, scrub(ti.Coro))
	}
	if len(r.Stack) > 0 {
		parts = append(parts, "awaiting "+funcs(r.Stack))
	}
	if ti.WaitingOn != "" {
		parts = append(parts, "on "+scrub(ti.WaitingOn))
	}
	if ti.Exception != "" {
		parts = append(parts, "raised "+scrub(ti.Exception))
	}
	if ti.Callback != "" {
		parts = append(parts, "calls "+scrub(ti.Callback))
	}
	return strings.Join(parts, " ")
}

// funcs joins the functions of a stack, innermost first.
func funcs(stack []series.Frame) string {
	names := make([]string, len(stack))
	for i, f := range stack {
		names[i] = scrub(f.Func)
	}
	return strings.Join(names, " ← ")
}

// baseName is the last element of a file path, whichever separator the
// path was written with: the directory a binary was built in is not part
// of a signature.
func baseName(file string) string {
	if i := strings.LastIndexByte(file, '\\'); i >= 0 {
		file = file[i+1:]
	}
	return path.Base(file)
}

var (
	indexLabel = regexp.MustCompile(`^\[\d+\]$`)
	hexNumber  = regexp.MustCompile(`0[xX][0-9a-fA-F]+`)
	longNumber = regexp.MustCompile(`\d{5,}`)
)

// edge is an edge's kind and label in a signature: the label is "*" for
// indexes and dict keys, which differ between instances.
func edge(kind, label string) string {
	switch {
	case kind == "index" || kind == "key" || indexLabel.MatchString(label):
		return kind + " *"
	case label == "":
		return kind
	}
	return kind + " " + scrub(label)
}

// scrub writes ids and addresses inside names as "#".
func scrub(s string) string {
	s = hexNumber.ReplaceAllString(s, "0x#")
	return longNumber.ReplaceAllString(s, "#")
}
