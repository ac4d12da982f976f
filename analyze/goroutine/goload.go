package goroutine

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// GoroutineSeries is a series of goroutine snapshots in any format, whose
// stacks share one intern table.
type GoroutineSeries struct {
	Dumps    []*GoroutineDump
	Warnings []string
	tab      *stack.Table
}

// IsProfile tells a goroutine (or goroutineleak) profile from
// other pprof profiles by its sample types.
func IsProfile(data []byte) bool {
	if !pprofwire.IsProfile(data) {
		return false // scanned without allocating: a text dump stops here
	}
	for _, t := range pprofwire.SampleTypeNames(data) {
		if t == "goroutine" || t == "goroutineleak" {
			return true
		}
	}
	return false
}

// LoadGoroutines reads goroutine snapshots: proto goroutine and
// goroutineleak profiles, their debug=1 text, and tracebacks (debug=2,
// panics, SIGQUIT, test timeouts), in the order given. Problems that leave
// the rest of a dump readable become warnings naming the line.
func LoadGoroutines(srcs []input.Source) (*GoroutineSeries, error) {
	gs := &GoroutineSeries{tab: stack.NewTable()}
	for _, src := range srcs {
		data, err := src.Bytes()
		if err != nil {
			return nil, err
		}
		d, err := gs.load(src.Name, data)
		if err != nil {
			return nil, err
		}
		d.finish()
		gs.Dumps = append(gs.Dumps, d)
	}
	return gs, nil
}

func (gs *GoroutineSeries) load(name string, data []byte) (*GoroutineDump, error) {
	f := FormatOf(data)
	warns := 0
	warn := func(msg string) {
		warns++
		if warns <= 5 {
			gs.Warnings = append(gs.Warnings, name+": "+msg)
		} else if warns == 6 {
			gs.Warnings = append(gs.Warnings, name+": more problems not shown")
		}
	}
	d := newGoroutineDump(name, f)
	switch f {
	case input.FormatGoroutineText:
		d.HasState, d.HasCreator = true, true
		n := parseTraceback(name, data, gs.tab, func(rec *goroutineRec) { d.add(gs.tab, rec, 1) }, warn)
		if n == 0 {
			return nil, &input.InputError{File: name, Msg: "expected goroutine tracebacks (goroutine N [state]:), found none"}
		}
	case input.FormatGoroutineDebug1:
		d.LeakProf = bytes.HasPrefix(bytes.TrimSpace(data), []byte("goroutineleak profile:"))
		if d.LeakProf {
			d.Format = "goroutineleak profile text (debug=1)"
		}
		total := parseDebug1(data, gs.tab, func(rec *goroutineRec, n int) { d.add(gs.tab, rec, n) }, warn)
		if total >= 0 && total != d.Total {
			warn(fmt.Sprintf("the header says %d goroutines, the records hold %d (truncated?)", total, d.Total))
		}
	case input.FormatPprof:
		s, err := pprofwire.Decode(name, data, gs.tab)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(s.SampleTypes, func(t series.ValueType) bool { return t.Type == "goroutine" || t.Type == "goroutineleak" }) {
			return nil, &input.InputError{File: name, Msg: fmt.Sprintf("a %s profile, expected a goroutine profile", s.Kind())}
		}
		d.Time = s.Time
		d.LeakProf = s.SampleTypes[0].Type == "goroutineleak" || strings.Contains(s.PeriodType.Type, "goroutineleak")
		d.Format = "goroutine profile (proto)"
		if d.LeakProf {
			d.Format = "goroutineleak profile (proto)"
		}
		nv := len(s.SampleTypes)
		var rec goroutineRec
		for i, sid := range s.Stacks {
			rec = goroutineRec{minutes: -1, creator: -1, frames: append(rec.frames[:0], gs.tab.FrameIDs(sid)...)}
			if i < len(s.Labels) {
				for _, l := range s.Labels[i] {
					rec.labels = []byte(l)
					d.add(gs.tab, &rec, 0)
				}
			}
			d.add(gs.tab, &rec, int(s.Values[i*nv]))
		}
	default:
		e := &input.InputError{File: name, Msg: "expected a goroutine dump (traceback, debug=1 or debug=2 text, or a proto goroutine profile), found data of another format"}
		switch {
		case len(bytes.TrimSpace(data)) == 0:
			e.Msg = "expected a goroutine dump, found an empty file"
		case pprofwire.IsProfile(data):
			e.Msg = "a " + pprofwire.KindOf(data) + " profile, expected a goroutine profile"
		}
		return nil, e
	}
	return d, nil
}

// FormatOf tells which of the goroutine formats data is in: a traceback
// (debug=2, a panic, SIGQUIT, a test timeout), a debug=1 goroutine
// profile, or a proto goroutine profile; input.FormatUnknown for anything
// else.
func FormatOf(data []byte) input.Format {
	switch {
	case IsDebug1(data):
		return input.FormatGoroutineDebug1
	case IsProfile(data):
		return input.FormatPprof
	case HasTraceback(data):
		return input.FormatGoroutineText
	}
	return input.FormatUnknown
}

// IsDebug1 reports whether data starts as the debug=1 text of a goroutine
// or goroutineleak profile.
func IsDebug1(data []byte) bool {
	text := bytes.TrimLeft(bytes.TrimPrefix(data[:min(len(data), 4096)], []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(text, []byte("goroutine profile: total")) || bytes.HasPrefix(text, []byte("goroutineleak profile: total"))
}

// HasTraceback reports whether some line of data holds a traceback
// header, "goroutine N [status…]:", wherever it is in the data (dumps come
// embedded in logs and test output, their lines sometimes prefixed).
func HasTraceback(data []byte) bool {
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte("goroutine "))
		if i < 0 {
			return false
		}
		start := off + i
		off = start + len("goroutine ")
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		if isHeader(bytes.TrimSuffix(data[start:start+end], []byte("\r"))) {
			return true
		}
	}
	return false
}
