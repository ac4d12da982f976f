package analyze

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/maruel/panicparse/v2/stack"
)

// ourGoroutines describes each parsed goroutine for the cross-check: its
// status, its frames as printed, and its creator.
func ourGoroutines(t *testing.T, data []byte) map[int64]string {
	t.Helper()
	tab := newStackTable()
	out := map[int64]string{}
	parseTraceback("x", data, tab, func(rec *goroutineRec) {
		var b strings.Builder
		fmt.Fprintf(&b, "[%s]", rec.status)
		for _, id := range rec.frames {
			f := tab.frames[id]
			fmt.Fprintf(&b, " %s:%d", f.Func, f.Line)
		}
		if rec.creator >= 0 {
			fmt.Fprintf(&b, " created by %s:%d", tab.frames[rec.creator].Func, tab.frames[rec.creator].Line)
		}
		out[rec.id] = b.String()
	}, func(string) {})
	return out
}

func theirGoroutines(t *testing.T, data []byte) map[int64]string {
	t.Helper()
	snap, _, err := stack.ScanSnapshot(bytes.NewReader(data), &bytes.Buffer{}, &stack.Opts{})
	if err != nil && snap == nil {
		t.Fatalf("panicparse: %v", err)
	}
	out := map[int64]string{}
	for _, g := range snap.Goroutines {
		// panicparse v2.5.0 predates Go 1.26: it keeps the (leaked) flag
		// and the labels in the state, where we take them apart.
		state, _, _ := strings.Cut(g.State, " labels:{")
		for _, flag := range []string{" (leaked)", " (durable)", " (scan)"} {
			state = strings.ReplaceAll(state, flag, "")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "[%s]", state)
		for _, c := range g.Stack.Calls {
			fmt.Fprintf(&b, " %s:%d", c.Func.Complete, c.Line)
		}
		for _, c := range g.CreatedBy.Calls {
			// panicparse v2.5.0 keeps Go 1.21's " in goroutine N" in the name.
			fn, _, _ := strings.Cut(c.Func.Complete, " in goroutine ")
			fmt.Fprintf(&b, " created by %s:%d", fn, c.Line)
		}
		out[int64(g.ID)] = b.String()
	}
	return out
}

// TestCrossCheckPanicparse parses real tracebacks with our parser and with
// github.com/maruel/panicparse/v2 and compares every goroutine's state,
// frames and creator.
func TestCrossCheckPanicparse(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	spawnTestLeaks(3, release)
	time.Sleep(20 * time.Millisecond)
	buf := make([]byte, 1<<20)
	inputs := map[string][]byte{"runtime.Stack": buf[:runtime.Stack(buf, true)]}
	paths, _ := filepath.Glob("../testdata/goroutine/*/*debug2*.txt")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = b
	}
	for name, data := range inputs {
		ours, theirs := ourGoroutines(t, data), theirGoroutines(t, data)
		if len(ours) != len(theirs) || len(ours) == 0 {
			t.Errorf("%s: %d goroutines, panicparse %d", name, len(ours), len(theirs))
		}
		for id, want := range theirs {
			if got := ours[id]; got != want {
				t.Errorf("%s: goroutine %d:\n ours   %s\n theirs %s", name, id, got, want)
			}
		}
	}
}

// BenchmarkGoroutineDump parses and groups a big debug=2 dump (made by
// testdata/gen/biggoroutines; LEAKSCAN_BIGGOROUTINES names the file) with
// leakscan, and parses and buckets it with panicparse, the peer.
func BenchmarkGoroutineDump(b *testing.B) {
	path := os.Getenv("LEAKSCAN_BIGGOROUTINES")
	if path == "" {
		b.Skip("LEAKSCAN_BIGGOROUTINES not set; see testdata/README.md")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("leakscan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			gs, err := LoadGoroutines([]Source{NewSource("big", data)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := DiffGoroutines(gs, GoOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("panicparse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			snap, _, err := stack.ScanSnapshot(bytes.NewReader(data), &bytes.Buffer{}, &stack.Opts{})
			if err != nil && snap == nil {
				b.Fatal(err)
			}
			snap.Aggregate(stack.AnyPointer)
		}
	})
}
