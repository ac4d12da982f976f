package pydump

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/graph"
)

// readDumpFile reads a dump file, gunzipping it when it is gzipped.
func readDumpFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func leakyDumps(t testing.TB) []string {
	files, err := filepath.Glob("../../testdata/pydump/leaky/*.pydump.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no leaky dumps: %v", err)
	}
	return files
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := readDumpFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lastRecord returns the last non-empty line of data.
func lastRecord(data []byte) []byte {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	return lines[len(lines)-1]
}

// edgeTo finds the edge out of node from with the given kind and label.
func edgeTo(h *graph.Heap, from int32, kind, label string) (int32, bool) {
	lo, hi := h.Edge(from)
	for e := lo; e < hi; e++ {
		if h.Kind(e).Name == kind && h.Label(e) == label {
			return h.EdgeTo[e], true
		}
	}
	return -1, false
}

// attrOf follows attribute name of instance n in both shapes FORMAT.md
// describes: a direct "attr" edge (3.11+ inline values) or "attr"
// "__dict__" then "key" 'name' (after the first dump materialized it).
func attrOf(h *graph.Heap, n int32, name string) (int32, bool) {
	if v, ok := edgeTo(h, n, "attr", name); ok {
		return v, true
	}
	if d, ok := edgeTo(h, n, "attr", "__dict__"); ok {
		return edgeTo(h, d, "key", "'"+name+"'")
	}
	return -1, false
}

func root(h *graph.Heap, kind, label string) (int32, bool) {
	for i, r := range h.Roots {
		if h.RootKindNames[h.RootKinds[i]] == kind && h.RootLabel[i] >= 0 && h.Strings[h.RootLabel[i]] == label {
			return r, true
		}
	}
	return -1, false
}

func checkHeap(t testing.TB, h *graph.Heap) {
	t.Helper()
	n := int32(h.NumNodes())
	if len(h.Start) != int(n)+1 || h.Start[n] != int64(len(h.EdgeTo)) {
		t.Fatalf("bad CSR: %d starts for %d nodes, %d edges", len(h.Start), n, len(h.EdgeTo))
	}
	for e, to := range h.EdgeTo {
		if to < 0 || to >= n {
			t.Fatalf("edge %d to %d of %d nodes", e, to, n)
		}
		if int(h.EdgeKinds[e]) >= len(h.Kinds) || h.EdgeLabels[e] >= int32(len(h.Strings)) {
			t.Fatalf("edge %d: kind %d label %d", e, h.EdgeKinds[e], h.EdgeLabels[e])
		}
	}
	for _, r := range h.Roots {
		if r < 0 || r >= n {
			t.Fatalf("root %d of %d nodes", r, n)
		}
	}
}

func TestLeakyDumps(t *testing.T) {
	prevRegistry := -1
	for _, path := range leakyDumps(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data := mustRead(t, path)
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Warnings) > 0 || d.Truncated {
				t.Fatalf("warnings %q truncated %v", d.Warnings, d.Truncated)
			}
			h := d.Heap
			checkHeap(t, h)
			var end struct {
				K              string
				Objects, Edges int
			}
			p := &parser{d: &Dump{}}
			if err := p.rare("end", lastRecord(data)); err != nil || p.end == nil {
				t.Fatalf("end record: %v", err)
			}
			end.Objects, end.Edges = int(*p.end.Objects), int(*p.end.Edges)
			// the dumper keeps every edge target: nothing is dropped
			if h.NumNodes() != end.Objects || h.NumEdges() != end.Edges {
				t.Errorf("%d nodes %d edges, the end record says %d and %d", h.NumNodes(), h.NumEdges(), end.Objects, end.Edges)
			}
			if d.Python != "3.11.7" || d.PID <= 0 || d.Time.IsZero() || d.Time.Year() < 2020 {
				t.Errorf("header: python %q pid %d time %v", d.Python, d.PID, d.Time)
			}
			if !d.GC.Enabled || len(d.GC.Thresholds) != 3 || d.GC.Thresholds[0] != 700 || len(d.GC.Counts) != 3 || d.Tracemalloc {
				t.Errorf("header gc %+v tracemalloc %v", d.GC, d.Tracemalloc)
			}
			if len(d.FDs) == 0 || d.FDs[0].FD != 0 || d.FDs[0].What != "file" || d.FDs[0].Detail != "/dev/null" || d.FDs[0].Object < 0 {
				t.Errorf("fds %+v", d.FDs)
			}
			if h.TypeName(d.FDs[0].Object) != "_io.FileIO" {
				t.Errorf("fd 0 object is a %s", h.TypeName(d.FDs[0].Object))
			}

			// __main__ -[attr __dict__]-> dict -[global 'REGISTRY']-> dict
			main, ok := root(h, "module", "__main__")
			if !ok || h.TypeName(main) != "builtins.module" {
				t.Fatalf("no module root __main__")
			}
			mainDict, ok := edgeTo(h, main, "attr", "__dict__")
			if !ok || h.TypeName(mainDict) != "builtins.dict" {
				t.Fatalf("__main__ has no __dict__")
			}
			reg, ok := edgeTo(h, mainDict, KindGlobal, "'REGISTRY'")
			if !ok || h.TypeName(reg) != "builtins.dict" {
				t.Fatalf("__main__.__dict__ has no 'REGISTRY'")
			}
			// REGISTRY: 100 entries per checkpoint, "req-N" -> bytes
			lo, hi := h.Edge(reg)
			if prevRegistry >= 0 && int(hi-lo) != prevRegistry+100 {
				t.Errorf("REGISTRY has %d entries, the previous dump %d", hi-lo, prevRegistry)
			}
			prevRegistry = int(hi - lo)
			if v, ok := edgeTo(h, reg, "key", "'req-0'"); !ok || h.TypeName(v) != "builtins.bytes" ||
				h.Strings[h.Values[v]] != "b'"+strings.Repeat("0", 32)+"'" {
				t.Errorf("REGISTRY['req-0'] missing or wrong")
			}
			// Handler.seen holds Request instances with inline attributes
			hcls, ok := edgeTo(h, mainDict, KindGlobal, "'Handler'")
			if !ok || h.TypeName(hcls) != "builtins.type" {
				t.Fatalf("no Handler class")
			}
			hd, ok := edgeTo(h, hcls, "attr", "__dict__")
			if !ok {
				t.Fatalf("Handler has no __dict__")
			}
			seen, ok := edgeTo(h, hd, "key", "'seen'")
			if !ok || h.TypeName(seen) != "builtins.list" {
				t.Fatalf("no Handler.seen")
			}
			// the dumps in testdata were written before the dumper's fix of
			// list/tuple index labels (they were reversed): find the first
			// Request by its path, and check the labels are the indexes
			lo, hi = h.Edge(seen)
			req := int32(-1)
			labels := map[string]bool{}
			for e := lo; e < hi; e++ {
				labels[h.Label(e)] = true
				r := h.EdgeTo[e]
				if h.TypeName(r) != "__main__.Request" || h.Kind(e).Name != "index" {
					t.Fatalf("Handler.seen holds a %s by a %s edge", h.TypeName(r), h.Kind(e).Name)
				}
				if p, ok := attrOf(h, r, "path"); ok && h.Strings[h.Values[p]] == "/api/item/10" {
					req = r
				}
			}
			for i := range hi - lo {
				if !labels["["+strconv.Itoa(int(i))+"]"] {
					t.Errorf("Handler.seen has no edge labelled [%d]", i)
				}
			}
			if req < 0 {
				t.Fatalf("Handler.seen has no Request for /api/item/10")
			}
			if _, ok := edgeTo(h, req, "class", "__class__"); !ok {
				t.Errorf("Request has no __class__ edge")
			}
			// the kinds with costs are declared
			costs := map[string]int{}
			for _, k := range h.Kinds {
				costs[k.Name] = k.Cost
				if k.Weak != (k.Name == KindWeakref) {
					t.Errorf("kind %q weak %v: only weakref is", k.Name, k.Weak)
				}
			}
			if costs[KindGlobal] != CostGlobal || costs[KindGarbage] != CostGarbage {
				t.Errorf("costs %v", costs)
			}
			// gc.garbage is found (empty in these dumps)
			gcm, ok := root(h, "module", "gc")
			if !ok {
				t.Fatal("no gc module root")
			}
			gcd, _ := edgeTo(h, gcm, "attr", "__dict__")
			if g, ok := edgeTo(h, gcd, KindGlobal, "'garbage'"); !ok || h.TypeName(g) != "builtins.list" {
				t.Errorf("no gc.garbage")
			}
			// flags
			tracked := 0
			for _, f := range h.Flags {
				if f&FlagTracked != 0 {
					tracked++
				}
			}
			if tracked == 0 || h.Flags[mainDict]&FlagTracked == 0 || h.Flags[reg]&FlagTracked != 0 {
				t.Errorf("tracked flags: %d", tracked)
			}
			// the retainer path of a leaked Request goes through Handler.seen
			r := graph.ShortestRetainers(h)
			path, ok := r.Path(req)
			if !ok || len(path) < 4 || h.EdgeTo[path[len(path)-1]] != req || h.Label(path[len(path)-2]) != "'seen'" {
				t.Errorf("path to Handler.seen[0]: %v", path)
			}
		})
	}
}

func TestGarbageCost(t *testing.T) {
	// a gc module whose garbage list holds object 50, also reachable
	// through a longer ordinary path
	dump := header(1) + `{"k":"t","i":0,"n":"builtins.module"}
{"k":"t","i":1,"n":"builtins.dict"}
{"k":"t","i":2,"n":"builtins.list"}
{"k":"t","i":3,"n":"x.Obj"}
{"k":"o","id":10,"t":0,"s":72,"f":4,"e":[[11,"attr","__dict__"]]}
{"k":"o","id":11,"t":1,"s":100,"f":4,"e":[[12,"key","'garbage'"]]}
{"k":"o","id":12,"t":2,"s":64,"f":4,"e":[[50,"index","[0]"]]}
{"k":"o","id":50,"t":3,"s":48,"f":7,"e":[]}
{"k":"o","id":20,"t":3,"s":48,"f":4,"e":[[21,"attr","a"]]}
{"k":"o","id":21,"t":3,"s":48,"f":4,"e":[[50,"attr","b"]]}
{"k":"r","id":10,"kind":"module","label":"gc"}
{"k":"r","id":20,"kind":"thread","label":"MainThread"}
{"k":"end","objects":6,"edges":5,"seconds":0.001}
`
	d, err := Parse([]byte(dump))
	if err != nil || len(d.Warnings) > 0 {
		t.Fatalf("%v %q", err, d.Warnings)
	}
	h := d.Heap
	if k := h.Kind(h.Start[2]); k.Name != KindGarbage || k.Cost != CostGarbage {
		t.Errorf("gc.garbage edge kind %+v", k)
	}
	if k := h.Kind(h.Start[1]); k.Name != KindGlobal || h.Label(h.Start[1]) != "'garbage'" {
		t.Errorf("gc.__dict__ edge kind %+v", k)
	}
	if h.Flags[3] != FlagGarbage|FlagFinalizer|FlagTracked {
		t.Errorf("flags %b", h.Flags[3])
	}
	r := graph.ShortestRetainers(h)
	if path, ok := r.Path(3); !ok || len(path) != 2 || h.Label(path[1]) != "b" {
		t.Errorf("path to the garbage object goes %v", path)
	}
}

func header(version int) string {
	v := "1"
	if version != 1 {
		v = string(rune('0' + version))
	}
	return `{"format":"leakscan-pydump","version":` + v + `,"pid":7,"time":"2026-11-21T09:29:40.517784Z","python":"3.12.1","implementation":"cpython","gc":{"enabled":false,"debug":32,"saveall":true,"thresholds":[700,10,10],"counts":[1,2,3]},"tracemalloc":true}` + "\n"
}

func TestEscapesAndForwardEdges(t *testing.T) {
	dump := header(1) + `{"k":"t","i":0,"n":"builtins.dict"}
{"e":[[2,"key","'a\"b'"],[3,"key","\u00e9"],[4, "key" , "\ud83d\ude00"],[99,"key","gone"],[2,"weird-kind","x\\y\/z\n"],[5,"key","\ud83d"]],"s":10,"t":0,"id":1,"k":"o","f":4,"new":{"a":[1,2.5e3,{"b":null}],"c":true}}
{"k":"t","i":1,"n":"builtins.str"}
{"k":"o","id":2,"t":1,"s":50,"f":0,"v":"caf\u00e9 \"q\" \\ \t"}
{"k":"o","id":3,"t":1,"s":50,"f":0,"v":null,"tb":[["a.py",1]]}
{"k":"o","id":4,"t":1,"s":50,"f":0}
{"k":"o","id":5,"t":1,"s":50,"f":0,"v":""}
{"k":"r","id":1,"kind":"external","label":""}
{"k":"r","id":77,"kind":"external","label":""}
{"k":"future","x":1}
{"k":"future","x":2}
{"k":"fd","fd":3,"what":"socket","detail":"127.0.0.1:1->127.0.0.1:2","id":2}
{"k":"fd","fd":4,"what":"pipe","detail":"pipe:[1]"}
{"k":"task","id":1,"state":"pending","coro":"main.handler","stack":[["main.py",42,"handler"],["locks.py",213,"wait"]],"waiting_on":"Event.wait"}
{"k":"end","objects":5,"edges":6,"seconds":0.001}
`
	d, err := Parse([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Heap
	checkHeap(t, h)
	if h.NumNodes() != 5 || h.NumEdges() != 5 {
		t.Fatalf("%d nodes %d edges", h.NumNodes(), h.NumEdges())
	}
	want := []struct {
		kind, label string
		to          int32
	}{
		{"key", `'a"b'`, 1},
		{"key", "é", 2},
		{"key", "😀", 3},
		{"weird-kind", "x\\y/z\n", 1},
		{"key", "\uFFFD", 4},
	}
	for i, w := range want {
		e := h.Start[0] + int64(i)
		if h.Kind(e).Name != w.kind || h.Label(e) != w.label || h.EdgeTo[e] != w.to {
			t.Errorf("edge %d: %s %q -> %d, want %s %q -> %d", i, h.Kind(e).Name, h.Label(e), h.EdgeTo[e], w.kind, w.label, w.to)
		}
	}
	if v := h.Strings[h.Values[1]]; v != "café \"q\" \\ \t" {
		t.Errorf("value %q", v)
	}
	if h.Values[2] != -1 || h.Values[3] != -1 || h.Values[4] != -1 {
		t.Errorf("values %v", h.Values)
	}
	if h.IDs[0] != 1 || h.IDs[4] != 5 || h.Sizes[0] != 10 || h.TypeName(1) != "builtins.str" {
		t.Errorf("nodes %v %v", h.IDs, h.Sizes)
	}
	if len(h.Roots) != 1 {
		t.Errorf("roots %v", h.Roots)
	}
	if d.PID != 7 || d.Python != "3.12.1" || !d.Tracemalloc || d.GC.Enabled || !d.GC.SaveAll || d.GC.Debug != 32 || d.GC.Counts[2] != 3 {
		t.Errorf("header %+v", d)
	}
	if d.Time.Nanosecond() != 517784000 || d.Time.Minute() != 29 {
		t.Errorf("time %v", d.Time)
	}
	if len(d.FDs) != 2 || d.FDs[0] != (FD{3, "socket", "127.0.0.1:1->127.0.0.1:2", 1}) || d.FDs[1].Object != -1 {
		t.Errorf("fds %+v", d.FDs)
	}
	if len(d.Tasks) != 1 || d.Tasks[0].Object != 0 || d.Tasks[0].WaitingOn != "Event.wait" || d.Tasks[0].Coro != "main.handler" ||
		len(d.Tasks[0].Stack) != 2 || d.Tasks[0].Stack[1] != (TaskFrame{"locks.py", 213, "wait"}) {
		t.Errorf("tasks %+v", d.Tasks)
	}
	wantWarn := []string{
		"line 11: 2 records of unknown kinds (first \"future\") skipped",
		"line 3: 1 unknown keys (first \"new\") skipped",
		"line 10: 1 roots name objects that are not in the dump; they are dropped",
		"line 3: 1 edges point to objects that are not in the dump (the first in this object record); they are dropped",
	}
	if strings.Join(d.Warnings, "\n") != strings.Join(wantWarn, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(d.Warnings, "\n"), strings.Join(wantWarn, "\n"))
	}
}

func TestTruncated(t *testing.T) {
	data := mustRead(t, leakyDumps(t)[0])
	lines := bytes.SplitAfter(data, []byte("\n"))
	// cut in the middle of line 5000
	cut := 0
	for _, l := range lines[:4999] {
		cut += len(l)
	}
	for _, c := range []struct {
		data []byte
		line int
	}{
		{data[:cut+37], 5000},                 // a line cut in the middle
		{data[:cut], 5000},                    // cut after a complete line
		{data[:cut-1], 4999},                  // cut before a newline (line 4999 is complete JSON)
		{data[:len(data)-10], len(lines) - 1}, // the end record cut
	} {
		d, err := Parse(c.data)
		if err != nil {
			t.Fatalf("%d bytes: %v", len(c.data), err)
		}
		want := lineMsg(c.line, "the dump ends without its end record (truncated?)")
		// and edges to objects after the cut are dropped
		if !d.Truncated || len(d.Warnings) > 2 || d.Warnings[0] != want || (len(d.Warnings) == 2) != (c.line < len(lines)-1) ||
			len(d.Warnings) == 2 && !strings.Contains(d.Warnings[1], "edges point to objects that are not in the dump") {
			t.Errorf("%d bytes: truncated %v warnings %q, want %q", len(c.data), d.Truncated, d.Warnings, want)
		}
		checkHeap(t, d.Heap)
		if d.Heap.NumNodes() == 0 {
			t.Errorf("no nodes read")
		}
	}

	// a gzip stream cut short, as a partial copy of a file would be
	raw, err := os.ReadFile(leakyDumps(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw[:len(raw)/2]))
	if err != nil {
		t.Fatal(err)
	}
	part, err := io.ReadAll(zr)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading half a gzip file: %v", err)
	}
	d, err := Parse(part)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Truncated || len(d.Warnings) == 0 || d.Heap.NumNodes() < 1000 {
		t.Errorf("half a dump: truncated %v warnings %q, %d nodes", d.Truncated, d.Warnings, d.Heap.NumNodes())
	}
	// edges into the missing part are dropped with one warning
	n := 0
	for _, w := range d.Warnings {
		if strings.Contains(w, "edges point to objects that are not in the dump") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("warnings %q", d.Warnings)
	}
}

func lineMsg(line int, msg string) string {
	return (&Error{Line: line, Msg: msg}).Error()
}

func TestCorrupted(t *testing.T) {
	data := mustRead(t, leakyDumps(t)[0])
	lines := bytes.SplitAfter(data, []byte("\n"))
	replace := func(line int, with string) []byte {
		var out []byte
		for i, l := range lines {
			if i == line-1 {
				out = append(out, with...)
				out = append(out, '\n')
			} else {
				out = append(out, l...)
			}
		}
		return out
	}
	objLine := 0
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte(`{"k":"o"`)) && bytes.Count(l, []byte("[")) > 2 && i > 100 {
			objLine = i + 1
			break
		}
	}
	obj := strings.TrimSuffix(string(lines[objLine-1]), "\n")
	for _, c := range []struct {
		name string
		data []byte
		line int
		msg  string
	}{
		{"not json", replace(objLine, "hello"), objLine, "expected a JSON object record"},
		{"cut", replace(objLine, obj[:len(obj)-5]), objLine, "expected"},
		{"bad edge", replace(objLine, strings.Replace(obj, `"e":[[`, `"e":[["x",`, 1)), objLine, "expected an edge's target id"},
		{"bad id", replace(objLine, strings.Replace(obj, `"id":`, `"id":-`, 1)), objLine, `expected an object id ("id")`},
		{"no kind", replace(objLine, `{"id":1}`), objLine, `expected a record kind ("k")`},
		{"duplicate", replace(objLine, strings.TrimSuffix(string(lines[2]), "\n")), objLine, "already defined at line 3"},
		{"bad type", replace(objLine, `{"k":"o","id":5,"t":100000,"s":1,"f":0,"e":[]}`), objLine, "expected a type index defined by an earlier type record"},
		{"bad size", replace(objLine, `{"k":"o","id":5,"t":0,"s":-1,"f":0,"e":[]}`), objLine, "expected a size"},
		{"trailing", replace(objLine, obj+"x"), objLine, "expected the end of the line"},
		{"bad fd", replace(len(lines)-1, `{"k":"fd","fd":"x"}`), len(lines) - 1, "expected an fd record"},
		{"bad escape", replace(objLine, `{"k":"o","id":5,"t":0,"s":1,"f":0,"v":"\x","e":[]}`), objLine, "expected a valid escape"},
		{"bad type index", replace(2, `{"k":"t","i":5,"n":"x"}`), 2, "expected type index 0"},
	} {
		_, err := Parse(c.data)
		var pe *Error
		if !errors.As(err, &pe) || pe.Line != c.line || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("%s: error %v, want line %d: %s…", c.name, err, c.line, c.msg)
		}
	}
}

func TestHeaders(t *testing.T) {
	for _, c := range []struct {
		data, want string
	}{
		{"", "line 1: expected a leakscan-pydump header, found an empty file"},
		{"hello\n", "line 1: expected a leakscan-pydump header"},
		{`{"format":"other","version":1}` + "\n", "line 1: expected a leakscan-pydump header"},
		{"\x1f\x8b\x08\x00", "line 1: expected a leakscan-pydump header"},
		{header(2), "line 1: written by a newer dumper: version 2, this leakscan reads 1"},
		{`{"format":"leakscan-pydump"}` + "\n", "line 1: expected a version in the leakscan-pydump header"},
		{`{"format":"leakscan-pydump","version":1,"pid":"x"}` + "\n", "line 1: expected a leakscan-pydump header: json: cannot unmarshal"},
	} {
		_, err := Parse([]byte(c.data))
		var pe *Error
		if !errors.As(err, &pe) || pe.Line != 1 || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v, want %s", c.data, err, c.want)
		}
	}
	// a header alone: truncated, empty
	d, err := Parse([]byte(header(1)))
	if err != nil || !d.Truncated || d.Heap.NumNodes() != 0 || len(d.Warnings) != 1 || d.Warnings[0] != lineMsg(2, "the dump ends without its end record (truncated?)") {
		t.Errorf("header only: %v %+v", err, d)
	}
}

func TestRecordsAfterEndAndCounts(t *testing.T) {
	dump := header(1) + `{"k":"t","i":0,"n":"builtins.list"}
{"k":"o","id":1,"t":0,"s":56,"f":4,"e":[[1,"index","[0]"]]}

{"k":"end","objects":2,"edges":1,"seconds":0.001}
{"k":"o","id":2,"t":0,"s":56,"f":4,"e":[]}
`
	d, err := Parse([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"line 6: 1 lines after the end record ignored",
		"line 5: the end record counts 2 objects, the dump has 1",
	}
	if strings.Join(d.Warnings, "|") != strings.Join(want, "|") || d.Truncated {
		t.Errorf("warnings %q", d.Warnings)
	}
}

func TestManyKinds(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(header(1) + `{"k":"t","i":0,"n":"x"}` + "\n")
	sb.WriteString(`{"k":"o","id":1,"t":0,"e":[`)
	for i := 0; i < 300; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`[1,"k` + strings.Repeat("x", i) + `",""]`)
	}
	sb.WriteString("]}\n")
	for i := 0; i < 300; i++ {
		sb.WriteString(`{"k":"r","id":1,"kind":"r` + strings.Repeat("x", i) + `","label":""}` + "\n")
	}
	sb.WriteString(`{"k":"end","objects":1,"edges":300}` + "\n")
	d, err := Parse([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	checkHeap(t, d.Heap)
	if len(d.Heap.Kinds) > 256 || len(d.Heap.RootKindNames) > maxRootKinds+1 || d.Heap.NumEdges() != 300 || len(d.Heap.Roots) != 300 {
		t.Errorf("%d kinds, %d root kinds, %d edges", len(d.Heap.Kinds), len(d.Heap.RootKindNames), d.Heap.NumEdges())
	}
}

// FuzzParse: whatever the bytes, Parse returns a dump or an *Error with a
// line, never panics, and a dump it returns has a valid heap, no larger
// than its input allows, on which the graph algorithms run.
//
// Seeds and inputs are kept small (at most maxFuzzInput bytes) so that
// each run takes microseconds: the fuzzer's minimization of a large new
// input used to stall the campaign for seconds at a time.
func FuzzParse(f *testing.F) {
	const maxFuzzInput = 16 << 10
	for i, path := range leakyDumps(f) {
		if i >= 2 {
			break
		}
		data := mustRead(f, path)
		for _, n := range []int{1000, 4000} {
			f.Add(data[:n])
		}
		// the tail: roots, fds, end, behind a header
		hdr := data[:bytes.IndexByte(data, '\n')+1]
		f.Add(append(append([]byte{}, hdr...), data[len(data)-3000:]...))
	}
	// the hostile cases: ids chosen to collide in an unseeded hash, more
	// kinds than the builder holds
	f.Add(idDump(collidingIDs(40)))
	var kinds strings.Builder
	kinds.WriteString(header(1) + `{"k":"t","i":0,"n":"x"}` + "\n" + `{"k":"o","id":1,"t":0,"e":[`)
	for i := range 260 {
		if i > 0 {
			kinds.WriteByte(',')
		}
		kinds.WriteString(`[1,"k` + strconv.Itoa(i) + `",""]`)
	}
	kinds.WriteString("]}\n")
	for i := range 70 {
		kinds.WriteString(`{"k":"r","id":1,"kind":"r` + strconv.Itoa(i) + `"}` + "\n")
	}
	f.Add([]byte(kinds.String()))
	f.Add([]byte(header(1) + `{"k":"t","i":0,"n":"builtins.dict"}
{"k":"o","id":1,"t":0,"s":1,"f":7,"v":"\ud83d\ude00","e":[[1,"key","'a\"b'"],[2,"x","\u00e9"]]}
{"k":"o","id":2,"t":0,"e":[],"z":[{"a":[]}]}
{"k":"r","id":1,"kind":"module","label":"gc"}
{"k":"fd","fd":1,"what":"file","detail":"/x","id":1}
{"k":"task","id":2,"state":"pending","coro":"m.f","stack":[["m.py",1,"f"]]}
{"k":"end","objects":2,"edges":2,"seconds":0}
`))
	f.Add([]byte(header(1) + `{"k":"t","i":0,"n":"asyncio.Loop"}
{"k":"o","id":1,"t":0,"s":1,"f":4,"e":[]}
{"k":"loop","id":1,"type":"asyncio.Loop","running":true,"closed":false,"ready":2,"timers":3,"timer_callbacks":[["m.tick",3],["x"]]}
{"k":"task","id":1,"state":"finished","coro":"m.g","stack":[],"exception":"builtins.ValueError"}
{"k":"coro","id":9,"coro":"m.h","file":"m.py","line":"x"}
{"k":"end","objects":1,"edges":0,"seconds":0}
`))
	// the asyncio records of a real dump (the tasks story)
	if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pydump", "tasks", "heap-2.pydump.gz")); err == nil {
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			if plain, err := io.ReadAll(zr); err == nil {
				hdr := plain[:bytes.IndexByte(plain, '\n')+1]
				f.Add(append(append([]byte{}, hdr...), plain[len(plain)-3000:]...))
			}
		}
	}
	f.Add([]byte(header(1) + `{"k":"t","i":0,"n":"builtins.str"}
{"k":"o","id":1,"t":0,"s":1,"f":0,"tb":[["a.py",1],["b.py",2]],"e":[]}
{"k":"o","id":2,"t":0,"s":1,"f":0,"tb":[["a.py",1],["b.py",2]],"e":[]}
{"k":"o","id":3,"t":0,"s":1,"f":0,"tb":[["a.py"]],"e":[]}
{"k":"o","id":4,"t":0,"s":1,"f":0,"tb":null,"e":[]}
{"k":"end","objects":4,"edges":0,"seconds":0}
`))
	f.Add([]byte(header(1) + `{"k":"o","id":1}`))
	f.Add([]byte(header(2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		d, err := Parse(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error %v is not an *Error with a line", err)
			}
			return
		}
		h := d.Heap
		checkHeap(t, h)
		// an object record takes at least 16 bytes, an edge 6
		if h.NumNodes()*16 > len(data)+16 || h.NumEdges()*6 > len(data) {
			t.Fatalf("%d bytes gave %d nodes and %d edges", len(data), h.NumNodes(), h.NumEdges())
		}
		doms := graph.ComputeDominators(h)
		graph.RetainedSizes(h, doms)
		paths := graph.ShortestRetainers(h)
		for n := range int32(h.NumNodes()) {
			paths.Path(n)
		}
		graph.SCCs(h)
		for _, fd := range d.FDs {
			if fd.Object < -1 || fd.Object >= int32(d.Heap.NumNodes()) {
				t.Fatalf("fd object %d", fd.Object)
			}
		}
		for _, w := range d.Warnings {
			if !strings.HasPrefix(w, "line ") {
				t.Fatalf("warning %q", w)
			}
		}
	})
}

// TestDumpAndParse runs the dumper on a small program and reads its dump:
// list and tuple items are labelled by their index (the dumper once
// labelled them in gc.get_referents order, which is last to first).
func TestDumpAndParse(t *testing.T) {
	out := filepath.Join(t.TempDir(), "small.pydump")
	prog := `import sys
sys.path.insert(0, sys.argv[1])
import leakscan_dump
ITEMS = ["item-%d" % i for i in range(5)]
PAIR = ("first-" + "x", "second-" + "y", 3.5)
leakscan_dump.dump(sys.argv[2], values=True)
`
	runPython(t, "-S", "-c", prog, out)
	d, err := Parse(mustRead(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) > 0 || d.Truncated {
		t.Fatalf("warnings %q", d.Warnings)
	}
	h := d.Heap
	checkHeap(t, h)
	main, ok := root(h, "module", "__main__")
	if !ok {
		t.Fatal("no __main__")
	}
	md, _ := edgeTo(h, main, "attr", "__dict__")
	items, ok := edgeTo(h, md, KindGlobal, "'ITEMS'")
	if !ok {
		t.Fatal("no ITEMS")
	}
	for i := range 5 {
		v, ok := edgeTo(h, items, "index", "["+strconv.Itoa(i)+"]")
		if !ok || h.Strings[h.Values[v]] != "item-"+strconv.Itoa(i) {
			t.Errorf("ITEMS[%d] is not item-%d", i, i)
		}
	}
	pair, ok := edgeTo(h, md, KindGlobal, "'PAIR'")
	if !ok || h.TypeName(pair) != "builtins.tuple" {
		t.Fatal("no PAIR")
	}
	for i, want := range []string{"first-x", "second-y", "3.5"} {
		v, ok := edgeTo(h, pair, "index", "["+strconv.Itoa(i)+"]")
		if !ok || h.Strings[h.Values[v]] != want {
			t.Errorf("PAIR[%d] is not %s", i, want)
		}
	}
}

// TestAllocTracebacks: tracebacks are interned, a malformed one is left
// out with a warning naming its line, objects without one get -1.
func TestAllocTracebacks(t *testing.T) {
	d, err := Parse([]byte(header(1) + `{"k":"t","i":0,"n":"builtins.str"}
{"k":"o","id":1,"t":0,"s":1,"f":0,"e":[]}
{"k":"o","id":2,"t":0,"s":1,"f":0,"tb":[["a.py",1],["b.py",2]],"e":[]}
{"k":"o","id":3,"t":0,"s":1,"f":0,"tb":[["a.py",1],["b.py",2]],"e":[]}
{"k":"o","id":4,"t":0,"s":1,"f":0,"tb":[["a.py"]],"e":[]}
{"k":"o","id":5,"t":0,"s":1,"f":0,"e":[]}
{"k":"end","objects":5,"edges":0,"seconds":0}
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{-1, 0, 0, -1, -1}; !slices.Equal(d.Allocs, want) {
		t.Errorf("allocs %v, want %v", d.Allocs, want)
	}
	if want := []AllocFrame{{"a.py", 1}, {"b.py", 2}}; len(d.Tracebacks) < 1 || !slices.Equal(d.Tracebacks[0], want) {
		t.Errorf("tracebacks %v, want [%v …]", d.Tracebacks, want)
	}
	if len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0], "line 6: allocation traceback") {
		t.Errorf("warnings %q", d.Warnings)
	}
}
