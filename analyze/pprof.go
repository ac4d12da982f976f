package analyze

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// ValueType names a sample value: its type ("inuse_space") and unit ("bytes").
type ValueType struct {
	Type string `json:"type"`
	Unit string `json:"unit"`
}

func (v ValueType) String() string { return v.Type + "/" + v.Unit }

// Snapshot is one loaded profile, reduced to what a series needs: its
// header, and its samples aggregated by interned stack.
type Snapshot struct {
	Name              string
	Time              time.Time // zero when the profile has no time_nanos
	Duration          time.Duration
	SampleTypes       []ValueType
	DefaultSampleType string
	PeriodType        ValueType
	Period            int64
	Binary            string // build id or file of the main mapping; "" if none
	Negative          bool   // some value is negative (a delta profile)
	Truncated         int    // samples whose stacks may be cut at the depth limit

	// Stacks and Values hold the aggregated samples: Values has
	// len(SampleTypes) entries per stack, Stacks[i]'s at
	// Values[i*len(SampleTypes):].
	Stacks []int32
	Values []int64
}

// value returns the value of the i-th aggregated stack at sample index k.
func (s *Snapshot) value(i, k int) int64 { return s.Values[i*len(s.SampleTypes)+k] }

// kind names the sort of profile for messages: "heap", "goroutine" …
func (s *Snapshot) kind() string {
	for _, st := range s.SampleTypes {
		switch st.Type {
		case "inuse_space", "alloc_space":
			return "heap"
		case "goroutine":
			return "goroutine"
		case "cpu", "samples":
			return "cpu"
		case "contentions", "delay":
			return "contention"
		}
	}
	if s.PeriodType.Type != "" {
		return s.PeriodType.Type
	}
	return "unknown"
}

// stackDepthLimits are the depths at which Go runtimes have cut stacks
// (32 before Go 1.23, 128 since; 64 in some runtime/pprof paths).
var stackDepthLimits = map[int]bool{32: true, 64: true, 128: true}

// loadPprof parses one pprof protobuf profile and interns its stacks.
func loadPprof(src Source, tab *stackTable) (*Snapshot, error) {
	if _, err := scanProto(src.Data); err != nil {
		if pe, ok := err.(*protoError); ok {
			return nil, &InputError{File: src.Name, Pos: fmt.Sprintf("byte %d", pe.Off), Msg: "malformed pprof profile: " + pe.Msg}
		}
		return nil, &InputError{File: src.Name, Msg: "malformed pprof profile", Err: err}
	}
	p, err := profile.ParseUncompressed(src.Data)
	if err == nil {
		err = p.CheckValid()
	}
	if err != nil {
		return nil, &InputError{File: src.Name, Msg: "malformed pprof profile", Err: err}
	}
	s := &Snapshot{
		Name:              src.Name,
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

// isRootFrame reports whether a function is where Go stacks begin, so a
// stack ending there is complete.
func isRootFrame(fn string) bool {
	switch fn {
	case "runtime.goexit", "runtime.main", "runtime.mstart", "runtime.rt0_go", "main.main":
		return true
	}
	return false
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
