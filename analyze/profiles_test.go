package analyze

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// leakySources returns the bundled real heap profiles (testdata/heap/leaky,
// made by testdata/gen/heapleak).
func leakySources(t testing.TB) []Source {
	t.Helper()
	paths, err := filepath.Glob("../testdata/heap/leaky/heap-*.pb.gz")
	if err != nil || len(paths) < 5 {
		t.Fatalf("bundled profiles missing: %v %v", paths, err)
	}
	srcs := make([]Source, len(paths))
	for i, p := range paths {
		srcs[i] = Source{Name: p, path: p}
	}
	return srcs
}

func diffLeaky(t *testing.T, opt DiffOptions) *Result {
	t.Helper()
	ps, err := LoadProfiles(leakySources(t))
	if err != nil {
		t.Fatal(err)
	}
	if opt.Noise == (Noise{}) {
		opt.Noise = DefaultNoise
	}
	res, err := Diff(ps, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rowByFunc(res *Result, fn string) *Row {
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
	if res.Kind != "heap" || res.SampleType != (ValueType{"inuse_space", "bytes"}) || !res.PerHour {
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
		if r.Class != Growing || r.Tau < 0.9 || !r.HasP || r.PValue > 0.01 {
			t.Errorf("%s: class %s, tau %.2f, p %.3g; want growing, steady, significant", r.Key, r.Class, r.Tau, r.PValue)
		}
		if r.Frame.File == "" || !strings.HasSuffix(r.Frame.File, "heapleak/main.go") || r.Frame.Line == 0 {
			t.Errorf("%s: site frame %+v lacks file and line", r.Key, r.Frame)
		}
	}
	want := map[string]Class{"main.newCacheEntry": Plateau, "main.newBatchPage": Sawtooth, "main.newGarbage": Flat}
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
	byFn := diffLeaky(t, DiffOptions{By: ByFunction})
	for _, r := range byFn.Rows {
		if r.Frame.File != "" || r.Key != r.Frame.Func {
			t.Errorf("by function: row %q has frame %+v", r.Key, r.Frame)
		}
	}
	byStack := diffLeaky(t, DiffOptions{By: ByStack})
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

// liveProfile writes a real profile of this test process.
func liveProfile(t *testing.T, name string) []byte {
	t.Helper()
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	return gunzip(t, buf.Bytes())
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestMixedKinds(t *testing.T) {
	heap := liveProfile(t, "heap")
	gor := liveProfile(t, "goroutine")
	_, err := LoadProfiles([]Source{NewSource("heap.pb", heap), NewSource("goroutine.pb", gor)})
	var ie *InputError
	if !errors.As(err, &ie) || ie.File != "goroutine.pb" || !strings.Contains(err.Error(), "goroutine profile") ||
		!strings.Contains(err.Error(), "one kind") {
		t.Errorf("mixed kinds: %v", err)
	}
}

// TestBadInput feeds truncated, corrupted, empty and wrong-format inputs:
// each must give one InputError naming the file (and the position when the
// data is a broken profile), never a panic.
func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("../testdata/heap/leaky/heap-3.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	data := gunzip(t, raw)
	good := NewSource("good.pb", data)
	cases := []struct {
		name string
		data []byte
		want string // substring of the error
	}{
		{"empty", nil, "found empty file"},
		{"blank", []byte("  \n"), "found empty file"},
		{"text", []byte("hello, world\n"), "text of an unknown format"},
		{"binary", []byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ""},
		{"goroutine dump", []byte("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n"), "goroutine dump"},
		{"debug=1 heap", []byte("heap profile: 1: 2 [3: 4] @ heap/1048576\n"), "protobuf form"},
		{"hprof", []byte("JAVA PROFILE 1.0.2\x00\x00\x00\x00\x08"), "HPROF"},
		{"v8", []byte(`{"snapshot":{"meta":{}}}`), "V8 heap snapshot"},
		{"truncated", data[:len(data)/2], "byte "},
		{"truncated near start", data[:7], "byte "},
		{"one byte", data[:1], ""},
		{"flipped tag", append([]byte{0xff}, data[1:]...), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadProfiles([]Source{good, NewSource("bad.pb", c.data)})
			var ie *InputError
			if !errors.As(err, &ie) || ie.File != "bad.pb" {
				t.Fatalf("error %v, want an InputError for bad.pb", err)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, c.want)
			}
		})
	}
	// Every truncation of a real profile fails cleanly or, when the cut
	// falls between fields, decodes.
	for n := 0; n < len(data); n += max(1, len(data)/300) {
		if _, err := decodePprof("cut.pb", data[:n], newStackTable()); err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("cut at %d: %v is not an InputError", n, err)
			}
		}
	}
}

func TestReadSourcesGzipErrors(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("../testdata/heap/leaky/heap-1.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cut := write("cut.pb.gz", raw[:len(raw)/2])
	srcs, err := ReadSources([]string{cut}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srcs[0].Bytes(); err == nil || !strings.Contains(err.Error(), "truncated gzip stream") {
		t.Errorf("truncated gzip: %v", err)
	}
	bad := append([]byte{}, raw...)
	for i := 20; i < len(bad)-8; i += 7 {
		bad[i] ^= 0x55
	}
	srcs, _ = ReadSources([]string{write("bad.pb.gz", bad)}, nil, nil)
	if _, err := srcs[0].Bytes(); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	if _, err := ReadSources([]string{filepath.Join(dir, "missing")}, nil, nil); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	// A directory takes its profile files, sorted, and skips the rest.
	sub := filepath.Join(dir, "series")
	os.Mkdir(sub, 0o755)
	for _, n := range []string{"b.pb.gz", "a.pb.gz"} {
		os.WriteFile(filepath.Join(sub, n), raw, 0o644)
	}
	os.WriteFile(filepath.Join(sub, "README"), []byte("notes\n"), 0o644)
	srcs, err = ReadSources([]string{sub}, nil, func(f Format) bool { return f == FormatPprof })
	if err != nil || len(srcs) != 2 || filepath.Base(srcs[0].Name) != "a.pb.gz" {
		t.Errorf("directory: %v %v", srcs, err)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, err := ReadSources([]string{empty}, nil, func(f Format) bool { return f == FormatPprof }); err == nil {
		t.Errorf("empty directory accepted")
	}
}

// TestWarnings: a profile of another binary and a delta profile are
// compared with a warning, not refused.
func TestWarnings(t *testing.T) {
	raw, err := os.ReadFile("../testdata/heap/leaky/heap-1.pb.gz")
	if err != nil {
		t.Fatal(err)
	}
	fixture := gunzip(t, raw)
	live := liveProfile(t, "heap") // this test binary, not heapleak's
	ps, err := LoadProfiles([]Source{NewSource("fixture.pb", fixture), NewSource("live.pb", live)})
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
	ps, err = LoadProfiles([]Source{NewSource("fixture.pb", fixture), NewSource("delta.pb", buf.Bytes())})
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

// TestTinyGzip: gzip streams too short to hold a trailer fail cleanly.
func TestTinyGzip(t *testing.T) {
	for _, b := range [][]byte{{0x1f, 0x8b}, {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3}} {
		if _, err := readAllBounded("tiny.gz", bytes.NewReader(b)); err == nil {
			t.Errorf("%x: no error", b)
		}
	}
}

// FuzzReadInput feeds raw file bytes, gzipped or not, through reading,
// sniffing and loading: any failure must be an InputError, never a panic.
func FuzzReadInput(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/heap/leaky/*.pb.gz")
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(raw[:len(raw)-9])
	}
	f.Add([]byte("goroutine 1 [running]:\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<20 {
			return
		}
		data, err := readAllBounded("fuzz", bytes.NewReader(raw))
		var ie *InputError
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("%v is not an InputError", err)
			}
			return
		}
		_, err = LoadProfiles([]Source{NewSource("a", data), NewSource("b", data)})
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("%v is not an InputError", err)
		}
	})
}
