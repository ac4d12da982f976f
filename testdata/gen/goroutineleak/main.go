// Command goroutineleak is a fixture generator for leakscan: a small program
// that leaks goroutines on purpose and writes its goroutines, at fixed
// checkpoints, in every format the Go runtime produces.
//
// Five leak kinds, each in its own //go:noinline function started with `go`
// from its own spawner (so dumps say "created by main.spawnX in goroutine 1"),
// plus one constant group that is NOT a leak:
//
//	leakBlockedSend   (spawnBlockedSend)   sends on an unbuffered channel nobody reads     label leak=send
//	leakBlockedRecv   (spawnBlockedRecv)   receives from a channel nobody writes or closes label leak=recv
//	leakSelectNoReady (spawnSelectNoReady) select over two channels that never get ready   label leak=select
//	leakMutex         (spawnMutex)         Lock()s a mutex the main goroutine holds        labels leak=mutex, note=`a, "b"`
//	leakTickerLoop    (spawnTickerLoop)    for range over a never-stopped 1-hour ticker    label leak=ticker
//	poolWorker        (startPool)          fixed pool of 8 workers, idle between jobs      label pool=worker
//
// Every checkpoint adds perKind (3) goroutines of each leak kind, so at
// checkpoint k there are 3k of each; the pool stays at 8. All channels and
// mutexes a leaked goroutine blocks on are local (reachable only from the
// leaked goroutines themselves), so that the goroutineleak profile can find
// them. Before writing anything the generator waits until every goroutine has
// reached its blocking point (it reads runtime.Stack until the counts and
// states are exactly as expected), so counts and states are deterministic.
//
// At checkpoint K it writes into -out:
//
//	goroutine-K.pb.gz           pprof.Lookup("goroutine").WriteTo(w, 0)
//	goroutine-K.debug1.txt      WriteTo(w, 1)
//	goroutine-K.debug2.txt      WriteTo(w, 2), with GODEBUG tracebacklabels=0
//	goroutine-K.debug2-labels.txt WriteTo(w, 2), with GODEBUG tracebacklabels=1
//
// and, only when built with GOEXPERIMENT=goroutineleakprofile:
//
//	goroutineleak-K.pb.gz / .debug1.txt / .debug2.txt  (the goroutineleak profile, debug 0/1/2)
//
// After the last checkpoint it re-runs itself as child processes to capture
// crash-style dumps of the same final state (18 of each leak kind + 8 workers):
//
//	panic-all.txt              -crash=panic with GOTRACEBACK=all, GODEBUG=tracebacklabels=1 (stderr)
//	sigquit.txt                -crash=sigquit, no GOTRACEBACK/GODEBUG; the parent sends SIGQUIT (stderr)
//	sigquit-in-log-crlf.txt    sigquit.txt with CRLF line ends between fixed log lines (see crlfLog)
//	panic-all-minutes.txt      as panic-all.txt, but with -hold 61s: the child sleeps 61 s after
//	                           checkpoint n/2, so the goroutines of checkpoints 1..n/2 show
//	                           ", 1 minutes" (-minutes=false skips it; it takes ~62 s)
//	testtimeout.txt            `go test -timeout 2s` of timeouttest/leak_test.go, copied into a
//	                           throwaway module in $TMPDIR/leakscan-timeouttest (stdout+stderr)
//
// In a goroutineleakprofile build, the children take a goroutineleak profile
// (to io.Discard) just before they crash, so their dumps mark the leaked
// goroutines "(leaked)".
//
// Regenerate the fixtures from the module root with:
//
//	go run ./testdata/gen/goroutineleak -out testdata/goroutine/leaky
//	GOEXPERIMENT=goroutineleakprofile go run ./testdata/gen/goroutineleak -out testdata/goroutine/leakprofile
package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// perKind is the number of goroutines of each leak kind started per checkpoint.
	perKind = 3
	// poolSize is the number of pool workers (started once, never more).
	poolSize = 8
	// tickerPeriod is long enough that no ticker fires while the generator
	// runs, so the ticker loops are always parked in their channel receive.
	tickerPeriod = time.Hour
)

//go:embed timeouttest/leak_test.go
var timeoutTestSrc []byte

var (
	outDir      = flag.String("out", "testdata/goroutine/leaky", "output directory")
	nFlag       = flag.Int("n", 6, "number of checkpoints")
	interval    = flag.Duration("interval", 200*time.Millisecond, "pause before each checkpoint")
	crashMode   = flag.String("crash", "", `child mode: "panic" panics at the last checkpoint, "sigquit" prints "ready" and waits for SIGQUIT; writes no files`)
	hold        = flag.Duration("hold", 0, "child mode: sleep this long after checkpoint n/2 (for ', N minutes' headers)")
	minutes     = flag.Bool("minutes", true, "also write panic-all-minutes.txt (takes ~62 s)")
	timeoutTest = flag.Bool("timeouttest", true, "also write testtimeout.txt (runs go test)")
)

// ---- the leaks -------------------------------------------------------------

// leakBlockedSend sends on an unbuffered channel that nobody reads.
//
//go:noinline
func leakBlockedSend(ch chan<- int) {
	ch <- 1
}

// leakBlockedRecv receives from a channel that nobody writes or closes.
//
//go:noinline
func leakBlockedRecv(ch <-chan int) {
	<-ch
}

// leakSelectNoReady waits in a select (no default) on two channels that never
// become ready.
//
//go:noinline
func leakSelectNoReady(a <-chan int, b <-chan string) {
	select {
	case <-a:
	case <-b:
	}
}

// resource is something guarded by a mutex. The mutex is deliberately not
// allocated on its own: a bare new(sync.Mutex) is an 8-byte pointer-free
// object that goes to the tiny allocator, which packs it into a 16-byte block
// with other tiny objects; the GC marks whole blocks (and always marks each
// P's current tiny block), so the goroutineleak profile misses such a leaked
// mutex whenever its block is still in use.
type resource struct {
	mu   sync.Mutex
	name string
}

// leakMutex locks the mutex of a resource that another goroutine (main)
// locked and never unlocks.
//
//go:noinline
func leakMutex(r *resource) {
	r.mu.Lock()
	r.mu.Unlock() // never reached
}

// leakTickerLoop ranges over its own ticker, which is never stopped; the loop
// never returns.
//
//go:noinline
func leakTickerLoop(period time.Duration) {
	ticker := time.NewTicker(period)
	for range ticker.C {
		tickerWork()
	}
}

//go:noinline
func tickerWork() {}

// poolWorker is one of the poolSize workers: it handles jobs from the shared
// jobs channel and waits for the next one in between. Not a leak.
//
//go:noinline
func poolWorker(jobs <-chan int, wg *sync.WaitGroup, sum *int64, mu *sync.Mutex) {
	for j := range jobs {
		mu.Lock()
		*sum += int64(j)
		mu.Unlock()
		wg.Done()
	}
}

// ---- the spawners ----------------------------------------------------------

// setLabels gives the calling goroutine (and so every goroutine it starts
// from now on) the labels kv, and returns a func that restores ctx's labels.
func setLabels(ctx context.Context, kv ...string) (restore func()) {
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels(kv...)))
	return func() { pprof.SetGoroutineLabels(ctx) }
}

//go:noinline
func spawnBlockedSend(ctx context.Context) {
	defer setLabels(ctx, "leak", "send")()
	for i := 0; i < perKind; i++ {
		ch := make(chan int)
		go leakBlockedSend(ch)
	}
}

//go:noinline
func spawnBlockedRecv(ctx context.Context) {
	defer setLabels(ctx, "leak", "recv")()
	for i := 0; i < perKind; i++ {
		ch := make(chan int)
		go leakBlockedRecv(ch)
	}
}

//go:noinline
func spawnSelectNoReady(ctx context.Context) {
	defer setLabels(ctx, "leak", "select")()
	for i := 0; i < perKind; i++ {
		a, b := make(chan int), make(chan string)
		go leakSelectNoReady(a, b)
	}
}

// spawnMutex locks a fresh mutex and leaves it locked; its perKind waiters
// block forever.
//
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
		go leakTickerLoop(tickerPeriod)
	}
}

// thePool keeps the worker pool (and so its jobs channel) reachable from a
// global for the whole run, as a server's pool would be. Were it reachable
// only from main's stack, the goroutineleak profile would report the idle
// workers as leaked as soon as main no longer uses the pool (as it does in
// the crash children, which never feed the pool again).
var thePool *pool

// pool is the fixed worker pool.
type pool struct {
	jobs chan int
	wg   sync.WaitGroup
	mu   sync.Mutex
	sum  int64
}

//go:noinline
func startPool(ctx context.Context) *pool {
	defer setLabels(ctx, "pool", "worker")()
	p := &pool{jobs: make(chan int)}
	for i := 0; i < poolSize; i++ {
		go poolWorker(p.jobs, &p.wg, &p.sum, &p.mu)
	}
	return p
}

// feed hands the pool 2*poolSize jobs and waits until they are done, so the
// workers are idle (blocked receiving) again afterwards.
func (p *pool) feed(k int) {
	for i := 0; i < 2*poolSize; i++ {
		p.wg.Add(1)
		p.jobs <- k*100 + i
	}
	p.wg.Wait()
}

// tick starts perKind new goroutines of every leak kind.
func tick(ctx context.Context) {
	spawnBlockedSend(ctx)
	spawnBlockedRecv(ctx)
	spawnSelectNoReady(ctx)
	spawnMutex(ctx)
	spawnTickerLoop(ctx)
}

// ---- checking the state ----------------------------------------------------

// kinds maps each goroutine function to the state (the waitReason in the
// goroutine header) it must be parked in.
var kinds = []struct{ fn, state string }{
	{"main.leakBlockedSend", "chan send"},
	{"main.leakBlockedRecv", "chan receive"},
	{"main.leakSelectNoReady", "select"},
	{"main.leakMutex", "sync.Mutex.Lock"},
	{"main.leakTickerLoop", "chan receive"},
	{"main.poolWorker", "chan receive"},
}

func expected(fn string, k int) int {
	if fn == "main.poolWorker" {
		return poolSize
	}
	return perKind * k
}

// census counts goroutines in a debug=2 style dump by their first main.*
// frame and the base state of their header ("chan send" in
// "[chan send (leaked), 1 minutes labels:{...}]").
func census(dump []byte) map[string]map[string]int {
	c := map[string]map[string]int{}
	for _, block := range strings.Split(string(dump), "\n\n") {
		lines := strings.Split(strings.TrimLeft(block, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "goroutine ") {
			continue
		}
		h := lines[0]
		i := strings.IndexByte(h, '[')
		j := strings.LastIndex(h, "]:")
		if i < 0 || j < i {
			continue
		}
		state := h[i+1 : j]
		for _, sep := range []string{" labels:{", ", ", " ("} {
			if x := strings.Index(state, sep); x >= 0 {
				state = state[:x]
			}
		}
		fn := ""
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "main.") {
				fn = l[:strings.IndexByte(l, '(')]
				break
			}
		}
		if c[fn] == nil {
			c[fn] = map[string]int{}
		}
		c[fn][state]++
	}
	return c
}

// checkCensus reports how the census differs from checkpoint k's expectation.
func checkCensus(c map[string]map[string]int, k int) error {
	var errs []string
	for _, kd := range kinds {
		want := expected(kd.fn, k)
		if got := c[kd.fn][kd.state]; got != want || len(c[kd.fn]) != 1 {
			errs = append(errs, fmt.Sprintf("%s: want %d in [%s], have %v", kd.fn, want, kd.state, c[kd.fn]))
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

func allStacks() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitSettled polls runtime.Stack until every goroutine of checkpoint k is
// parked where it should be.
func waitSettled(k int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := checkCensus(census(allStacks()), k)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("checkpoint %d did not settle: %v", k, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ---- writing ---------------------------------------------------------------

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(filepath.Join(*outDir, name))
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}

func profileWriter(p *pprof.Profile, debug int) func(io.Writer) error {
	return func(w io.Writer) error { return p.WriteTo(w, debug) }
}

// setTracebackLabels sets GODEBUG tracebacklabels (the runtime re-reads
// GODEBUG on os.Setenv, and tracebacklabels may change at run time).
func setTracebackLabels(origGODEBUG string, on bool) {
	v := "tracebacklabels=0"
	if on {
		v = "tracebacklabels=1"
	}
	if origGODEBUG != "" {
		v = origGODEBUG + "," + v
	}
	os.Setenv("GODEBUG", v)
}

type outFile struct {
	name   string
	labels bool // write with GODEBUG tracebacklabels=1
	write  func(io.Writer) error
}

func writeCheckpoint(k int, leakProf *pprof.Profile) error {
	g := pprof.Lookup("goroutine")
	orig := os.Getenv("GODEBUG")
	defer os.Setenv("GODEBUG", orig)
	files := []outFile{
		{fmt.Sprintf("goroutine-%d.pb.gz", k), false, profileWriter(g, 0)},
		{fmt.Sprintf("goroutine-%d.debug1.txt", k), false, profileWriter(g, 1)},
		{fmt.Sprintf("goroutine-%d.debug2.txt", k), false, profileWriter(g, 2)},
		{fmt.Sprintf("goroutine-%d.debug2-labels.txt", k), true, profileWriter(g, 2)},
	}
	if leakProf != nil {
		files = append(files,
			outFile{fmt.Sprintf("goroutineleak-%d.pb.gz", k), false, profileWriter(leakProf, 0)},
			outFile{fmt.Sprintf("goroutineleak-%d.debug1.txt", k), false, profileWriter(leakProf, 1)},
			outFile{fmt.Sprintf("goroutineleak-%d.debug2.txt", k), false, profileWriter(leakProf, 2)},
		)
	}
	for _, f := range files {
		setTracebackLabels(orig, f.labels)
		if err := writeFile(f.name, f.write); err != nil {
			return err
		}
	}
	return nil
}

// ---- main ------------------------------------------------------------------

func main() {
	log.SetFlags(0)
	log.SetPrefix("goroutineleak: ")
	flag.Parse()
	if *nFlag < 1 {
		log.Fatal("-n must be at least 1")
	}
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	child := *crashMode != ""
	switch *crashMode {
	case "", "panic", "sigquit":
	default:
		return fmt.Errorf("-crash must be panic or sigquit, not %q", *crashMode)
	}
	leakProf := pprof.Lookup("goroutineleak") // nil unless GOEXPERIMENT=goroutineleakprofile
	if !child {
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			return err
		}
		if leakProf == nil {
			log.Print("goroutineleak profile not available (build without GOEXPERIMENT=goroutineleakprofile)")
		}
	}

	ctx := context.Background()
	p := startPool(ctx)
	thePool = p
	for k := 1; k <= *nFlag; k++ {
		time.Sleep(*interval)
		tick(ctx)
		p.feed(k)
		if err := waitSettled(k); err != nil {
			return err
		}
		if !child {
			if err := writeCheckpoint(k, leakProf); err != nil {
				return err
			}
			summarize(k)
		}
		if *hold > 0 && k == *nFlag/2 {
			// A goroutine's "blocked since" time (gp.waitsince) is only set
			// when a GC scans its stack, and it is set to the time the
			// previous GC cycle ended (work.tstart), which is 0 before the
			// first GC. Hence two GCs: the second one stamps every blocked
			// goroutine with the time of the first. Without them no header
			// would show minutes.
			runtime.GC()
			runtime.GC()
			time.Sleep(*hold)
		}
	}
	if child {
		crash(leakProf)
		return nil // not reached
	}
	return runChildren()
}

// summarize logs the per-kind counts of the files just written.
func summarize(k int) {
	var parts []string
	for _, name := range []string{"goroutine-%d.debug2.txt", "goroutineleak-%d.debug2.txt"} {
		b, err := os.ReadFile(filepath.Join(*outDir, fmt.Sprintf(name, k)))
		if err != nil {
			continue
		}
		c := census(b)
		fns := make([]string, 0, len(c))
		for fn := range c {
			fns = append(fns, fn)
		}
		sort.Strings(fns)
		var s []string
		for _, fn := range fns {
			s = append(s, fmt.Sprintf("%s=%v", strings.TrimPrefix(fn, "main."), c[fn]))
		}
		parts = append(parts, fmt.Sprintf(name, k)+": "+strings.Join(s, " "))
	}
	log.Printf("checkpoint %d\n\t%s", k, strings.Join(parts, "\n\t"))
}

// crash ends a child process at its last checkpoint.
func crash(leakProf *pprof.Profile) {
	if leakProf != nil {
		// Mark the leaked goroutines _Gleaked, so the dump says "(leaked)".
		if err := leakProf.WriteTo(io.Discard, 0); err != nil {
			log.Fatal(err)
		}
	}
	switch *crashMode {
	case "panic":
		panic("leakscan fixture")
	case "sigquit":
		fmt.Println("ready")
		time.Sleep(time.Hour) // the parent sends SIGQUIT
		log.Fatal("no SIGQUIT within an hour")
	}
}

// childEnv returns this process's environment with changes applied: each
// change is "KEY=VALUE" (set KEY, replacing any value it had) or "KEY"
// (remove KEY).
func childEnv(changes ...string) []string {
	return editEnv(os.Environ(), changes...)
}

// editEnv applies childEnv's changes to env.
func editEnv(env []string, changes ...string) []string {
	for _, ch := range changes {
		key, _, _ := strings.Cut(ch, "=")
		out := env[:0:0]
		for _, e := range env {
			if !strings.HasPrefix(e, key+"=") {
				out = append(out, e)
			}
		}
		env = out
		if strings.Contains(ch, "=") {
			env = append(env, ch)
		}
	}
	return env
}

func selfCommand(env []string, args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args = append([]string{"-n", fmt.Sprint(*nFlag), "-interval", interval.String()}, args...)
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	return cmd, nil
}

// runChildren writes the crash-style dumps, each from its own child process,
// all at the same time.
func runChildren() error {
	jobs := map[string]func() error{
		"panic-all.txt": func() error {
			return panicChild("panic-all.txt",
				childEnv("GOTRACEBACK=all", "GODEBUG=tracebacklabels=1"))
		},
		"sigquit.txt": sigquitChild,
	}
	if *minutes {
		jobs["panic-all-minutes.txt"] = func() error {
			return panicChild("panic-all-minutes.txt",
				childEnv("GOTRACEBACK=all", "GODEBUG=tracebacklabels=1"), "-hold", "61s")
		}
	}
	if *timeoutTest {
		jobs["testtimeout.txt"] = testTimeoutChild
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for name, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if err := job(); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
				return
			}
			log.Printf("wrote %s (%.1fs)", name, time.Since(start).Seconds())
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// panicChild runs the generator with -crash=panic and writes its stderr to name.
func panicChild(name string, env []string, args ...string) error {
	f, err := os.Create(filepath.Join(*outDir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	cmd, err := selfCommand(env, append([]string{"-crash", "panic"}, args...)...)
	if err != nil {
		return err
	}
	cmd.Stderr = f
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		return fmt.Errorf("child should exit with status 2 after the panic, got %v", err)
	}
	return nil
}

// sigquitChild runs the generator with -crash=sigquit, sends it SIGQUIT when
// it is ready, and writes its stderr to sigquit.txt and the CRLF log variant
// to sigquit-in-log-crlf.txt.
func sigquitChild() error {
	path := filepath.Join(*outDir, "sigquit.txt")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd, err := selfCommand(childEnv("GOTRACEBACK", "GODEBUG"), "-crash", "sigquit")
	if err != nil {
		return err
	}
	cmd.Stderr = f
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("child did not get ready: %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		return err
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		return fmt.Errorf("child should exit with status 2 after SIGQUIT, got %v", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	dump, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*outDir, "sigquit-in-log-crlf.txt"), crlfLog(dump), 0o644)
}

// crlfLog embeds a dump in an application log: four fixed log lines (plain
// text and JSON) before it and two after it, every line ending in CRLF. The
// dump's own lines are kept as they are, just with "\r\n" instead of "\n".
func crlfLog(dump []byte) []byte {
	before := []string{
		`2026-01-15T10:04:59.912Z INFO  leaky-service starting pid=4242 version=1.4.2`,
		`{"time":"2026-01-15T10:05:00.001Z","level":"INFO","msg":"listening","addr":":8080"}`,
		`{"time":"2026-01-15T10:05:01.250Z","level":"WARN","msg":"slow request","path":"/api/items","ms":1204}`,
		`2026-01-15T10:05:02.000Z WARN  watchdog: no progress for 30s, sending SIGQUIT`,
	}
	after := []string{
		`{"time":"2026-01-15T10:05:02.480Z","level":"ERROR","msg":"process exited","code":2}`,
		`2026-01-15T10:05:02.481Z INFO  supervisor: restarting leaky-service in 1s`,
	}
	var b bytes.Buffer
	for _, l := range before {
		b.WriteString(l + "\r\n")
	}
	b.Write(bytes.ReplaceAll(bytes.TrimRight(dump, "\n"), []byte("\n"), []byte("\r\n")))
	b.WriteString("\r\n")
	for _, l := range after {
		b.WriteString(l + "\r\n")
	}
	return b.Bytes()
}

// testTimeoutChild copies timeouttest/leak_test.go into a throwaway module
// in $TMPDIR/leakscan-timeouttest and runs `go test -timeout 2s` there,
// writing its stdout and stderr to testtimeout.txt.
func testTimeoutChild() error {
	dir := filepath.Join(os.TempDir(), "leakscan-timeouttest")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module timeouttest\n\ngo 1.26\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "leak_test.go"), timeoutTestSrc, 0o644); err != nil {
		return err
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	f, err := os.Create(filepath.Join(*outDir, "testtimeout.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(goCmd, "test", "-timeout", "2s")
	cmd.Dir = dir
	env := childEnv("GOTRACEBACK", "GODEBUG", "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if pprof.Lookup("goroutineleak") != nil {
		// Build the test the same way as this binary, even when this binary
		// was built with `go build` rather than `go run`.
		exp := "goroutineleakprofile"
		if orig := os.Getenv("GOEXPERIMENT"); orig != "" && !strings.Contains(orig, exp) {
			exp = orig + "," + exp
		}
		env = editEnv(env, "GOEXPERIMENT="+exp)
	}
	cmd.Env = env
	cmd.Stdout = f
	cmd.Stderr = f
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("go test should fail with the timeout, got %v", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	out, err := os.ReadFile(filepath.Join(*outDir, "testtimeout.txt"))
	if err != nil {
		return err
	}
	if !bytes.Contains(out, []byte("panic: test timed out after 2s")) {
		return fmt.Errorf("no test timeout panic in the output:\n%s", out)
	}
	return nil
}
