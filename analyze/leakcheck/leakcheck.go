package leakcheck

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
)

// TB is the part of testing.TB that Growth uses; *testing.T and
// *testing.B satisfy it, and so does a fake that records what a check
// reports.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

// Option changes how Growth and Measure run.
type Option func(*config)

type config struct {
	iterations  int
	checkpoints int
	warmup      int
	heap        bool
	goroutines  bool
	sample      string
	ignore      []string
	settle      time.Duration
}

func defaults() config {
	return config{iterations: 100, checkpoints: 6, warmup: 1, heap: true, goroutines: true, sample: "inuse_space", settle: 100 * time.Millisecond}
}

// Iterations sets how many times f runs between the first checkpoint and
// the last (default 100). It must be at least Checkpoints − 1.
func Iterations(n int) Option { return func(c *config) { c.iterations = n } }

// Checkpoints sets how many profiles of each kind are taken, evenly spaced
// over the iterations, the first before them (default 6). At least 3: two
// snapshots show one step, and a cache warming up looks exactly like a
// leak in one step.
func Checkpoints(n int) Option { return func(c *config) { c.checkpoints = n } }

// Warmup sets how many times f runs before the first checkpoint (default
// 1), so that what f initialises once (a sync.Once, a lazily built table)
// is in every profile.
func Warmup(n int) Option { return func(c *config) { c.warmup = n } }

// Ignore drops allocation sites and goroutine groups that have a frame
// whose function or file matches re, in every profile. Every stack of f
// passes through Growth and the testing package, so re should name the
// functions to leave out, not the callers of f. Several Ignore options
// add up.
func Ignore(re *regexp.Regexp) Option {
	return func(c *config) {
		if re != nil {
			c.ignore = append(c.ignore, re.String())
		}
	}
}

// HeapOnly checks the heap and not goroutines.
func HeapOnly() Option { return func(c *config) { c.heap, c.goroutines = true, false } }

// GoroutinesOnly checks goroutines and not the heap.
func GoroutinesOnly() Option { return func(c *config) { c.heap, c.goroutines = false, true } }

// Sample sets the heap profile's values to compare: "inuse_space" (the
// default) or "inuse_objects".
func Sample(name string) Option { return func(c *config) { c.sample = name } }

// Settle sets how long a checkpoint waits at most for the number of
// goroutines to stop changing before it profiles them (default 100ms),
// so that goroutines f started and that are on their way out are not
// counted. It is a limit: a checkpoint whose count is steady goes on at
// once.
func Settle(d time.Duration) Option { return func(c *config) { c.settle = d } }

// Measurement is what Measure found: the analysis of the heap profiles
// and of the goroutine profiles (nil for the kind not checked).
type Measurement struct {
	Iterations  int // runs of f from the first checkpoint to the last
	Checkpoints int
	Heap        *series.Result
	Goroutines  *series.Result
}

// Growth runs f as Measure does and fails t with t.Errorf, giving the
// suspects table, when an allocation site or goroutine group kept
// growing; otherwise it only logs a line with t.Logf. A problem with the
// options or the profiles fails t too.
func Growth(t TB, f func(), opts ...Option) {
	t.Helper()
	m, err := Measure(f, opts...)
	report(t, m, err)
}

// report fails t with the measurement's failure, or logs its summary.
func report(t TB, m *Measurement, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("leakcheck: %v", err)
		return
	}
	if msg := m.Failure(); msg != "" {
		t.Errorf("%s", msg)
		return
	}
	t.Logf("%s", m.Summary())
}

// Measure runs f Warmup times, then Iterations times with a heap and a
// goroutine profile of this process at each of Checkpoints evenly spaced
// points (the first before the iterations), and analyses each kind as one
// series, the way `leakscan diff` does.
//
// The heap profiles are exact, not sampled: runtime.MemProfileRate is 1
// (every allocation recorded) from before the warm-up until the last
// profile is written — the profile writer scales samples by the rate in
// force when it writes, so every profile must be written under the rate
// it was recorded at — and restored before the analysis, which would
// otherwise be recorded allocation by allocation. Allocations made before
// the rate changed stay sampled, but they are the same in every profile.
// A heap profile describes the heap as of the last completed collection,
// so each checkpoint first runs runtime.GC twice: the first publishes
// every allocation and free made so far, the second also frees what only
// a second cycle frees (sync.Pool's victim cache, objects whose
// finalizers have run). Measure's own bookkeeping is allocated before the
// first profile, so it is the same in all of them, and the profiles'
// buffers grow under runtime/pprof's frames, which the analysis hides as
// the profiler's own.
//
// Measure sees the whole process and changes a process-wide setting: a
// test that runs it must not run in parallel with other tests, whose
// allocations and goroutines would count as f's.
func Measure(f func(), opts ...Option) (*Measurement, error) {
	c := defaults()
	for _, o := range opts {
		o(&c)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	heapBufs := make([]bytes.Buffer, c.checkpoints)
	goBufs := make([]bytes.Buffer, c.checkpoints)
	if err := c.run(f, heapBufs, goBufs); err != nil {
		return nil, err
	}
	m := &Measurement{Iterations: c.iterations, Checkpoints: c.checkpoints}
	opt := analyze.Options{Sample: c.sample, By: series.BySite, LongWait: 10}
	if len(c.ignore) > 0 {
		// Each expression compiled before, so the alternation does too.
		opt.Ignore = regexp.MustCompile("(?:" + strings.Join(c.ignore, ")|(?:") + ")")
	}
	var err error
	if c.heap {
		if m.Heap, err = analyse("heap", heapBufs, analyze.KindProfile, opt); err != nil {
			return nil, err
		}
		// The same profiles by object count: a site that keeps two more
		// objects or fewer is the runtime holding on to a recent one (a
		// channel a finished goroutine used), not a leak — the count rule
		// of every exact series (series.CountNoise).
		objOpt := opt
		objOpt.Sample = "inuse_objects"
		objects, err := analyse("heap", heapBufs, analyze.KindProfile, objOpt)
		if err != nil {
			return nil, err
		}
		clearFewObjects(m.Heap, objects)
	}
	if c.goroutines {
		if m.Goroutines, err = analyse("goroutine", goBufs, analyze.KindGoroutine, opt); err != nil {
			return nil, err
		}
	}
	for _, res := range m.results() {
		clearRuntimeOwn(res)
	}
	return m, nil
}

// runtimeOwn is the reason given to a row that grew on the runtime's own
// account.
const runtimeOwn = "the runtime's own"

// clearRuntimeOwn clears the suspects whose stack is all the runtime's:
// exact profiles record the runtime's background work too (the GC's
// workers keep sudogs in per-P caches, which grow by a few hundred bytes
// as collections run), and no code under test can leak through a stack
// with none of its frames. A leak of f's goroutines is found through
// its frames, or in the goroutine profiles.
func clearRuntimeOwn(res *series.Result) {
	changed := false
	for i := range res.Rows {
		r := &res.Rows[i]
		if r.Suspect && len(r.Stack) > 0 && !slices.ContainsFunc(r.Stack, func(f series.Frame) bool { return !isRuntime(f.Func) }) {
			r.Suspect, r.Reasons, changed = false, []string{runtimeOwn}, true
		}
	}
	if changed {
		res.Verdict = series.VerdictOf(res.Suspects(), res.Verdict.Span, res.Verdict.Snaps)
	}
}

// fewObjects is the reason given to a row whose growth is a few objects.
const fewObjects = "within 2 objects"

// clearFewObjects clears the suspects of res whose object counts, in the
// same profiles, grew by no more than series.CountNoise allows.
func clearFewObjects(res, objects *series.Result) {
	count := map[string]float64{}
	for _, r := range objects.Rows {
		count[r.Key] = r.Delta
	}
	changed := false
	for i := range res.Rows {
		r := &res.Rows[i]
		if d, ok := count[r.Key]; r.Suspect && ok && d <= series.CountNoise.Abs {
			r.Suspect, r.Reasons, changed = false, []string{fewObjects}, true
		}
	}
	if changed {
		res.Verdict = series.VerdictOf(res.Suspects(), res.Verdict.Span, res.Verdict.Snaps)
	}
}

func isRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/")
}

func (c *config) check() error {
	switch {
	case c.checkpoints < 3:
		return fmt.Errorf("Checkpoints(%d): need at least 3; two snapshots cannot tell a cache filling from a leak", c.checkpoints)
	case c.iterations < c.checkpoints-1:
		return fmt.Errorf("Iterations(%d): need at least one run between checkpoints, %d or more for %d checkpoints", c.iterations, c.checkpoints-1, c.checkpoints)
	case c.warmup < 0:
		return fmt.Errorf("Warmup(%d): cannot be negative", c.warmup)
	case !c.heap && !c.goroutines:
		return errors.New("nothing to check")
	case c.sample != "inuse_space" && c.sample != "inuse_objects":
		return fmt.Errorf("Sample(%q): expected inuse_space or inuse_objects", c.sample)
	}
	return nil
}

// run runs f and writes the profiles, with every allocation recorded.
func (c *config) run(f func(), heapBufs, goBufs []bytes.Buffer) error {
	prev := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = prev }()
	for range c.warmup {
		call(f)
	}
	done := 0
	for k := range c.checkpoints {
		for target := k * c.iterations / (c.checkpoints - 1); done < target; done++ {
			call(f)
		}
		if c.goroutines {
			settle(c.settle)
			if err := pprof.Lookup("goroutine").WriteTo(&goBufs[k], 0); err != nil {
				return fmt.Errorf("writing goroutine profile %d: %w", k+1, err)
			}
		}
		if c.heap {
			runtime.GC()
			runtime.GC()
			if err := pprof.Lookup("heap").WriteTo(&heapBufs[k], 0); err != nil {
				return fmt.Errorf("writing heap profile %d: %w", k+1, err)
			}
		}
	}
	return nil
}

// call runs f; the suspects table cuts stacks at its frame, below which
// every stack is the same.
//
//go:noinline
func call(f func()) { f() }

// callFrame is call's function name as profiles give it.
var callFrame = funcName(call)

func funcName(f func(func())) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// settle waits, at most max, until the goroutines are still: their
// number has been the same for a few polls in a row, and none but the
// caller is running or waiting to run. A goroutine f started that has not
// reached the point where it blocks would otherwise be profiled where it
// happens to be, in a group of its own.
func settle(max time.Duration) {
	samples := []metrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}, {Name: "/sched/goroutines/running:goroutines"}}
	still := func() bool {
		metrics.Read(samples)
		for i, want := range []uint64{0, 1} {
			if s := samples[i]; s.Value.Kind() == metrics.KindUint64 && s.Value.Uint64() > want {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(max)
	prev, same := runtime.NumGoroutine(), 0
	for (same < 3 || !still()) && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(200 * time.Microsecond)
		if n := runtime.NumGoroutine(); n == prev {
			same++
		} else {
			prev, same = n, 0
		}
	}
}

// analyse loads the profiles of one kind from memory and runs the main
// analysis of the series.
func analyse(kind string, bufs []bytes.Buffer, want analyze.Kind, opt analyze.Options) (*series.Result, error) {
	srcs := make([]input.Source, len(bufs))
	for i := range bufs {
		data, err := gunzip(bufs[i].Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s profile %d: %w", kind, i+1, err)
		}
		srcs[i] = input.NewSource(fmt.Sprintf("%s-%d", kind, i+1), data)
	}
	s, err := analyze.Load(srcs, want)
	if err != nil {
		return nil, err
	}
	if want != analyze.KindProfile {
		opt.Sample = ""
	}
	return s.Analyze(opt, false)
}

// gunzip undoes the gzip runtime/pprof writes; sources in memory are read
// as they are.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
