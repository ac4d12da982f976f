// Command biggoroutines writes a big, realistic goroutine dump (the debug=2
// goroutine profile, the format of runtime.Stack(buf, true) and of the
// /debug/pprof/goroutine?debug=2 endpoint) for leakscan's performance tests.
//
// It starts -n goroutines (default 100,000) spread over -stacks distinct
// stacks (default 300). Each stack is a chain of user functions (methods,
// generic methods, plain functions) ending in one blocking call: chan
// receive, chan send, select, sync.Mutex.Lock, sleep, a pipe read (IO wait,
// or semacquire for the readers queued behind it) or sync.WaitGroup.Wait.
// The goroutines are started by a handful of spawner goroutines, so their
// "created by" lines vary too. Goroutine counts per stack follow a Zipf-like
// law (a few stacks hold most goroutines, many hold a few), and the heavily
// populated stacks tend to be the shallow ones, as in real servers (idle
// connections are shallow, rare code paths are deep). All random choices
// come from -seed, so the shape is the same on every run; goroutine IDs and
// pointer values are not.
//
// Usage, from the module root:
//
//	go run ./testdata/gen/biggoroutines [-out /tmp/biggoroutines/dump-100k.txt] [-n 100000] [-stacks 300]
//
// Do not commit the output. Note that runtime/pprof gives up growing its
// buffer at 64 MiB and then writes a truncated dump; -maxdepth and -n are
// the knobs if you want a bigger (deeper) dump than that allows.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

type state int

const (
	chanReceive state = iota
	chanSend
	selectWait
	mutexLock
	sleepWait
	ioWait
	waitGroup
	numStates
)

var stateNames = [...]string{"chan receive", "chan send", "select", "sync.Mutex.Lock", "sleep", "IO wait", "sync.WaitGroup.Wait"}

// stateShare: the share of goroutines (not of stacks) blocked in each call.
var stateShare = [...]float64{30, 8, 25, 8, 10, 10, 9}

// plan is one distinct stack: the user frames (indexes into layers), the
// blocking call at the leaf, the spawner that starts its goroutines, and
// how many goroutines run it.
type plan struct {
	id      int
	path    []int
	state   state
	spawner int
	count   int

	ch    chan int    // only received from
	ch2   chan string // only received from
	out   chan int    // only sent to
	mu    *sync.Mutex
	wg    *sync.WaitGroup
	pipes []*os.File    // IO wait: the first reader of each pipe is in IO wait, the others queue (semacquire)
	next  atomic.Uint32 // next pipe to read
}

func main() {
	out := flag.String("out", "/tmp/biggoroutines/dump-100k.txt", "output `file`")
	n := flag.Int("n", 100000, "number of goroutines to start")
	nstacks := flag.Int("stacks", 300, "number of distinct stacks")
	maxDepth := flag.Int("maxdepth", 20, "maximum number of user frames above the blocking call")
	zipf := flag.Float64("zipf", 1.3, "Zipf exponent of the goroutines-per-stack distribution")
	skew := flag.Float64("skew", 3.5, "depth skew: depth = 1 + maxdepth*U^skew, U uniform in [0,1)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()

	start := time.Now()
	rng := rand.New(rand.NewPCG(*seed, 0x6c65616b7363616e))
	plans := makePlans(rng, *n, *nstacks, *maxDepth, *zipf, *skew)

	// Shared blocking objects: a few of each, shared by several stacks.
	var chans, outs []chan int
	var chans2 []chan string
	var mus []*sync.Mutex
	var wgs []*sync.WaitGroup
	for i := 0; i < 8; i++ {
		chans = append(chans, make(chan int))
		outs = append(outs, make(chan int))
		chans2 = append(chans2, make(chan string))
		mu := new(sync.Mutex)
		mu.Lock() // never unlocked
		mus = append(mus, mu)
		wg := new(sync.WaitGroup)
		wg.Add(1) // never done
		wgs = append(wgs, wg)
	}
	var keep []*os.File
	for _, p := range plans {
		p.ch = chans[p.id%len(chans)]
		p.ch2 = chans2[p.id%len(chans2)]
		p.out = outs[p.id%len(outs)]
		p.mu = mus[p.id%len(mus)]
		p.wg = wgs[p.id%len(wgs)]
		if p.state == ioWait {
			for range min(p.count, 1500) {
				r, w, err := os.Pipe()
				if err != nil {
					fatalf("%v", err)
				}
				p.pipes = append(p.pipes, r)
				keep = append(keep, r, w)
			}
		}
	}

	// Spawners: each starts the goroutines of the plans assigned to it,
	// then blocks itself.
	var started sync.WaitGroup
	byspawner := make([][]*plan, len(spawners))
	for _, p := range plans {
		byspawner[p.spawner] = append(byspawner[p.spawner], p)
	}
	used := 0
	for i, ps := range byspawner {
		if len(ps) == 0 {
			continue
		}
		used++
		started.Add(1)
		go spawners[i](ps, &started)
	}
	started.Wait()
	created := time.Since(start)

	// Wait until (nearly) all goroutines are blocked: the dump is taken
	// with the world stopped, so goroutines still starting would show as
	// runnable; give them a moment.
	want := 1 + used + *n // main, spawners, workers
	for deadline := time.Now().Add(time.Minute); runtime.NumGoroutine() < want; {
		if time.Now().After(deadline) {
			fatalf("only %d of %d goroutines are running", runtime.NumGoroutine(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	runtime.GC()
	settled := time.Since(start)

	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fatalf("%v", err)
	}
	var buf bytes.Buffer
	buf.Grow(64 << 20)
	dumpStart := time.Now()
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		fatalf("%v", err)
	}
	dumpTime := time.Since(dumpStart)
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fatalf("%v", err)
	}
	runtime.KeepAlive(keep)

	lines := bytes.Count(buf.Bytes(), []byte("\n"))
	truncated := buf.Len() >= 64<<20
	fmt.Fprintf(os.Stderr, "wrote %s: %d bytes (%.1f MiB), %d lines, %d goroutines in dump\n",
		*out, buf.Len(), float64(buf.Len())/(1<<20), lines, bytes.Count(buf.Bytes(), []byte("\ngoroutine "))+1)
	if truncated {
		fmt.Fprintf(os.Stderr, "WARNING: runtime/pprof stops at 64 MiB: the dump is truncated\n")
	}
	fmt.Fprintf(os.Stderr, "timing: start %d goroutines %v, settled %v, WriteTo(debug=2) %v, total %v\n",
		*n, created.Round(time.Millisecond), settled.Round(time.Millisecond), dumpTime.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond))
	printSummary(plans)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "biggoroutines: "+format+"\n", args...)
	os.Exit(1)
}

// makePlans draws nstacks distinct stacks and distributes n goroutines
// over them.
func makePlans(rng *rand.Rand, n, nstacks, maxDepth int, zipf, skew float64) []*plan {
	seen := map[string]bool{}
	var plans []*plan
	for len(plans) < nstacks {
		// Depth: skewed towards shallow stacks.
		depth := 1 + int(float64(maxDepth)*math.Pow(rng.Float64(), skew))
		path := make([]int, depth)
		path[0] = entries[rng.IntN(len(entries))]
		for i := 1; i < depth; i++ {
			path[i] = rng.IntN(len(layers))
		}
		p := &plan{path: path, spawner: rng.IntN(len(spawners))}
		key := fmt.Sprint(p.path, p.spawner)
		if seen[key] {
			continue
		}
		seen[key] = true
		plans = append(plans, p)
	}
	// The shallow stacks get the big counts: sort by depth, then swap
	// neighbours at random so the correlation is not perfect.
	sort.SliceStable(plans, func(i, j int) bool { return len(plans[i].path) < len(plans[j].path) })
	for i := range plans {
		j := i + rng.IntN(8)
		if j < len(plans) {
			plans[i], plans[j] = plans[j], plans[i]
		}
	}
	// Zipf weights by rank, at least one goroutine per stack.
	var total float64
	w := make([]float64, len(plans))
	for i := range plans {
		w[i] = 1 / math.Pow(float64(i+1), zipf)
		total += w[i]
	}
	left := n - len(plans)
	assigned := 0
	for i, p := range plans {
		p.id = i
		p.count = 1 + int(float64(left)*w[i]/total)
		assigned += p.count
	}
	plans[0].count += n - assigned // rounding remainder

	// States: biggest stacks first, each gets the state furthest below
	// its target share of goroutines.
	byCount := append([]*plan(nil), plans...)
	sort.SliceStable(byCount, func(i, j int) bool { return byCount[i].count > byCount[j].count })
	var shareTotal float64
	for _, w := range stateShare {
		shareTotal += w
	}
	var got [numStates]float64
	for _, p := range byCount {
		best, bestDeficit := chanReceive, math.Inf(-1)
		for st := state(0); st < numStates; st++ {
			deficit := stateShare[st]/shareTotal*float64(n) - got[st] + rng.Float64()
			if deficit > bestDeficit {
				best, bestDeficit = st, deficit
			}
		}
		p.state = best
		got[best] += float64(p.count)
	}
	return plans
}

func printSummary(plans []*plan) {
	var byState [numStates]int
	var depths []int
	for _, p := range plans {
		byState[p.state] += p.count
		for i := 0; i < p.count; i++ {
			depths = append(depths, len(p.path))
		}
	}
	sort.Ints(depths)
	w := bufio.NewWriter(os.Stderr)
	defer w.Flush()
	fmt.Fprintf(w, "%d distinct stacks; largest stack holds %d goroutines, smallest %d\n",
		len(plans), maxCount(plans), minCount(plans))
	fmt.Fprintf(w, "user frames above the blocking call per goroutine: min %d, median %d, max %d\n",
		depths[0], depths[len(depths)/2], depths[len(depths)-1])
	for s := state(0); s < numStates; s++ {
		fmt.Fprintf(w, "  %-20s %6d goroutines\n", stateNames[s], byState[s])
	}
}

func maxCount(plans []*plan) int {
	m := 0
	for _, p := range plans {
		m = max(m, p.count)
	}
	return m
}

func minCount(plans []*plan) int {
	m := math.MaxInt
	for _, p := range plans {
		m = min(m, p.count)
	}
	return m
}

// ---------------------------------------------------------------------------
// Spawners: the functions named in the "created by" lines.

var spawners = []func([]*plan, *sync.WaitGroup){
	srv.acceptLoop,
	srv.acceptLoop,
	srv.acceptLoop,
	workers.start,
	workers.start,
	startBackground,
	(&scheduler{}).run,
}

//go:noinline
func (s *server) acceptLoop(ps []*plan, started *sync.WaitGroup) {
	for _, p := range ps {
		for i := 0; i < p.count; i++ {
			go layers[p.path[0]](p, 0)
		}
	}
	started.Done()
	<-s.quit
}

//go:noinline
func (wp *workerPool) start(ps []*plan, started *sync.WaitGroup) {
	for _, p := range ps {
		for i := 0; i < p.count; i++ {
			go layers[p.path[0]](p, 0)
		}
	}
	started.Done()
	wp.mu.Lock()
	wp.cond.Wait()
}

//go:noinline
func startBackground(ps []*plan, started *sync.WaitGroup) {
	for _, p := range ps {
		for i := 0; i < p.count; i++ {
			go layers[p.path[0]](p, 0)
		}
	}
	started.Done()
	select {}
}

type scheduler struct{ tick chan struct{} }

//go:noinline
func (s *scheduler) run(ps []*plan, started *sync.WaitGroup) {
	for _, p := range ps {
		for i := 0; i < p.count; i++ {
			go layers[p.path[0]](p, 0)
		}
	}
	started.Done()
	for range s.tick {
	}
}

// ---------------------------------------------------------------------------
// The blocking calls at the leaves: the last function of every path, by
// state (leafFor). They have the same signature as the user frames.

var leafFor = [numStates]func(*plan, int){
	chanReceive: waitForJob,
	chanSend:    publishResult,
	selectWait:  waitForEvent,
	mutexLock:   lockShard,
	sleepWait:   backoff,
	ioWait:      readFrame,
	waitGroup:   awaitWorkers,
}

//go:noinline
func waitForJob(p *plan, _ int) { <-p.ch }

//go:noinline
func publishResult(p *plan, _ int) { p.out <- 1 }

//go:noinline
func waitForEvent(p *plan, _ int) {
	select {
	case <-p.ch:
	case <-p.ch2:
	}
}

//go:noinline
func lockShard(p *plan, _ int) { p.mu.Lock() }

//go:noinline
func backoff(_ *plan, _ int) { time.Sleep(24 * time.Hour) }

//go:noinline
func readFrame(p *plan, _ int) {
	var hdr [9]byte
	p.pipes[int(p.next.Add(1))%len(p.pipes)].Read(hdr[:])
}

//go:noinline
func awaitWorkers(p *plan, _ int) { p.wg.Wait() }

// ---------------------------------------------------------------------------
// The user frames. Each one calls the next function of its plan's path, or
// the blocking call at the end of the path. The dispatch is written out in
// every function (not in a helper) so that no helper frame appears between
// them in the traceback.

type server struct{ quit chan struct{} }
type conn struct{ id int }
type workerPool struct {
	mu   sync.Mutex
	cond *sync.Cond
}
type cache struct{}
type router struct{}
type queue[T any] struct{ items []T }
type batcher[K comparable, V any] struct{ m map[K]V }

var (
	srv     = &server{quit: make(chan struct{})}
	cn      = &conn{}
	workers = newWorkerPool()
	cch     = &cache{}
	rt      = &router{}
	jobsQ   = &queue[int]{}
	eventsQ = &queue[string]{}
	batches = &batcher[string, int]{}
)

func newWorkerPool() *workerPool {
	wp := &workerPool{}
	wp.cond = sync.NewCond(&wp.mu)
	return wp
}

// entries are the layers a goroutine may start in (its top frame).
var entries = []int{0, 1, 2, 3, 4, 5, 6, 7}

var layers []func(*plan, int)

func init() {
	layers = []func(*plan, int){
		cn.serve,          // 0
		workers.runWorker, // 1
		pollUpstream,      // 2
		rt.dispatchLoop,   // 3
		cch.janitor,       // 4
		jobsQ.consume,     // 5
		eventsQ.consume,   // 6
		watchConfig,       // 7
		cn.readRequest,
		cn.handle,
		rt.route,
		rt.serveHTTP,
		authMiddleware,
		loggingMiddleware,
		recoverMiddleware,
		(&workerPool{}).process,
		cch.get,
		cch.refresh,
		cch.load,
		fetchRecord,
		decodeRecord,
		validateRecord,
		applyMigration,
		batches.add,
		batches.flush,
		jobsQ.push,
		eventsQ.push,
		retryWithBackoff,
		withTimeout,
		runQuery,
		beginTx,
		commitTx,
		publishEvent,
		encodeResponse,
		compressPayload,
		signRequest,
		resolveService,
		dialBackend,
		handshake,
		streamChunks,
	}
}

//go:noinline
func (c *conn) serve(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (wp *workerPool) runWorker(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func pollUpstream(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (r *router) dispatchLoop(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *cache) janitor(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (q *queue[T]) consume(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func watchConfig(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *conn) readRequest(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *conn) handle(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (r *router) route(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (r *router) serveHTTP(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func authMiddleware(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func loggingMiddleware(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func recoverMiddleware(p *plan, i int) {
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
	}()
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (wp *workerPool) process(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *cache) get(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *cache) refresh(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (c *cache) load(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func fetchRecord(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func decodeRecord(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func validateRecord(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func applyMigration(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (b *batcher[K, V]) add(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (b *batcher[K, V]) flush(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func (q *queue[T]) push(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func retryWithBackoff(p *plan, i int) {
	for attempt := 0; attempt < 3; attempt++ {
		if i++; i < len(p.path) {
			layers[p.path[i]](p, i)
		} else {
			leafFor[p.state](p, i)
		}
		return
	}
}

//go:noinline
func withTimeout(p *plan, i int) {
	func() {
		if i++; i < len(p.path) {
			layers[p.path[i]](p, i)
		} else {
			leafFor[p.state](p, i)
		}
	}()
}

//go:noinline
func runQuery(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func beginTx(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func commitTx(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func publishEvent(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func encodeResponse(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func compressPayload(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func signRequest(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func resolveService(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func dialBackend(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func handshake(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}

//go:noinline
func streamChunks(p *plan, i int) {
	if i++; i < len(p.path) {
		layers[p.path[i]](p, i)
	} else {
		leafFor[p.state](p, i)
	}
}
