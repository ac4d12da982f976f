package python

import (
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

// The four leak stories of testdata/gen/pystories, each beside a control,
// dumped at six checkpoints by the real dumper (testdata/README.md).

// loadDumps reads the dumps of testdata/pydump/dir.
func loadDumps(t *testing.T, dir string) *heap.DumpSeries {
	t.Helper()
	ds, err := heap.LoadHeapDumps(testkit.Sources(t, "testdata/pydump/"+dir+"/*"), Read)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func loadStory(t *testing.T, story string) *heap.DumpSeries {
	t.Helper()
	ds := loadDumps(t, story)
	if len(ds.Dumps) != 6 {
		t.Fatalf("%d dumps, want 6", len(ds.Dumps))
	}
	return ds
}

// steps is k·per for k = 1…6.
func steps(per float64) []float64 {
	out := make([]float64, 6)
	for i := range out {
		out[i] = per * float64(i+1)
	}
	return out
}

func onlySuspect(t *testing.T, res *series.Result) series.Row {
	t.Helper()
	s := res.Suspects()
	if len(s) != 1 {
		var keys []string
		for _, r := range s {
			keys = append(keys, r.Key)
		}
		t.Fatalf("%d suspects, want 1: %q", len(s), keys)
	}
	return s[0]
}

func TestStoryTracebackCycle(t *testing.T) {
	ds := loadStory(t, "traceback_cycle")
	res, err := DiffCycles(ds)
	if err != nil {
		t.Fatal(err)
	}
	r := onlySuspect(t, res)
	if !slices.Equal(r.Values, steps(20)) || r.Class != series.Growing {
		t.Errorf("cycles per checkpoint %v (%s), want %v growing", r.Values, r.Class, steps(20))
	}
	want := ringOf(
		"traceback_cycle.ClientResponse", "", "attr", "content",
		"traceback_cycle.StreamReader", "", "attr", "_exception",
		"traceback_cycle.ClientPayloadError", "", "traceback", "__traceback__",
		"builtins.traceback", "", "tb_frame", "tb_frame",
		"builtins.frame", "ClientResponse.read", "local", "self")
	if !slices.Equal(CycleOf(&r).Ring, want) {
		t.Errorf("ring\n%+v\nwant\n%+v", CycleOf(&r).Ring, want)
	}
	br := CycleOf(&r).Break
	if br == nil || br.Pattern != PatternTraceback || br.Guess || br.Step != 1 || !strings.Contains(br.Fix, "StreamReader._exception") {
		t.Errorf("break %+v, want StreamReader._exception by the traceback pattern", br)
	}
	// the partial bodies (4 KiB each) are what the cycles keep alive
	if got := lastOf(CycleOf(&r).Retained); got < 120*4096 {
		t.Errorf("retained %v bytes at the last dump, want at least 120 bodies of 4 KiB", got)
	}
	if c := CollectorOf(res); c.Enabled || c.SaveAll || c.Changed {
		t.Errorf("collector %+v, want disabled, no DEBUG_SAVEALL", c)
	}
	// the type series names the leaking types too, and says why nothing
	// reaches them; the control's responses are not there
	types, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"traceback_cycle.ClientResponse", "traceback_cycle.StreamReader", "traceback_cycle.ClientPayloadError"} {
		i := slices.IndexFunc(types.Rows, func(r series.Row) bool { return r.Key == typ })
		if i < 0 || !types.Rows[i].Suspect || !slices.Equal(types.Rows[i].Values, steps(20)) ||
			!slices.Contains(types.Rows[i].Reasons, "its growth is unreachable: kept by reference cycles") {
			t.Errorf("type %s: %+v", typ, types.Rows[i])
		}
	}
}

func TestStoryBoundMethod(t *testing.T) {
	ds := loadStory(t, "bound_method")
	res, err := DiffCycles(ds)
	if err != nil {
		t.Fatal(err)
	}
	r := onlySuspect(t, res)
	want := ringOf("bound_method.Connection", "", "attr", "recv", "builtins.method", "Connection.read", "self", "__self__")
	if !slices.Equal(CycleOf(&r).Ring, want) {
		t.Errorf("ring %+v, want %+v", CycleOf(&r).Ring, want)
	}
	if !slices.Equal(r.Values, steps(25)) || CycleOf(&r).InGarbage != 150 || !slices.Contains(r.Reasons, "in gc.garbage") {
		t.Errorf("values %v, in gc.garbage %d, reasons %v; want %v, 150, in gc.garbage", r.Values, CycleOf(&r).InGarbage, r.Reasons, steps(25))
	}
	if br := CycleOf(&r).Break; br == nil || br.Pattern != PatternBoundMethod || br.Step != 0 || !strings.Contains(br.Fix, "define recv on the class") {
		t.Errorf("break %+v, want Connection.recv by the bound-method pattern", br)
	}
	if c := CollectorOf(res); !c.Enabled || !c.SaveAll {
		t.Errorf("collector %+v, want DEBUG_SAVEALL", c)
	}
	types, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range types.Rows {
		if strings.Contains(row.Key, "GoodConnection") && row.Suspect {
			t.Errorf("the control is a suspect: %+v", row)
		}
	}
}

func TestStoryEventLoops(t *testing.T) {
	ds := loadStory(t, "event_loops")
	res, err := DiffResources(ds)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]series.Row{}
	for _, r := range res.Rows {
		got[r.Key] = r
	}
	for key, per := range map[string]float64{"socket fds": 6, "anon_inode [eventpoll] fds": 3, RowLoops: 3} {
		r, ok := got[key]
		if !ok || !r.Suspect || r.Class != series.Growing || !slices.Equal(r.Values, steps(per)) {
			t.Errorf("%s: %v %s suspect=%v, want %v growing", key, r.Values, r.Class, r.Suspect, steps(per))
		}
	}
	if r := got["file fds"]; r.Suspect {
		t.Errorf("file fds are a suspect: %+v", r)
	}
	loops := ri(got[RowLoops])
	if loops.Extra != 18 || loops.ExtraPath == nil || loops.ExtraPath.Instances != 18 || len(loops.Loops) != maxLoops {
		t.Fatalf("loops %+v, want 18 extra sharing one path", loops)
	}
	if !loops.ExtraPath.Has("key", "'_loops'") || !strings.HasSuffix(loops.ExtraPath.Steps[len(loops.ExtraPath.Steps)-1].Type, "_UnixSelectorEventLoop") {
		t.Errorf("loops are held via %+v, want ApiClient._loops", loops.ExtraPath)
	}
	socks := ri(got["socket fds"])
	if socks.Objects != 36 || socks.Holder == nil || !socks.Holder.Has("key", "'_loops'") {
		t.Errorf("sockets %+v, want all 36 tied to objects held through the loops registry", socks)
	}
	// the control's loops were closed by asyncio.run: none is left
	for _, hd := range ds.Dumps {
		for _, l := range native(hd).Loops {
			if l.Closed {
				t.Errorf("%s: a closed loop is still in the heap", hd.Name)
			}
		}
	}
}

func TestStoryTasks(t *testing.T) {
	ds := loadStory(t, "tasks")
	res, err := DiffTasks(ds)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		what, coro, waiting string
		per                 float64
		chain               []string // outermost first
	}
	wants := []want{
		{TaskPending, "tasks.WebServer.handle_request", "Event.wait", 10, []string{"handle_request", "_read_body", "wait"}},
		{TaskTimer, "", "", 8, nil},
		{TaskPending, "tasks.WebServer._notify", "Future", 5, []string{"_notify"}},
		{TaskNeverAwaited, "tasks.prefetch", "", 4, []string{"prefetch"}},
		{TaskUnretrieved, "tasks.WebServer._refresh_token", "", 2, []string{"_refresh_token"}},
	}
	suspects := res.Suspects()
	if len(suspects) != len(wants) {
		t.Fatalf("%d suspects, want %d", len(suspects), len(wants))
	}
	for _, w := range wants {
		i := slices.IndexFunc(suspects, func(r series.Row) bool { return TaskOf(&r).What == w.what && TaskOf(&r).Coro == w.coro })
		if i < 0 {
			t.Errorf("no suspect %s %s", w.what, w.coro)
			continue
		}
		r := suspects[i]
		if !slices.Equal(r.Values, steps(w.per)) || r.Class != series.Growing || TaskOf(&r).WaitingOn != w.waiting {
			t.Errorf("%s %s: %v %s waiting on %q; want %v growing, %q", w.what, w.coro, r.Values, r.Class, TaskOf(&r).WaitingOn, steps(w.per), w.waiting)
		}
		var chain []string
		for j := len(r.Stack) - 1; j >= 0; j-- {
			chain = append(chain, r.Stack[j].Func)
		}
		if !slices.Equal(chain, w.chain) {
			t.Errorf("%s %s: chain %v, want %v", w.what, w.coro, chain, w.chain)
		}
	}
	if i := slices.IndexFunc(suspects, func(r series.Row) bool { return TaskOf(&r).What == TaskTimer }); i >= 0 && TaskOf(&suspects[i]).Callback != "tasks.WebServer._expire_session" {
		t.Errorf("timer callback %q", TaskOf(&suspects[i]).Callback)
	}
	if i := slices.IndexFunc(suspects, func(r series.Row) bool { return TaskOf(&r).What == TaskUnretrieved }); i >= 0 && TaskOf(&suspects[i]).Exception != "tasks.TokenRefreshError" {
		t.Errorf("exception %q", TaskOf(&suspects[i]).Exception)
	}
	// the server's own task is pending at every checkpoint and not a suspect
	for _, r := range res.Rows {
		if TaskOf(&r).Coro == "tasks.serve" && (r.Suspect || !slices.Equal(r.Values, []float64{1, 1, 1, 1, 1, 1})) {
			t.Errorf("serve: %+v", r)
		}
	}
	// no cycle or resource is reported for the task story
	cycles, err := DiffCycles(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(cycles.Suspects()) != 0 {
		t.Errorf("cycles in the task story: %v", cycles.Suspects()[0].Key)
	}
}

// FuzzPythonAnalyses runs every analysis of a Python heap dump on what the
// reader accepts: hostile graphs (records naming missing objects, cycles
// everywhere, loops and tasks without objects) must not panic.
func FuzzPythonAnalyses(f *testing.F) {
	hdr := `{"format":"leakscan-pydump","version":1,"pid":1,"time":"2026-11-21T09:00:00Z","python":"3.11.7","gc":{"enabled":false,"debug":32,"saveall":true,"thresholds":[700,10,10],"counts":[1,2,3]}}` + "\n"
	f.Add([]byte(hdr + `{"k":"t","i":0,"n":"app.A"}
{"k":"t","i":1,"n":"builtins.method"}
{"k":"t","i":2,"n":"builtins.frame"}
{"k":"o","id":1,"t":0,"s":10,"f":1,"e":[[2,"attr","recv"],[3,"traceback","__traceback__"]]}
{"k":"o","id":2,"t":1,"s":10,"f":1,"e":[[1,"self","__self__"],[2,"self","__self__"]]}
{"k":"o","id":3,"t":2,"s":10,"f":0,"e":[[1,"local","self"],[3,"tb_frame","tb_frame"]]}
{"k":"fd","fd":3,"what":"socket","detail":"a->b","id":2}
{"k":"fd","fd":4,"what":"anon_inode","detail":"[eventpoll]"}
{"k":"loop","id":1,"running":false,"closed":false,"timers":2,"timer_callbacks":[["m.f",2]]}
{"k":"loop","id":3,"running":true}
{"k":"task","id":2,"state":"pending","coro":"m.g","stack":[["m.py",1,"g"]],"waiting_on":"Event.wait"}
{"k":"task","id":9,"state":"finished","coro":"m.g","exception":"E"}
{"k":"coro","id":3,"coro":"m.h","file":"m.py","line":2}
{"k":"end","objects":3,"edges":6,"seconds":0}
`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := heap.LoadHeapDumps([]input.Source{input.NewSource("a", data), input.NewSource("b", data)}, Read)
		if err != nil {
			return
		}
		for _, fn := range []func(*heap.DumpSeries) (*series.Result, error){DiffCycles, DiffTasks, DiffResources} {
			if _, err := fn(ds); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestMixedProcessesWarn: dumps of two processes make a warning.
func TestMixedProcessesWarn(t *testing.T) {
	for _, w := range loadDumps(t, "bound_method").Warnings {
		t.Errorf("one process, yet: %s", w)
	}
	srcs := append(testkit.Sources(t, "testdata/pydump/bound_method/heap-1*"), testkit.Sources(t, "testdata/pydump/traceback_cycle/heap-1*")...)
	a, err := heap.LoadHeapDumps(srcs, Read)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(a.Warnings, func(w string) bool { return strings.Contains(w, "the dumps come from 2 processes") }) {
		t.Errorf("warnings %q", a.Warnings)
	}
}

// ri is what a resource adds to a row taken by value.
func ri(r series.Row) *ResourceInfo { return ResourceOf(&r) }
