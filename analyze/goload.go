package analyze

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// GoroutineSeries is a series of goroutine snapshots in any format, whose
// stacks share one intern table.
type GoroutineSeries struct {
	Dumps    []*GoroutineDump
	Warnings []string
	tab      *stackTable
}

// IsGoroutineInput reports whether a format can be read by LoadGoroutines,
// looking at the data for pprof profiles (which may hold heap samples).
func IsGoroutineInput(f Format, data []byte) bool {
	switch f {
	case FormatGoroutineText, FormatGoroutineDebug1:
		return true
	case FormatPprof:
		return isGoroutineProfile(data)
	}
	return false
}

// isGoroutineProfile tells a goroutine (or goroutineleak) profile from
// other pprof profiles by its sample types.
func isGoroutineProfile(data []byte) bool {
	r, err := decodeTables(data)
	if err != nil {
		return false
	}
	for _, vt := range r.sampleTypes {
		if t, ok := r.str(vt[0]); ok && (t == "goroutine" || t == "goroutineleak") {
			return true
		}
	}
	return false
}

// LoadGoroutines reads goroutine snapshots: proto goroutine and
// goroutineleak profiles, their debug=1 text, and tracebacks (debug=2,
// panics, SIGQUIT, test timeouts), in the order given. Problems that leave
// the rest of a dump readable become warnings naming the line.
func LoadGoroutines(srcs []Source) (*GoroutineSeries, error) {
	gs := &GoroutineSeries{tab: newStackTable()}
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
	f := Sniff(data)
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
	case FormatGoroutineText:
		d.HasState, d.HasCreator = true, true
		n := parseTraceback(name, data, gs.tab, func(rec *goroutineRec) { d.add(gs.tab, rec, 1) }, warn)
		if n == 0 {
			return nil, &InputError{File: name, Msg: "expected goroutine tracebacks (goroutine N [state]:), found none"}
		}
	case FormatGoroutineDebug1:
		d.LeakProf = bytes.HasPrefix(bytes.TrimSpace(data), []byte("goroutineleak profile:"))
		if d.LeakProf {
			d.Format = "goroutineleak profile text (debug=1)"
		}
		total := parseDebug1(data, gs.tab, func(rec *goroutineRec, n int) { d.add(gs.tab, rec, n) }, warn)
		if total >= 0 && total != d.Total {
			warn(fmt.Sprintf("the header says %d goroutines, the records hold %d (truncated?)", total, d.Total))
		}
	case FormatPprof:
		s, err := decodePprof(name, data, gs.tab)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(s.SampleTypes, func(t ValueType) bool { return t.Type == "goroutine" || t.Type == "goroutineleak" }) {
			return nil, &InputError{File: name, Msg: fmt.Sprintf("a %s profile, expected a goroutine profile", s.kind())}
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
			rec = goroutineRec{minutes: -1, creator: -1, frames: append(rec.frames[:0], gs.tab.frameIDsOf(sid)...)}
			if i < len(s.Labels) {
				for _, l := range s.Labels[i] {
					rec.labels = []byte(l)
					d.add(gs.tab, &rec, 0)
				}
			}
			d.add(gs.tab, &rec, int(s.Values[i*nv]))
		}
	default:
		e := &InputError{File: name, Msg: "expected a goroutine dump (traceback, debug=1 or debug=2 text, or a proto goroutine profile), found " + string(f)}
		if f == FormatEmpty {
			e.Msg = "expected a goroutine dump, found an empty file"
		}
		return nil, e
	}
	return d, nil
}
