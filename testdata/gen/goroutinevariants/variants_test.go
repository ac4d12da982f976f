package main

// Tests used by the goroutinevariants generator to produce goroutine dumps
// that only `go test` can produce: a panic inside `go test -v` output, a
// test-binary timeout, and a testing/synctest bubble. They are skipped unless
// GOROUTINEVARIANTS_GOTEST=1 (the generator sets it). testdata directories
// are not matched by `./...`, so `go test ./...` never compiles them anyway.

import (
	"context"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func gate(t *testing.T) {
	t.Helper()
	if os.Getenv("GOROUTINEVARIANTS_GOTEST") != "1" {
		t.Skip("only run by testdata/gen/goroutinevariants (set GOROUTINEVARIANTS_GOTEST=1)")
	}
}

// --- gotest_panic: TestGotestPass, TestGotestFail, TestGotestPanic, TestGotestNeverRuns.

func TestGotestPass(t *testing.T) {
	gate(t)
	t.Log("decoded 3 records")
}

func TestGotestFail(t *testing.T) {
	gate(t)
	got, want := 3, 4
	t.Errorf("widgets: got %d, want %d", got, want)
}

func TestGotestPanic(t *testing.T) {
	gate(t)
	t.Run("ok", func(t *testing.T) {})
	t.Run("nil_map", func(t *testing.T) {
		ch := make(chan struct{})
		go testLeakedHelper(ch) // a goroutine the test forgot about
		var counts map[string]int
		counts["x"]++ // panic: assignment to entry in nil map
	})
}

func TestGotestNeverRuns(t *testing.T) {
	gate(t)
}

func testLeakedHelper(ch chan struct{}) {
	<-ch
}

// --- gotest_timeout: a test that hangs on leaked goroutines.

func TestGotestHang(t *testing.T) {
	gate(t)
	results := make(chan int)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { testHangWorker(i, results) })
	}
	wg.Wait() // the workers never get their results: hangs until -timeout
}

func testHangWorker(i int, results chan int) {
	results <- i * i
}

// --- state_synctest: a debug=2 dump taken inside a testing/synctest bubble.

func TestSynctestBubble(t *testing.T) {
	gate(t)
	path := os.Getenv("GOROUTINEVARIANTS_DUMP")
	if path == "" {
		t.Fatal("GOROUTINEVARIANTS_DUMP not set")
	}
	synctest.Test(t, func(t *testing.T) {
		recv := make(chan int)
		send := make(chan int)
		sel := make(chan string)
		var wg sync.WaitGroup
		wg.Add(1)
		cond := sync.NewCond(new(sync.Mutex))

		go bubbleRecv(recv)
		go bubbleSend(send)
		go bubbleSelect(recv, sel)
		go bubbleWaitGroup(&wg)
		go bubbleCond(cond)
		go bubbleSleep()
		go bubbleNilChan()
		pprof.Do(context.Background(), pprof.Labels("stage", "bubble"), func(context.Context) {
			go bubbleRecv(recv)
		})

		synctest.Wait() // every goroutine above is now durably blocked
		done := make(chan struct{})
		go bubbleDump(path, done)
		synctest.Wait() // this goroutine shows as [synctest.Wait (durable)] in the dump
		<-done

		// Unblock what can be unblocked; bubbleNilChan can't, so the bubble
		// ends in a deadlock panic. The generator only keeps the dump file.
		close(recv)
		<-send
		close(sel)
		wg.Done()
		cond.L.Lock()
		cond.Broadcast()
		cond.L.Unlock()
	})
}

func bubbleRecv(ch chan int)             { <-ch }
func bubbleSend(ch chan int)             { ch <- 1 }
func bubbleWaitGroup(wg *sync.WaitGroup) { wg.Wait() }
func bubbleSleep()                       { time.Sleep(time.Hour) }

func bubbleSelect(a chan int, b chan string) {
	select {
	case <-a:
	case <-b:
	}
}

func bubbleCond(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

func bubbleNilChan() {
	var ch chan int
	<-ch
}

func bubbleDump(path string, done chan struct{}) {
	defer close(done)
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		panic(err)
	}
}
