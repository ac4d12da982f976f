package heap_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/series"
)

// TestPythonDumpSeries reads the real dumps of testdata/gen/pyleak, which
// leak through a module-level dict (REGISTRY), a class attribute list
// (Handler.seen) and a closure (record), and checks the growing types and
// the paths that keep them.
func TestPythonDumpSeries(t *testing.T) {
	ds := loadDumps(t, "leaky/*")
	if len(ds.Warnings) != 0 {
		t.Errorf("warnings: %v", ds.Warnings)
	}
	res, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]series.Row{}
	for _, r := range res.Rows {
		rows[r.Key] = r
	}
	req := rows["__main__.Request"]
	if req.Class != series.Growing || !slices.Equal(req.Values, []float64{60, 120, 180, 240, 300, 360}) {
		t.Fatalf("Request: %s %v", req.Class, req.Values)
	}
	if rs := heap.TypeOf(&req).Retainer; rs == nil || rs.Instances != 360 || !rs.Has("key", "'seen'") {
		t.Errorf("Request retained via %+v, want Handler.seen", rs)
	}
	if rs := ti(rows["builtins.bytes"]).Retainer; rs == nil || rs.Root != "module __main__" || !rs.Has("global", "'REGISTRY'") {
		t.Errorf("bytes retained via %+v, want __main__.REGISTRY", rs)
	}
	if rs := ti(rows["builtins.tuple"]).Retainer; rs == nil || !rs.Has("global", "'record'") || !rs.Has("cell", "cell_contents") {
		t.Errorf("tuple retained via %+v, want the closure of record", rs)
	}
	// The three types that leak rank first; the strings, numbers and dicts
	// of the leaked requests are shown as held by them.
	var top []string
	for _, r := range res.Rows[:3] {
		top = append(top, r.Key)
	}
	slices.Sort(top)
	if !slices.Equal(top, []string{"__main__.Request", "builtins.bytes", "builtins.tuple"}) {
		t.Errorf("top three %v", top)
	}
	// (builtins.dict does not grow: the dumper no longer makes an
	// instance's __dict__ by reading it.)
	if rows["builtins.dict"].Class == series.Growing {
		t.Errorf("builtins.dict grows: %v", rows["builtins.dict"].Values)
	}
	for _, k := range []string{"builtins.str", "builtins.int"} {
		if ti(rows[k]).HeldBy != "__main__.Request" {
			t.Errorf("%s held by %q", k, ti(rows[k]).HeldBy)
		}
	}
	// The bounded cache of the program plateaus; churn leaves no type growing
	// that the leaks do not explain.
	for key, r := range rows {
		if r.Class == series.Growing && !slices.Contains([]string{"__main__.Request", "builtins.bytes", "builtins.str", "builtins.int", "builtins.dict", "builtins.tuple"}, key) {
			t.Errorf("unexpected growing type %s %v", key, r.Values)
		}
	}
	// Retained bytes count a type once where its instances dominate each other.
	byRet, err := heap.DiffTypes(ds, heap.TypeOptions{Sample: "retained"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range byRet.Rows {
		if r.Key == "__main__.Request" && r.Class != series.Growing {
			t.Errorf("Request retained bytes: %s %v", r.Class, r.Values)
		}
	}
}

// TestBiggestRetainers: the leaking registry dict is among the objects
// that retain the most, reached through its global name.
func TestBiggestRetainers(t *testing.T) {
	ds := loadDumps(t, "leaky/heap-6.pydump.gz")
	found := false
	for _, br := range heap.BiggestRetainers(ds.Dumps[0], 10) {
		if br.Path != nil && br.Path.Has("global", "'REGISTRY'") && br.Type == "builtins.dict" {
			found = true
			if br.Retained <= br.Shallow {
				t.Errorf("REGISTRY retains %d, shallow %d", br.Retained, br.Shallow)
			}
		}
	}
	if !found {
		t.Errorf("REGISTRY is not among the biggest retainers")
	}
}

// TestTracemallocAllocSites: under tracemalloc a growing type's most
// common allocation traceback is the line of the leak.
func TestTracemallocAllocSites(t *testing.T) {
	res, err := heap.DiffTypes(loadDumps(t, "tracemalloc/*"), heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]struct {
		line      int64
		instances int
	}{
		"builtins.bytes": {88, 500}, // REGISTRY["req-%d" % req] = b"%064d" % req
		"builtins.tuple": {54, 250}, // events.append((i, "event-%d" % i))
	} {
		i := slices.IndexFunc(res.Rows, func(r series.Row) bool { return r.Key == typ })
		if i < 0 || heap.TypeOf(&res.Rows[i]).Alloc == nil {
			t.Errorf("%s: no allocation site", typ)
			continue
		}
		a := heap.TypeOf(&res.Rows[i]).Alloc
		if top := a.Stack[0]; !strings.HasSuffix(top.File, "leak.py") || top.Line != want.line || a.Instances != want.instances {
			t.Errorf("%s allocated at %s:%d by %d instances, want leak.py:%d by %d", typ, top.File, top.Line, a.Instances, want.line, want.instances)
		}
	}
	// dumps without tracemalloc have no sites
	plain, err := heap.DiffTypes(loadDumps(t, "leaky/*"), heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range plain.Rows {
		if heap.TypeOf(&r).Alloc != nil {
			t.Errorf("%s has an allocation site in a dump without tracemalloc", r.Key)
		}
	}
}

// loadDumps reads the Python dumps of testdata/pydump/dir.
func loadDumps(t *testing.T, dir string) *heap.DumpSeries {
	t.Helper()
	ds, err := heap.LoadHeapDumps(testkit.Sources(t, "testdata/pydump/"+dir), python.Read)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// ti is what a type adds to a row taken by value.
func ti(r series.Row) *heap.TypeInfo { return heap.TypeOf(&r) }

// TestFindingsStories: on the bundled Python stories, the first leak is
// the story's container with its true path, and what piles up in it.
func TestFindingsStories(t *testing.T) {
	first := func(dir string) (heap.Finding, int) {
		t.Helper()
		res, err := heap.DiffTypes(loadDumps(t, dir), heap.TypeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		fs := heap.DetailOf(res).Findings
		if len(fs) == 0 {
			return heap.Finding{}, 0
		}
		return fs[0], len(fs)
	}
	// The leaky program's three containers, the most bytes first: the
	// REGISTRY dict of bytes, Handler.seen, the closure's list of tuples.
	res, err := heap.DiffTypes(loadDumps(t, "leaky/*"), heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fs := heap.DetailOf(res).Findings
	if len(fs) != 4 || !fs[0].Holder.Has("global", "'REGISTRY'") || fs[0].Heads[0] != (heap.TypeCount{Type: "builtins.bytes", Count: 500}) ||
		!slices.Equal(fs[0].Count.Values, []float64{100, 200, 300, 400, 500, 600}) ||
		!fs[1].Holder.Has("key", "'seen'") || fs[1].Edge.Kind != "index" || fs[1].Heads[0] != (heap.TypeCount{Type: "__main__.Request", Count: 300}) ||
		!fs[2].Holder.Has("cell", "cell_contents") || fs[2].Heads[0] != (heap.TypeCount{Type: "builtins.tuple", Count: 250}) {
		t.Errorf("leaky: %d findings %+v", len(fs), fs)
	}
	f, n := fs[0], len(fs)
	f, n = first("event_loops/*")
	if n != 1 || !f.Holder.Has("key", "'_loops'") || f.Heads[0] != (heap.TypeCount{Type: "asyncio.unix_events._UnixSelectorEventLoop", Count: 15}) {
		t.Errorf("event_loops: %d findings, first %+v heads %+v", n, f.Holder, f.Heads)
	}
	f, n = first("tasks/*")
	// asyncio's weak set of all tasks is an echo of the task leaks, folded
	// into the one whose tasks it refers to most.
	if n != 5 || !f.Holder.Has("attr", "_body_events") || f.Heads[0] != (heap.TypeCount{Type: "asyncio.locks.Event", Count: 50}) ||
		len(f.Echoes) != 1 || f.Echoes[0].Type != "builtins.set" || f.Echoes[0].Heads[0].Type != "weakref.ReferenceType" {
		t.Errorf("tasks: %d findings, first %+v", n, f.Holder)
	}
	// The traceback story's objects are kept only by reference cycles
	// (its collector is off): one finding, the group of cycles, made of
	// one response, reader and exception per request.
	f, n = first("traceback_cycle/*")
	wantHeads := []heap.TypeCount{{Type: "traceback_cycle.ClientPayloadError", Count: 100},
		{Type: "traceback_cycle.ClientResponse", Count: 100}, {Type: "traceback_cycle.StreamReader", Count: 100}}
	if n != 1 || !f.Cycle || f.Holders != 120 || !slices.Equal(f.Heads, wantHeads) ||
		!f.Holder.Has("attr", "_exception") || !f.Holder.Has("traceback", "__traceback__") || !f.Holder.Has("local", "self") ||
		f.Count.Class != series.Growing || f.Count.Values[0] >= f.Count.Values[5] || len(f.Samples) == 0 {
		t.Errorf("traceback_cycle: %d findings, first %+v %+v", n, f, f.Holder)
	}
	// The bound-method story's cycles sit in gc.garbage (DEBUG_SAVEALL):
	// they are told as the cycles they are, not as gc.garbage's growth.
	f, n = first("bound_method/*")
	if n != 1 || !f.Cycle || !slices.Equal(f.Heads, []heap.TypeCount{{Type: "bound_method.Connection", Count: 125}}) ||
		!f.Holder.Has("attr", "recv") || f.Holder.Has("garbage", "") {
		t.Errorf("bound_method: %d findings, first %+v %+v", n, f, f.Holder)
	}
	// Objects reachable from a root are never attributed to cycles: the
	// leaky story's findings are all containers.
	for _, f := range fs {
		if f.Cycle {
			t.Errorf("leaky: a cycle finding %+v", f.Holder)
		}
	}
}

// TestFindingsContainers: the containers story leaks per request into a
// listener list, a logging handler list and an unbounded lru_cache, beside
// a bounded cache and a scratch list that are not leaks. Each leaking
// container is a finding with what piles up in it; the controls are not.
func TestFindingsContainers(t *testing.T) {
	res, err := heap.DiffTypes(loadDumps(t, "containers/*"), heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fs := heap.DetailOf(res).Findings
	find := func(label string) *heap.Finding {
		for i := range fs {
			if fs[i].Holder.Has("key", label) || fs[i].Holder.Has("global", label) || fs[i].Holder.Has("attr", strings.Trim(label, "'")) {
				return &fs[i]
			}
		}
		return nil
	}
	for _, c := range []struct {
		label, head string
		count       int
	}{
		{"'_listeners'", "builtins.method", 100},
		{"'handlers'", "logging.StreamHandler", 100},
	} {
		f := find(c.label)
		if f == nil || len(f.Heads) == 0 || f.Heads[0] != (heap.TypeCount{Type: c.head, Count: c.count}) || f.Count.Class != series.Growing {
			t.Errorf("%s: %+v", c.label, f)
		}
	}
	// The unbounded cache: its dict, reached through price's wrapper,
	// holds a key per request.
	cache := -1
	for i, f := range fs {
		if f.Holder.Has("global", "'price'") && f.Type == "builtins.dict" && len(f.Heads) > 0 && f.Heads[0].Count == 100 {
			cache = i
		}
	}
	if cache < 0 {
		t.Errorf("no finding for price's cache: %+v", fs)
	}
	for _, f := range fs {
		if f.Holder.Has("global", "'rate'") || f.Holder.Has("global", "'SCRATCH'") {
			t.Errorf("a control is a finding: %+v", f.Holder)
		}
		// logging keeps a weak reference to every handler twice: those
		// registries are the handler leak's echoes, not leaks of their own
		if f.Holder.Has("key", "'_at_fork_reinit_lock_weakset'") || len(f.Heads) > 0 && f.Heads[0].Type == "weakref.ReferenceType" {
			t.Errorf("a registry of weak references is a finding of its own: %+v", f.Holder)
		}
	}
	if h := find("'handlers'"); h == nil || len(h.Echoes) != 2 || h.Echoes[0].Heads[0] != (heap.TypeCount{Type: "weakref.ReferenceType", Count: 100}) ||
		h.Echoes[0].Count != 100 {
		t.Errorf("the handler leak's echoes: %+v", h)
	}
	if len(fs) != 4 {
		t.Errorf("%d findings, want 4 (listeners, handlers, and the cache's two: its keys and the requests)", len(fs))
	}
}
