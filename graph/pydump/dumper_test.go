package pydump

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type record struct {
	K string `json:"k"`

	// header
	Format  string `json:"format"`
	Version int    `json:"version"`
	Pid     int    `json:"pid"`
	Time    string `json:"time"`
	Python  string `json:"python"`
	GC      *struct {
		Enabled    bool  `json:"enabled"`
		Thresholds []int `json:"thresholds"`
		Counts     []int `json:"counts"`
	} `json:"gc"`

	// type (i, n) and object (id, t, s, f, v, e)
	I  int               `json:"i"`
	N  string            `json:"n"`
	ID uint64            `json:"id"`
	T  int               `json:"t"`
	S  int64             `json:"s"`
	F  int               `json:"f"`
	V  *string           `json:"v"`
	E  []json.RawMessage `json:"e"`

	// root
	Kind  string `json:"kind"`
	Label string `json:"label"`

	// trailer
	Objects int `json:"objects"`
	Edges   int `json:"edges"`
}

type edge struct {
	to          uint64
	kind, label string
}

func parseEdge(t *testing.T, raw json.RawMessage) edge {
	var e []any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil || len(e) != 3 {
		t.Fatalf("bad edge %s: %v", raw, err)
	}
	id, err := e[0].(json.Number).Int64()
	if err != nil {
		// ids above 2^63 do not occur on 64-bit CPython, but be safe
		t.Fatalf("edge id %v: %v", e[0], err)
	}
	return edge{uint64(id), e[1].(string), e[2].(string)}
}

func TestDumperKnownGraph(t *testing.T) { testKnownGraph(t, runPython) }

// pyRunner runs a test program (args[0]) with the dumper's directory
// inserted before its last argument, and returns its standard output.
type pyRunner func(t *testing.T, args ...string) []byte

func testKnownGraph(t *testing.T, runPython pyRunner) {
	out := filepath.Join(t.TempDir(), "known.pydump.gz")
	stdout := runPython(t, filepath.Join("testdata", "known_graph.py"), out)
	var facts map[string]uint64
	if err := json.Unmarshal(stdout, &facts); err != nil {
		t.Fatalf("facts %q: %v", stdout, err)
	}

	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)

	var header, trailer *record
	types := map[int]string{}
	objs := map[uint64]*record{}
	edges := map[uint64][]edge{}
	nEdges := 0
	var roots []record
	lastRank := 0
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if header == nil {
			if r.Format == "" {
				t.Fatalf("first line is not a header: %s", sc.Text())
			}
			header = &r
			continue
		}
		if trailer != nil {
			t.Fatalf("record after the trailer: %s", sc.Text())
		}
		// sections must come in order: t/o, r, fd, loop/task/coro, end
		rank, ok := map[string]int{"t": 1, "o": 1, "r": 2, "fd": 3, "loop": 4, "task": 4, "coro": 4, "end": 5}[r.K]
		if !ok {
			t.Fatalf("unknown record kind %q", r.K)
		}
		if rank < lastRank {
			t.Fatalf("record %q after a later section", r.K)
		}
		lastRank = rank
		switch r.K {
		case "t":
			if r.I != len(types) {
				t.Fatalf("type index %d, want %d", r.I, len(types))
			}
			types[r.I] = r.N
		case "o":
			if _, ok := types[r.T]; !ok {
				t.Fatalf("object %d uses type %d before its record", r.ID, r.T)
			}
			if _, dup := objs[r.ID]; dup {
				t.Fatalf("object %d twice", r.ID)
			}
			rc := r
			objs[r.ID] = &rc
			for _, raw := range r.E {
				edges[r.ID] = append(edges[r.ID], parseEdge(t, raw))
			}
			nEdges += len(r.E)
		case "r":
			roots = append(roots, r)
		case "end":
			rc := r
			trailer = &rc
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	// header
	if header.Format != "leakscan-pydump" || header.Version != 1 {
		t.Errorf("header format %q version %d", header.Format, header.Version)
	}
	if header.Pid <= 0 || !strings.HasSuffix(header.Time, "Z") || !strings.HasPrefix(header.Python, "3.") {
		t.Errorf("header pid %d time %q python %q", header.Pid, header.Time, header.Python)
	}
	if header.GC == nil || len(header.GC.Thresholds) != 3 || len(header.GC.Counts) != 3 {
		t.Errorf("header gc %+v", header.GC)
	}
	// trailer
	if trailer == nil {
		t.Fatal("no trailer")
	}
	if trailer.Objects != len(objs) || trailer.Edges != nEdges {
		t.Errorf("trailer says %d objects %d edges, read %d and %d", trailer.Objects, trailer.Edges, len(objs), nEdges)
	}
	// every edge target is dumped
	for from, es := range edges {
		for _, e := range es {
			if objs[e.to] == nil {
				t.Fatalf("edge %d -> %d (%s %q): target not dumped", from, e.to, e.kind, e.label)
			}
		}
	}
	for _, r := range roots {
		if objs[r.ID] == nil {
			t.Errorf("root %+v not dumped", r)
		}
	}

	find := func(from uint64, kind, label string) (uint64, bool) {
		for _, e := range edges[from] {
			if e.kind == kind && e.label == label {
				return e.to, true
			}
		}
		return 0, false
	}
	typeOf := func(id uint64) string {
		if o := objs[id]; o != nil {
			return types[o.T]
		}
		return ""
	}
	conn := facts["conn"]
	if typeOf(conn) != "__main__.Conn" {
		t.Fatalf("conn %d has type %q", conn, typeOf(conn))
	}
	// attribute edge: directly from the instance (3.11+ inline values) or
	// through its __dict__ (kind key, label the repr of the name)
	attr := func(name string) (uint64, bool) {
		if to, ok := find(conn, "attr", name); ok {
			return to, true
		}
		if d, ok := find(conn, "attr", "__dict__"); ok {
			return find(d, "key", "'"+name+"'")
		}
		return 0, false
	}
	recv, ok := attr("recv")
	if !ok || recv != facts["recv"] || typeOf(recv) != "builtins.method" {
		t.Fatalf("attr recv: %d %v (%q), want bound method %d", recv, ok, typeOf(recv), facts["recv"])
	}
	if self, ok := find(recv, "self", "__self__"); !ok || self != conn {
		t.Errorf("bound method self edge -> %d %v, want the instance %d", self, ok, conn)
	}
	if _, ok := find(recv, "func", "__func__"); !ok {
		t.Errorf("bound method has no func edge: %+v", edges[recv])
	}
	// Weak references lead to their referents by a weakref edge, read
	// without running a subclass's __call__; a dead one has none.
	for _, name := range []string{"conn_ref", "loud_ref", "read_ref"} {
		if to, ok := find(facts[name], "weakref", ""); !ok || to != conn {
			t.Errorf("%s: weakref edge -> %d %v, want the instance %d (edges %+v)", name, to, ok, conn, edges[facts[name]])
		}
	}
	for _, e := range edges[facts["dead_ref"]] {
		if e.kind == "weakref" {
			t.Errorf("dead_ref has a weakref edge: %+v", e)
		}
	}
	buffers, ok := attr("buffers")
	if !ok || buffers != facts["buffers"] {
		t.Fatalf("attr buffers: %d %v", buffers, ok)
	}
	if d, ok := find(buffers, "index", "[0]"); !ok || d != facts["payload_dict"] || typeOf(d) != "builtins.dict" {
		t.Errorf("list [0] -> %d %v, want dict %d", d, ok, facts["payload_dict"])
	}
	if v, ok := find(facts["payload_dict"], "key", "'payload'"); !ok || typeOf(v) != "builtins.bytes" {
		t.Errorf("dict key 'payload' -> %d %v", v, ok)
	}
	errID, ok := attr("error")
	if !ok || errID != facts["error"] {
		t.Fatalf("attr error: %d %v", errID, ok)
	}
	tb, ok := find(errID, "traceback", "__traceback__")
	if !ok || tb != facts["traceback"] {
		t.Fatalf("exception traceback edge -> %d %v", tb, ok)
	}
	// the traceback of "except" in module code: tb_next leads to fail()
	var frames []uint64
	for cur, n := tb, 0; cur != 0 && n < 10; n++ {
		fr, ok := find(cur, "tb_frame", "tb_frame")
		if !ok || typeOf(fr) != "builtins.frame" {
			t.Fatalf("traceback %d has no tb_frame edge to a frame: %+v", cur, edges[cur])
		}
		frames = append(frames, fr)
		cur, _ = find(cur, "tb_next", "tb_next")
	}
	if len(frames) != 2 {
		t.Errorf("traceback chain has %d frames, want 2", len(frames))
	}
	exotic, ok := attr("exotic")
	if !ok || typeOf(exotic) != "__main__.Exotic" {
		t.Errorf("attr exotic: %d %v %q", exotic, ok, typeOf(exotic))
	}

	// roots
	kinds := map[string]int{}
	for _, r := range roots {
		kinds[r.Kind]++
		if r.Kind == "module" && r.Label == "__main__" && typeOf(r.ID) != "builtins.module" {
			t.Errorf("module root __main__ has type %q", typeOf(r.ID))
		}
	}
	if kinds["module"] < 10 || kinds["thread"] != 1 {
		t.Errorf("root kinds %v", kinds)
	}

	// nothing of the dumper's own: no gzip file object, no frame running
	// leakscan_dump code, no list as big as the dump itself
	for id, o := range objs {
		switch types[o.T] {
		case "gzip.GzipFile", "zlib.Compress":
			t.Errorf("dumper output file object %d (%s) in the dump", id, types[o.T])
		case "builtins.list", "builtins.dict", "builtins.set":
			if len(o.E) > len(objs)/2 {
				t.Errorf("%s %d with %d edges: the dumper's queue or id table", types[o.T], id, len(o.E))
			}
		case "builtins.frame":
			code, ok := find(id, "code", "f_code")
			if !ok {
				t.Errorf("frame %d without f_code edge", id)
				continue
			}
			file, _ := find(code, "attr", "co_filename")
			if fo := objs[file]; fo != nil && fo.V != nil && strings.HasSuffix(*fo.V, "leakscan_dump.py") {
				name, _ := find(code, "attr", "co_name")
				t.Errorf("frame %d of the dumper (%v) in the dump", id, objs[name].V)
			}
		}
	}
}

// TestDumperPyodide runs the dumper's tests on CPython 3.12, 3.13 and 3.14
// compiled to WebAssembly (Pyodide 0.27, 0.29 and 314.0 under Node, pinned
// in testdata/gen/pyodide/package-lock.json), when LEAKSCAN_PYODIDE is set
// and npm ci has been run there (.ci/run does both). Pyodide has no threads
// and no signals: the tests for those run natively only.
func TestDumperPyodide(t *testing.T) {
	if os.Getenv("LEAKSCAN_PYODIDE") == "" {
		t.Skip("set LEAKSCAN_PYODIDE=1 after npm ci in testdata/gen/pyodide")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("LEAKSCAN_PYODIDE is set but node is not on PATH")
	}
	runner, err := filepath.Abs(filepath.Join("..", "..", "testdata", "gen", "pyodide", "run.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"312", "313", "314"} {
		run := func(t *testing.T, args ...string) []byte {
			t.Helper()
			dir, err := filepath.Abs(".")
			if err != nil {
				t.Fatal(err)
			}
			argv := append([]string{runner, v}, args[:len(args)-1]...)
			argv = append(argv, dir, args[len(args)-1])
			cmd := exec.Command(node, argv...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.Output()
			if err != nil {
				t.Fatalf("pyodide %s: %v\n%s", v, err, stderr.Bytes())
			}
			return stdout
		}
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			t.Run("known_graph", func(t *testing.T) { testKnownGraph(t, run) })
			t.Run("no_observer_effect", func(t *testing.T) { testNoObserverEffect(t, run) })
		})
	}
}

// runPython runs python3 with the package directory (where the dumper is)
// as the first argument after args[0] and returns its standard output; the
// test is skipped when python3 is not installed.
func runPython(t *testing.T, args ...string) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(args[:len(args)-1:len(args)-1], dir), args[len(args)-1])
	cmd := exec.Command(py, argv...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.Bytes())
	}
	return stdout
}

// TestDumperAsyncio checks the loop, task and coroutine records against a
// known asyncio state (testdata/asyncio_state.py).
func TestDumperAsyncio(t *testing.T) {
	out := filepath.Join(t.TempDir(), "aio.pydump")
	runPython(t, filepath.Join("testdata", "asyncio_state.py"), out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var running, idle []Loop
	for _, l := range d.Loops {
		if l.Object < 0 || !strings.HasSuffix(d.Heap.TypeName(l.Object), "EventLoop") {
			t.Errorf("loop record without its object: %+v", l)
		}
		if l.Running {
			running = append(running, l)
		} else {
			idle = append(idle, l)
		}
	}
	if len(running) != 1 || len(idle) != 1 {
		t.Fatalf("loops: running %d, idle %d, want 1 and 1: %+v", len(running), len(idle), d.Loops)
	}
	want := []Count{{"__main__.Clock.tick", 4}}
	if r := running[0]; r.Timers != 4 || !slices.Equal(r.TimerCallbacks, want) || r.Closed {
		t.Errorf("running loop = %+v, want 4 timers of %v", r, want)
	}
	var stuck, failed, main int
	for _, tk := range d.Tasks {
		switch {
		case tk.Coro == "__main__.stuck" && tk.State == "pending" && tk.WaitingOn == "Event.wait" && len(tk.Stack) == 2 && tk.Stack[1].Func == "wait":
			stuck++
		case tk.Exception == "builtins.ValueError" && tk.State == "finished" && strings.HasSuffix(tk.Coro, ".boom"):
			failed++
		case tk.Coro == "__main__.main":
			main++
		default:
			t.Errorf("unexpected task %+v", tk)
		}
	}
	if stuck != 3 || failed != 1 || main != 1 {
		t.Errorf("tasks: %d stuck, %d failed, %d main; want 3, 1, 1", stuck, failed, main)
	}
	if len(d.Coros) != 2 {
		t.Fatalf("coros = %+v, want 2", d.Coros)
	}
	for _, c := range d.Coros {
		if c.Coro != "__main__.never" || c.Line != 25 || !strings.HasSuffix(c.File, "asyncio_state.py") || d.Heap.TypeName(c.Object) != "builtins.coroutine" {
			t.Errorf("coro = %+v (%s)", c, d.Heap.TypeName(c.Object))
		}
	}
}

// observerState is one state line of testdata/observer.py.
type observerState struct {
	Refs             map[string][][2]any `json:"refs"`
	GC               json.RawMessage     `json:"gc"`
	Garbage          []uint64            `json:"garbage"`
	Objects          int                 `json:"objects"`
	Frames           int                 `json:"frames"`
	RunningFunctions int                 `json:"running_functions"`
	Blocks           int                 `json:"blocks"`
	Unreachable      int                 `json:"unreachable"`
}

// TestDumperNoObserverEffect dumps a process holding 100,000 instances of a
// plain class twice and checks that the dumps changed nothing it can see:
// the referents of an instance (the old dumper read __dict__, which on
// CPython 3.11+ materializes a dict per instance), of a finished frame and
// of a suspended generator (reading f_locals / gi_frame creates a dict or a
// frame object), gc's state and gc.garbage, the number of gc objects; that
// no user-defined code ran (__sizeof__, a property, __getattr__); that the
// second dump left no allocated block behind; that leakscan diff of the
// two dumps finds nothing growing; and that the attributes, arguments and
// sizes are still labelled and measured.
func TestDumperNoObserverEffect(t *testing.T) {
	t.Parallel()
	testNoObserverEffect(t, runPython)
}

func testNoObserverEffect(t *testing.T, runPython pyRunner) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pydump.gz"), filepath.Join(dir, "b.pydump.gz")
	out := runPython(t, filepath.Join("testdata", "observer.py"), dir+string(filepath.Separator))
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	if len(lines) != 4 {
		t.Fatalf("observer.py printed %d lines:\n%s", len(lines), out)
	}
	var st [3]observerState
	for i := range st {
		if err := json.Unmarshal(lines[i], &st[i]); err != nil {
			t.Fatal(err)
		}
	}
	var facts struct {
		Calls       map[string]int    `json:"calls"`
		IDs         map[string]uint64 `json:"ids"`
		PlainAttrs  map[string]uint64 `json:"plain_attrs"`
		OutsideAttr uint64            `json:"outside_attr"`
		PropV       uint64            `json:"prop_v"`
		FrameArg    uint64            `json:"frame_arg"`
		GenArg      uint64            `json:"gen_arg"`
		SizedSize   int64             `json:"sized_size"`
	}
	if err := json.Unmarshal(lines[3], &facts); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3; i++ {
		for k, want := range st[0].Refs {
			got, _ := json.Marshal(st[i].Refs[k])
			w, _ := json.Marshal(want)
			if !bytes.Equal(got, w) {
				t.Errorf("after dump %d, gc.get_referents(%s) = %s, was %s", i, k, got, w)
			}
		}
		if !bytes.Equal(st[i].GC, st[0].GC) || !slices.Equal(st[i].Garbage, st[0].Garbage) {
			t.Errorf("after dump %d, gc state %s garbage %v, was %s %v", i, st[i].GC, st[i].Garbage, st[0].GC, st[0].Garbage)
		}
		if st[i].Unreachable != 0 {
			t.Errorf("dump %d left %d objects of cyclic garbage", i, st[i].Unreachable)
		}
		// the locals dicts of running function frames (3.8-3.12, FORMAT.md):
		// made once; none when python3 runs the program itself
		if d := st[i].Objects - st[0].Objects; d < 0 || d > st[0].RunningFunctions || (i == 2 && st[2].Objects != st[1].Objects) {
			t.Errorf("after dump %d, %d gc objects (frames apart), was %d (%d running functions)", i, st[i].Objects, st[0].Objects, st[0].RunningFunctions)
		}
		// the frame objects of the running calls (FORMAT.md): made once
		if st[i].Frames < st[0].Frames || st[i].Frames > st[0].Frames+16 || (i == 2 && st[2].Frames != st[1].Frames) {
			t.Errorf("after dump %d, %d frame objects, was %d", i, st[i].Frames, st[i-1].Frames)
		}
	}
	// Allocated blocks after a full collection (which empties the free
	// lists): the first dump creates the frame object of the running module
	// code and meets the interpreter's first-use caches (about 100 blocks,
	// either way), the second changes nothing.
	if d := st[1].Blocks - st[0].Blocks; d > 256 || d < -256 {
		t.Errorf("the first dump left %d allocated blocks behind", d)
	}
	if d := st[2].Blocks - st[1].Blocks; d > 16 || d < -16 {
		t.Errorf("the second dump left %d allocated blocks behind", d)
	}
	for k, n := range facts.Calls {
		if n != 0 {
			t.Errorf("the dumps ran user code: %s called %d times", k, n)
		}
	}

	// leakscan diff of the two dumps: nothing grows
	diff := exec.Command("go", "run", "../../cmd/leakscan", "diff", a, b, "--format", "json")
	var stderr bytes.Buffer
	diff.Stderr = &stderr
	js, err := diff.Output()
	if err != nil {
		t.Fatalf("leakscan diff: %v\n%s", err, stderr.Bytes())
	}
	var res struct {
		Verdict struct {
			Text     string `json:"text"`
			Suspects int    `json:"suspects"`
			Growing  int    `json:"growing"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict.Suspects != 0 || res.Verdict.Growing != 0 {
		t.Errorf("leakscan diff of two dumps of an unchanged process: %+v", res.Verdict)
	}

	// per type, the second dump has no more objects than the first
	count := func(path string) (map[string]int, *Dump) {
		d, err := Parse(mustRead(t, path))
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for i := range d.Heap.NumNodes() {
			n[d.Heap.TypeName(int32(i))]++
		}
		return n, d
	}
	na, _ := count(a)
	nb, d := count(b)
	for typ, n := range nb {
		if n > na[typ] {
			t.Errorf("%s: %d objects in the first dump, %d in the second", typ, na[typ], n)
		}
	}

	// labels and sizes, read without side effects
	h := d.Heap
	node := map[uint64]int32{}
	for i, id := range h.IDs {
		node[id] = int32(i)
	}
	expect := func(from uint64, kind, label string, to uint64) {
		t.Helper()
		if got, ok := edgeTo(h, node[from], kind, label); !ok || h.IDs[got] != to {
			t.Errorf("%s: no edge %s %q to %d", h.TypeName(node[from]), kind, label, to)
		}
	}
	for name, id := range facts.PlainAttrs {
		expect(facts.IDs["plain"], "attr", name, id)
	}
	expect(facts.IDs["outside"], "attr", "set_from_module", facts.OutsideAttr)
	expect(facts.IDs["prop"], "attr", "_v", facts.PropV)
	expect(facts.IDs["frame"], "local", "arg", facts.FrameArg)
	expect(facts.IDs["gen"], "local", "first", facts.GenArg)
	if s := h.Sizes[node[facts.IDs["sized"]]]; s != facts.SizedSize {
		t.Errorf("instance overriding __sizeof__ has size %d, want %d (sys.getsizeof of the same class without the override)", s, facts.SizedSize)
	}
}

// TestDumperSecretsAndFailures runs testdata/safety.py: str and bytes
// values and token-like dict keys are not written unless asked, the file
// is created 0600 under a temporary name and renamed when complete; a
// nonexistent directory, a directory the process may not write and a full
// disk (a file whose write fails with ENOSPC) each raise DumpError naming
// the path, leave no file behind and leave the process able to dump again;
// the signal handler leaves nothing after a failed attempt.
func TestDumperSecretsAndFailures(t *testing.T) {
	t.Parallel()
	out := runPython(t, filepath.Join("testdata", "safety.py"), t.TempDir())
	var res struct {
		Failures []string `json:"failures"`
		Checked  int      `json:"checked"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("safety.py printed %q: %v", out, err)
	}
	for _, f := range res.Failures {
		t.Error(f)
	}
	if res.Checked < 30 {
		t.Errorf("safety.py made %d checks, want 30 or more", res.Checked)
	}
}

// TestDumperConcurrentMutation dumps three times while two threads add
// and remove entries of a dict and items of a list (testdata/
// mutating.py, the GIL handed over every 100 µs). Each dump must succeed
// and parse, and the dict's and the list's records must be whole: every
// edge labelled with its key or index (the old dumper iterated the live
// dict and, when another thread changed it, left the rest of its edges
// unlabelled).
func TestDumperConcurrentMutation(t *testing.T) {
	t.Parallel()
	prefix := filepath.Join(t.TempDir(), "c")
	out := runPython(t, filepath.Join("testdata", "mutating.py"), prefix)
	var facts struct {
		Dict   uint64   `json:"dict"`
		List   uint64   `json:"list"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &facts); err != nil {
		t.Fatalf("mutating.py printed %q: %v", out, err)
	}
	for _, e := range facts.Errors {
		t.Errorf("dump raised %s", e)
	}
	for i := 1; i <= 3; i++ {
		path := prefix + strconv.Itoa(i) + ".pydump.gz"
		d, err := Parse(mustRead(t, path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(d.Warnings) > 0 || d.Truncated {
			t.Errorf("%s: warnings %q, truncated %v", path, d.Warnings, d.Truncated)
		}
		h := d.Heap
		for _, c := range []struct {
			id   uint64
			kind string
		}{{facts.Dict, "key"}, {facts.List, "index"}} {
			n := int32(-1)
			for j, id := range h.IDs {
				if id == c.id {
					n = int32(j)
				}
			}
			if n < 0 {
				t.Fatalf("%s: object %d not dumped", path, c.id)
			}
			lo, hi := h.Edge(n)
			bad := 0
			for e := lo; e < hi; e++ {
				if h.Kind(e).Name != c.kind || h.Label(e) == "" {
					bad++
				}
			}
			if bad > 0 || hi-lo < 1000 {
				t.Errorf("%s: %s has %d edges, %d of them not labelled %s", path, h.TypeName(n), hi-lo, bad, c.kind)
			}
		}
	}
}

// TestDumperUnderTracemalloc dumps a program that runs tracemalloc, where
// dump() walks the heap in a thread of its own (testdata/traced.py): the
// allocation traceback of a known object is in its record, the only
// thread root is the program's (not the dumper's thread), no frame runs
// dumper code, a failure in that thread reaches the caller as DumpError,
// and tracing is still on afterwards.
func TestDumperUnderTracemalloc(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "traced.pydump.gz")
	stdout := runPython(t, filepath.Join("testdata", "traced.py"), out)
	var facts struct {
		Marker  uint64 `json:"marker"`
		Line    int    `json:"line"`
		Error   string `json:"error"`
		Tracing bool   `json:"tracing"`
	}
	if err := json.Unmarshal(stdout, &facts); err != nil {
		t.Fatalf("traced.py printed %q: %v", stdout, err)
	}
	if facts.Error != "FileNotFoundError" || !facts.Tracing {
		t.Errorf("dump into a missing directory: cause %q; tracing afterwards %v", facts.Error, facts.Tracing)
	}
	d, err := Parse(mustRead(t, out))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Heap
	marker := int32(-1)
	for i, id := range h.IDs {
		if id == facts.Marker {
			marker = int32(i)
		}
	}
	if marker < 0 || h.TypeName(marker) != "builtins.list" {
		t.Fatalf("marker %d not dumped", facts.Marker)
	}
	if a := d.Allocs[marker]; a < 0 {
		t.Errorf("marker has no allocation traceback")
	} else if tb := d.Tracebacks[a]; len(tb) == 0 || tb[len(tb)-1].Line != facts.Line || !strings.HasSuffix(tb[len(tb)-1].File, "traced.py") {
		t.Errorf("marker allocated at %+v, want traced.py:%d innermost", tb, facts.Line)
	}
	threads := 0
	for i := range h.Roots {
		if h.RootKindNames[h.RootKinds[i]] == "thread" {
			threads++
		}
	}
	if threads != 1 {
		t.Errorf("%d thread roots, want 1 (the program's)", threads)
	}
	for i := range h.NumNodes() {
		if h.TypeName(int32(i)) != "builtins.frame" {
			continue
		}
		code, ok := edgeTo(h, int32(i), "code", "f_code")
		if !ok {
			continue
		}
		if f, ok := edgeTo(h, code, "attr", "co_filename"); ok && h.Values[f] >= 0 && strings.HasSuffix(h.Strings[h.Values[f]], "leakscan_dump.py") {
			t.Errorf("a frame running dumper code is in the dump")
		}
	}
}
