// Command go120 is run by ../../main.go with GOTOOLCHAIN=go1.20.14 and
// GO111MODULE=off (Go 1.20 cannot parse this module's go.mod) to produce
// goroutine dumps in the pre-Go 1.21 format: "created by F" without
// "in goroutine N", and the first 100 frames of a deep stack followed by
// "...additional frames elided...". It also builds with newer Go.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var sink int

func main() {
	variant := flag.String("variant", "", "createdby or elided")
	flag.Parse()
	switch *variant {
	case "createdby":
		ch := make(chan int)
		go spawner(ch)
		go worker(ch, 2)
		var mu sync.Mutex
		mu.Lock()
		go lockIt(&mu)
		go func() {
			<-ch
		}()
		go argsAggregates(point{1, 2}, "hello", []byte("xy"), ch)
	case "elided":
		// Go 1.20 prints "...additional frames elided..." only when all
		// of the first 100 frames it walked were printed; the hidden
		// runtime frames of a blocked goroutine (gopark, chanrecv...)
		// count against the 100 but not as printed, so the marker does
		// not appear for them. The dumping goroutine's own deep stack has
		// no hidden frames, so dump from the bottom of a deep recursion.
		go recurseA(300, make(chan int))
		time.Sleep(200 * time.Millisecond)
		dumpDeep(150)
		return
	default:
		fmt.Fprintln(os.Stderr, "usage: go120 -variant createdby|elided")
		os.Exit(2)
	}
	time.Sleep(200 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}

type point struct{ X, Y int }

func spawner(ch chan int) {
	go worker(ch, 1)
	<-ch
}

func worker(ch chan int, id int) {
	<-ch
	sink += id
}

func lockIt(mu *sync.Mutex) { mu.Lock() }

//go:noinline
func argsAggregates(p point, s string, b []byte, ch chan int) { <-ch }

//go:noinline
func recurseA(n int, ch chan int) {
	if n == 0 {
		<-ch
		return
	}
	recurseB(n-1, ch)
}

//go:noinline
func dumpDeep(n int) {
	if n == 0 {
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
		return
	}
	dumpDeep(n - 1)
}

//go:noinline
func recurseB(n int, ch chan int) {
	recurseA(n-1, ch)
}
