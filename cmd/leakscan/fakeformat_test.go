package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/graph/fakedump"
)

// fakeRuntime is the hook of the fake format's runtime: it says nothing
// but its name, which every format-neutral analysis must cope with.
var fakeRuntime = &heap.Runtime{Name: "Fake"}

// fakeRow is the one registry row a new object-graph format needs.
var fakeRow = analyze.Format{
	Name:  "fake heap dump",
	Kind:  analyze.KindHeapDump,
	Sniff: func(h *analyze.Head) bool { return strings.HasPrefix(string(h.Text), fakedump.Magic) },
	Read: func(name string, data []byte) (*heap.Dump, error) {
		d, err := fakedump.Parse(data)
		if err != nil {
			var fe *fakedump.Error
			if errors.As(err, &fe) {
				return nil, &input.InputError{File: name, Pos: fmt.Sprintf("line %d", fe.Line), Msg: fe.Msg}
			}
			return nil, err
		}
		return &heap.Dump{Heap: d.Heap, Format: "fake heap dump", Time: d.Time, Runtime: fakeRuntime}, nil
	},
}

// writeFakeSeries writes three fake dumps a minute apart: a module whose
// REGISTRY list holds 2, 4, then 6 sessions, each with a buffer, and a
// cache of 3 entries that does not change.
func writeFakeSeries(t *testing.T) []string {
	dir := t.TempDir()
	var paths []string
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\ntime %s\n", fakedump.Magic, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
		b.WriteString("node 1 builtins.module 100 app\nnode 2 builtins.list 64\nnode 3 builtins.dict 200\n")
		b.WriteString("root 1 module app\nedge 1 2 global REGISTRY\nedge 1 3 global CACHE\n")
		for c := 0; c < 3; c++ {
			fmt.Fprintf(&b, "node %d app.CacheEntry 32\nedge 3 %d key 'k%d'\n", 100+c, 100+c, c)
		}
		for s := 0; s < 2*i; s++ {
			id, buf := 1000+2*s, 1001+2*s
			fmt.Fprintf(&b, "node %d app.Session 48\nnode %d builtins.bytes 4096 secret-%d\n", id, buf, s)
			fmt.Fprintf(&b, "edge 2 %d index [%d]\nedge %d %d attr buffer\n", id, s, id, buf)
		}
		p := filepath.Join(dir, fmt.Sprintf("fake-%d.dump", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestFakeFormat adds an object-graph format with one reader package
// (graph/fakedump, importing only graph) and one registry row, and gets
// diff, top, path, graph and report from it with no change to cmd or
// report: what a new heap-dump format costs.
func TestFakeFormat(t *testing.T) {
	defer analyze.RegisterFormat(fakeRow)()
	paths := writeFakeSeries(t)

	code, out, errOut := runCLI(t, nil, append([]string{"diff"}, paths...)...)
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"3 Fake heap dumps, objects, by type, over 2.00 min",
		"2 types grew steadily: +8 over 2.00 min.",
		"1  growing      2     6      +4  +200%        +2  ▁▅█    app.Session\n",
		"3  flat         3     3       0     0%         0  ▁▁▁    app.CacheEntry\n",
		"app.Session is retained via:\n   module app\n     -[global REGISTRY]-> builtins.list\n     -[index [0]]-> app.Session   (6 of 6 instances share this path)",
		"builtins.bytes grows with app.Session, whose instances hold most of the new ones",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "CacheEntry is retained") {
		t.Errorf("the constant cache is reported as growing:\n%s", out)
	}

	// top answers for the last dump of the series.
	code, out, errOut = runCLI(t, nil, append([]string{"top", "--sample", "retained"}, paths...)...)
	if code != 0 || !strings.Contains(out, "1 Fake heap dump, retained, by type") ||
		!strings.Contains(out, "the biggest retainer, a builtins.module reached via module app, retains 24.7 KiB") {
		t.Errorf("top: exit %d %s\n%s", code, errOut, out)
	}

	code, out, errOut = runCLI(t, nil, "path", paths[2], "--type", "app.CacheEntry")
	if want := "module app\n  -[global CACHE]-> builtins.dict\n  -[key 'k0']-> app.CacheEntry   (3 of 3 instances share this path)\n"; code != 0 || out != want {
		t.Errorf("path: exit %d %s\n%q\nwant %q", code, errOut, out, want)
	}

	// The picture starts at new sessions, hides the buffers' values (the
	// runtime does not say they are secret, so they show) and is drawn
	// from the last dump.
	code, out, errOut = runCLI(t, nil, append([]string{"graph", "--type", "Session", "-o", "-"}, paths...)...)
	if code != 0 || !strings.Contains(out, "3 of 6 app.Session, new since fake-1.dump") || !strings.Contains(out, `label="REGISTRY"`) {
		t.Errorf("graph: exit %d %s\n%s", code, errOut, out)
	}

	// The Python analyses do not claim a runtime they do not know.
	code, _, errOut = runCLI(t, nil, append([]string{"cycles"}, paths...)...)
	if code != 2 || !strings.Contains(errOut, "cycles: needs heap dump inputs of a runtime it knows") {
		t.Errorf("cycles on fake dumps: exit %d %s", code, errOut)
	}

	// A broken fake dump is one line naming the file and the line.
	bad := filepath.Join(t.TempDir(), "bad.dump")
	os.WriteFile(bad, []byte(fakedump.Magic+"\nnode x\n"), 0o644)
	code, _, errOut = runCLI(t, nil, "top", bad)
	if code != 2 || errOut != "leakscan: "+bad+": line 2: expected node ID TYPE SIZE [VALUE]\n" {
		t.Errorf("bad fake dump: exit %d %q", code, errOut)
	}
}
