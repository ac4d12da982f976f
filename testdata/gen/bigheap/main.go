// Command bigheap writes big, real Go runtime heap profiles for benchmarks.
//
// It sets runtime.MemProfileRate = 1 (every allocation is recorded) and then
// allocates small objects from -stacks distinct call stacks, keeping them
// alive, so the heap profile it writes has about one sample per stack. The
// stacks come from a binary tree of non-inlined functions: at each of
// ceil(log2(stacks)) levels the code calls one of two functions chosen by a
// bit of the stack index, under a few fixed "service" frames; with the
// default 131072 stacks (17 levels) every stack is 26 frames deep.
//
// Single profile:
//
//	go run ./testdata/gen/bigheap -out /tmp/bigheap/a.pb.gz             # 1 object per stack
//	go run ./testdata/gen/bigheap -out /tmp/bigheap/b.pb.gz -grow 2     # later: leaking stacks keep 2-3
//
// Series of K profiles from one process, the retained set growing between
// checkpoints (checkpoint k is taken at growth level 1+(k-1)*(grow-1); in
// series mode -grow defaults to 2):
//
//	go run ./testdata/gen/bigheap -series 10 -outdir /tmp/bigheap/series
//
// What grows is deterministic for a given -seed: about 25% of stacks "leak"
// (at growth level g they keep 1+floor((g-1)*r) objects, r = 1 or 2 per
// stack), about 5% "churn" (they keep int(g)%2 objects, so they are freed in
// the g=2 profile) and the rest keep exactly 1; about 1/8 of stacks also
// allocate one short-lived object per checkpoint. Object sizes depend on the
// stack index only, never on the seed, so profiles with different -grow or
// -seed share their stacks and sample keys.
//
// This directory is under testdata, so `go build ./...` skips it; it uses the
// standard library only.
package main

import (
	"flag"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// maxDepth is the number of tree levels defined below; -stacks may be at
// most 1<<maxDepth.
const maxDepth = 20

type levelFunc func(w *walker, lvl, p int)

// walker carries the state of one walk over the call tree.
type walker struct {
	n     int     // number of distinct stacks
	depth int     // tree levels: ceil(log2(n))
	seed  uint64  // chooses which stacks leak or churn
	g     float64 // growth level of the current checkpoint (1 = baseline)
	count []int32 // objects currently retained per stack
}

// obj is a retained object: a slice of obj whose element 0 links to the
// object retained before it by the same stack, so each stack's objects form
// a list and keeping them alive needs no allocation besides the objects.
type obj []obj

var (
	// heads[i] is the newest object retained by stack i. It and
	// walker.count are allocated once, with a size that depends on -stacks
	// only, so they are the same in every profile.
	heads []obj
	// sink receives transient objects so they escape to the heap.
	sink obj
)

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// objLens are the object lengths handed out by stack index, in elements of
// 24 bytes (a slice header): objects of 24 to 960 bytes.
var objLens = [...]int{1, 2, 3, 4, 6, 8, 12, 16, 24, 40}

// lenOf is the object length for stack i; it does not depend on the seed.
func lenOf(i int) int {
	return objLens[mix(uint64(i)^0x5bd1e995)%uint64(len(objLens))]
}

// objBytes is the size in bytes of an object of n elements.
func objBytes(n int) int { return n * 24 }

// target is how many objects stack i keeps at growth level g.
func target(seed uint64, i int, g float64) int {
	h := mix(seed*0x100000001b3 ^ uint64(i))
	switch c := h % 100; {
	case c < 25: // leaking: grows by r objects per growth step
		r := 1 + int((h>>32)%2)
		return 1 + int((g-1)*float64(r))
	case c < 30: // churning: freed at even growth levels
		return int(g) % 2
	default:
		return 1
	}
}

// garbage reports whether stack i also allocates a short-lived object on
// every visit, so that its alloc_* values exceed its inuse_* values.
func garbage(seed uint64, i int) bool {
	return mix(seed^uint64(i)<<1)%8 == 0
}

// children returns the child indexes of tree node p at level lvl (lvl bits
// of the stack index decided); q1 is -1 when the right subtree holds no
// stack below n. It makes no calls, so even when inlined it never shows up
// in a stack.
func (w *walker) children(lvl, p int) (q0, q1 int) {
	q0 = p << 1
	q1 = p<<1 | 1
	if q1<<(w.depth-lvl-1) >= w.n {
		q1 = -1
	}
	return q0, q1
}

// leaf brings stack i to its target number of retained objects. All of its
// allocations go through the single call site below, so stack i is one
// heap profile bucket (bucket keys are stack and size).
//
//go:noinline
func (w *walker) leaf(i int) {
	tgt := target(w.seed, i, w.g)
	cur := int(w.count[i])
	for ; cur > tgt; cur-- {
		heads[i] = heads[i][0] // drop the newest object
	}
	n := max(tgt-cur, 0)
	if tgt == 0 || garbage(w.seed, i) {
		n++ // one transient object: the stack still has alloc samples
	}
	size := lenOf(i)
	newObj := ctors[i%len(ctors)]
	for ; n > 0; n-- {
		o := newObj(size)
		if cur < tgt {
			o[0] = heads[i]
			heads[i] = o
			cur++
		} else {
			sink = o
		}
	}
	w.count[i] = int32(cur)
}

// Constructors at the bottom of the stacks, as in a real service.

//go:noinline
func newSessionBuf(n int) obj { return make(obj, n) }

//go:noinline
func newCacheEntry(n int) obj { return make(obj, n) }

//go:noinline
func newRowBuf(n int) obj { return make(obj, n) }

//go:noinline
func newSpan(n int) obj { return make(obj, n) }

//go:noinline
func newMetricPoint(n int) obj { return make(obj, n) }

//go:noinline
func newLogRecord(n int) obj { return make(obj, n) }

//go:noinline
func newConnState(n int) obj { return make(obj, n) }

//go:noinline
func newPlanNode(n int) obj { return make(obj, n) }

var ctors = [...]func(int) obj{
	newSessionBuf, newCacheEntry, newRowBuf, newSpan,
	newMetricPoint, newLogRecord, newConnState, newPlanNode,
}

// The fixed top of every stack: main -> run -> serve -> acceptLoop ->
// handleConn -> dispatchRequest -> tree levels -> leaf -> constructor.

//go:noinline
func serve(w *walker) { acceptLoop(w) }

//go:noinline
func acceptLoop(w *walker) { handleConn(w) }

//go:noinline
func handleConn(w *walker) { dispatchRequest(w) }

//go:noinline
func dispatchRequest(w *walker) {
	if w.depth == 0 {
		w.leaf(0)
		return
	}
	q0, q1 := w.children(0, 0)
	levels[0][0](w, 1, q0)
	if q1 >= 0 {
		levels[0][1](w, 1, q1)
	}
}

func main() {
	runtime.MemProfileRate = 1

	out := flag.String("out", "", "write one heap profile (gzipped proto) to `file`")
	stacks := flag.Int("stacks", 131072, "number of distinct allocation stacks (1 to 1<<20)")
	seed := flag.Uint64("seed", 1, "seed choosing which stacks leak or churn")
	grow := flag.Float64("grow", 1, "growth level `F` >= 1: 1 keeps one object per stack, 2 makes leaking stacks keep 2-3 (series: step per checkpoint, default 2)")
	series := flag.Int("series", 0, "write `K` profiles big-01.pb.gz ... to -outdir from one process")
	outdir := flag.String("outdir", "", "directory for -series profiles")
	flag.Parse()

	growSet := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "grow" {
			growSet = true
		}
	})
	if *series > 0 && !growSet {
		*grow = 2
	}
	if err := run(*out, *stacks, *seed, *grow, *series, *outdir); err != nil {
		fmt.Fprintln(os.Stderr, "bigheap:", err)
		os.Exit(1)
	}
}

func run(out string, stacks int, seed uint64, grow float64, series int, outdir string) error {
	if stacks < 1 || stacks > 1<<maxDepth {
		return fmt.Errorf("-stacks %d out of range 1..%d", stacks, 1<<maxDepth)
	}
	if grow < 1 {
		return fmt.Errorf("-grow %v must be >= 1", grow)
	}
	// Growth level of each checkpoint.
	var levelsG []float64
	var names []string
	switch {
	case series > 0 && out == "" && outdir != "":
		if err := os.MkdirAll(outdir, 0o755); err != nil {
			return err
		}
		width := max(2, len(fmt.Sprint(series)))
		for k := 1; k <= series; k++ {
			levelsG = append(levelsG, 1+float64(k-1)*(grow-1))
			names = append(names, filepath.Join(outdir, fmt.Sprintf("big-%0*d.pb.gz", width, k)))
		}
	case series == 0 && out != "" && outdir == "":
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		levelsG = []float64{grow}
		names = []string{out}
	default:
		return fmt.Errorf("use either -out FILE or -series K -outdir DIR")
	}

	w := &walker{n: stacks, depth: bits.Len(uint(stacks - 1)), seed: seed}
	w.count = make([]int32, stacks)
	heads = make([]obj, stacks)

	for k, g := range levelsG {
		w.g = g
		serve(w)
		if err := writeHeap(names[k]); err != nil {
			return err
		}
		var objs, bytes int
		for i := range stacks {
			c := int(w.count[i])
			objs += c
			bytes += c * objBytes(lenOf(i))
		}
		fmt.Fprintf(os.Stderr, "bigheap: %s: stacks=%d depth=%d growth=%g retained objects=%d bytes=%d\n",
			names[k], stacks, w.depth, g, objs, bytes)
	}
	runtime.KeepAlive(heads)
	return nil
}

// writeHeap writes the heap profile after two GCs, so that it is current.
func writeHeap(name string) error {
	runtime.GC()
	runtime.GC()
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Code below is one pair of functions per tree level: the function for
// level L is chosen by bit L of the stack index (most significant first).
// Every body is the same; they are separate functions only so that each
// path through the tree is a distinct call stack.

//go:noinline
func handleGRPC(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func handleHTTP(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func authJWT(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func authAPIKey(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func rateLimitGlobal(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func rateLimitTenant(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func traceSampled(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func traceUnsampled(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func decodeJSON(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func decodeProto(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func validateStrict(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func validateLegacy(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func routeV1(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func routeV2(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func loadTenant(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func loadUser(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func cacheLookup(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func cacheFill(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func queryPrimary(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func queryReplica(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func buildPlan(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func reusePlan(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func scanIndex(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func scanTable(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func filterRows(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func projectRows(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func aggregateSum(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func aggregateCount(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func encodeRow(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func encodeBatch(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func compressLZ4(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func compressZstd(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func bufferWrite(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func bufferFlush(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func retryOnce(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func retryBackoff(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func emitMetric(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func emitLog(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func finalizeOK(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

//go:noinline
func finalizeErr(w *walker, lvl, p int) {
	if lvl == w.depth {
		w.leaf(p)
		return
	}
	q0, q1 := w.children(lvl, p)
	levels[lvl][0](w, lvl+1, q0)
	if q1 >= 0 {
		levels[lvl][1](w, lvl+1, q1)
	}
}

// levels[L] holds the two functions for tree level L. It is filled in
// init to avoid an initialization cycle (the functions read it).
var levels [maxDepth][2]levelFunc

func init() {
	levels = [maxDepth][2]levelFunc{

		{handleGRPC, handleHTTP},

		{authJWT, authAPIKey},

		{rateLimitGlobal, rateLimitTenant},

		{traceSampled, traceUnsampled},

		{decodeJSON, decodeProto},

		{validateStrict, validateLegacy},

		{routeV1, routeV2},

		{loadTenant, loadUser},

		{cacheLookup, cacheFill},

		{queryPrimary, queryReplica},

		{buildPlan, reusePlan},

		{scanIndex, scanTable},

		{filterRows, projectRows},

		{aggregateSum, aggregateCount},

		{encodeRow, encodeBatch},

		{compressLZ4, compressZstd},

		{bufferWrite, bufferFlush},

		{retryOnce, retryBackoff},

		{emitMetric, emitLog},

		{finalizeOK, finalizeErr},
	}
}
