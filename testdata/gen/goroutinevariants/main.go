// Command goroutinevariants produces one small, real goroutine dump for each
// variant of the Go runtime's goroutine traceback format (Go 1.26), for the
// goroutine-dump parser's tests.
//
// Usage, from the module root:
//
//	go run ./testdata/gen/goroutinevariants -list
//	go run ./testdata/gen/goroutinevariants -variant states        # dump to stdout
//	go run ./testdata/gen/goroutinevariants -all -out testdata/goroutine/variants
//
// Each variant is produced by re-executing this program (-child NAME) with
// the GOTRACEBACK / GODEBUG it needs and keeping its stdout (debug=2 profile)
// or stderr (crash output); by rebuilding it with a GOEXPERIMENT; by running
// `go test` on variants_test.go; by sending it SIGQUIT; or by running
// legacy/go120/main.go and legacy/go124synctest/main.go with old Go
// toolchains (go1.20.14, go1.24.0; the go command downloads them into the
// module cache on first use). The (scan) suffix cannot be caught for real:
// state_scan.handmade.txt is gotraceback_system.txt with two headers edited
// as goroutineheader would print them. embedded_log_crlf.txt is a
// deterministic transform of panic_running_first.txt.
//
// Every real variant has a list of substrings that must appear in its
// output; the generator retries racy variants and fails if they never do.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

// variant describes one fixture.
type variant struct {
	name string
	kind string // real, handmade, transform
	desc string
	// want lists substrings that must all be in the output; avoid lists
	// substrings that must not be (for the "without" variants).
	want  []string
	avoid []string
	slow  bool // takes more than a few seconds
	gen   func(g *gen) ([]byte, error)
}

var variants = []variant{
	{name: "states", kind: "real", desc: "debug=2 dump: one goroutine per common wait reason, plus runnable and syscall",
		want: []string{"[chan receive]:", "[chan send]:", "[select]:", "[select (no cases)]:", "[sync.Mutex.Lock]:",
			"[sync.RWMutex.RLock]:", "[sync.RWMutex.Lock]:", "[sync.Cond.Wait]:", "[sync.WaitGroup.Wait]:",
			"[sleep]:", "[IO wait]:", "[semacquire]:", "[syscall]:", "[runnable]:", "[running]:"},
		gen: childOutput("states", stdout)},
	{name: "state_nilchan", kind: "real", desc: "debug=2 dump: chan receive (nil chan), chan send (nil chan)",
		want: []string{"[chan receive (nil chan)]:", "[chan send (nil chan)]:"},
		gen:  childOutput("nilchan", stdout)},
	{name: "state_leaked", kind: "real", desc: "goroutineleak profile, debug=2, binary built with GOEXPERIMENT=goroutineleakprofile",
		want: []string{"(leaked)]:", "[chan receive]:"},
		gen:  genLeaked},
	{name: "state_synctest", kind: "real", desc: "debug=2 dump inside a testing/synctest bubble (go test), GODEBUG=tracebacklabels=1",
		want: []string{"(durable), synctest bubble ", "[sleep (durable), synctest bubble ", "(nil chan) (durable)",
			"[synctest.Wait (durable), synctest bubble ", "[synctest.Run (durable), synctest bubble ", ` labels:{"stage": "bubble"}]:`},
		gen: genSynctest},
	{name: "extra_minutes", kind: "real", slow: true, desc: "debug=2 dump after 62 s: \", 1 minutes\" (also with locked to thread and labels)",
		want: []string{", 1 minutes]:", "[syscall, 1 minutes]:", ", 1 minutes, locked to thread labels:{"},
		gen:  childOutput("minutes", stdout, "GODEBUG=tracebacklabels=1")},
	{name: "extra_locked", kind: "real", desc: "debug=2 dump: \", locked to thread\" (main goroutine and a worker)",
		want: []string{"[running, locked to thread]:", "[chan receive, locked to thread]:"},
		gen:  childOutput("locked", stdout)},
	{name: "extra_labels", kind: "real", desc: "debug=2 dump, GODEBUG=tracebacklabels=1: labels with commas, quotes, escapes, unicode",
		want: []string{`[running labels:{"role": "dumper"}]:`, `labels:{"worker": "ingest-1"}]:`, `\"`, `\n`, `\u`, `\U0001f642`,
			", locked to thread labels:{"},
		gen: childOutput("labels", stdout, "GODEBUG=tracebacklabels=1")},
	{name: "pprof_debug1", kind: "real", desc: "not a traceback: the debug=1 goroutine profile of the labels scenario (# labels: lines)",
		want: []string{"goroutine profile: total ", "# labels: {"},
		gen:  childOutput("labels-debug1", stdout)},
	{name: "created_by", kind: "real", desc: "debug=2 dump: created by F in goroutine N (main, nested, sync.(*WaitGroup).Go, time.AfterFunc)",
		want: []string{"created by main.spawner in goroutine ", "created by sync.(*WaitGroup).Go in goroutine ", "created by time.goFunc\n"},
		gen:  childOutput("createdby", stdout)},
	{name: "frames_elided", kind: "real", desc: "debug=2 dump: a 120-deep stack printed as 50 + ...N frames elided... + 50",
		want: []string{" frames elided...\n"},
		gen:  childOutput("elided", stdout)},
	{name: "ancestors", kind: "real", desc: "debug=2 dump, GODEBUG=tracebackancestors=5: [originating from goroutine N]: blocks",
		want: []string{"[originating from goroutine ", "(...)\n"},
		gen:  childOutput("ancestors", stdout, "GODEBUG=tracebackancestors=5")},
	{name: "ancestors_elided", kind: "real", desc: "debug=2 dump, GODEBUG=tracebackancestors=1: ancestor stack of 50 frames ends in ...additional frames elided...",
		want: []string{"[originating from goroutine ", "...additional frames elided...\n"},
		gen:  childOutput("ancestorselided", stdout, "GODEBUG=tracebackancestors=1")},
	{name: "args", kind: "real", desc: "debug=2 dump: argument lists {…}, ?, ..., (...) for inlined frames, (nested {{{{{...}}}}})",
		want: []string{"?", "{0x", "...)", "(...)\n"},
		gen:  childOutput("args", stdout)},
	{name: "func_names", kind: "real", desc: "debug=2 dump: methods, generics [...], closures funcN, funcN.M (gowrapN frames are hidden at this level)",
		want: []string{"main.(*server).serve(", "main.server.handle(", "main.(*queue[...]).pop(", "main.drain[...](", ".func1.1(...)"},
		gen:  childOutput("funcnames", stdout)},
	{name: "running_other_thread", kind: "real", desc: "panic, GOTRACEBACK=all, GODEBUG=asyncpreemptoff=1: a spinning goroutine on another thread",
		want: []string{"goroutine running on other thread; stack unavailable"},
		gen:  childOutput("otherthread", stderr, "GOTRACEBACK=all", "GODEBUG=asyncpreemptoff=1")},
	gotracebackSystem,
	{name: "state_scan.handmade", kind: "handmade", desc: "(scan) suffix, hand-edited into two headers of gotraceback_system.txt (the GC scan bit is set only while a stack is being scanned)",
		want: []string{" [chan receive (scan)]:", " [sync.Mutex.Lock (scan), 2 minutes]:"},
		gen:  genScan},
	{name: "sigquit", kind: "real", desc: "SIGQUIT sent to a blocked process (default GOTRACEBACK): goroutine 0 [idle], runtime frames, registers",
		want: []string{"SIGQUIT: quit\nPC=0x", "goroutine 0 gp=0x", "[idle]:", "[chan receive]:", "\nrip    0x"},
		gen:  sigquitOutput("sigquit")},
	{name: "gotraceback_crash", kind: "real", desc: "SIGQUIT, GOTRACEBACK=crash, a goroutine spinning on another thread: one SIGQUIT block per thread, separated by -----",
		want: []string{"SIGQUIT: quit\nPC=0x", "\n-----\n", "main.spin()"},
		gen:  sigquitOutput("sigquitspin", "GOTRACEBACK=crash", "GODEBUG=asyncpreemptoff=1")},
	panicRunningFirst,
	{name: "panic_nested", kind: "real", desc: "panic during a deferred call while panicking: panic: A / \\tpanic: B",
		want: []string{"\n\tpanic: ", "panic({0x"},
		gen:  childOutput("panicnested", stderr)},
	{name: "panic_repanicked", kind: "real", desc: "recover() then panic(r) again: [recovered, repanicked]",
		want: []string{"[recovered, repanicked]"},
		gen:  childOutput("panicrepanic", stderr)},
	{name: "panic_nil_deref", kind: "real", desc: "nil pointer dereference: [signal SIGSEGV: ...] line",
		want: []string{"[signal SIGSEGV: segmentation violation"},
		gen:  childOutput("nilderef", stderr)},
	{name: "autogenerated", kind: "real", desc: "value method called through a nil pointer in an interface: <autogenerated>:1 wrapper frame",
		want: []string{"<autogenerated>:1", "main.(*named).Name(", "called using nil *named pointer"},
		gen:  childOutput("autogenerated", stderr)},
	{name: "fatal_deadlock", kind: "real", desc: "fatal error: all goroutines are asleep - deadlock!",
		want: []string{"fatal error: all goroutines are asleep - deadlock!"},
		gen:  childOutput("deadlock", stderr)},
	{name: "fatal_stack_overflow", kind: "real", desc: "runtime throw (stack overflow): gp= m= header and fp= sp= pc= at default GOTRACEBACK, runtime stack:, frames elided",
		want: []string{"fatal error: stack overflow", "runtime stack:", " gp=0x", " fp=0x", " frames elided..."},
		gen:  childOutput("stackoverflow", stderr)},
	{name: "fatal_concurrent_map_writes", kind: "real", desc: "fatal error: concurrent map writes",
		want: []string{"fatal error: concurrent map writes"},
		gen:  childOutput("mapwrites", stderr)},
	{name: "gotest_panic", kind: "real", desc: "go test -v output: === RUN / --- PASS / --- FAIL lines around a panic in a subtest",
		want: []string{"--- FAIL: TestGotestFail", "--- FAIL: TestGotestPanic", "panic: assignment to entry in nil map", "goroutine ", "FAIL\t"},
		gen:  genGotestPanic},
	{name: "gotest_timeout", kind: "real", desc: "go test -timeout 2s: panic: test timed out, all goroutines dumped",
		want: []string{"panic: test timed out after 2s", "running tests:", "TestGotestHang"},
		gen:  genGotestTimeout},
	{name: "embedded_log_crlf", kind: "transform", desc: "panic_running_first.txt embedded in timestamped log lines with CRLF line ends",
		want: []string{"\r\n", "panic: "},
		gen:  genEmbeddedLog},
	{name: "legacy_go120_created_by", kind: "real", desc: "Go 1.20.14 debug=2 dump: created by F without \"in goroutine N\", Go 1.20 arguments",
		want: []string{"created by main.main\n", "created by main.spawner\n"}, avoid: []string{" in goroutine "},
		gen: legacyOutput("go120", "go1.20.14", nil, "-variant", "createdby")},
	{name: "legacy_go120_frames_elided", kind: "real", desc: "Go 1.20.14 debug=2 dump: first 100 frames then ...additional frames elided... (and a deep blocked stack cut at 97 frames with no marker)",
		want: []string{"...additional frames elided...\n"},
		gen:  legacyOutput("go120", "go1.20.14", nil, "-variant", "elided")},
	{name: "legacy_go124_synctest", kind: "real", desc: "Go 1.24.0 GOEXPERIMENT=synctest debug=2 dump in a bubble: (synctest) wait reasons, \", synctest group N\"",
		want: []string{"(synctest), synctest group ", "[synctest.Run, synctest group "}, avoid: []string{"(durable)"},
		gen: legacyOutput("go124synctest", "go1.24.0", []string{"GOEXPERIMENT=synctest"})},
}

var gotracebackSystem = variant{name: "gotraceback_system", kind: "real",
	desc: "panic, GOTRACEBACK=system: gp= m= mp= / m=nil headers, fp= sp= pc= frames, runtime goroutines, gowrapN frames",
	want: []string{" gp=0x", " m=nil [", " mp=0x", " fp=0x", " sp=0x", " pc=0x", ".gowrap1()", "runtime.goexit({})"},
	gen:  childOutput("panicall", stderr, "GOTRACEBACK=system")}

var panicRunningFirst = variant{name: "panic_running_first", kind: "real",
	desc: "panic in a worker, GOTRACEBACK=all: goroutine N [running]: first, then the others",
	want: []string{"[running]:", "[chan receive]:"},
	gen:  childOutput("panicworker", stderr, "GOTRACEBACK=all")}

type stream int

const (
	stdout stream = iota
	stderr
)

type gen struct {
	self   string // path of this program's executable
	pkgDir string // directory of this source file
	outDir string
}

func main() {
	child := flag.String("child", "", "internal: run scenario `NAME` in this process")
	name := flag.String("variant", "", "produce variant `NAME` (to stdout, or to -out DIR/NAME.txt)")
	all := flag.Bool("all", false, "produce every variant into -out")
	out := flag.String("out", "", "output `DIR` (default with -all: testdata/goroutine/variants)")
	list := flag.Bool("list", false, "list the variants")
	slow := flag.Bool("slow", true, "with -all, include slow variants (extra_minutes takes ~65 s)")
	legacy := flag.Bool("legacy", true, "with -all, include legacy_go120_* (runs GOTOOLCHAIN=go1.20.14; downloads it on first use)")
	flag.Parse()

	if *child != "" {
		runChild(*child)
		return
	}
	if *list {
		for _, v := range variants {
			fmt.Printf("%-30s %-9s %s\n", v.name, v.kind, v.desc)
		}
		return
	}
	g, err := newGen()
	if err != nil {
		fatalf("%v", err)
	}
	switch {
	case *all:
		if *out == "" {
			*out = "testdata/goroutine/variants"
		}
		g.outDir = *out
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fatalf("%v", err)
		}
		if err := g.runAll(*slow, *legacy); err != nil {
			fatalf("%v", err)
		}
	case *name != "":
		v, ok := lookup(*name)
		if !ok {
			fatalf("unknown variant %q (see -list)", *name)
		}
		g.outDir = *out
		b, err := g.produce(v)
		if err != nil {
			fatalf("%s: %v", v.name, err)
		}
		if *out == "" {
			os.Stdout.Write(b)
			return
		}
		if err := g.write(v, b); err != nil {
			fatalf("%v", err)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "goroutinevariants: "+format+"\n", args...)
	os.Exit(1)
}

func lookup(name string) (variant, bool) {
	name = strings.TrimSuffix(name, ".txt")
	for _, v := range variants {
		if v.name == name || strings.TrimSuffix(v.name, ".handmade") == name {
			return v, true
		}
	}
	return variant{}, false
}

func newGen() (*gen, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return nil, errors.New("cannot locate the generator's source directory (built with -trimpath?)")
	}
	return &gen{self: self, pkgDir: filepath.Dir(file)}, nil
}

func (g *gen) runAll(slow, legacy bool) error {
	type result struct {
		v   variant
		b   []byte
		err error
	}
	// Start the slow variants first, in the background.
	var bg []chan result
	for _, v := range variants {
		if !v.slow || !slow {
			continue
		}
		ch := make(chan result, 1)
		bg = append(bg, ch)
		go func(v variant) {
			b, err := g.produce(v)
			ch <- result{v, b, err}
		}(v)
		fmt.Fprintf(os.Stderr, "%s: started in the background\n", v.name)
	}
	for _, v := range variants {
		if v.slow || (!legacy && strings.HasPrefix(v.name, "legacy_")) {
			continue
		}
		start := time.Now()
		b, err := g.produce(v)
		if err != nil {
			return fmt.Errorf("%s: %v", v.name, err)
		}
		if err := g.write(v, b); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d bytes (%v)\n", v.name, len(b), time.Since(start).Round(time.Millisecond))
	}
	for _, ch := range bg {
		r := <-ch
		if r.err != nil {
			return fmt.Errorf("%s: %v", r.v.name, r.err)
		}
		if err := g.write(r.v, r.b); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: %d bytes\n", r.v.name, len(r.b))
	}
	return nil
}

func (g *gen) write(v variant, b []byte) error {
	return os.WriteFile(filepath.Join(g.outDir, v.name+".txt"), b, 0o644)
}

// produce runs v's generator until its output has every wanted substring
// (racy variants may need a retry).
func (g *gen) produce(v variant) ([]byte, error) {
	attempts := 5
	if v.slow {
		attempts = 1
	}
	var last []byte
	var missing string
	for i := 0; i < attempts; i++ {
		b, err := v.gen(g)
		if err != nil {
			return nil, err
		}
		last = b
		missing = ""
		for _, w := range v.want {
			if !bytes.Contains(b, []byte(w)) {
				missing = fmt.Sprintf("output lacks %q", w)
				break
			}
		}
		for _, a := range v.avoid {
			if bytes.Contains(b, []byte(a)) {
				missing = fmt.Sprintf("output has %q", a)
				break
			}
		}
		if missing == "" {
			return b, nil
		}
	}
	return nil, fmt.Errorf("after %d attempts, %s; last output:\n%s", attempts, missing, last)
}

// cleanEnv is the environment without the settings a variant controls.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOTRACEBACK", "GODEBUG", "GOEXPERIMENT", "GOMAXPROCS", "GOROUTINEVARIANTS_GOTEST", "GOROUTINEVARIANTS_DUMP":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// childOutput re-executes this program as -child scenario with env added
// and returns the chosen output stream. A non-zero exit is expected for
// crashes and is not an error.
func childOutput(scenario string, s stream, env ...string) func(*gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) {
		return g.runCmd(exec.Command(g.self, "-child", scenario), s, 3*time.Minute, env...)
	}
}

func (g *gen) runCmd(cmd *exec.Cmd, s stream, timeout time.Duration, env ...string) ([]byte, error) {
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Env = cleanEnv(env...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(timeout, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return nil, err
	}
	if s == stdout {
		if err != nil {
			return nil, fmt.Errorf("%v failed: %v\n%s", cmd.Args, err, e.Bytes())
		}
		return o.Bytes(), nil
	}
	return e.Bytes(), nil
}

// genLeaked rebuilds this program with GOEXPERIMENT=goroutineleakprofile and
// runs the leak scenario with it.
func genLeaked(g *gen) ([]byte, error) {
	dir, err := os.MkdirTemp("", "goroutinevariants-leak")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "leakbin")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = g.pkgDir
	build.Env = cleanEnv("GOEXPERIMENT=goroutineleakprofile")
	if b, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build with GOEXPERIMENT=goroutineleakprofile: %v\n%s", err, b)
	}
	return g.runCmd(exec.Command(bin, "-child", "leaked"), stdout, time.Minute)
}

func goTest(g *gen, timeout time.Duration, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", append([]string{"test", "-count=1"}, args...)...)
	cmd.Dir = g.pkgDir
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.Env = cleanEnv(append([]string{"GOROUTINEVARIANTS_GOTEST=1"}, env...)...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(timeout, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return nil, err
	}
	return buf.Bytes(), nil
}

func genGotestPanic(g *gen) ([]byte, error) {
	return goTest(g, 3*time.Minute, nil, "-v", "-run", "^TestGotest(Pass|Fail|Panic|NeverRuns)$", ".")
}

func genGotestTimeout(g *gen) ([]byte, error) {
	return goTest(g, 3*time.Minute, nil, "-v", "-timeout", "2s", "-run", "^TestGotestHang$", ".")
}

func genSynctest(g *gen) ([]byte, error) {
	f, err := os.CreateTemp("", "goroutinevariants-synctest-*.txt")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	out, err := goTest(g, 3*time.Minute, []string{"GOROUTINEVARIANTS_DUMP=" + f.Name(), "GODEBUG=tracebacklabels=1"},
		"-run", "^TestSynctestBubble$", ".")
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f.Name())
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("no dump written (%v); go test said:\n%s", err, out)
	}
	return b, nil
}

// sigquitOutput starts a scenario, waits until it says it is ready, sends it
// SIGQUIT and returns its stderr.
func sigquitOutput(scenario string, env ...string) func(*gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) { return genSigquit(g, scenario, env...) }
}

func genSigquit(g *gen, scenario string, env ...string) ([]byte, error) {
	cmd := exec.Command(g.self, "-child", scenario)
	cmd.Env = cleanEnv(env...)
	var e bytes.Buffer
	cmd.Stderr = &e
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(pipe).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("child did not get ready: %q %v\n%s", line, err, e.Bytes())
	}
	if err := cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		return nil, err
	}
	go io.Copy(io.Discard, pipe)
	cmd.Wait()
	return e.Bytes(), nil
}

// legacyOutput runs legacy/DIR/main.go with an older Go toolchain in GOPATH
// mode (old toolchains cannot parse this module's three-part go directive).
// The go command switches toolchains only in module mode, and rejects
// GOEXPERIMENTs it does not know (synctest), so the toolchain's GOROOT is
// looked up first (GOTOOLCHAIN=VERSION go env GOROOT, which downloads it
// into the module cache on first use) and its bin/go is run directly.
func legacyOutput(dir, toolchain string, env []string, args ...string) func(*gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) {
		lookup := exec.Command("go", "env", "GOROOT")
		lookup.Dir = os.TempDir() // outside this module
		lookup.Env = cleanEnv("GOTOOLCHAIN="+toolchain, "GO111MODULE=")
		root, err := lookup.Output()
		if err != nil {
			return nil, fmt.Errorf("GOTOOLCHAIN=%s go env GOROOT: %v", toolchain, err)
		}
		goBin := filepath.Join(strings.TrimSpace(string(root)), "bin", "go")
		cmd := exec.Command(goBin, append([]string{"run", "main.go"}, args...)...)
		cmd.Dir = filepath.Join(g.pkgDir, "legacy", dir)
		return g.runCmd(cmd, stdout, 10*time.Minute, append([]string{"GOTOOLCHAIN=local", "GO111MODULE=off"}, env...)...)
	}
}

// genScan edits two goroutine headers of gotraceback_system.txt (from -out,
// or produced afresh) the way goroutineheader prints them when the
// goroutine's _Gscan bit is set: " (scan)" right after the wait reason (and
// after " (leaked)"), before " (durable)" and ", N minutes". The result is
// hand-made, not real: the bit is set only while the GC scans that stack.
func genScan(g *gen) ([]byte, error) {
	var src []byte
	if g.outDir != "" {
		src, _ = os.ReadFile(filepath.Join(g.outDir, "gotraceback_system.txt"))
	}
	if src == nil {
		var err error
		if src, err = g.produce(gotracebackSystem); err != nil {
			return nil, err
		}
	}
	out := string(src)
	for _, edit := range [][2]string{
		{" [chan receive]:", " [chan receive (scan)]:"},
		{" [sync.Mutex.Lock]:", " [sync.Mutex.Lock (scan), 2 minutes]:"},
	} {
		if !strings.Contains(out, edit[0]) {
			return nil, fmt.Errorf("gotraceback_system.txt has no %q header", edit[0])
		}
		out = strings.Replace(out, edit[0], edit[1], 1)
	}
	return []byte(out), nil
}

// genEmbeddedLog wraps panic_running_first.txt (from -out, or produced
// afresh) in log lines with CRLF line ends. The transform is deterministic:
// fixed start time, +1 ms per line.
func genEmbeddedLog(g *gen) ([]byte, error) {
	var src []byte
	if g.outDir != "" {
		src, _ = os.ReadFile(filepath.Join(g.outDir, "panic_running_first.txt"))
	}
	if src == nil {
		var err error
		if src, err = g.produce(panicRunningFirst); err != nil {
			return nil, err
		}
	}
	return embedInLog(src), nil
}

func embedInLog(dump []byte) []byte {
	t := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	var buf bytes.Buffer
	line := func(stream, s string) {
		fmt.Fprintf(&buf, "%s orders-api[4242]: %s %s\r\n", t.Format("2006-01-02T15:04:05.000Z"), stream, s)
		t = t.Add(time.Millisecond)
	}
	line("stdout", `level=info msg="starting worker pool" workers=4`)
	line("stdout", `level=info msg="listening" addr=:8080`)
	line("stdout", `level=warn msg="slow request" path=/orders/17 duration=2.3s`)
	text := strings.TrimSuffix(string(dump), "\n")
	for _, l := range strings.Split(text, "\n") {
		line("stderr", l)
	}
	line("stdout", `level=error msg="process exited" status=2`)
	line("stdout", `level=info msg="restarting in 5s"`)
	return buf.Bytes()
}

// ---------------------------------------------------------------------------
// Child scenarios: run in the re-executed process.

var scenarios = map[string]func(){
	"states":          childStates,
	"nilchan":         childNilChan,
	"leaked":          childLeaked,
	"minutes":         childMinutes,
	"locked":          childLocked,
	"labels":          func() { childLabels(2) },
	"labels-debug1":   func() { childLabels(1) },
	"createdby":       childCreatedBy,
	"elided":          childElided,
	"ancestors":       childAncestors,
	"ancestorselided": childAncestorsElided,
	"args":            childArgs,
	"funcnames":       childFuncNames,
	"otherthread":     childOtherThread,
	"panicall":        childPanicAll,
	"sigquit":         childSigquit,
	"sigquitspin":     childSigquitSpin,
	"panicworker":     childPanicWorker,
	"panicnested":     childPanicNested,
	"panicrepanic":    childPanicRepanic,
	"nilderef":        childNilDeref,
	"autogenerated":   childAutogenerated,
	"deadlock":        childDeadlock,
	"stackoverflow":   childStackOverflow,
	"mapwrites":       childMapWrites,
}

func runChild(name string) {
	f, ok := scenarios[name]
	if !ok {
		fatalf("unknown scenario %q", name)
	}
	f()
}

// keep holds values that must stay reachable (pipes, whose finalizers would
// close the fds) for the child's lifetime.
var keep []any

var sink int

// settle gives the goroutines just started time to block.
func settle() { time.Sleep(150 * time.Millisecond) }

func dump(debugLevel int) {
	if err := pprof.Lookup("goroutine").WriteTo(os.Stdout, debugLevel); err != nil {
		fatalf("%v", err)
	}
}

// --- states

func childStates() {
	go waitChanReceive(make(chan int))
	go waitChanSend(make(chan int))
	go waitSelect(make(chan int), make(chan string))
	go waitSelectNoCases()

	var mu sync.Mutex
	mu.Lock()
	go waitMutex(&mu)

	var rw sync.RWMutex
	rw.RLock()
	go waitRWMutexLock(&rw) // writer waits for the reader
	settle()
	go waitRWMutexRLock(&rw) // reader waits behind the pending writer

	go waitCond(sync.NewCond(new(sync.Mutex)))
	var wg sync.WaitGroup
	wg.Add(1)
	go waitWaitGroup(&wg)
	go waitSleep()

	r, w, err := os.Pipe()
	if err != nil {
		fatalf("%v", err)
	}
	keep = append(keep, r, w)
	go waitPipeRead(r) // IO wait (netpoller)
	settle()
	go waitPipeRead(r) // waits for the fd's read lock: semacquire

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fatalf("%v", err)
	}
	go waitRawRead(p[0]) // blocking read(2): syscall
	settle()

	// With one P, goroutines started now stay runnable until we yield.
	runtime.GOMAXPROCS(1)
	go neverScheduled()
	dump(2)
}

func waitChanReceive(ch chan int)       { <-ch }
func waitChanSend(ch chan int)          { ch <- 1 }
func waitSelectNoCases()                { select {} }
func waitMutex(mu *sync.Mutex)          { mu.Lock() }
func waitRWMutexLock(rw *sync.RWMutex)  { rw.Lock() }
func waitRWMutexRLock(rw *sync.RWMutex) { rw.RLock() }
func waitWaitGroup(wg *sync.WaitGroup)  { wg.Wait() }
func waitSleep()                        { time.Sleep(time.Hour) }
func neverScheduled()                   { sink++ }

func waitSelect(a chan int, b chan string) {
	select {
	case <-a:
	case <-b:
	case <-time.After(time.Hour):
	}
}

func waitCond(c *sync.Cond) {
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

func waitPipeRead(r *os.File) {
	buf := make([]byte, 1)
	r.Read(buf)
}

func waitRawRead(fd int) {
	buf := make([]byte, 1)
	syscall.Read(fd, buf)
}

// --- nil channels

func childNilChan() {
	go recvNilChan()
	go sendNilChan()
	settle()
	dump(2)
}

func recvNilChan() {
	var ch chan int
	<-ch
}

func sendNilChan() {
	var ch chan int
	ch <- 1
}

// --- (leaked): only meaningful in a binary built with
// GOEXPERIMENT=goroutineleakprofile.

var reachable = make(chan int) // a package-level channel: never "leaked"

func childLeaked() {
	if pprof.Lookup("goroutineleak") == nil {
		fatalf("this binary was not built with GOEXPERIMENT=goroutineleakprofile")
	}
	go leakRecv()
	go leakSend()
	go leakSelect()
	go leakMutex()
	go leakWaitGroup()
	go waitChanReceive(reachable) // blocked but reachable: not leaked
	settle()
	if err := pprof.Lookup("goroutineleak").WriteTo(os.Stdout, 2); err != nil {
		fatalf("%v", err)
	}
}

func leakRecv() {
	ch := make(chan int) // nobody else can ever send on it
	<-ch
}

func leakSend() {
	ch := make(chan error)
	ch <- errors.New("nobody listens")
}

func leakSelect() {
	a, b := make(chan int), make(chan int)
	select {
	case <-a:
	case <-b:
	}
}

func leakMutex() {
	var mu sync.Mutex
	mu.Lock()
	mu.Lock()
}

func leakWaitGroup() {
	var wg sync.WaitGroup
	wg.Add(1)
	wg.Wait()
}

// --- N minutes: waitsince is stamped by the first GC after a goroutine
// blocks; the header shows whole minutes since then.

func childMinutes() {
	go waitChanReceive(make(chan int))
	go waitSleep()
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fatalf("%v", err)
	}
	go waitRawRead(p[0])
	pprof.Do(context.Background(), pprof.Labels("job", "nightly-export"), func(context.Context) {
		go lockedChanReceive(make(chan int))
	})
	settle()
	// markroot stamps gp.waitsince = work.tstart, but work.tstart is only
	// set at mark termination, so during the process's first GC it is
	// still 0: the second GC is the one that stamps (with the first GC's
	// start time).
	runtime.GC()
	runtime.GC()
	time.Sleep(62 * time.Second)
	dump(2)
}

func lockedChanReceive(ch chan int) {
	runtime.LockOSThread()
	<-ch
}

// --- locked to thread

func childLocked() {
	runtime.LockOSThread()
	go lockedChanReceive(make(chan int))
	go waitChanReceive(make(chan int))
	settle()
	dump(2)
}

// --- labels (GODEBUG=tracebacklabels=1 for debug=2; debug=1 always has them)

func childLabels(debugLevel int) {
	ctx := context.Background()
	ch := make(chan int)
	pprof.Do(ctx, pprof.Labels("worker", "ingest-1"), func(context.Context) {
		go labeledWorker(ch)
	})
	pprof.Do(ctx, pprof.Labels("route", "/api/v1/orders/{id}", "request_id", "7f3a-19c2"), func(context.Context) {
		go labeledWorker(ch)
	})
	pprof.Do(ctx, pprof.Labels(
		"query", `SELECT a, b FROM t WHERE c = "x, y"`,
		"path", `C:\temp\new`,
		"note", "line1\nline2\ttab\rcr",
		"json", `{"k": "v", "n": [1, 2]}`,
		"unicode", "naïve café ✓ 日本",
		"emoji", "🙂",
		"ctrl", "bell\x07del\x7f",
		"empty", "",
		"key with spaces, commas: and \"quotes\"", "v",
	), func(context.Context) {
		go labeledWorker(ch)
	})
	pprof.Do(ctx, pprof.Labels("pinned", "true"), func(context.Context) {
		go lockedChanReceive(ch)
	})
	pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("role", "dumper")))
	settle()
	dump(debugLevel)
}

func labeledWorker(ch chan int) { <-ch }

// --- created by

func childCreatedBy() {
	ch := make(chan int)
	go spawner(ch)
	var wg sync.WaitGroup
	wg.Go(func() { waitChanReceive(ch) })
	// The timer fires on the scheduler (g0): the goroutine it starts has
	// no parent goroutine, so its "created by" line has no "in goroutine".
	time.AfterFunc(time.Millisecond, func() { waitChanReceive(ch) })
	settle()
	settle()
	dump(2)
}

func spawner(ch chan int) {
	go worker(ch, 1)
	<-ch
}

func worker(ch chan int, id int) {
	<-ch
	sink += id
}

// --- ...N frames elided...

func childElided() {
	go recurseA(120, make(chan int))
	settle()
	dump(2)
}

//go:noinline
func recurseA(n int, ch chan int) {
	if n == 0 {
		<-ch
		return
	}
	recurseB(n-1, ch)
}

//go:noinline
func recurseB(n int, ch chan int) {
	recurseA(n-1, ch)
}

// --- ancestors

func childAncestors() {
	go ancestorLevel1(make(chan int))
	settle()
	dump(2)
}

func ancestorLevel1(ch chan int) {
	go ancestorLevel2(ch)
	<-ch
}

func ancestorLevel2(ch chan int) {
	go ancestorLevel3(ch)
	<-ch
}

func ancestorLevel3(ch chan int) { <-ch }

func childAncestorsElided() {
	go deepSpawner(60, make(chan int))
	settle()
	dump(2)
}

//go:noinline
func deepSpawner(n int, ch chan int) {
	if n == 0 {
		go ancestorLevel3(ch)
		<-ch
		return
	}
	deepSpawner(n-1, ch)
}

// --- arguments

type point struct{ X, Y int }
type rect struct{ Min, Max point }
type nested5 struct {
	a struct {
		b struct {
			c struct{ d struct{ e struct{ f int } } }
		}
	}
}

func childArgs() {
	ch := make(chan int)
	go argsScalars(42, 7, true, 2.5, ch)
	go argsAggregates(point{1, 2}, rect{point{3, 4}, point{5, 6}}, "hello", []byte("xy"), errors.New("e"), ch)
	go argsMany(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ch)
	go argsNested(nested5{}, ch)
	go argsVariadic(ch, 1, 2, 3)
	go argsCaller(ch)
	go argsLive(point{7, 8}, ch)
	settle()
	dump(2)
}

//go:noinline
func argsScalars(a int, b uint8, c bool, f float64, ch chan int) { <-ch }

//go:noinline
func argsAggregates(p point, r rect, s string, b []byte, e error, ch chan int) { <-ch }

//go:noinline
func argsMany(a, b, c, d, e, f, g, h, i, j, k, l int, ch chan int) { <-ch }

//go:noinline
func argsNested(n nested5, ch chan int) { <-ch }

//go:noinline
func argsVariadic(ch chan int, xs ...int) { <-ch }

//go:noinline
func argsCaller(ch chan int) { sink += argsInlined(ch) }

func argsInlined(ch chan int) int { return <-ch } // inlined: printed as argsInlined(...)

//go:noinline
func argsLive(p point, ch chan int) {
	<-ch
	sink += p.X + p.Y // p is live across the receive
}

// --- function names

type server struct{ name string }

//go:noinline
func (s *server) serve(ch chan int) { s.handle(ch) }

//go:noinline
func (s server) handle(ch chan int) { <-ch }

type queue[T any] struct{ ch chan T }

//go:noinline
func (q *queue[T]) pop() T { return <-q.ch }

//go:noinline
func drain[T any](q *queue[T]) T { return q.pop() }

func childFuncNames() {
	ch := make(chan int)
	s := &server{name: "api"}
	go s.serve(ch)                                  // gowrap1 -> (*server).serve -> server.handle
	go drain(&queue[string]{ch: make(chan string)}) // gowrap2 -> drain[...] -> (*queue[...]).pop
	go drain(&queue[point]{ch: make(chan point)})   // gowrap3
	go func() {                                     // func1
		func() { <-ch }() // func1.1 (inlined)
	}()
	go worker(ch, 7) // gowrap4
	h := s.handle
	go h(ch) // method value: gowrap5 -> server.handle
	settle()
	dump(2)
}

// --- goroutine running on other thread

var spinCounter uint64

func childOtherThread() {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	go spin()
	go waitChanReceive(make(chan int))
	settle()
	panic("giving up while a goroutine spins")
}

func spin() {
	for {
		spinCounter++ // no calls: cannot be preempted with asyncpreemptoff=1
	}
}

// --- panics

func childPanicAll() {
	go waitChanReceive(make(chan int))
	var mu sync.Mutex
	mu.Lock()
	go waitMutex(&mu)
	settle()
	panic(fmt.Sprintf("unrecoverable state: %d pending", 2))
}

var errBadInput = errors.New("bad input")

func childPanicWorker() {
	ch := make(chan int)
	go waitChanReceive(ch)
	go waitSleep()
	settle()
	go processJob(3)
	<-ch
}

//go:noinline
func processJob(id int) {
	panic(fmt.Errorf("job %d: %w", id, errBadInput))
}

func childPanicNested() {
	defer func() {
		panic("cleanup failed")
	}()
	panic("first failure")
}

func childPanicRepanic() {
	defer func() {
		r := recover()
		fmt.Fprintln(os.Stderr, "recovered:", r, "- re-panicking")
		panic(r)
	}()
	var xs []int
	sink = xs[5]
}

type record struct{ next *record }

func childNilDeref() {
	var r *record
	r.next.next = nil
}

type named struct{ n int }

func (v named) Name() string { return fmt.Sprint(v.n) }

type namer interface{ Name() string }

func childAutogenerated() {
	var p *named
	fmt.Println(callName(p)) // value method through a nil pointer: panicwrap
}

// callName is not inlined so that the call is not devirtualized: it goes
// through the compiler-generated (*named).Name wrapper (<autogenerated>).
//
//go:noinline
func callName(i namer) string { return i.Name() }

func childDeadlock() {
	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	go waitMutex(&mu)
	go waitChanSend(make(chan int))
	<-ch
}

func childStackOverflow() {
	debug.SetMaxStack(1 << 20)
	sink = overflow(0)
}

//go:noinline
func overflow(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return overflow(n+1) + int(pad[0])
}

func childMapWrites() {
	m := map[int]int{}
	for i := 0; i < 4; i++ {
		go mapWriter(m, i)
	}
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "no concurrent map write detected")
}

func mapWriter(m map[int]int, k int) {
	for i := 0; ; i++ {
		m[k*1000+i%1000] = i
	}
}

// --- SIGQUIT

func childSigquit() {
	go waitChanReceive(make(chan int))
	go waitSleep() // a pending timer keeps the deadlock detector quiet
	settle()
	fmt.Println("ready")
	<-make(chan int)
}

func childSigquitSpin() {
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	go spin()
	childSigquit()
}
