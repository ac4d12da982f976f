package pprofwire

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// This file decodes the pprof protobuf format (perftools.profiles.Profile,
// github.com/google/pprof/proto/profile.proto) straight into a Snapshot.
//
// github.com/google/pprof/profile's Parse builds a struct, two slices and
// three maps per sample; on a heap profile of 130,000 samples that is most
// of the time and memory of a diff. This decoder makes one pass over the
// top-level fields to decode the small tables (strings, functions,
// locations, mappings) and remember where the samples are, then a second
// pass over the samples that turns each into interned frame ids and adds
// its values to its stack. It allocates nothing per sample. Tests check it
// against profile.Parse on every fixture and on fuzzed input.
//
// Field numbers, from profile.proto:
//
//	Profile:   1 sample_type, 2 sample, 3 mapping, 4 location, 5 function,
//	           6 string_table, 9 time_nanos, 10 duration_nanos,
//	           11 period_type, 12 period, 14 default_sample_type
//	ValueType: 1 type, 2 unit (string indexes)
//	Sample:    1 location_id (packed or not), 2 value (packed or not), 3 label
//	Mapping:   1 id, 2 memory_start, 3 memory_limit, 4 file_offset,
//	           5 filename, 6 build_id
//	Location:  1 id, 2 mapping_id, 3 address, 4 line
//	Line:      1 function_id, 2 line
//	Function:  1 id, 2 name, 3 system_name, 4 filename

// Tables is the decoded header and tables of one profile; samples stay
// encoded until the second pass.
type Tables struct {
	strs        [][]byte
	sampleTypes [][2]int64 // string indexes of type and unit
	periodType  [2]int64
	period      int64
	timeNanos   int64
	duration    int64
	defaultType int64
	samples     [][2]int // offset and length of each sample message
	mappings    []rawMapping
	functions   []rawFunction
	locations   []rawLocation
	lines       []rawLine // all lines of all locations
}

type rawMapping struct {
	id, start, offset uint64
	file, buildID     int64
}

type rawFunction struct {
	id         uint64
	name, file int64
}

type rawLocation struct {
	id, mapping, address uint64
	lines0, lines1       int32 // lines[lines0:lines1]
}

type rawLine struct {
	function uint64
	line     int64
}

// DecodeTables is the first pass.
func DecodeTables(data []byte) (*Tables, *Error) {
	// Samples take 60–200 bytes each in the profiles Go writes.
	r := &Tables{samples: make([][2]int, 0, len(data)/64)}
	p := pbuf{b: data}
	for p.more() {
		at := p.off
		num, wire := p.field()
		if p.err != nil {
			break
		}
		if want := profileWire(num); want >= 0 && wire != want && !(num == 13 && wire == 0) {
			p.fail(at, "field %d has wire type %d, expected %d", num, wire, want)
			break
		}
		switch num {
		case 1:
			q := p.sub()
			r.sampleTypes = append(r.sampleTypes, decodeValueType(&q))
			p.take(&q)
		case 2:
			b, start := p.bytes()
			r.samples = append(r.samples, [2]int{start, len(b)})
		case 3:
			q := p.sub()
			r.mappings = append(r.mappings, decodeMapping(&q))
			p.take(&q)
		case 4:
			q := p.sub()
			r.locations = append(r.locations, decodeLocation(&q, r))
			p.take(&q)
		case 5:
			q := p.sub()
			r.functions = append(r.functions, decodeFunction(&q))
			p.take(&q)
		case 6:
			s, _ := p.bytes()
			r.strs = append(r.strs, s)
		case 9:
			r.timeNanos = int64(p.varint())
		case 10:
			r.duration = int64(p.varint())
		case 11:
			q := p.sub()
			r.periodType = decodeValueType(&q)
			p.take(&q)
		case 12:
			r.period = int64(p.varint())
		case 14:
			r.defaultType = int64(p.varint())
		default:
			p.skip(wire)
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	if len(r.strs) == 0 || len(r.strs[0]) != 0 {
		return nil, &Error{Off: len(data), Msg: "the string table must start with an empty string"}
	}
	return r, nil
}

// profileWire is the wire type of a Profile field, -1 for unknown fields.
func profileWire(num int) int {
	if num > 0 && num < len(profileFields) {
		return int(profileFields[num])
	}
	return -1
}

func decodeValueType(q *pbuf) (vt [2]int64) {
	q.eachVarint(func(num int, v uint64) {
		if num == 1 || num == 2 {
			vt[num-1] = int64(v)
		}
	})
	return vt
}

func decodeMapping(q *pbuf) (m rawMapping) {
	q.eachVarint(func(num int, v uint64) {
		switch num {
		case 1:
			m.id = v
		case 2:
			m.start = v
		case 4:
			m.offset = v
		case 5:
			m.file = int64(v)
		case 6:
			m.buildID = int64(v)
		}
	})
	return m
}

func decodeFunction(q *pbuf) (f rawFunction) {
	q.eachVarint(func(num int, v uint64) {
		switch num {
		case 1:
			f.id = v
		case 2:
			f.name = int64(v)
		case 4:
			f.file = int64(v)
		}
	})
	return f
}

func decodeLocation(q *pbuf, r *Tables) (l rawLocation) {
	l.lines0 = int32(len(r.lines))
	for q.more() {
		num, wire := q.field()
		if num == 4 && wire == 2 {
			s := q.sub()
			var ln rawLine
			s.eachVarint(func(num int, v uint64) {
				switch num {
				case 1:
					ln.function = v
				case 2:
					ln.line = int64(v)
				}
			})
			q.take(&s)
			r.lines = append(r.lines, ln)
			continue
		}
		if wire != 0 {
			q.skip(wire)
			continue
		}
		v := q.varint()
		switch num {
		case 1:
			l.id = v
		case 2:
			l.mapping = v
		case 3:
			l.address = v
		}
	}
	l.lines1 = int32(len(r.lines))
	return l
}

// idIndex maps the ids of a table (usually 1..n) to positions.
type idIndex struct {
	dense []int32 // dense[id] = position+1, when ids are small
	m     map[uint64]int32
}

func newIDIndex(n int, id func(int) uint64) (idIndex, error) {
	var x idIndex
	maxID := uint64(0)
	for i := 0; i < n; i++ {
		maxID = max(maxID, id(i))
	}
	if maxID <= uint64(4*n+16) {
		x.dense = make([]int32, maxID+1)
		for i := 0; i < n; i++ {
			if x.dense[id(i)] != 0 {
				return x, fmt.Errorf("id %d used twice", id(i))
			}
			x.dense[id(i)] = int32(i + 1)
		}
		return x, nil
	}
	x.m = make(map[uint64]int32, n)
	for i := 0; i < n; i++ {
		if _, dup := x.m[id(i)]; dup {
			return x, fmt.Errorf("id %d used twice", id(i))
		}
		x.m[id(i)] = int32(i + 1)
	}
	return x, nil
}

// get returns the position of id, or -1.
func (x *idIndex) get(id uint64) int {
	if x.dense != nil {
		if id < uint64(len(x.dense)) {
			return int(x.dense[id]) - 1
		}
		return -1
	}
	return int(x.m[id]) - 1
}

// str returns string i of the table, or an error message.
func (r *Tables) str(i int64) (string, bool) {
	if i < 0 || i >= int64(len(r.strs)) {
		return "", false
	}
	return string(r.strs[i]), true
}

// Decode decodes a profile into a Snapshot, interning its stacks.
func Decode(name string, data []byte, tab *stack.Table) (*Snapshot, error) {
	r, err := ReadTables(name, data)
	if err != nil {
		return nil, err
	}
	return BuildSnapshot(name, data, r, tab)
}

// ReadTables is the first pass of Decode, which needs no shared state
// and can run ahead of the second on another goroutine.
func ReadTables(name string, data []byte) (*Tables, error) {
	r, perr := DecodeTables(data)
	if perr != nil {
		return nil, &input.InputError{File: name, Pos: fmt.Sprintf("byte %d", perr.Off), Msg: "malformed pprof profile: " + perr.Msg}
	}
	return r, nil
}

// BuildSnapshot is the second pass of Decode: it checks the tables,
// interns frames and stacks, and sums the samples.
func BuildSnapshot(name string, data []byte, r *Tables, tab *stack.Table) (*Snapshot, error) {
	fail := func(off int, format string, args ...any) error {
		return &input.InputError{File: name, Pos: fmt.Sprintf("byte %d", off), Msg: "malformed pprof profile: " + fmt.Sprintf(format, args...)}
	}
	end := len(data)
	s := &Snapshot{Name: name, Duration: time.Duration(r.duration), Period: r.period}
	if r.timeNanos > 0 {
		s.Time = time.Unix(0, r.timeNanos).UTC()
	}
	for _, vt := range r.sampleTypes {
		t, ok1 := r.str(vt[0])
		u, ok2 := r.str(vt[1])
		if !ok1 || !ok2 {
			return nil, fail(end, "a sample type names string %d of %d", max(vt[0], vt[1]), len(r.strs))
		}
		s.SampleTypes = append(s.SampleTypes, series.ValueType{Type: t, Unit: u})
	}
	var ok bool
	if s.DefaultSampleType, ok = r.str(r.defaultType); !ok {
		return nil, fail(end, "default_sample_type names string %d of %d", r.defaultType, len(r.strs))
	}
	pt, ok1 := r.str(r.periodType[0])
	pu, ok2 := r.str(r.periodType[1])
	if !ok1 || !ok2 {
		return nil, fail(end, "period_type names a string out of range")
	}
	s.PeriodType = series.ValueType{Type: pt, Unit: pu}
	if len(s.SampleTypes) == 0 && len(r.samples) > 0 {
		return nil, fail(end, "samples without sample types")
	}

	// Mappings and the main binary.
	mapIdx, err := newIDIndex(len(r.mappings), func(i int) uint64 { return r.mappings[i].id })
	if err != nil {
		return nil, fail(end, "mapping %v", err)
	}
	for _, m := range r.mappings {
		file, ok1 := r.str(m.file)
		bid, ok2 := r.str(m.buildID)
		if !ok1 || !ok2 {
			return nil, fail(end, "a mapping names a string out of range")
		}
		if s.Binary == "" && file != "" && !strings.HasPrefix(file, "[") {
			s.Binary = bid
			if bid == "" {
				s.Binary = file
			}
		}
	}

	// Functions, then each location's frames. Names are looked up as views
	// of the input and copied only when first seen.
	fnIdx, err := newIDIndex(len(r.functions), func(i int) uint64 { return r.functions[i].id })
	if err != nil {
		return nil, fail(end, "function %v", err)
	}
	locIdx, err := newIDIndex(len(r.locations), func(i int) uint64 { return r.locations[i].id })
	if err != nil {
		return nil, fail(end, "location %v", err)
	}
	locFrames := make([][]int32, len(r.locations))
	frameBuf := make([]int32, 0, len(r.lines)+len(r.locations))
	for i, loc := range r.locations {
		start := len(frameBuf)
		if loc.lines0 == loc.lines1 {
			name := fmt.Sprintf("0x%x", loc.address)
			if j := mapIdx.get(loc.mapping); j >= 0 {
				m := r.mappings[j]
				if file, _ := r.str(m.file); file != "" {
					name = fmt.Sprintf("%s+0x%x", baseName(file), loc.address-m.start+m.offset)
				}
			}
			frameBuf = append(frameBuf, tab.Frame(series.Frame{Func: name}))
		}
		for _, ln := range r.lines[loc.lines0:loc.lines1] {
			var f series.Frame
			if ln.function != 0 {
				j := fnIdx.get(ln.function)
				if j < 0 {
					return nil, fail(end, "location %d names function %d, which does not exist", loc.id, ln.function)
				}
				fn := r.functions[j]
				if fn.name < 0 || fn.name >= int64(len(r.strs)) || fn.file < 0 || fn.file >= int64(len(r.strs)) {
					return nil, fail(end, "function %d names a string out of range", fn.id)
				}
				f.Func, f.File = stack.BytesString(r.strs[fn.name]), stack.BytesString(r.strs[fn.file])
			}
			f.Line = ln.line
			frameBuf = append(frameBuf, tab.FrameView(f))
		}
		locFrames[i] = frameBuf[start:len(frameBuf):len(frameBuf)]
	}

	// Second pass: the samples. pos[sid] is 1 + the stack's position in
	// s.Stacks, for the stacks seen in this profile.
	// Reserve only what the input can hold: each value and each location
	// id of a sample takes at least a byte of it, whatever the counts it
	// declares (100,000 sample types × 100,000 samples fit in a few
	// hundred bytes of gzip).
	nv := len(s.SampleTypes)
	sampleBytes := 0
	for _, at := range r.samples {
		sampleBytes += at[1]
	}
	tab.Reserve(len(r.samples), min(24*len(r.samples), sampleBytes))
	s.Stacks = make([]int32, 0, len(r.samples))
	s.Values = make([]int64, 0, min(len(r.samples)*nv, sampleBytes))
	pos := make([]int32, tab.NumStacks(), tab.NumStacks()+len(r.samples))
	var locs, vals []int64
	var ids []int32
	var labels [][2]int64 // string-label key and value indexes
	for _, at := range r.samples {
		q := pbuf{b: data[at[0] : at[0]+at[1]], base: at[0]}
		locs, vals, labels = locs[:0], vals[:0], labels[:0]
		for q.more() {
			num, wire := q.field()
			switch {
			case num == 1:
				locs = q.int64s(wire, locs)
			case num == 2:
				vals = q.int64s(wire, vals)
			case num == 3 && wire == 2:
				l := q.sub()
				var kv [2]int64
				l.eachVarint(func(num int, v uint64) {
					if num == 1 || num == 2 {
						kv[num-1] = int64(v)
					}
				})
				q.take(&l)
				if kv[1] != 0 {
					labels = append(labels, kv)
				}
			default:
				q.skip(wire)
			}
		}
		if q.err != nil {
			return nil, fail(q.err.Off, "%s", q.err.Msg)
		}
		if len(vals) != nv {
			return nil, fail(at[0], "a sample has %d values, expected %d (one per sample type)", len(vals), nv)
		}
		ids = ids[:0]
		for _, l := range locs {
			j := locIdx.get(uint64(l))
			if j < 0 {
				return nil, fail(at[0], "a sample names location %d, which does not exist", uint64(l))
			}
			ids = append(ids, locFrames[j]...)
		}
		if len(ids) > 0 && stackDepthLimits[len(locs)] && !isRootFrame(tab.FrameAt(ids[len(ids)-1]).Func) {
			s.Truncated++
		}
		sid := tab.Stack(ids)
		for int(sid) >= len(pos) {
			pos = append(pos, 0)
		}
		i := pos[sid] - 1
		if i < 0 {
			i = int32(len(s.Stacks))
			pos[sid] = i + 1
			s.Stacks = append(s.Stacks, sid)
			s.Values = append(s.Values, make([]int64, nv)...)
		}
		if len(labels) > 0 {
			text, ok := labelText(r, labels)
			if !ok {
				return nil, fail(at[0], "a sample label names a string out of range")
			}
			s.addLabels(int(i), text)
		}
		acc := s.Values[int(i)*nv : int(i)*nv+nv]
		for k, v := range vals {
			if v < 0 {
				s.Negative = true
			}
			acc[k] = satAdd(acc[k], v)
		}
	}
	return s, nil
}

// labelText renders a sample's string labels canonically (see canonLabels).
func labelText(r *Tables, labels [][2]int64) (string, bool) {
	pairs := make([][2]string, len(labels))
	for i, kv := range labels {
		k, ok1 := r.str(kv[0])
		v, ok2 := r.str(kv[1])
		if !ok1 || !ok2 {
			return "", false
		}
		pairs[i] = [2]string{k, v}
	}
	return stack.RenderLabels(pairs), true
}

// satAdd adds without wrapping around, so hostile values cannot flip sign.
func satAdd(a, b int64) int64 {
	c := a + b
	if (c > a) == (b > 0) {
		return c
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// SampleTypeNames returns the names of a profile's sample types, in order;
// nil when data is not a well-formed profile.
func SampleTypeNames(data []byte) []string {
	r, err := DecodeTables(data)
	if err != nil {
		return nil
	}
	var out []string
	for _, vt := range r.sampleTypes {
		if t, ok := r.str(vt[0]); ok {
			out = append(out, t)
		}
	}
	return out
}

// IsProfile reports whether data is a well-formed pprof profile.
func IsProfile(data []byte) bool {
	_, err := Scan(data)
	return err == nil
}

// KindOf names the sort of profile data is ("heap", "goroutine" …), as
// Snapshot.Kind does; "unknown" when its tables do not say.
func KindOf(data []byte) string {
	r, err := DecodeTables(data)
	if err != nil {
		return "unknown"
	}
	s := &Snapshot{}
	for _, vt := range r.sampleTypes {
		t, _ := r.str(vt[0])
		u, _ := r.str(vt[1])
		s.SampleTypes = append(s.SampleTypes, series.ValueType{Type: t, Unit: u})
	}
	return s.Kind()
}
