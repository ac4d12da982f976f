package goroutine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	ourstack "github.com/leakscan/leakscan/analyze/stack"
	"github.com/maruel/panicparse/v2/stack"
)

// ourGoroutines describes each parsed goroutine for the cross-check: its
// status, its frames as printed, and its creator.
func ourGoroutines(t *testing.T, data []byte) map[int64]string {
	t.Helper()
	tab := ourstack.NewTable()
	out := map[int64]string{}
	dup := 0
	parseTraceback("x", data, tab, func(rec *goroutineRec) {
		var b strings.Builder
		fmt.Fprintf(&b, "[%s]", rec.status)
		for _, id := range rec.frames {
			f := tab.FrameAt(id)
			fmt.Fprintf(&b, " %s:%d", f.Func, f.Line)
		}
		if rec.creator >= 0 {
			fmt.Fprintf(&b, " created by %s:%d", tab.FrameAt(rec.creator).Func, tab.FrameAt(rec.creator).Line)
		}
		key := rec.id
		if _, ok := out[key]; ok { // goroutine 0 once per thread in crash dumps
			dup--
			key = int64(dup)
		}
		out[key] = b.String()
	}, func(string) {})
	return out
}

func theirGoroutines(t *testing.T, data []byte) map[int64]string {
	t.Helper()
	snap, _, err := stack.ScanSnapshot(bytes.NewReader(data), &bytes.Buffer{}, &stack.Opts{})
	out := map[int64]string{}
	dup := 0
	if err != nil && snap == nil {
		return out // panicparse reads none of it: nothing to compare
	}
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
			if c.Func.Complete != "" { // its placeholder for "stack unavailable"
				fmt.Fprintf(&b, " %s:%d", c.Func.Complete, c.Line)
			}
		}
		for _, c := range g.CreatedBy.Calls {
			// panicparse v2.5.0 keeps Go 1.21's " in goroutine N" in the name.
			fn, _, _ := strings.Cut(c.Func.Complete, " in goroutine ")
			fmt.Fprintf(&b, " created by %s:%d", fn, c.Line)
		}
		key := int64(g.ID)
		if _, ok := out[key]; ok {
			dup--
			key = int64(dup)
		}
		out[key] = b.String()
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
	paths, _ := filepath.Glob("../../testdata/goroutine/*/*debug2*.txt")
	variants, _ := filepath.Glob("../../testdata/goroutine/variants/*.txt")
	paths = append(paths, variants...)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = b
	}
	compared := 0
	for name, data := range inputs {
		ours, theirs := ourGoroutines(t, data), theirGoroutines(t, data)
		if len(theirs) == 0 {
			t.Logf("%s: panicparse reads no goroutine", name)
			continue
		}
		compared++
		// panicparse v2.5.0 loses goroutines after an ancestor block, and
		// after a Go 1.26 label set.
		// It also counts twice a goroutine a crash dump prints twice.
		if len(ours) != len(theirs) && !bytes.Contains(data, []byte("[originating from goroutine")) &&
			!bytes.Contains(data, []byte(" labels:{")) && !bytes.Contains(data, []byte("stack unavailable")) {
			t.Errorf("%s: %d goroutines, panicparse %d", name, len(ours), len(theirs))
		}
		// Compare as multisets: ids repeat in crash dumps.
		bag := map[string]int{}
		for _, g := range ours {
			bag[g]++
		}
		for _, want := range theirs {
			if strings.HasPrefix(want, "[running] created by") {
				continue // "stack unavailable", which we fold into the later copy
			}
			if bag[want] == 0 {
				t.Errorf("%s: panicparse has a goroutine we do not:\n %s", name, want)
			}
			bag[want]--
		}
	}
	if compared < 20 {
		t.Errorf("only %d inputs compared", compared)
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
			gs, err := LoadGoroutines([]input.Source{input.NewSource("big", data)})
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
