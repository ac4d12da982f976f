// Command stackleak is a fixture generator for leakscan: a small program
// whose leak is spread over several call stacks through one allocation
// site, written as exact heap profiles (runtime.MemProfileRate = 1, every
// allocation recorded).
//
// Every tick, four requests leak one 1 KiB entry each into a package-level
// slice through the same allocation site, newEntry:
//
//	handleLogin   → serve → remember → newEntry   (two requests per tick:
//	handleSearch  → serve → remember → newEntry    the stacks differ only in
//	                                               the fourth frame from the site)
//	handleExport  → serve → remember → newEntry   twice, from two lines of
//	                                              handleExport (the stacks differ
//	                                              only in a line number)
//
// and, as controls, a 16 MiB ballast allocated once (flat) and a bounded
// cache that fills during the first two ticks and then holds (plateau).
// One tick runs before the first profile and one between any two; each
// leaking stack grows by 2 KiB per tick, less than a thousandth of the heap.
//
// Regenerate the fixtures from the module root with:
//
//	go run ./testdata/gen/stackleak -out testdata/heap/stacks -n 6
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var (
	ballast [][]byte
	leaked  [][]byte
	cache   = map[int][]byte{}
)

//go:noinline
func newEntry(n int) []byte { return make([]byte, n) }

//go:noinline
func remember(n int) { leaked = append(leaked, newEntry(n)) }

//go:noinline
func serve(n int) { remember(n) }

//go:noinline
func handleLogin() { serve(1024) }

//go:noinline
func handleSearch() { serve(1024) }

//go:noinline
func handleExport() {
	serve(1024)
	serve(1024)
}

//go:noinline
func newCacheEntry() []byte { return make([]byte, 64<<10) }

// fillCache adds entries until the cache holds 16 of them.
//
//go:noinline
func fillCache(tick int) {
	for i := 0; i < 8 && len(cache) < 16; i++ {
		cache[tick*8+i] = newCacheEntry()
	}
}

//go:noinline
func newBallast() []byte { return make([]byte, 1<<20) }

func main() {
	out := flag.String("out", "testdata/heap/stacks", "directory for the heap profiles")
	n := flag.Int("n", 6, "number of heap profiles")
	every := flag.Duration("every", 200*time.Millisecond, "time between two profiles")
	flag.Parse()
	runtime.MemProfileRate = 1
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 16; i++ {
		ballast = append(ballast, newBallast())
	}
	leaked = make([][]byte, 0, 4096) // grown once, not by the leak
	for s := 1; s <= *n; s++ {
		if s > 1 {
			time.Sleep(*every)
		}
		for i := 0; i < 2; i++ {
			handleLogin()
			handleSearch()
			handleExport()
		}
		if s > 1 {
			fillCache(s)
		}
		runtime.GC()
		f, err := os.Create(filepath.Join(*out, fmt.Sprintf("heap-%d.pb.gz", s)))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	runtime.KeepAlive(ballast)
}
