package goroutine

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

// The bundled goroutine fixtures come from testdata/gen/goroutineleak: five
// leaks of 3 goroutines per checkpoint each, and a fixed pool of 8 workers.
var goLeaks = map[string]string{ // leaking function → its spawner
	"main.leakBlockedSend":   "main.spawnBlockedSend",
	"main.leakBlockedRecv":   "main.spawnBlockedRecv",
	"main.leakSelectNoReady": "main.spawnSelectNoReady",
	"main.leakMutex":         "main.spawnMutex",
	"main.leakTickerLoop":    "main.spawnTickerLoop",
}

func goFixtures(t *testing.T, pattern string) []input.Source {
	t.Helper()
	return testkit.Sources(t, "testdata/goroutine/"+pattern)
}

func diffGo(t *testing.T, srcs []input.Source) *series.Result {
	t.Helper()
	gs, err := LoadGoroutines(srcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range gs.Warnings {
		t.Errorf("warning: %s", w)
	}
	res, err := DiffGoroutines(gs, GoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// countsByFunc sums the last snapshot's count per group site.
func countsByFunc(res *series.Result) map[string]int {
	out := map[string]int{}
	for _, r := range res.Rows {
		out[r.Frame.Func] += int(r.Last)
	}
	return out
}

// TestGoroutineSeriesEveryFormat: in every format, the five leaks are the
// suspects, each growing by 3 per checkpoint, and the pool is not.
func TestGoroutineSeriesEveryFormat(t *testing.T) {
	for _, suffix := range []string{".debug2.txt", ".debug2-labels.txt", ".debug1.txt", ".pb.gz"} {
		t.Run(suffix, func(t *testing.T) {
			res := diffGo(t, goFixtures(t, "leaky/goroutine-?"+suffix))
			var suspects []string
			for _, r := range res.Suspects() {
				suspects = append(suspects, r.Frame.Func)
				if !slices.Equal(r.Values, []float64{3, 6, 9, 12, 15, 18}) || r.Class != series.Growing {
					t.Errorf("%s: %s %v", r.Frame.Func, r.Class, r.Values)
				}
				text := !strings.HasSuffix(suffix, ".pb.gz") && suffix != ".debug1.txt"
				if text && (InfoOf(&r).Creator == nil || InfoOf(&r).Creator.Func != goLeaks[r.Frame.Func]) {
					t.Errorf("%s: creator %v, want %s", r.Frame.Func, InfoOf(&r).Creator, goLeaks[r.Frame.Func])
				}
			}
			slices.Sort(suspects)
			if want := slices.Sorted(maps.Keys(goLeaks)); !slices.Equal(suspects, want) {
				t.Errorf("suspects %v, want %v", suspects, want)
			}
			pool := false
			for _, r := range res.Rows {
				if r.Frame.Func == "main.poolWorker" {
					pool = true
					if r.Suspect || r.Class != series.Flat || r.Last != 8 {
						t.Errorf("pool: suspect %v, class %s, values %v", r.Suspect, r.Class, r.Values)
					}
				}
			}
			if !pool {
				t.Errorf("no pool row")
			}
			if res.Verdict.Growing != 5 || res.Verdict.Growth != 75 {
				t.Errorf("verdict %+v", res.Verdict)
			}
		})
	}
}

// TestGoroutineFormatsSameCheckpoint: every format of one checkpoint gives
// the same groups and counts.
func TestGoroutineFormatsSameCheckpoint(t *testing.T) {
	for cp := 1; cp <= 6; cp++ {
		var first map[string]int
		for _, suffix := range []string{".debug2.txt", ".debug2-labels.txt", ".debug1.txt", ".pb.gz"} {
			got := countsByFunc(diffGo(t, goFixtures(t, fmt.Sprintf("leaky/goroutine-%d%s", cp, suffix))))
			if first == nil {
				first = got
				if first["main.poolWorker"] != 8 || first["main.leakMutex"] != 3*cp {
					t.Errorf("checkpoint %d: %v", cp, first)
				}
				continue
			}
			if !maps.Equal(first, got) {
				t.Errorf("checkpoint %d: %s gives %v, debug2 gives %v", cp, suffix, got, first)
			}
		}
	}
}

// TestGoroutineLabels: labels printed three ways come out the same.
func TestGoroutineLabels(t *testing.T) {
	want := `leak="mutex", note="a, \"b\""`
	for _, f := range []string{"goroutine-6.debug2-labels.txt", "goroutine-6.debug1.txt", "goroutine-6.pb.gz"} {
		res := diffGo(t, goFixtures(t, "leaky/"+f))
		for _, r := range res.Rows {
			if r.Frame.Func == "main.leakMutex" && !slices.Equal(InfoOf(&r).Labels, []string{want}) {
				t.Errorf("%s: labels %q, want %q", f, InfoOf(&r).Labels, want)
			}
		}
	}
}

// TestGoroutineLeakProfile: the runtime's goroutineleak profile confirms
// the leaks on unreachable primitives, in all three of its formats; it
// does not see the ticker loop (the runtime's timers reach its channel).
func TestGoroutineLeakProfile(t *testing.T) {
	for _, f := range []string{"goroutineleak-6.debug2.txt", "goroutineleak-6.debug1.txt", "goroutineleak-6.pb.gz"} {
		res := diffGo(t, goFixtures(t, "leakprofile/"+f))
		var confirmed []string
		for _, r := range res.Rows {
			if InfoOf(&r).Confirmed {
				confirmed = append(confirmed, r.Frame.Func)
				if !r.Suspect || r.Last != 18 {
					t.Errorf("%s: %s suspect %v count %g", f, r.Frame.Func, r.Suspect, r.Last)
				}
			}
		}
		slices.Sort(confirmed)
		want := []string{"main.leakBlockedRecv", "main.leakBlockedSend", "main.leakMutex", "main.leakSelectNoReady"}
		if !slices.Equal(confirmed, want) {
			t.Errorf("%s: confirmed %v, want %v", f, confirmed, want)
		}
		if res.Verdict.Confirmed != 4 {
			t.Errorf("%s: verdict %+v", f, res.Verdict)
		}
	}
}

// TestGoroutineTracebacks: panic, SIGQUIT (also inside a CRLF log) and
// test-timeout dumps of the last checkpoint hold 18 of each leak and the
// pool of 8, with creators.
func TestGoroutineTracebacks(t *testing.T) {
	var sigquit map[string]int
	for _, f := range []string{"panic-all.txt", "sigquit.txt", "sigquit-in-log-crlf.txt", "testtimeout.txt"} {
		res := diffGo(t, goFixtures(t, "leaky/"+f))
		got := map[string]int{}
		for _, r := range res.Rows {
			fn := strings.Replace(r.Frame.Func, "timeouttest.", "main.", 1)
			got[fn] += int(r.Last)
			if _, leak := goLeaks[fn]; leak && (InfoOf(&r).Creator == nil || strings.Replace(InfoOf(&r).Creator.Func, "timeouttest.", "main.", 1) != goLeaks[fn]) {
				t.Errorf("%s: %s has creator %v", f, fn, InfoOf(&r).Creator)
			}
		}
		for fn := range goLeaks {
			if got[fn] != 18 {
				t.Errorf("%s: %s × %d, want 18", f, fn, got[fn])
			}
		}
		if got["main.poolWorker"] != 8 {
			t.Errorf("%s: pool × %d", f, got["main.poolWorker"])
		}
		switch f {
		case "sigquit.txt":
			sigquit = countsByFunc(res)
		case "sigquit-in-log-crlf.txt":
			if !maps.Equal(sigquit, countsByFunc(res)) {
				t.Errorf("the CRLF log copy differs from the SIGQUIT dump")
			}
		}
	}
}

// TestGoroutineWaitMinutes: a dump taken after the leaks waited over a
// minute reports the wait range, and a single dump flags long waits.
func TestGoroutineWaitMinutes(t *testing.T) {
	gs, err := LoadGoroutines(goFixtures(t, "leaky/panic-all-minutes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := DiffGoroutines(gs, GoOptions{LongWait: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if r.Frame.Func == "main.leakBlockedSend" {
			if InfoOf(&r).MaxWait < 1 || !r.Suspect || !slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.HasPrefix(s, "blocked ") }) {
				t.Errorf("leakBlockedSend: wait %d–%d, suspect %v, reasons %v", InfoOf(&r).MinWait, InfoOf(&r).MaxWait, r.Suspect, r.Reasons)
			}
		}
	}
}

// TestPastedTracebacks: a dump whose tabs became spaces (pasted into an
// issue, a chat or a mail), with CRLF line ends or behind a log prefix,
// gives the same groups, counts and creators as the dump itself.
func TestPastedTracebacks(t *testing.T) {
	orig := testkit.MustRead(t, "../../testdata/goroutine/leaky/goroutine-6.debug2.txt")
	want := groupsOf(t, orig)
	if len(want) < 6 {
		t.Fatalf("%d groups in the original", len(want))
	}
	for name, data := range map[string][]byte{
		"4 spaces":        bytes.ReplaceAll(orig, []byte("\t"), []byte("    ")),
		"8 spaces":        bytes.ReplaceAll(orig, []byte("\t"), []byte("        ")),
		"1 space":         bytes.ReplaceAll(orig, []byte("\t"), []byte(" ")),
		"CRLF":            bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n")),
		"spaces and CRLF": bytes.ReplaceAll(bytes.ReplaceAll(orig, []byte("\t"), []byte("  ")), []byte("\n"), []byte("\r\n")),
	} {
		got := groupsOf(t, data)
		if !maps.Equal(got, want) {
			t.Errorf("%s: groups differ:\n got %v\nwant %v", name, got, want)
		}
	}
}

// groupsOf is each group of a dump, keyed by its row key (stack, state and
// creator), with its count.
func groupsOf(t *testing.T, data []byte) map[string]float64 {
	t.Helper()
	gs, err := LoadGoroutines([]input.Source{input.NewSource("d.txt", data)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := DiffGoroutines(gs, GoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, r := range res.Rows {
		out[r.Key] = r.Last
	}
	return out
}
