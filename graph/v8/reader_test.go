package v8

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/graph"
)

// mini is a hand-written snapshot in the layout of Node 20 with the node
// fields in another order and an extra field, so that nothing may be
// assumed about the layout. Nodes (index: type name id size edges):
//
//	0 synthetic ""            1   0 3   → (GC roots), shortcut global, Node / Environment
//	1 synthetic (GC roots)    3   0 1   → (Global handles)
//	2 synthetic (Global handles) 5 0 1  → [0] global
//	3 object    global        7  40 5   → bus, wm, weak w, shortcut div, Key
//	4 object    Session       9  48 2   → user, internal "7" (a slot) → closure
//	5 string    user-1       11  24 0
//	6 closure   onUpdate     13  64 1   → context
//	7 object    system / Context 15 40 1 → context session → Session
//	8 object    WeakMap      17  24 1   → table
//	9 array     ""           19 100 1   → ephemeron entry → value (Node 20's name: "1 / part of key …")
//	10 object   Key          21  16 1   → ephemeron value → value (older V8's name: "part of key …")
//	11 object   Value        23  16 0
//	12 native   Node / Environment 25 2568 0
//	13 code     system / Map (String) 27 72 0
//	14 object   Detached div 29  80 0 (detached)
const mini = `{"snapshot":{"meta":{
 "node_fields":["name","type","id","edge_count","extra","self_size","detachedness"],
 "node_types":["string",["hidden","array","string","object","code","closure","regexp","number","native","synthetic"],"number","number","number","number","number"],
 "edge_fields":["type","name_or_index","to_node"],
 "edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],
 "location_fields":["object_index","script_id","line","column"]},
 "node_count":15,"edge_count":17,"trace_function_count":0},
"nodes":[0,9,1,3,0,0,0,
 1,9,3,1,0,0,0,
 2,9,5,1,0,0,0,
 3,3,7,5,9,40,0,
 4,3,9,2,0,48,0,
 5,2,11,0,0,24,0,
 6,5,13,1,0,64,0,
 7,3,15,1,0,40,0,
 8,3,17,1,0,24,0,
 0,1,19,1,0,100,0,
 9,3,21,1,0,16,0,
 10,3,23,0,0,16,0,
 11,8,25,0,0,2568,0,
 12,4,27,0,0,72,0,
 21,3,29,0,0,80,2],
"edges":[1,0,7, 5,0,21, 1,1,84,
 1,0,14,
 1,0,21,
 2,13,28, 2,14,56, 6,15,35, 5,0,98, 2,9,70,
 2,16,35, 3,17,42,
 3,22,49,
 0,16,28,
 3,18,63,
 3,19,77,
 3,20,77],
"trace_function_infos":[],"trace_tree":[[1,0,0,0,[]]],"samples":[],
"locations":[42,3,47,19],
"strings":["","(GC roots)","(Global handles)","global","Session","user-1","onUpdate","system / Context","WeakMap",
 "Key","Value","Node / Environment","system / Map (String)","bus","wm","w","user","7","table",
 "1 / part of key (Key @21) -> value (Value @23) pair in WeakMap (table @19)",
 "part of key (Key @21) -> value (Value @23) pair in WeakMap (table @19)","Detached div","context"]}`

func parseMini(t *testing.T) *Snapshot {
	t.Helper()
	s, err := Parse([]byte(mini))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// edgeTo returns the kind and label of v's edge to node w.
func edgeTo(h *graph.Heap, v, w int32) (graph.EdgeKind, string) {
	for e := h.Start[v]; e < h.Start[v+1]; e++ {
		if h.EdgeTo[e] == w {
			return h.Kind(e), h.Label(e)
		}
	}
	return graph.EdgeKind{Name: "none"}, ""
}

func TestParseMini(t *testing.T) {
	s := parseMini(t)
	h := s.Heap
	if h.NumNodes() != 15 || h.NumEdges() != 17 {
		t.Fatalf("%d nodes, %d edges", h.NumNodes(), h.NumEdges())
	}
	wantTypes := []string{"(synthetic)", "(GC roots)", "(Global handles)", "global", "Session", "(string)", "(closure) onUpdate",
		"system / Context", "WeakMap", "(array)", "Key", "Value", "Node / Environment", "system / Map", "Detached div"}
	for v, want := range wantTypes {
		if got := h.TypeName(int32(v)); got != want {
			t.Errorf("node %d: type %q, want %q", v, got, want)
		}
	}
	if h.IDs[4] != 9 || h.Sizes[4] != 48 || h.Value(5) != "user-1" || h.Value(13) != "system / Map (String)" || h.Value(4) != "" {
		t.Errorf("session id %d size %d; string value %q; map value %q", h.IDs[4], h.Sizes[4], h.Value(5), h.Value(13))
	}
	if h.Value(6) != "48:20" {
		t.Errorf("closure value %q, want its position 48:20 (no script known)", h.Value(6))
	}
	if h.Flags[14]&FlagDetached == 0 || h.Flags[4]&FlagDetached != 0 || h.Flags[13]&FlagCode == 0 || h.Flags[4]&FlagCode != 0 {
		t.Errorf("flags %v", h.Flags)
	}
	for _, c := range []struct {
		from, to int32
		kind     string
		weak     bool
		label    string
	}{
		{3, 4, "property", false, "bus"},
		{3, 14, "shortcut", true, ""},
		{3, 5, "weak", true, "w"},
		{4, 5, "property", false, "user"},
		{4, 6, "index", false, "[7]"}, // internal "7": a slot
		{6, 7, "internal", false, "context"},
		{7, 4, "context", false, "user"},
		{9, 11, KindWeakMapEntry, true, ""},
		{10, 11, KindWeakMapValue, false, ""},
		{2, 3, "index", false, "[0]"},
	} {
		k, l := edgeTo(h, c.from, c.to)
		if k.Name != c.kind || k.Weak != c.weak || l != c.label {
			t.Errorf("edge %d→%d: %s weak=%v %q, want %s weak=%v %q", c.from, c.to, k.Name, k.Weak, l, c.kind, c.weak, c.label)
		}
	}
	var roots []string
	for i, r := range h.Roots {
		roots = append(roots, h.RootKindNames[h.RootKinds[i]]+" "+h.TypeName(r))
		if h.RootLabel[i] >= 0 {
			roots[i] += " label " + h.Strings[h.RootLabel[i]]
		}
	}
	want := "user root global|gc root (Global handles) label (Global handles)|embedder root Node / Environment|synthetic root (synthetic)|synthetic root (GC roots)"
	if got := strings.Join(roots, "|"); got != want {
		t.Errorf("roots\n%s\nwant\n%s", got, want)
	}
	if len(s.Locations) != 1 || s.Locations[0] != (Location{Node: 6, Script: 3, Line: 47, Column: 19}) {
		t.Errorf("locations %+v", s.Locations)
	}
	// The WeakMap value is kept by its key, not by the table; the
	// detached div only by a shortcut: unreachable.
	reach := graph.Reachable(h)
	if !reach[11] || reach[14] {
		t.Errorf("reachable: value %v, detached div %v", reach[11], reach[14])
	}
	dom := graph.ComputeDominators(h)
	if dom.Idom[11] != 10 {
		t.Errorf("the WeakMap value's dominator is %d, want the key (10)", dom.Idom[11])
	}
}

// TestBadInput: every malformed snapshot gives one line with the byte
// offset and what was expected.
func TestBadInput(t *testing.T) {
	at := func(sub string) int { return strings.Index(mini, sub) }
	replace := func(old, new string) string {
		if !strings.Contains(mini, old) {
			t.Fatalf("%q not in mini", old)
		}
		return strings.Replace(mini, old, new, 1)
	}
	cut := func(sub string) string { return mini[:at(sub)] }
	edgesAt := at(`"edges"`)
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty", "", "byte 0: expected '{' starting a heap snapshot, found the end of the input"},
		{"not json", "hello", `byte 0: expected '{' starting a heap snapshot, found 'h'`},
		{"truncated in nodes", cut("4,3,9,2"), "byte " + strconv.Itoa(at(`"nodes"`)+8) + ": snapshot.node_count declares 15 records, more than the 66 bytes left can hold"},
		{"truncated in strings", cut(`ntext"]}`), "byte " + strconv.Itoa(at(`"context"]}`)) + ": string not terminated before the end of the input"},
		{"edge counts do not sum", replace(`"edge_count":17`, `"edge_count":18`),
			"byte " + strconv.Itoa(edgesAt-3) + ": the nodes' edge counts add up to 17 edges, snapshot.edge_count says 18"},
		{"more edges than declared", replace(`0,9,1,3,0`, `0,9,1,4,0`), ""}, // checked below by prefix
		{"to_node out of range", replace(`1,0,7, 5,0,21`, `1,0,7, 5,0,105`),
			"byte " + strconv.Itoa(at(`21, 1,1,84`)) + ": edge 1 of node 0: to_node 105 is not the start of a node record (15 nodes of 7 fields)"},
		{"to_node not a multiple", replace(`1,0,7, 5,0,21`, `1,0,7, 5,0,22`),
			"byte " + strconv.Itoa(at(`21, 1,1,84`)) + ": edge 1 of node 0: to_node 22 is not the start of a node record (15 nodes of 7 fields)"},
		{"string index out of range", replace(`21,3,29`, `99,3,29`), "byte " + strconv.Itoa(at(`21,3,29`)) + ": node 14's name: string index 99, but strings holds 23"},
		{"edge name out of range", replace(`2,13,28`, `2,130,28`), "byte " + strconv.Itoa(at(`13,28`)) + ": edge 5's name: string index 130, but strings holds 23"},
		{"enormous node_count", replace(`"node_count":15`, `"node_count":2000000000`),
			"byte " + strconv.Itoa(at(`"nodes"`)+8+8) + ": snapshot.node_count declares 2000000000 records, more than the "},
		{"node_count beyond int32", replace(`"node_count":15`, `"node_count":99999999999`), "byte " + strconv.Itoa(at(`15,"edge_count"`)) + ": count 99999999999 is more than this reader supports (2147483647)"},
		{"node type out of range", replace(`21,3,29`, `18,30,29`), "byte " + strconv.Itoa(at(`3,29,0,0,80`)) + ": node 14: type 30, but meta names 10 node types"},
		{"fewer nodes than declared", replace(`"node_count":15`, `"node_count":14`), "byte " + strconv.Itoa(at(`21,3,29`)) + ": nodes holds more than the 14 nodes of snapshot.node_count"},
		{"nodes before snapshot", `{"nodes":[]}`, `byte 1: expected "snapshot" (with meta) before "nodes"`},
		{"missing field", replace(`"edge_count","extra"`, `"edges","extra"`), "byte " + strconv.Itoa(at(`{
 "node_fields"`)) + `: expected node_fields with "edge_count" in meta`},
		{"non-UTF-8", replace(`"user-1"`, "\"user-\xff\""), "byte " + strconv.Itoa(at(`user-1`)+5) + ": invalid UTF-8 in a string"},
		{"control character", replace(`"user-1"`, "\"user\x01\""), "byte " + strconv.Itoa(at(`user-1`)+4) + ": control character 0x01 in a string"},
		{"fraction", replace(`40,0,`, `40.5,0,`), "byte " + strconv.Itoa(at(`40,0,`)) + ": expected an integer, found a fraction or exponent"},
		{"trailing data", mini + "x", "byte " + strconv.Itoa(len(mini)) + ": expected the end of the input after the snapshot, found 'x'"},
		{"duplicate member", replace(`"samples":[]`, `"nodes":[]`), "byte " + strconv.Itoa(at(`"samples"`)) + `: "nodes" given twice`},
		{"no strings", replace(`"strings":`, `"strinks":`), "byte " + strconv.Itoa(len(mini)) + `: no "strings" in the snapshot`},
		{"deep nesting", replace(`"samples":[]`, `"samples":`+strings.Repeat("[", maxDepth+1)), "byte " + strconv.Itoa(at(`"samples"`)+10+maxDepth) + ": values nested more than 10000 deep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := err.(*Error); !ok || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %T %q: want one line of *Error", err, err)
			}
			switch {
			case c.want == "":
				if !strings.Contains(err.Error(), "makes more edges than the 17 of snapshot.edge_count") {
					t.Errorf("got  %s", err)
				}
			case !strings.HasPrefix(err.Error(), c.want):
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

// TestEscapes: JSON escapes decode; an escaped lone surrogate, which V8
// writes for a JavaScript string holding one, becomes U+FFFD.
func TestEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`"a\"b\\c\/d\n\t"`:     "a\"b\\c/d\n\t",
		`"\u00e9\u20ac"`:       "é€",
		`"\ud83d\ude00!"`:      "😀!",
		`"\ud800x"`:            "\ufffdx",
		`"\udc00\ud800\u0041"`: "\ufffd\ufffdA",
		`"plain é"`:            "plain é",
	} {
		l := &lexer{data: []byte(in)}
		got, err := l.str()
		if err != nil || got != want || l.pos != len(in) {
			t.Errorf("%s: %q, %v at %d; want %q", in, got, err, l.pos, want)
		}
	}
}

// readFixture reads a gzipped snapshot of testdata.
func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRealSnapshot reads a snapshot Node 20 wrote (testdata/gen/v8leak):
// the counts V8 declared, the named subroots, the closures' positions.
func TestRealSnapshot(t *testing.T) {
	data := readFixture(t, "../../testdata/v8/leaky/snap-1.heapsnapshot.gz")
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Heap
	i := bytes.Index(data, []byte(`"node_count":`))
	var declared int
	for _, c := range data[i+len(`"node_count":`):] {
		if c < '0' || c > '9' {
			break
		}
		declared = declared*10 + int(c-'0')
	}
	if h.NumNodes() != declared {
		t.Errorf("%d nodes, node_count %d", h.NumNodes(), declared)
	}
	labels := map[string]bool{}
	for i := range h.Roots {
		if l := h.RootLabel[i]; l >= 0 {
			labels[h.Strings[l]] = true
		}
	}
	for _, want := range []string{"(Stack roots)", "(Global handles)", "(Internalized strings)"} {
		if !labels[want] {
			t.Errorf("no root %s", want)
		}
	}
	counts := map[string]int{}
	positions := map[string]bool{}
	for v := int32(0); int(v) < h.NumNodes(); v++ {
		counts[h.TypeName(v)]++
		if h.TypeName(v) == "(closure) onUpdate" {
			positions[h.Value(v)] = true
		}
	}
	// The generator's first checkpoint: 10 ticks of 4 listeners, 5
	// records, 3 profiles; a full ring of 64 entries; no request alive.
	for typ, want := range map[string]int{"Session": 40, "(closure) onUpdate": 40, "AuditRecord": 50, "Profile": 30, "RingEntry": 64, "Request": 0} {
		if counts[typ] != want {
			t.Errorf("%d %s, want %d", counts[typ], typ, want)
		}
	}
	if len(positions) != 1 || !positions["leak.js:48:20"] {
		t.Errorf("onUpdate's positions %v, want leak.js:48:20", positions)
	}
	if !strings.HasSuffix(s.Scripts[s.Locations[0].Script], ".js") && s.Scripts[s.Locations[0].Script] == "" {
		t.Errorf("scripts %v", s.Scripts)
	}
	if n := len(graph.Reachable(h)); n != h.NumNodes() {
		t.Errorf("reachable over %d of %d", n, h.NumNodes())
	}
}

// TestTraces: allocation traces are read from a snapshot that tracks
// allocations, the tree's ids mapped to the nodes' trace_node_id.
func TestTraces(t *testing.T) {
	in := strings.Replace(mini, `"edge_count","extra"`, `"edge_count","trace_node_id"`, 1)
	in = strings.Replace(in, `"location_fields"`, `"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],`+
		`"trace_node_fields":["id","function_info_index","count","size","children"],"location_fields"`, 1)
	in = strings.Replace(in, `"trace_function_infos":[],"trace_tree":[[1,0,0,0,[]]]`,
		`"trace_function_infos":[0,0,0,0,0,0, 1,6,5,3,48,3],"trace_tree":[1,0,0,0,[9,1,1,40,[]]]`, 1)
	s, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Traces
	if tr == nil || s.TraceNodeIDs[3] != 9 {
		t.Fatalf("traces %+v, trace ids %v", tr, s.TraceNodeIDs)
	}
	stack := tr.Stack(tr.Node[9])
	if len(stack) != 1 || tr.Functions[stack[0]] != (TraceFunction{Name: "onUpdate", Script: "user-1", ScriptID: 3, Line: 48, Column: 3}) {
		t.Errorf("stack %v of %+v", stack, tr.Functions)
	}
	// A tree naming a function that is not there: the traces are left out
	// with a warning, the snapshot still reads.
	bad := strings.Replace(in, `[9,1,1,40,[]]`, `[9,7,1,40,[]]`, 1)
	if s, err := Parse([]byte(bad)); err != nil || s.Traces != nil || len(s.Warnings) != 1 {
		t.Errorf("bad tree: %v, %v", err, s)
	}
	if _, err := Parse([]byte(strings.Replace(in, `[9,1,1,40,[]]`, `[9,1,1,40,[]`, 1))); err == nil || !strings.Contains(err.Error(), "expected a non-negative integer, found '\"'") {
		t.Errorf("truncated tree: %v", err)
	}
}

// TestWeakMapFromNode has Node write a snapshot of a WeakMap whose keys
// a global array holds: each value's dominator is its key, not the
// table (Node needed; skipped with -short).
func TestWeakMapFromNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH")
	}
	out := filepath.Join(t.TempDir(), "wm.heapsnapshot")
	script := `class K {} class V {}
globalThis.keep = []; globalThis.wm = new WeakMap();
for (let i = 0; i < 5; i++) { const k = new K(); keep.push(k); wm.set(k, new V()); }
setImmediate(() => { gc(); require('v8').writeHeapSnapshot(process.argv[1]); });`
	if b, err := exec.Command(node, "--expose-gc", "-e", script, out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Heap
	dom := graph.ComputeDominators(h)
	values := 0
	for v := int32(0); int(v) < h.NumNodes(); v++ {
		if h.TypeName(v) != "V" {
			continue
		}
		values++
		if d := dom.Idom[v]; d < 0 || h.TypeName(d) != "K" {
			t.Errorf("V %d dominated by %d, want its key", h.IDs[v], d)
		}
		k, _ := edgeTo(h, dom.Idom[v], v)
		if k.Name != KindWeakMapValue {
			t.Errorf("key → value edge is %q", k.Name)
		}
	}
	if values != 5 {
		t.Errorf("%d values, want 5", values)
	}
}
