//go:build goexperiment.synctest

//go:debug asynctimerchan=0

// Command go124synctest is run by ../../main.go with GOTOOLCHAIN=go1.24.0,
// GOEXPERIMENT=synctest and GO111MODULE=off to produce the Go 1.24
// experimental synctest header format: "(synctest)" wait reasons and
// ", synctest group N". It needs testing/synctest.Run, which Go 1.25 kept
// only behind GOEXPERIMENT=synctest and Go 1.26 removed.
package main

import (
	"os"
	"runtime/pprof"
	"sync"
	"testing/synctest"
	"time"
)

func main() {
	synctest.Run(func() {
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

		synctest.Wait()
		done := make(chan struct{})
		go bubbleDump(done)
		synctest.Wait()
		<-done

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

func bubbleDump(done chan struct{}) {
	defer close(done)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
