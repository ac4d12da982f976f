package leakcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leakscan/leakscan/analyze/series"
)

// fakeTB records what a check reports instead of failing the test.
type fakeTB struct {
	errors, logs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

var _ TB = (testing.TB)(nil)

// The leaks: state that keeps what every call allocates.
type node struct {
	next *node
	pad  [1000]byte // with next, 1008 bytes: the 1024-byte size class
}

var (
	leakedList   *node
	leakedMap    = map[int]*[256]byte{}
	leakCalls    int
	leakedIgnore [][]byte
)

//go:noinline
func leakList() { leakedList = &node{next: leakedList} }

//go:noinline
func leakMap() {
	leakCalls++
	leakedMap[leakCalls] = new([256]byte)
}

//go:noinline
func leakIgnored() { leakedIgnore = append(leakedIgnore, make([]byte, 512)) }

// The quiet ones: a cache that fills and stops, and garbage.
var (
	cache      = map[int]*[512]byte{}
	cacheCalls int
	lastBuf    []byte
)

//go:noinline
func fillCache() {
	cacheCalls++
	k := cacheCalls % 16
	if cache[k] == nil {
		cache[k] = new([512]byte)
	}
}

//go:noinline
func garbage() { lastBuf = make([]byte, 4096) } // the previous one is garbage

//go:noinline
func briefGoroutine() {
	done := make(chan struct{})
	go func() { close(done) }() // a goroutine that ends
	<-done
}

// rowOf finds the row whose site is the function named fn.
func rowOf(res *series.Result, fn string) *series.Row {
	for i := range res.Rows {
		if strings.HasSuffix(res.Rows[i].Frame.Func, "."+fn) {
			return &res.Rows[i]
		}
	}
	return nil
}

// measure runs Measure and reports it to a fake TB, as Growth does.
func measure(t *testing.T, f func(), opts ...Option) (*Measurement, *fakeTB) {
	t.Helper()
	m, err := Measure(f, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var tb fakeTB
	report(&tb, m, nil)
	return m, &tb
}

// reset drops what earlier runs of the tests (-count) kept.
func reset() {
	leakedList, leakedMap, leakCalls, leakedIgnore = nil, map[int]*[256]byte{}, 0, nil
	cache, cacheCalls, lastBuf = map[int]*[512]byte{}, 0, nil
}

func TestHeapLeaks(t *testing.T) {
	reset()
	t.Cleanup(reset)
	const calls = 40
	m, tb := measure(t, func() { leakList(); leakMap(); leakIgnored() },
		Iterations(calls), Checkpoints(5), HeapOnly(), Ignore(regexp.MustCompile(`\.leakIgnored$`)))
	if m.Goroutines != nil {
		t.Errorf("HeapOnly analysed goroutines")
	}
	// Exact profiles: one 1024-byte node a call, nothing sampled, the
	// same step between every two checkpoints.
	r := rowOf(m.Heap, "leakList")
	if r == nil || !r.Suspect || r.Class != series.Growing {
		t.Fatalf("leakList: want a growing suspect, got %+v", r)
	}
	for i := 1; i < len(r.Values); i++ {
		if step := r.Values[i] - r.Values[i-1]; step != 1024*calls/4 {
			t.Errorf("leakList grew %v bytes between checkpoints %d and %d, want exactly %d: %v", step, i, i+1, 1024*calls/4, r.Values)
		}
	}
	if r := rowOf(m.Heap, "leakMap"); r == nil || !r.Suspect {
		t.Errorf("leakMap: want a suspect, got %+v", r)
	}
	if r := rowOf(m.Heap, "leakIgnored"); r != nil {
		t.Errorf("leakIgnored is ignored, but has a row: %+v", r)
	}

	if len(tb.errors) != 1 {
		t.Fatalf("want one failure for the leaks, got %d: %q", len(tb.errors), tb.errors)
	}
	msg := tb.errors[0]
	t.Logf("the failure:\n%s", msg)
	for _, want := range []string{
		"leakcheck: growth over 40 calls, 5 checkpoints\n",
		"heap (inuse_space): 2 allocation sites grew",
		"+40.0 KiB  1.0 KiB   1.0 KiB, 11.0 KiB, 21.0 KiB, 31.0 KiB, 41.0 KiB  growing  leakcheck.leakList leakcheck/leakcheck_test.go:",
		".leakMap leakcheck/leakcheck_test.go:",
		"TestHeapLeaks.func1 leakcheck/leakcheck_test.go:", // the caller, in the stack
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure does not say %q", want)
		}
	}
	for _, not := range []string{"leakIgnored", "tRunner", "leakcheck.call"} {
		if strings.Contains(msg, not) {
			t.Errorf("the failure names %s", not)
		}
	}
}

func TestBlockedGoroutines(t *testing.T) {
	block := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(block); wg.Wait() })
	m, tb := measure(t, func() {
		wg.Add(1)
		go func() { defer wg.Done(); <-block }()
	}, Iterations(30), Checkpoints(4))
	sus := m.Goroutines.Suspects()
	if len(sus) != 1 || sus[0].Delta != 30 {
		t.Fatalf("want one goroutine group growing by 30, got %+v", sus)
	}
	if len(tb.errors) != 1 {
		t.Fatalf("want one failure for goroutines left blocked, got %d: %q", len(tb.errors), tb.errors)
	}
	msg := tb.errors[0]
	t.Logf("the failure:\n%s", msg)
	for _, want := range []string{"goroutines: 1 goroutine group grew: +30 in all", "1, 11, 21, 31", "TestBlockedGoroutines.func2.1 leakcheck/leakcheck_test.go:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure does not say %q", want)
		}
	}
}

// TestQuietOnCacheAndChurn checks that a cache that fills and stops, and
// garbage (bytes and goroutines that end), pass — and that they pass
// because the engine saw and classified them, not because it missed them.
func TestQuietOnCacheAndChurn(t *testing.T) {
	reset()
	t.Cleanup(reset)
	m, tb := measure(t, func() { fillCache(); garbage(); briefGoroutine() }, Iterations(60), Checkpoints(5))
	if len(tb.errors) != 0 {
		t.Fatalf("a cache and churn are not leaks, but the check failed:\n%s", strings.Join(tb.errors, "\n"))
	}
	if len(tb.logs) != 1 || !strings.HasPrefix(tb.logs[0], "leakcheck: no growth over 60 calls, 5 checkpoints (heap (inuse_space): ") {
		t.Errorf("want one line saying nothing grew, got %q", tb.logs)
	}
	if r := rowOf(m.Heap, "fillCache"); r == nil || r.Suspect || r.Last < 15*512 || !slices.Contains([]series.Class{series.Plateau, series.Flat}, r.Class) {
		t.Errorf("fillCache: want a plateau holding the 16 entries, not a suspect; got %+v", r)
	}
	if r := rowOf(m.Heap, "garbage"); r == nil || r.Suspect || !r.Churn {
		t.Errorf("garbage: want a churn row, not a suspect; got %+v", r)
	}
	if m.Goroutines == nil || len(m.Goroutines.Suspects()) != 0 {
		t.Errorf("goroutines that end are not suspects")
	}
}

func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		opts []Option
		want string
	}{
		{[]Option{Checkpoints(2)}, "leakcheck: Checkpoints(2): need at least 3"},
		{[]Option{Iterations(3), Checkpoints(6)}, "leakcheck: Iterations(3): need at least one run between checkpoints"},
		{[]Option{Sample("alloc_space")}, `leakcheck: Sample("alloc_space"): expected inuse_space or inuse_objects`},
	} {
		var tb fakeTB
		calls := 0
		Growth(&tb, func() { calls++ }, c.opts...)
		if len(tb.errors) != 1 || !strings.HasPrefix(tb.errors[0], c.want) || strings.Contains(tb.errors[0], "\n") {
			t.Errorf("want one line starting %q, got %q", c.want, tb.errors)
		}
		if calls != 0 {
			t.Errorf("f ran %d times with bad options", calls)
		}
	}
}

func TestClearRuntimeOwn(t *testing.T) {
	rt := []series.Frame{{Func: "runtime.acquireSudog"}, {Func: "runtime.gcBgMarkWorker"}}
	ours := []series.Frame{{Func: "runtime.malg"}, {Func: "example.com/svc.handle"}}
	grow := series.Trend{Class: series.Growing, Delta: 10}
	res := &series.Result{Rows: []series.Row{
		{Key: "rt", Stack: rt, Suspect: true, Trend: grow},
		{Key: "ours", Stack: ours, Suspect: true, Trend: grow},
	}, Verdict: series.Verdict{Suspects: 2, Growing: 2, Growth: 20, Snaps: 5}}
	clearRuntimeOwn(res)
	if res.Rows[0].Suspect || !res.Rows[1].Suspect || res.Verdict.Suspects != 1 || res.Verdict.Growth != 10 {
		t.Errorf("want the runtime's row cleared and the verdict recounted, got %+v", res)
	}
}

// TestFewObjectsNotALeak: a site whose bytes grew by two objects or
// fewer (the runtime holding a finished goroutine's channel) is not a
// suspect; one that kept three more is.
func TestFewObjectsNotALeak(t *testing.T) {
	row := func(key string, delta float64) series.Row {
		return series.Row{Key: key, Suspect: true, Trend: series.Trend{Delta: delta, Class: series.Growing}}
	}
	res := &series.Result{Rows: []series.Row{row("a", 224), row("b", 336)}}
	objects := &series.Result{Rows: []series.Row{row("a", 2), row("b", 3)}}
	clearFewObjects(res, objects)
	if res.Rows[0].Suspect || !slices.Equal(res.Rows[0].Reasons, []string{fewObjects}) || !res.Rows[1].Suspect {
		t.Errorf("rows %+v", res.Rows)
	}
}
