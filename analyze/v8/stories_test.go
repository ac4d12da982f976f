package v8

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

// The snapshots of testdata/gen/v8leak (testdata/README.md): three
// checkpoints of a Node program with three leaks — listeners on a
// long-lived EventEmitter, a closure-private Map cache, a growing array on
// a module-level object — beside a full ring buffer, per-request objects
// and cleared timers.

func loadLeaky(t *testing.T) *heap.DumpSeries {
	t.Helper()
	ds, err := heap.LoadHeapDumps(testkit.Sources(t, "testdata/v8/leaky/*.heapsnapshot.gz"), Read)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Dumps) != 3 {
		t.Fatalf("%d snapshots, want 3", len(ds.Dumps))
	}
	return ds
}

// labels is a path's edge labels after its first step (the first is the
// stack slot the module's context happened to take), joined by spaces.
func labels(rs *heap.RetainerShape) string {
	var out []string
	for _, st := range rs.Steps[1:] {
		out = append(out, st.Label)
	}
	return rs.Root + ": " + strings.Join(out, " ")
}

func typeCounts(f heap.Finding, typ string) []float64 {
	for _, ts := range f.Types {
		if ts.Type == typ {
			return ts.Counts
		}
	}
	return nil
}

// TestLeakyFindings: the three leaks and nothing else are found, each
// with its holder, the path to it, and what piles up in it at each
// snapshot.
func TestLeakyFindings(t *testing.T) {
	ds := loadLeaky(t)
	res, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fs := heap.DetailOf(res).Findings
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s at %s → %s %s", f.Type, labels(f.Holder), f.Edge.Kind, f.Edge.Type))
	}
	want := []string{
		"Array at gc root (Stack roots): bus _events update → index (closure) onUpdate",
		"Map at gc root (Stack roots): lookupProfile context cache → internal (array)",
		"Array at gc root (Stack roots): registry records → index AuditRecord",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, c := range []struct {
		typ    string
		counts []float64
	}{{"Session", []float64{40, 80, 120}}, {"Profile", []float64{30, 60, 90}}, {"AuditRecord", []float64{50, 100, 150}}} {
		if got := typeCounts(fs[i], c.typ); !slices.Equal(got, c.counts) {
			t.Errorf("finding %d holds %v %s, want %v", i+1, got, c.typ, c.counts)
		}
		if fs[i].Count.Class != series.Growing || fs[i].Holders != 1 {
			t.Errorf("finding %d: %s, %d holders", i+1, fs[i].Count.Class, fs[i].Holders)
		}
	}
	// The listeners are closures named with their source position.
	if fs[0].Heads[0] != (heap.TypeCount{Type: "(closure) onUpdate", Count: 80}) {
		t.Errorf("listeners' heads %v", fs[0].Heads)
	}
}

// TestLeakyTypes: the program's leaking classes are the suspects, listed
// before V8's and JavaScript's own types and before what they hold; the
// controls are flat.
func TestLeakyTypes(t *testing.T) {
	ds := loadLeaky(t)
	res, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]series.Row{}
	var suspects []string
	for _, r := range res.Rows {
		rows[r.Key] = r
		if r.Suspect {
			suspects = append(suspects, r.Key)
		}
	}
	if len(suspects) < 3 || !slices.Equal(suspects[:3], []string{"AuditRecord", "(closure) onUpdate", "Profile"}) {
		t.Errorf("suspects %q: want the program's three leaking types first", suspects)
	}
	// Sessions grow because the listeners hold them.
	if hb := heap.TypeOf(ptr(rows["Session"])).HeldBy; hb != "(closure) onUpdate" {
		t.Errorf("Session held by %q, want (closure) onUpdate", hb)
	}
	for typ, want := range map[string][]float64{
		"AuditRecord": {50, 100, 150}, "Session": {40, 80, 120}, "Profile": {30, 60, 90}, "(closure) onUpdate": {40, 80, 120},
		"RingEntry": {64, 64, 64}, "RingBuffer": {1, 1, 1}, "EventEmitter": {3, 3, 3},
	} {
		if got := rows[typ].Values; !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", typ, got, want)
		}
	}
	for _, control := range []string{"RingEntry", "RingBuffer", "Request", "Timeout"} {
		if r, ok := rows[control]; ok && r.Suspect {
			t.Errorf("control %s is a suspect: %v", control, r.Values)
		}
	}
	if _, ok := rows["Request"]; ok {
		t.Error("a Request outlived its request")
	}
	// A Session's path goes through the listener closure and the variable
	// it captured.
	sh := heap.TypeOf(ptr(rows["Session"])).Retainer
	if got := labels(sh); got != "gc root (Stack roots): bus _events update [0] context session" && !strings.HasPrefix(got, "gc root (Stack roots): bus _events update [") {
		t.Errorf("Session's path %s", got)
	}
	if n := len(sh.Steps); n < 3 || sh.Steps[n-3].Type != "(closure) onUpdate" || sh.Steps[n-1] != (heap.PathStep{Kind: "context", Label: "session", Type: "Session"}) {
		t.Errorf("Session's path %+v: want … → (closure) onUpdate → context → session (a context edge) → Session", sh.Steps)
	}
	if sh.Instances != 120 || sh.Of != 120 {
		t.Errorf("Session's path shared by %d of %d", sh.Instances, sh.Of)
	}
}

func ptr(r series.Row) *series.Row { return &r }

// TestNote: a closure is noted by its function and source position.
func TestNote(t *testing.T) {
	ds := loadLeaky(t)
	h := ds.Dumps[0].Dump.Heap
	notes := map[string]int{}
	for v := int32(0); int(v) < h.NumNodes(); v++ {
		if h.TypeName(v) == "(closure) onUpdate" || h.TypeName(v) == "(closure) lookupProfile" {
			notes[Runtime.NoteOf(h, v)]++
		}
	}
	if notes["onUpdate leak.js:48:20"] != 40 || notes["lookupProfile leak.js:65:32"] != 1 {
		t.Errorf("notes %v", notes)
	}
}

func TestOwn(t *testing.T) {
	for typ, want := range map[string]bool{
		"system / Map": true, "(compiled code)": true, "(object elements)": true, "Node / Environment": true, "(string)": true,
		"Array": true, "Object": true, "Map": true,
		"Session": false, "(closure) onUpdate": false, "(closure) (anonymous)": false, "EventEmitter": false,
	} {
		if Own(typ) != want {
			t.Errorf("Own(%q) = %v", typ, !want)
		}
	}
}

// TestAllocationTraces regenerates the series under --track-heap-objects
// (Node needed; about 3 s) and finds where the leaking objects were
// allocated: V8 records each function on the stack, at the line it
// starts.
func TestAllocationTraces(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node")
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH")
	}
	dir := t.TempDir()
	script, err := filepath.Abs(testkit.Path("testdata/gen/v8leak/leak.js"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nodeBin, "--expose-gc", "--track-heap-objects", script, "--out", dir, "-n", "3")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.heapsnapshot.gz"))
	srcs, err := input.ReadSources(paths, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := heap.LoadHeapDumps(srcs, Read)
	if err != nil {
		t.Fatal(err)
	}
	res, err := heap.DiffTypes(ds, heap.TypeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.Key != "AuditRecord" {
			continue
		}
		a := heap.TypeOf(&r).Alloc
		if a == nil || a.Instances != 150 || len(a.Stack) < 2 ||
			a.Stack[0] != (series.Frame{Func: "audit", File: script, Line: 87}) || a.Stack[1].Func != "tick" {
			t.Errorf("AuditRecord allocated at %+v", a)
		}
	}
	if f := heap.DetailOf(res).Findings; len(f) != 3 || f[2].Alloc == nil || f[2].Alloc.Stack[0].Func != "audit" {
		t.Errorf("findings' allocation sites: %+v", f)
	}
}

// TestFromName: the time and pid of the file names Node chooses.
func TestFromName(t *testing.T) {
	tm, pid := fromName("/var/tmp/Heap.20261203.213005.4242.0.002.heapsnapshot.gz")
	if pid != 4242 || tm.Format("2006-01-02 15:04:05") != "2026-12-03 21:30:05" {
		t.Errorf("%v %d", tm, pid)
	}
	for _, name := range []string{"snap-1.heapsnapshot", "Heap.2026.heapsnapshot", "MyHeap.20261203.213005.4242.0.002.heapsnapshot"} {
		if tm, pid := fromName(name); !tm.IsZero() || pid != 0 {
			t.Errorf("%s: %v %d", name, tm, pid)
		}
	}
}
