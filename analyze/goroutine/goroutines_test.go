package goroutine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

//go:noinline
func testBlockedRecv(ch chan int) { <-ch }

//go:noinline
func testBlockedSend(ch chan int) { ch <- 1 }

//go:noinline
func testBlockedSelect(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func testBlockedLock(mu *sync.Mutex) { mu.Lock() }

//go:noinline
func spawnTestLeaks(n int, release chan struct{}) {
	recv, send, a, b := make(chan int), make(chan int), make(chan int), make(chan int)
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < n; i++ {
		go testBlockedRecv(recv)
		go testBlockedSend(send)
		go testBlockedSelect(a, b)
		pprof.Do(context.Background(), pprof.Labels("kind", `lock, "quoted"`), func(context.Context) {
			go testBlockedLock(&mu)
		})
	}
	go func() {
		<-release
		close(recv)
		for i := 0; i < n; i++ {
			<-send
		}
		close(a)
		mu.Unlock()
	}()
}

// captureAll writes this process's goroutines in every format.
func captureAll(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, debug := range []int{0, 1, 2} {
		var buf bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&buf, debug); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if debug == 0 {
			b = testkit.Gunzip(t, b)
		}
		out[[]string{"proto", "debug1", "debug2"}[debug]] = b
	}
	buf := make([]byte, 1<<20)
	out["stack"] = buf[:runtime.Stack(buf, true)]
	return out
}

// TestGoroutineFormatsAgree: the same moment captured as a proto profile,
// debug=1, debug=2 and runtime.Stack gives the same groups and counts.
func TestGoroutineFormatsAgree(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	spawnTestLeaks(7, release)
	time.Sleep(50 * time.Millisecond) // let them block
	dumps := captureAll(t)
	counts := map[string]map[string]int{} // format → top function → count
	for name, data := range dumps {
		gs, err := LoadGoroutines([]input.Source{input.NewSource(name, data)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range gs.Warnings {
			t.Errorf("%s: warning %s", name, w)
		}
		res, err := DiffGoroutines(gs, GoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		counts[name] = map[string]int{}
		for _, r := range res.Rows {
			if strings.Contains(r.Frame.Func, "goroutine.testBlocked") {
				counts[name][r.Frame.Func] += int(r.Last)
				// Tracebacks print labels only with GODEBUG=tracebacklabels=1.
				if r.Frame.Func == "github.com/leakscan/leakscan/analyze/goroutine.testBlockedLock" && (name == "proto" || name == "debug1") &&
					!slices.Contains(InfoOf(&r).Labels, `kind="lock, \"quoted\""`) {
					t.Errorf("%s: labels %v", name, InfoOf(&r).Labels)
				}
				if name == "debug2" || name == "stack" {
					if InfoOf(&r).Creator == nil || !strings.Contains(InfoOf(&r).Creator.Func, "spawnTestLeaks") {
						t.Errorf("%s: %s creator %v", name, r.Frame.Func, InfoOf(&r).Creator)
					}
				}
			}
		}
	}
	want := map[string]int{}
	for _, fn := range []string{"testBlockedRecv", "testBlockedSend", "testBlockedSelect", "testBlockedLock"} {
		want["github.com/leakscan/leakscan/analyze/goroutine."+fn] = 7
	}
	for name, got := range counts {
		if name == "stack" {
			continue // runtime.Stack output has no labels; counts checked below
		}
		for fn, n := range want {
			if got[fn] != n {
				t.Errorf("%s: %s × %d, want %d (all: %v)", name, fn, got[fn], n, got)
			}
		}
	}
	for fn, n := range want {
		if counts["stack"][fn] != n {
			t.Errorf("runtime.Stack: %s × %d, want %d", fn, counts["stack"][fn], n)
		}
	}
}

// FuzzGoroutineDump feeds mutated goroutine dumps of every format to the
// loader and the grouping: no panic, and failures are InputErrors.
func FuzzGoroutineDump(f *testing.F) {
	paths, _ := filepath.Glob("../../testdata/goroutine/*/*.txt")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n"))
	f.Add([]byte("goroutine 7 gp=0x1 m=nil [chan receive (nil chan) (leaked), 3 minutes, locked to thread labels:{\"a\": \"b, c\"}]:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		gs, err := LoadGoroutines([]input.Source{input.NewSource("fuzz", data)})
		if err != nil {
			var ie *input.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%v is not an input.InputError", err)
			}
			return
		}
		res, err := DiffGoroutines(gs, GoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		if res.Hidden != nil {
			total = res.Hidden[0]
		}
		for _, r := range res.Rows {
			total += r.Last
		}
		if total != float64(gs.Dumps[0].Total) {
			t.Fatalf("rows hold %g goroutines, the dump %d", total, gs.Dumps[0].Total)
		}
	})
}

//go:noinline
func testBlockedInDo(ch chan int) {
	pprof.Do(context.Background(), pprof.Labels("handler", "stuck"), func(context.Context) { <-ch })
}

// TestGoroutinesInsidePprofDo: goroutines blocked inside pprof.Do (a
// labelled handler) are the service's, in every format: not hidden as
// the profiler's.
func TestGoroutinesInsidePprofDo(t *testing.T) {
	ch := make(chan int)
	defer close(ch)
	for range 5 {
		go testBlockedInDo(ch)
	}
	time.Sleep(50 * time.Millisecond) // let them block
	for name, data := range captureAll(t) {
		gs, err := LoadGoroutines([]input.Source{input.NewSource(name, data)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := DiffGoroutines(gs, GoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range res.Rows {
			if slices.ContainsFunc(r.Stack, func(f series.Frame) bool { return strings.HasSuffix(f.Func, "goroutine.testBlockedInDo") }) {
				n += int(r.Last)
			}
		}
		if n != 5 {
			t.Errorf("%s: %d goroutines blocked inside pprof.Do, want 5", name, n)
		}
	}
}
