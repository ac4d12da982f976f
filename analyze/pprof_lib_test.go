package analyze

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// This file keeps a reader built on github.com/google/pprof/profile as the
// oracle that decodePprof is checked against, and as the baseline of its
// benchmark.

// loadPprofLib parses one pprof protobuf profile with the pprof library and interns its stacks.
func loadPprofLib(name string, data []byte, tab *stackTable) (*Snapshot, error) {
	if _, err := scanProto(data); err != nil {
		if pe, ok := err.(*protoError); ok {
			return nil, &InputError{File: name, Pos: fmt.Sprintf("byte %d", pe.Off), Msg: "malformed pprof profile: " + pe.Msg}
		}
		return nil, &InputError{File: name, Msg: "malformed pprof profile", Err: err}
	}
	p, err := profile.ParseUncompressed(data)
	if err == nil {
		err = p.CheckValid()
	}
	if err != nil {
		return nil, &InputError{File: name, Msg: "malformed pprof profile", Err: err}
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
		s.SampleTypes = append(s.SampleTypes, ValueType{st.Type, st.Unit})
	}
	if p.PeriodType != nil {
		s.PeriodType = ValueType{p.PeriodType.Type, p.PeriodType.Unit}
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
		if len(ids) > 0 && stackDepthLimits[len(smp.Location)] && !isRootFrame(tab.frames[ids[len(ids)-1]].Func) {
			s.Truncated++
		}
		sid := tab.stack(ids)
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
func locationFrames(loc *profile.Location, tab *stackTable) []int32 {
	if len(loc.Line) == 0 {
		name := fmt.Sprintf("0x%x", loc.Address)
		if m := loc.Mapping; m != nil && m.File != "" {
			name = fmt.Sprintf("%s+0x%x", filepath.Base(m.File), loc.Address-m.Start+m.Offset)
		}
		return []int32{tab.frame(Frame{Func: name})}
	}
	out := make([]int32, len(loc.Line))
	for i, ln := range loc.Line {
		var f Frame
		if ln.Function != nil {
			f.Func, f.File = ln.Function.Name, ln.Function.Filename
		}
		f.Line = ln.Line
		out[i] = tab.frame(f)
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
