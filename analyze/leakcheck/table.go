package leakcheck

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/leakscan/leakscan/analyze/series"
)

// maxFrames is how many frames of a suspect's stack the table shows.
const maxFrames = 6

// Suspects returns the suspect rows of the heap, then of the goroutines.
func (m *Measurement) Suspects() []series.Row {
	var out []series.Row
	for _, res := range m.results() {
		out = append(out, res.Suspects()...)
	}
	return out
}

func (m *Measurement) results() []*series.Result {
	var out []*series.Result
	for _, res := range []*series.Result{m.Heap, m.Goroutines} {
		if res != nil {
			out = append(out, res)
		}
	}
	return out
}

// Failure is the message a test fails with: per kind checked that has
// suspects, a verdict line, the suspects table (growth over the run,
// growth per call, the value at each checkpoint, where) and each
// suspect's stack. It is "" when nothing grew.
func (m *Measurement) Failure() string {
	if len(m.Suspects()) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "leakcheck: growth over %d calls, %d checkpoints\n", m.Iterations, m.Checkpoints)
	for _, res := range m.results() {
		sus := res.Suspects()
		if len(sus) == 0 {
			continue
		}
		unit := res.SampleType.Unit
		fmt.Fprintf(&b, "%s: %d %s grew: %s in all\n", m.what(res), len(sus), plural(res.Noun, len(sus)), signed(res.Verdict.Growth, unit))
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tGROWTH\tPER CALL\tAT CHECKPOINTS\tWHY\tWHERE")
		for i, r := range sus {
			vals := make([]string, len(r.Values))
			for j, v := range r.Values {
				vals[j] = value(v, unit)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", i+1, signed(r.Delta, unit), value(r.Delta/float64(m.Iterations), unit),
				strings.Join(vals, ", "), strings.Join(r.Reasons, "; "), short(r.Frame))
		}
		tw.Flush()
		for i, r := range sus {
			fmt.Fprintf(&b, "  #%d:\n", i+1)
			for j, f := range stackOf(r) {
				if j == maxFrames {
					fmt.Fprintf(&b, "      …\n")
					break
				}
				fmt.Fprintf(&b, "      %s\n", short(f))
			}
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "  warning: %s\n", w)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Summary is the line logged when nothing grew.
func (m *Measurement) Summary() string {
	var parts []string
	for _, res := range m.results() {
		parts = append(parts, fmt.Sprintf("%s: %d %s, none growing", m.what(res), len(res.Rows), plural(res.Noun, len(res.Rows))))
	}
	return fmt.Sprintf("leakcheck: no growth over %d calls, %d checkpoints (%s)", m.Iterations, m.Checkpoints, strings.Join(parts, "; "))
}

// what names the kind of a result: "heap (inuse_space)", "goroutines".
func (m *Measurement) what(res *series.Result) string {
	if res == m.Heap {
		return "heap (" + res.SampleType.Type + ")"
	}
	return "goroutines"
}

// stackOf is a suspect's stack, innermost first, from its site (the
// allocator's frames left out) up to the frame that called f.
func stackOf(r series.Row) []series.Frame {
	st := r.Stack
	for i, f := range st {
		if f == r.Frame {
			st = st[i:]
			break
		}
	}
	for i, f := range st {
		if f.Func == callFrame {
			return st[:i]
		}
	}
	return st
}

// short is a frame with its package path and directories cut to the last
// element: "leakcheck.leakSlice leakcheck/leakcheck_test.go:20".
func short(f series.Frame) string {
	fn := f.Func
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	if f.File == "" {
		return fn
	}
	file := path.Join(path.Base(path.Dir(f.File)), path.Base(f.File))
	return fn + " " + file + ":" + strconv.FormatInt(f.Line, 10)
}

func plural(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// value formats v in unit: bytes in B, KiB, MiB or GiB; anything else as
// a number.
func value(v float64, unit string) string {
	if unit != "bytes" {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	case a >= 1<<30:
		return fmt.Sprintf("%.1f GiB", v/(1<<30))
	case a >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

func signed(v float64, unit string) string {
	if v >= 0 {
		return "+" + value(v, unit)
	}
	return value(v, unit)
}
