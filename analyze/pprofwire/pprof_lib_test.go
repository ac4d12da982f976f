package pprofwire

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// This file keeps a reader built on github.com/google/pprof/profile as the
// oracle that Decode is checked against, and as the baseline of its
// benchmark.

// loadPprofLib parses one pprof protobuf profile with the pprof library and interns its stacks.
func loadPprofLib(name string, data []byte, tab *stack.Table) (*Snapshot, error) {
	if _, err := Scan(data); err != nil {
		if pe, ok := err.(*Error); ok {
			return nil, &input.InputError{File: name, Pos: fmt.Sprintf("byte %d", pe.Off), Msg: "malformed pprof profile: " + pe.Msg}
		}
		return nil, &input.InputError{File: name, Msg: "malformed pprof profile", Err: err}
	}
	p, err := profile.ParseUncompressed(data)
	if err == nil {
		err = p.CheckValid()
	}
	if err != nil {
		return nil, &input.InputError{File: name, Msg: "malformed pprof profile", Err: err}
	}
	s := &Snapshot{
		Name:              name,
		Duration:          time.Duration(p.DurationNanos),
		DefaultSampleType: p.DefaultSampleType,
		Period:            p.Period,
		Binary:            mainBinary(p.Mapping),
	}
	if p.TimeNanos > 0 {
		s.Time = time.Unix(0, p.TimeNanos).UTC()
	}
	for _, st := range p.SampleType {
		s.SampleTypes = append(s.SampleTypes, series.ValueType{Type: st.Type, Unit: st.Unit})
	}
	if p.PeriodType != nil {
		s.PeriodType = series.ValueType{Type: p.PeriodType.Type, Unit: p.PeriodType.Unit}
	}
	nv := len(s.SampleTypes)
	locFrames := make(map[*profile.Location][]int32, len(p.Location))
	for _, loc := range p.Location {
		locFrames[loc] = locationFrames(loc, tab)
	}
	index := make(map[int32]int, len(p.Sample))
	var ids []int32
	for _, smp := range p.Sample {
		ids = ids[:0]
		for _, loc := range smp.Location {
			ids = append(ids, locFrames[loc]...)
		}
		if len(ids) > 0 && stackDepthLimits[len(smp.Location)] && !isRootFrame(tab.FrameAt(ids[len(ids)-1]).Func) {
			s.Truncated++
		}
		sid := tab.Stack(ids)
		i, ok := index[sid]
		if !ok {
			i = len(s.Stacks)
			index[sid] = i
			s.Stacks = append(s.Stacks, sid)
			s.Values = append(s.Values, make([]int64, nv)...)
		}
		for k, v := range smp.Value {
			s.Values[i*nv+k] += v
			if v < 0 {
				s.Negative = true
			}
		}
	}
	return s, nil
}

// locationFrames expands a location into frame ids, the inlined callee
// first. A location without symbols becomes one frame named after its
// mapping and offset, which is stable for one binary.
func locationFrames(loc *profile.Location, tab *stack.Table) []int32 {
	if len(loc.Line) == 0 {
		name := fmt.Sprintf("0x%x", loc.Address)
		if m := loc.Mapping; m != nil && m.File != "" {
			name = fmt.Sprintf("%s+0x%x", filepath.Base(m.File), loc.Address-m.Start+m.Offset)
		}
		return []int32{tab.Frame(series.Frame{Func: name})}
	}
	out := make([]int32, len(loc.Line))
	for i, ln := range loc.Line {
		var f series.Frame
		if ln.Function != nil {
			f.Func, f.File = ln.Function.Name, ln.Function.Filename
		}
		f.Line = ln.Line
		out[i] = tab.Frame(f)
	}
	return out
}

// mainBinary names the profiled binary: the build id, else the file, of the
// first mapping that is a real file (not [vdso], [heap] …).
func mainBinary(ms []*profile.Mapping) string {
	for _, m := range ms {
		if m.File == "" || strings.HasPrefix(m.File, "[") {
			continue
		}
		if m.BuildID != "" {
			return m.BuildID
		}
		return m.File
	}
	return ""
}
