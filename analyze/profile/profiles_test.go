package profile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

// leakySources returns the bundled real heap profiles (testdata/heap/leaky,
// made by testdata/gen/heapleak).
func leakySources(t testing.TB) []input.Source {
	t.Helper()
	return testkit.Sources(t, "testdata/heap/leaky/heap-*.pb.gz")
}

func diffLeaky(t *testing.T, opt DiffOptions) *series.Result {
	t.Helper()
	ps, err := LoadProfiles(leakySources(t))
	if err != nil {
		t.Fatal(err)
	}
	if opt.Noise == (series.Noise{}) {
		opt.Noise = series.DefaultNoise
	}
	res, err := Diff(ps, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rowByFunc(res *series.Result, fn string) *series.Row {
	for i := range res.Rows {
		if res.Rows[i].Frame.Func == fn {
			return &res.Rows[i]
		}
	}
	return nil
}

// TestLeakyProfiles checks the answer a user would check on the bundled
// series: the two leaks ranked first, the cache a plateau, the batch buffer
// a sawtooth, the churn not retained, nothing of those growing.
func TestLeakyProfiles(t *testing.T) {
	res := diffLeaky(t, DiffOptions{})
	if res.Kind != "heap" || res.SampleType != (series.ValueType{Type: "inuse_space", Unit: "bytes"}) || !res.PerHour {
		t.Errorf("kind %s, sample %v, per hour %v", res.Kind, res.SampleType, res.PerHour)
	}
	if len(res.Rows) < 5 {
		t.Fatalf("only %d rows", len(res.Rows))
	}
	top := []string{res.Rows[0].Frame.Func, res.Rows[1].Frame.Func}
	slices.Sort(top)
	if !slices.Equal(top, []string{"main.newMapValue", "main.newSession"}) {
		t.Errorf("top two rows are %v, want the two leaks main.newMapValue and main.newSession", top)
	}
	for _, r := range res.Rows[:2] {
		if r.Class != series.Growing || r.Tau < 0.9 || !r.HasP || r.PValue > 0.01 {
			t.Errorf("%s: class %s, tau %.2f, p %.3g; want growing, steady, significant", r.Key, r.Class, r.Tau, r.PValue)
		}
		if r.Frame.File == "" || !strings.HasSuffix(r.Frame.File, "heapleak/main.go") || r.Frame.Line == 0 {
			t.Errorf("%s: site frame %+v lacks file and line", r.Key, r.Frame)
		}
	}
	want := map[string]series.Class{"main.newCacheEntry": series.Plateau, "main.newBatchPage": series.Sawtooth, "main.newGarbage": series.Flat}
	for fn, class := range want {
		r := rowByFunc(res, fn)
		if r == nil {
			t.Errorf("no row for %s", fn)
			continue
		}
		if r.Class != class {
			t.Errorf("%s: class %s, want %s (values %v)", fn, r.Class, class, r.Values)
		}
	}
	if r := rowByFunc(res, "main.newGarbage"); r == nil || !r.Churn || r.Allocated < 100<<20 {
		t.Errorf("main.newGarbage is not reported as churn: %+v", r)
	}
	if len(res.Churn) != 1 || res.Churn[0].Frame.Func != "main.newGarbage" {
		t.Errorf("churn rows %v, want only main.newGarbage", res.Churn)
	}
	for _, r := range res.Suspects() {
		if !strings.HasPrefix(r.Frame.Func, "main.new") && r.Frame.Func != "main.leakGlobalMap" && r.Frame.Func != "main.leakSliceHolder" {
			t.Errorf("unexpected suspect %s", r.Key)
		}
		if r.Frame.Func == "main.newCacheEntry" || r.Frame.Func == "main.newBatchPage" || r.Frame.Func == "main.newGarbage" {
			t.Errorf("%s is a suspect", r.Key)
		}
	}
	if res.Verdict.Growing != len(res.Suspects()) || res.Verdict.Growth < 50<<20 {
		t.Errorf("verdict %+v", res.Verdict)
	}
	// The profile writer's allocations are garbage by the next GC: they
	// show in alloc_space, where they must be hidden.
	alloc := diffLeaky(t, DiffOptions{Sample: "alloc_space"})
	if len(alloc.Hidden) == 0 || alloc.Hidden[len(alloc.Hidden)-1] <= 0 {
		t.Errorf("the profiler's own allocations were not hidden: %v", alloc.Hidden)
	}
	for _, r := range res.Rows {
		for _, f := range r.Stack {
			if strings.HasPrefix(f.Func, "runtime/pprof.") || strings.HasPrefix(f.Func, "compress/") {
				t.Errorf("profiler frame %s in row %s", f.Func, r.Key)
			}
		}
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings on a clean series: %v", res.Warnings)
	}
}

func TestKeyModesAndFilters(t *testing.T) {
	byFn := diffLeaky(t, DiffOptions{By: series.ByFunction})
	for _, r := range byFn.Rows {
		if r.Frame.File != "" || r.Key != r.Frame.Func {
			t.Errorf("by function: row %q has frame %+v", r.Key, r.Frame)
		}
	}
	byStack := diffLeaky(t, DiffOptions{By: series.ByStack})
	bySite := diffLeaky(t, DiffOptions{})
	if len(byStack.Rows) < len(bySite.Rows) {
		t.Errorf("by stack has %d rows, fewer than by site (%d)", len(byStack.Rows), len(bySite.Rows))
	}
	// The totals do not depend on the key.
	if byStack.Total.Last != bySite.Total.Last || byFn.Total.Last != bySite.Total.Last {
		t.Errorf("totals differ: %g %g %g", byStack.Total.Last, bySite.Total.Last, byFn.Total.Last)
	}
	focus := diffLeaky(t, DiffOptions{Focus: regexp.MustCompile(`leakGlobalMap`)})
	for _, r := range focus.Rows {
		if !strings.Contains(r.Key, "newMapValue") && !strings.Contains(r.Key, "leakGlobalMap") {
			t.Errorf("--focus leakGlobalMap kept %s", r.Key)
		}
	}
	ignore := diffLeaky(t, DiffOptions{Ignore: regexp.MustCompile(`^main\.newSession$`)})
	if rowByFunc(ignore, "main.newSession") != nil {
		t.Errorf("--ignore kept main.newSession")
	}
	keep := diffLeaky(t, DiffOptions{KeepProfiler: true, Sample: "alloc_space"})
	hide := diffLeaky(t, DiffOptions{Sample: "alloc_space"})
	if keep.Hidden != nil || keep.Total.Last != hide.Total.Last+hide.Hidden[len(hide.Hidden)-1] {
		t.Errorf("--keep-profiler: hidden %v, total %g vs %g + %v", keep.Hidden, keep.Total.Last, hide.Total.Last, hide.Hidden)
	}
	found := false
	for _, r := range keep.Rows {
		for _, f := range r.Stack {
			found = found || strings.HasPrefix(f.Func, "runtime/pprof.")
		}
	}
	if !found {
		t.Errorf("--keep-profiler shows no runtime/pprof stack")
	}
	objects := diffLeaky(t, DiffOptions{Sample: "inuse_objects"})
	if objects.SampleType.Unit != "count" {
		t.Errorf("inuse_objects unit %q", objects.SampleType.Unit)
	}
}

func TestSelectSampleErrors(t *testing.T) {
	ps, err := LoadProfiles(leakySources(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Diff(ps, DiffOptions{Sample: "inuse_bytes"})
	if err == nil || !strings.Contains(err.Error(), "available: alloc_objects, alloc_space, inuse_objects, inuse_space") {
		t.Errorf("wrong sample name: %v", err)
	}
}

func TestOrderByTime(t *testing.T) {
	srcs := leakySources(t)
	slices.Reverse(srcs)
	ps, err := LoadProfiles(srcs)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ps.Snapshots); i++ {
		if !ps.Snapshots[i].Time.After(ps.Snapshots[i-1].Time) {
			t.Fatalf("not in time order: %s before %s", ps.Snapshots[i-1].Name, ps.Snapshots[i].Name)
		}
	}
	if ps.Args[0] != len(srcs)-1 {
		t.Errorf("args %v", ps.Args)
	}
	if len(ps.Warnings) != 1 || !strings.Contains(ps.Warnings[0], "ordered by the profiles' own times") {
		t.Errorf("warnings %v", ps.Warnings)
	}
}

// TestWarnings: a profile of another binary and a delta profile are
// compared with a warning, not refused.
func TestWarnings(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/heap/leaky/heap-1.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	fixture := testkit.Gunzip(t, raw)
	live := testkit.LiveProfile(t, "heap") // this test binary, not heapleak's
	ps, err := LoadProfiles([]input.Source{input.NewSource("fixture.pb", fixture), input.NewSource("live.pb", live)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ps.Warnings, func(w string) bool { return strings.Contains(w, "live.pb comes from another binary than fixture.pb") }) {
		t.Errorf("no binary warning: %v", ps.Warnings)
	}

	// A delta profile, as /debug/pprof/heap?seconds=N writes: the same
	// profile with a duration and negative values.
	p, err := profile.ParseData(fixture)
	if err != nil {
		t.Fatal(err)
	}
	p.DurationNanos = int64(30 * time.Second)
	p.Sample[0].Value[3] = -p.Sample[0].Value[3] - 1
	var buf bytes.Buffer
	if err := p.WriteUncompressed(&buf); err != nil {
		t.Fatal(err)
	}
	ps, err = LoadProfiles([]input.Source{input.NewSource("fixture.pb", fixture), input.NewSource("delta.pb", buf.Bytes())})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ps.Warnings, func(w string) bool {
		return strings.Contains(w, "delta.pb looks like a delta profile (a duration of 30s")
	}) {
		t.Errorf("no delta warning: %v", ps.Warnings)
	}
	if !ps.Snapshots[1].Negative {
		t.Errorf("negative value not seen")
	}
}

// FuzzProfileSeries feeds mutated profiles through the whole series path,
// which must never panic, and must diff whatever it accepts.
func FuzzProfileSeries(f *testing.F) {
	for _, src := range leakySources(f)[:2] {
		data, err := src.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x32, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		if ps, err := LoadProfiles([]input.Source{input.NewSource("a", data), input.NewSource("b", data)}); err == nil {
			for _, by := range []series.KeyMode{series.BySite, series.ByStack} {
				if _, err := Diff(ps, DiffOptions{By: by, Noise: series.DefaultNoise}); err != nil && len(ps.Snapshots[0].SampleTypes) > 0 {
					t.Fatalf("diff of an accepted profile failed: %v", err)
				}
			}
		}
	})
}

var doLeak [][]byte

//go:noinline
func leakInDo(n int) {
	for range n {
		doLeak = append(doLeak, make([]byte, 64<<10))
	}
}

// TestLeakInsidePprofDo: memory a service leaks inside pprof.Do (the
// labels API it wraps its handlers in) is the service's, not the
// profiler's: it is a growing site, not hidden.
func TestLeakInsidePprofDo(t *testing.T) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 4096
	var srcs []input.Source
	for i := range 5 {
		pprof.Do(context.Background(), pprof.Labels("handler", "leaky"), func(context.Context) { leakInDo(16) })
		runtime.GC()
		srcs = append(srcs, input.NewSource(fmt.Sprintf("heap-%d.pb", i), testkit.LiveProfile(t, "heap")))
	}
	ps, err := LoadProfiles(srcs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Diff(ps, DiffOptions{Noise: series.DefaultNoise})
	if err != nil {
		t.Fatal(err)
	}
	r := rowByFunc(res, "github.com/leakscan/leakscan/analyze/profile.leakInDo")
	if r == nil || r.Class != series.Growing || !r.Suspect || r.Delta < 3<<20 {
		t.Fatalf("leak inside pprof.Do: %+v", r)
	}
	if !slices.ContainsFunc(r.Stack, func(f series.Frame) bool { return f.Func == "runtime/pprof.Do" }) {
		t.Errorf("the stack does not go through pprof.Do: %v", r.Stack)
	}
}
