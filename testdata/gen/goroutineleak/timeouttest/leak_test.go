// Package timeouttest starts the same goroutine leaks as the goroutineleak
// fixture generator (../main.go) inside a test that outlives the test
// binary's -timeout, to get the goroutine dump `go test` prints when a test
// times out:
//
//	go test ./testdata/gen/goroutineleak/timeouttest -timeout 2s
//
// The test skips itself unless the timeout is short (at most 30 s), so that a
// plain `go test` does not hang for the default 10 minutes. It fails on
// purpose ("panic: test timed out after 2s"). The generator copies this file
// into a throwaway module ($TMPDIR/leakscan-timeouttest, module
// "timeouttest") and runs it there to write testtimeout.txt.
//
// The leak functions are a copy of the ones in ../main.go (a test cannot
// import a main package): six ticks of perKind (3) goroutines of each kind,
// so 18 of each, plus the pool of 8 workers, with the same labels.
package timeouttest

import (
	"context"
	"io"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

const (
	perKind  = 3
	poolSize = 8
	ticks    = 6
)

//go:noinline
func leakBlockedSend(ch chan<- int) {
	ch <- 1
}

//go:noinline
func leakBlockedRecv(ch <-chan int) {
	<-ch
}

//go:noinline
func leakSelectNoReady(a <-chan int, b <-chan string) {
	select {
	case <-a:
	case <-b:
	}
}

type resource struct {
	mu   sync.Mutex
	name string
}

//go:noinline
func leakMutex(r *resource) {
	r.mu.Lock()
	r.mu.Unlock() // never reached
}

//go:noinline
func leakTickerLoop(period time.Duration) {
	ticker := time.NewTicker(period)
	for range ticker.C {
		tickerWork()
	}
}

//go:noinline
func tickerWork() {}

//go:noinline
func poolWorker(jobs <-chan int, wg *sync.WaitGroup) {
	for range jobs {
		wg.Done()
	}
}

func setLabels(ctx context.Context, kv ...string) (restore func()) {
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels(kv...)))
	return func() { pprof.SetGoroutineLabels(ctx) }
}

//go:noinline
func spawnBlockedSend(ctx context.Context) {
	defer setLabels(ctx, "leak", "send")()
	for i := 0; i < perKind; i++ {
		go leakBlockedSend(make(chan int))
	}
}

//go:noinline
func spawnBlockedRecv(ctx context.Context) {
	defer setLabels(ctx, "leak", "recv")()
	for i := 0; i < perKind; i++ {
		go leakBlockedRecv(make(chan int))
	}
}

//go:noinline
func spawnSelectNoReady(ctx context.Context) {
	defer setLabels(ctx, "leak", "select")()
	for i := 0; i < perKind; i++ {
		go leakSelectNoReady(make(chan int), make(chan string))
	}
}

//go:noinline
func spawnMutex(ctx context.Context) {
	defer setLabels(ctx, "leak", "mutex", "note", `a, "b"`)()
	r := &resource{name: "account"}
	r.mu.Lock()
	for i := 0; i < perKind; i++ {
		go leakMutex(r)
	}
}

//go:noinline
func spawnTickerLoop(ctx context.Context) {
	defer setLabels(ctx, "leak", "ticker")()
	for i := 0; i < perKind; i++ {
		go leakTickerLoop(time.Hour)
	}
}

//go:noinline
func startPool(ctx context.Context, jobs chan int, wg *sync.WaitGroup) {
	defer setLabels(ctx, "pool", "worker")()
	for i := 0; i < poolSize; i++ {
		go poolWorker(jobs, wg)
	}
}

// jobs is the pool's job channel, global so the pool stays reachable (not a
// leak) while the test sleeps.
var jobs = make(chan int)

func TestLeakTimeout(t *testing.T) {
	deadline, ok := t.Deadline()
	if !ok || time.Until(deadline) > 30*time.Second {
		t.Skip("run with a short timeout to get the dump: go test -timeout 2s")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	startPool(ctx, jobs, &wg)
	for k := 1; k <= ticks; k++ {
		spawnBlockedSend(ctx)
		spawnBlockedRecv(ctx)
		spawnSelectNoReady(ctx)
		spawnMutex(ctx)
		spawnTickerLoop(ctx)
		for i := 0; i < 2*poolSize; i++ {
			wg.Add(1)
			jobs <- i
		}
		wg.Wait()
		time.Sleep(50 * time.Millisecond)
	}
	if p := pprof.Lookup("goroutineleak"); p != nil {
		// Built with GOEXPERIMENT=goroutineleakprofile: mark the leaked
		// goroutines, so that the timeout dump says "(leaked)".
		time.Sleep(100 * time.Millisecond)
		if err := p.WriteTo(io.Discard, 0); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Until(deadline) + 10*time.Second)
	t.Fatal("the test binary should have timed out")
}
