// Command heapleak is a fixture generator for leakscan: a small program that
// leaks memory on purpose and writes real Go heap profiles at fixed
// checkpoints.
//
// It runs five goroutines, each doing exactly one behaviour in its own
// function, so that the allocation sites can be told apart by function name
// in the profiles:
//
//	leakGlobalMap     leak:     package-level map grows every tick (newMapValue)
//	leakSliceHolder   leak:     long-lived slice of sessions grows every tick (newSession)
//	fillBoundedCache  plateau:  LRU cache fills during the first ~2 checkpoints,
//	                            then stays at its cap, evicting (newCacheEntry)
//	batchBuffer       sawtooth: batch of pages that is dropped every 7 ticks (newBatchPage)
//	churn             churn:    short-lived garbage only, nothing retained (newGarbage)
//
// The run is driven by a tick counter: the main goroutine releases one tick at
// a time to every worker, waits for all of them to finish it, and writes a
// heap profile every ticksPerCheckpoint ticks. All random choices use fixed
// seeds, so every run has the same shape (only the runtime's heap sampling,
// which is random by design, differs between runs).
//
// Regenerate the fixtures from the module root with:
//
//	go run ./testdata/gen/heapleak -out testdata/heap/leaky -n 6
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

const (
	// ticksPerCheckpoint is the number of work ticks between two heap profiles.
	ticksPerCheckpoint = 10

	// leakGlobalMap: 128 values of 4 KiB per tick = 512 KiB/tick = 5 MiB per checkpoint.
	mapValuesPerTick = 128
	mapValueSize     = 4 << 10

	// leakSliceHolder: 256 sessions with a 2 KiB payload per tick ≈ 5 MiB per checkpoint.
	sessionsPerTick    = 256
	sessionPayloadSize = 2 << 10

	// fillBoundedCache: LRU of at most 2048 entries of 4 KiB (8 MiB), fed
	// with 112 uniformly random lookups per tick over 16384 keys. About half
	// full at checkpoint 1 and full (then evicting) from tick 20 on. The cap
	// is large enough that the second half of the fill is ~8 samples at the
	// default sampling rate, so the rise from checkpoint 1 to 2 is reliably
	// visible.
	cacheCap         = 2048
	cacheKeySpace    = 16384
	cacheEntrySize   = 4 << 10
	cacheLookupsTick = 112

	// batchBuffer: one 1.375 MiB page per tick, the batch is dropped every
	// 7 ticks. 7 does not divide ticksPerCheckpoint, so the checkpoints see
	// the batch at 3, 6, 2, 5, 1, 4 pages (of at most 7). The pages are large
	// compared with the 512 KiB sampling rate so that almost every page is
	// sampled (p = 1-exp(-2.75) ≈ 94%) and the sawtooth stands well above
	// sampling noise.
	batchPageSize    = 1408 << 10
	batchResetPeriod = 7

	// churn: ~8 MiB of garbage per tick, 0.5-7.5 KiB objects, none retained.
	churnObjectsPerTick = 2048
)

func main() {
	out := flag.String("out", "testdata/heap/leaky", "output directory for heap-N.pb.gz")
	n := flag.Int("n", 6, "number of checkpoints (heap profiles) to write")
	interval := flag.Duration("interval", time.Second, "wall-clock time between checkpoints")
	debug1 := flag.Bool("debug1", false, "also write each checkpoint as text (debug=1) to heap-N.txt")
	flag.Parse()

	if *n < 1 {
		log.Fatalf("-n must be at least 1")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}

	// Each worker gets its own fixed-seed source, created here so that the
	// (small) allocation of the source is not attributed to the worker.
	workers := []func(*rand.Rand, <-chan int, chan<- struct{}){
		leakGlobalMap,
		leakSliceHolder,
		fillBoundedCache,
		batchBuffer,
		churn,
	}
	done := make(chan struct{})
	tickChans := make([]chan int, len(workers))
	for i, w := range workers {
		tickChans[i] = make(chan int)
		go w(rand.New(rand.NewSource(int64(i+1))), tickChans[i], done)
	}

	start := time.Now()
	totalTicks := *n * ticksPerCheckpoint
	for tick := 1; tick <= totalTicks; tick++ {
		for _, c := range tickChans {
			c <- tick
		}
		for range workers {
			<-done
		}
		// Pace the ticks so that checkpoints are about -interval apart.
		deadline := start.Add(time.Duration(tick) * *interval / ticksPerCheckpoint)
		time.Sleep(time.Until(deadline))

		if tick%ticksPerCheckpoint == 0 {
			cp := tick / ticksPerCheckpoint
			if err := checkpoint(*out, cp, *debug1); err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "checkpoint %d (tick %d): wrote %s (map values %d, sessions %d, cache entries %d, batch pages %d)\n",
				cp, tick, filepath.Join(*out, fmt.Sprintf("heap-%d.pb.gz", cp)),
				stats.mapValues, stats.sessions, stats.cacheEntries, stats.batchPages)
		}
	}
	for _, c := range tickChans {
		close(c)
	}
}

// checkpoint forces two GC cycles, so that the heap profile (which reflects
// the heap as of the last completed GC) is current, and writes it.
func checkpoint(dir string, cp int, debug1 bool) error {
	runtime.GC()
	runtime.GC()
	if err := writeProfile(filepath.Join(dir, fmt.Sprintf("heap-%d.pb.gz", cp)), 0); err != nil {
		return err
	}
	if debug1 {
		return writeProfile(filepath.Join(dir, fmt.Sprintf("heap-%d.txt", cp)), 1)
	}
	return nil
}

func writeProfile(path string, debug int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// stats is written by each worker (one field per worker) before it reports a
// finished tick on done, and read by main only after all workers have done so.
var stats struct {
	mapValues, sessions, cacheEntries, batchPages int
}

// fill writes pseudo-random bytes into b so that the memory is really touched.
func fill(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 64 {
		b[i] = byte(rng.Intn(256))
	}
}

// ---------------------------------------------------------------------------
// Leak 1: a package-level map that is only ever added to.

var leakedMap = map[uint64][]byte{}

func leakGlobalMap(rng *rand.Rand, ticks <-chan int, done chan<- struct{}) {
	var next uint64
	for range ticks {
		for i := 0; i < mapValuesPerTick; i++ {
			leakedMap[next] = newMapValue(rng)
			next++
		}
		stats.mapValues = len(leakedMap)
		done <- struct{}{}
	}
}

//go:noinline
func newMapValue(rng *rand.Rand) []byte {
	b := make([]byte, mapValueSize)
	fill(rng, b)
	return b
}

// ---------------------------------------------------------------------------
// Leak 2: a long-lived store whose slice of sessions is never trimmed.

type session struct {
	id      uint64
	user    string
	created int64
	payload []byte
}

type sessionStore struct {
	sessions []*session
}

func leakSliceHolder(rng *rand.Rand, ticks <-chan int, done chan<- struct{}) {
	store := &sessionStore{}
	var id uint64
	for tick := range ticks {
		for i := 0; i < sessionsPerTick; i++ {
			store.sessions = append(store.sessions, newSession(rng, id, tick))
			id++
		}
		stats.sessions = len(store.sessions)
		done <- struct{}{}
	}
	runtime.KeepAlive(store)
}

//go:noinline
func newSession(rng *rand.Rand, id uint64, tick int) *session {
	s := &session{
		id:      id,
		user:    "user",
		created: int64(tick),
		payload: make([]byte, sessionPayloadSize),
	}
	fill(rng, s.payload)
	return s
}

// ---------------------------------------------------------------------------
// Plateau: a bounded LRU cache. Once full, an evicted entry's struct and
// buffer are recycled for the new key, so the cache does not allocate after
// it has filled up and its in-use size stays flat.

type cacheEntry struct {
	key        int
	data       []byte
	prev, next *cacheEntry
}

type lruCache struct {
	index      []*cacheEntry // key -> entry; keys are small ints
	head, tail *cacheEntry   // head = most recently used
	size, cap  int
}

func (c *lruCache) unlink(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *lruCache) pushFront(e *cacheEntry) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

// get returns the entry for key, loading it on a miss.
func (c *lruCache) get(rng *rand.Rand, key int) *cacheEntry {
	if e := c.index[key]; e != nil {
		c.unlink(e)
		c.pushFront(e)
		return e
	}
	var e *cacheEntry
	if c.size < c.cap {
		e = newCacheEntry()
		c.size++
	} else {
		// Evict the least recently used entry and reuse its memory.
		e = c.tail
		c.unlink(e)
		c.index[e.key] = nil
	}
	e.key = key
	fill(rng, e.data)
	c.index[key] = e
	c.pushFront(e)
	return e
}

func fillBoundedCache(rng *rand.Rand, ticks <-chan int, done chan<- struct{}) {
	cache := &lruCache{index: make([]*cacheEntry, cacheKeySpace), cap: cacheCap}
	var sum int
	for range ticks {
		for i := 0; i < cacheLookupsTick; i++ {
			sum += int(cache.get(rng, rng.Intn(cacheKeySpace)).data[0])
		}
		stats.cacheEntries = cache.size
		done <- struct{}{}
	}
	runtime.KeepAlive(cache)
	_ = sum
}

//go:noinline
func newCacheEntry() *cacheEntry {
	return &cacheEntry{data: make([]byte, cacheEntrySize)}
}

// ---------------------------------------------------------------------------
// Sawtooth: a batch that accumulates one page per tick and is dropped (and
// re-created) every batchResetPeriod ticks, as if it had been flushed.

type batch struct {
	pages [][]byte
}

func batchBuffer(rng *rand.Rand, ticks <-chan int, done chan<- struct{}) {
	var b *batch
	for tick := range ticks {
		if (tick-1)%batchResetPeriod == 0 {
			b = &batch{pages: make([][]byte, 0, batchResetPeriod)} // flush: drop the old batch
		}
		b.pages = append(b.pages, newBatchPage(rng))
		stats.batchPages = len(b.pages)
		done <- struct{}{}
	}
	runtime.KeepAlive(b)
}

//go:noinline
func newBatchPage(rng *rand.Rand) []byte {
	p := make([]byte, batchPageSize)
	fill(rng, p)
	return p
}

// ---------------------------------------------------------------------------
// Churn: lots of short-lived garbage, none of it retained across ticks.

func churn(rng *rand.Rand, ticks <-chan int, done chan<- struct{}) {
	var sum int
	for range ticks {
		for i := 0; i < churnObjectsPerTick; i++ {
			g := newGarbage(rng, 512+rng.Intn(15)*512)
			sum += int(g[len(g)-1])
		}
		done <- struct{}{}
	}
	_ = sum
}

//go:noinline
func newGarbage(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	fill(rng, b)
	return b
}
