package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestV8Snapshots runs the commands a user runs on V8 heap snapshots,
// on the real Node snapshots of testdata/gen/v8leak: diff finds the
// three leaks with their holders and paths, and nothing of the
// controls; top, path, graph and report work on one snapshot, report on
// the series too.
func TestV8Snapshots(t *testing.T) {
	atRoot(t)
	dir := "testdata/v8/leaky"
	code, out, errOut := runCLI(t, nil, "diff", dir)
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"3 V8 heap dumps, objects, by type\n3 leaks: objects pile up in 3 containers, +680 objects",
		"in Array ← gc root (Stack roots) → [30] → bus → _events → update\n     index [100] → (closure) onUpdate ×80",
		"in Map ← gc root (Stack roots) → [30] → lookupProfile → context → cache\n",
		"in all (string) +60, Object +60, Profile +60",
		"in Array ← gc root (Stack roots) → [30] → registry → records\n     index [50] → AuditRecord ×100",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	for _, control := range []string{"RingEntry", "RingBuffer", "Request", "Timeout"} {
		if strings.Contains(out, control) {
			t.Errorf("diff names the control %s:\n%s", control, out)
		}
	}

	last := filepath.Join(dir, "snap-3.heapsnapshot.gz")
	code, out, errOut = runCLI(t, nil, "top", last)
	if code != 0 || !strings.Contains(out, "1 V8 heap dump, objects, by type\n42.2k objects of 4534 types") {
		t.Errorf("top: exit %d %s\n%s", code, errOut, out)
	}
	// The biggest retainers are objects, not V8's synthetic roots.
	if strings.Contains(out, "biggest retainer, a (Strong roots)") || strings.Contains(out, "(Strong roots)             ") {
		t.Errorf("top names a synthetic root as a retainer:\n%s", out)
	}

	// The path of a leaked Session reads through the listener closure and
	// the variable it captured.
	code, out, errOut = runCLI(t, nil, "path", last, "--type", "Session")
	want := "gc root (Stack roots)\n  -[index [30]]-> system / Context\n  -[bus]-> EventEmitter\n  -[_events]-> Object\n" +
		"  -[update]-> Array\n  -[index [0]]-> (closure) onUpdate\n  -[context]-> system / Context\n" +
		"  -[session]-> Session   (120 of 120 instances share this path)\n"
	if code != 0 || out != want {
		t.Errorf("path: exit %d %s\n%s\nwant\n%s", code, errOut, out, want)
	}

	// The picture notes closures by function and position.
	code, out, errOut = runCLI(t, nil, "graph", last, "--type", "Session", "-o", "-")
	if code != 0 || !strings.Contains(out, `(closure) onUpdate\nonUpdate leak.js:48:20`) || !strings.Contains(out, `label="session"`) ||
		!strings.Contains(out, `tooltip="Session at @`) { // ids as DevTools writes them
		t.Errorf("graph: exit %d %s\n%s", code, errOut, out)
	}

	md := filepath.Join(t.TempDir(), "report.md")
	code, _, errOut = runCLI(t, nil, "report", dir, "-o", md, "--pictures", "0")
	body, _ := os.ReadFile(md)
	if code != 0 || !strings.Contains(string(body), "# 3 leaks: objects pile up in 3 containers") ||
		!strings.Contains(string(body), "in `Map`, growing at `table`") {
		t.Errorf("report: exit %d %s\n%s", code, errOut, body)
	}

	one := filepath.Join(t.TempDir(), "one.md")
	code, _, errOut = runCLI(t, nil, "report", last, "-o", one, "--pictures", "0")
	body, _ = os.ReadFile(one)
	if code != 0 || !strings.HasPrefix(string(body), "# 42.2k objects of 4534 types") || !strings.Contains(string(body), "| `(closure) (anonymous)` |") {
		t.Errorf("report of one snapshot: exit %d %s\n%s", code, errOut, body)
	}

	// A snapshot whose meta lacks a field is one line naming the file and
	// the byte.
	bad := filepath.Join(t.TempDir(), "bad.heapsnapshot")
	os.WriteFile(bad, []byte(`{"snapshot":{"meta":{"node_fields":["type"]}`), 0o644)
	code, _, errOut = runCLI(t, nil, "top", bad)
	if want := "leakscan: " + bad + ": byte 20: expected node_fields with \"name\" in meta\n"; code != 2 || errOut != want {
		t.Errorf("bad snapshot: exit %d %q, want %q", code, errOut, want)
	}
}
