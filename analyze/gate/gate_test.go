package gate_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/gate"
	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/series"
)

// analyse loads the bundled testdata files matching pattern as one
// series and runs its analyses, the related ones too.
func analyse(t *testing.T, pattern string) *series.Result {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../../testdata", pattern))
	if err != nil || len(files) < 2 {
		t.Fatalf("%s: %v %v", pattern, files, err)
	}
	srcs, err := analyze.ReadSources(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := analyze.Load(srcs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Analyze(analyze.Options{By: series.BySite}, true)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// signatures lists the findings' signatures and statuses, in order.
func signatures(rep *gate.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, string(f.Status)+" "+f.Signature)
	}
	return out
}

func TestCheckBundledSeries(t *testing.T) {
	for _, c := range []struct {
		pattern string
		budgets gate.Budgets
		want    []string
	}{
		{"heap/leaky/*.pb.gz", gate.Budgets{}, []string{
			"over heap site main.newSession (main.go)",
			"over heap site main.newMapValue (main.go)",
			"over heap site main.leakGlobalMap (main.go)",
		}},
		// +26.6 MiB, +26.1 MiB and +1.04 MiB: a 2 MiB budget lets the
		// map's own table through, 30 MiB all three.
		{"heap/leaky/*.pb.gz", gate.Budgets{MaxGrowth: 2 << 20}, []string{
			"over heap site main.newSession (main.go)",
			"over heap site main.newMapValue (main.go)",
			"within heap site main.leakGlobalMap (main.go)",
		}},
		{"heap/leaky/*.pb.gz", gate.Budgets{MaxGrowth: 30 << 20, MaxObjects: 0, MaxGoroutines: 0}, []string{
			"within heap site main.newSession (main.go)",
			"within heap site main.newMapValue (main.go)",
			"within heap site main.leakGlobalMap (main.go)",
		}},
		// Each leaking group grew by 15; the budget of bytes does not
		// apply to goroutines.
		{"goroutine/leaky/goroutine-?.debug2.txt", gate.Budgets{MaxGrowth: 1 << 30, MaxGoroutines: 14}, []string{
			"over goroutine [chan receive] main.leakBlockedRecv (created by main.spawnBlockedRecv)",
			"over goroutine [chan receive] main.leakTickerLoop (created by main.spawnTickerLoop)",
			"over goroutine [chan send] main.leakBlockedSend (created by main.spawnBlockedSend)",
			"over goroutine [select] main.leakSelectNoReady (created by main.spawnSelectNoReady)",
			"over goroutine [sync.Mutex.Lock] internal/sync.runtime_SemacquireMutex ← internal/sync.(*Mutex).lockSlow ← internal/sync.(*Mutex).Lock ← sync.(*Mutex).Lock ← main.leakMutex (created by main.spawnMutex)",
		}},
		// Proto profiles record no state and no creator.
		{"goroutine/leaky/goroutine-?.pb.gz", gate.Budgets{MaxGoroutines: 15}, []string{
			"within goroutine internal/sync.runtime_SemacquireMutex ← internal/sync.(*Mutex).lockSlow ← internal/sync.(*Mutex).Lock ← sync.(*Mutex).Lock ← main.leakMutex",
			"within goroutine main.leakBlockedRecv",
			"within goroutine main.leakBlockedSend",
			"within goroutine main.leakSelectNoReady",
			"within goroutine main.leakTickerLoop",
		}},
		// A reference cycle group has no budget: it fails however large
		// the others are.
		// A heap series with findings is checked on its leaks (here the
		// cycles' one), not on the types they are made of.
		{"pydump/bound_method/*", gate.Budgets{MaxGrowth: 1 << 40, MaxGoroutines: 1e9, MaxObjects: 1e9}, []string{
			"within python heap leak: reference cycles through bound_method.Connection -[attr recv]-> via bound_method.Connection -[attr recv]-> builtins.method -[self __self__]-> bound_method.Connection",
			"over cycle bound_method.Connection -[attr recv]-> builtins.method(Connection.read) -[self __self__]->",
		}},
	} {
		rep := gate.Check(analyse(t, c.pattern), c.budgets, nil)
		if got := signatures(rep); !slices.Equal(got, c.want) {
			t.Errorf("%s %+v:\n got %q\nwant %q", c.pattern, c.budgets, got, c.want)
		}
		if rep.Failed() != slices.ContainsFunc(c.want, func(s string) bool { return strings.HasPrefix(s, "over ") }) {
			t.Errorf("%s: Failed() = %v", c.pattern, rep.Failed())
		}
	}
}

// TestSignatureAcrossRuns: two runs of the same Python program (the
// thread's name carries its id, which differs) and two dumps of the same
// goroutines in two text forms give the same signatures.
func TestSignatureAcrossRuns(t *testing.T) {
	find := func(rep *gate.Report, prefix string) string {
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Signature, prefix) {
				return f.Signature
			}
		}
		t.Fatalf("no signature starts with %q in %q", prefix, signatures(rep))
		return ""
	}
	a := find(gate.Check(analyse(t, "pydump/leaky/*"), gate.Budgets{}, nil), "python heap leak: builtins.list 'seen' ")
	b := find(gate.Check(analyse(t, "pydump/tracemalloc/*"), gate.Budgets{}, nil), "python heap leak: builtins.list 'seen' ")
	const want = "python heap leak: builtins.list 'seen' -[index *]-> via thread thread-# -[local h]-> __main__.Handler -[class __class__]-> builtins.type -[attr __dict__]-> builtins.dict -[key *]-> builtins.list"
	if a != want || b != want {
		t.Errorf("__main__.Request:\n leaky      %q\n tracemalloc %q\n want        %q", a, b, want)
	}
	plain := signatures(gate.Check(analyse(t, "goroutine/leaky/goroutine-?.debug2.txt"), gate.Budgets{}, nil))
	labels := signatures(gate.Check(analyse(t, "goroutine/leaky/goroutine-?.debug2-labels.txt"), gate.Budgets{}, nil))
	if !slices.Equal(plain, labels) {
		t.Errorf("debug=2 with and without labels:\n%q\n%q", plain, labels)
	}
}

// TestSignatureIgnoresRebuilds: a line that moved, a binary built in
// another directory, another goroutine id, a chain one link longer, a
// different index or key: the signature stays.
func TestSignatureIgnoresRebuilds(t *testing.T) {
	site := func(file string, line int64) string {
		res := &series.Result{Kind: "heap", By: series.BySite}
		return gate.Signature(res, &series.Row{Frame: series.Frame{Func: "main.newSession", File: file, Line: line}})
	}
	if a, b := site("/work/main/gen/main.go", 230), site(`C:\ci\build\gen\main.go`, 231); a != b || a != "heap site main.newSession (main.go)" {
		t.Errorf("site signatures %q and %q", a, b)
	}
	group := func(line int64, ids []int64) string {
		res := &series.Result{Kind: "goroutine", By: series.ByGroup}
		return gate.Signature(res, &series.Row{
			Stack:  []series.Frame{{Func: "main.wait", File: "/a/main.go", Line: line}, {Func: "main.serve", File: "/a/main.go", Line: line + 10}},
			Detail: &goroutine.Info{State: "chan receive", IDs: ids, Creator: &series.Frame{Func: "main.start", Line: line + 20}},
		})
	}
	if a, b := group(100, []int64{7}), group(104, []int64{9, 12}); a != b || a != "goroutine [chan receive] main.wait ← main.serve (created by main.start)" {
		t.Errorf("goroutine signatures %q and %q", a, b)
	}
	typ := func(root, index, key string, repeat int) string {
		res := &series.Result{Kind: "python heap", By: series.ByType}
		return gate.Signature(res, &series.Row{Key: "app.Node", Detail: &heap.TypeInfo{Retainer: &heap.RetainerShape{
			Root: root, Instances: 3, Of: 9,
			Steps: []heap.PathStep{
				{Kind: "global", Label: "'NODES'", Type: "builtins.list"},
				{Kind: "index", Label: index, Type: "app.Node"},
				{Kind: "key", Label: key, Type: "app.Node"},
				{Kind: "attr", Label: "next", Type: "app.Node", Repeat: repeat},
			}}}})
	}
	a, b := typ("thread Thread-139788426812288", "[3]", "'a'", 40), typ("thread Thread-140520158149504", "[17]", "'b'", 41)
	if a != b || a != "python heap type app.Node via thread Thread-# -[global 'NODES']-> builtins.list -[index *]-> app.Node -[key *]-> app.Node -[attr next]+-> app.Node" {
		t.Errorf("type signatures %q and %q", a, b)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	res := analyse(t, "heap/leaky/*.pb.gz")
	rep := gate.Check(res, gate.Budgets{}, nil)
	var buf bytes.Buffer
	if err := gate.NewBaseline(rep).Write(&buf); err != nil {
		t.Fatal(err)
	}
	const want = `{
  "schema": "leakscan/baseline",
  "version": 1,
  "accepted": [
    {
      "signature": "heap site main.leakGlobalMap (main.go)"
    },
    {
      "signature": "heap site main.newMapValue (main.go)"
    },
    {
      "signature": "heap site main.newSession (main.go)"
    }
  ]
}
`
	if buf.String() != want {
		t.Fatalf("baseline:\n%s\nwant\n%s", buf.String(), want)
	}
	base, err := gate.ReadBaseline(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rep = gate.Check(res, gate.Budgets{}, base)
	if rep.Failed() || rep.Count(gate.Accepted) != 3 || len(rep.Unseen) != 0 {
		t.Errorf("with its own baseline: %q, unseen %q", signatures(rep), rep.Unseen)
	}
	// A baseline of another series accepts nothing here, and says which
	// of its entries it did not see.
	other, err := gate.ReadBaseline([]byte(`{"schema":"leakscan/baseline","version":1,"accepted":[
		{"signature":"heap site main.newSession (main.go)"},{"signature":"heap site main.gone (gone.go)"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rep = gate.Check(res, gate.Budgets{}, other)
	if got := signatures(rep); !slices.Equal(got, []string{"accepted heap site main.newSession (main.go)", "over heap site main.newMapValue (main.go)", "over heap site main.leakGlobalMap (main.go)"}) {
		t.Errorf("partial baseline: %q", got)
	}
	if !slices.Equal(rep.Unseen, []string{"heap site main.gone (gone.go)"}) {
		t.Errorf("unseen: %q", rep.Unseen)
	}
}

func TestReadBaselineErrors(t *testing.T) {
	for in, want := range map[string]string{
		``:                                       "not a leakscan baseline: EOF",
		`[]`:                                     "not a leakscan baseline: json: cannot unmarshal array into Go value of type gate.Baseline",
		`{"schema":"leakscan/diff","version":1}`: `not a leakscan baseline: schema "leakscan/diff", expected "leakscan/baseline"`,
		`{"schema":"leakscan/baseline","version":2}`:                 "baseline version 2: this leakscan reads version 1",
		`{"schema":"leakscan/baseline","accepted":[]}`:               "baseline version 0: this leakscan reads version 1",
		`{"schema":"leakscan/baseline","version":1,"accepted":[{}]}`: "accepted[0]: no signature",
	} {
		_, err := gate.ReadBaseline([]byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("ReadBaseline(%s) = %v, want %s", in, err, want)
		}
	}
}

func TestParseSizeAndCount(t *testing.T) {
	for in, want := range map[string]float64{
		"5MiB": 5 << 20, "512KB": 512000, "10MB": 10e6, "+1.5GiB": 1.5 * (1 << 30), "4096": 4096, "0": 0,
		"2kib": 2048, "7 B": 7, "3TB": 3e12,
	} {
		if got, err := gate.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-5MiB", "5XB", "5 MiB MiB", "1e3", "five", ".", "1..2MB"} {
		if got, err := gate.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %v, want an error", in, got)
		}
	}
	for in, want := range map[string]float64{"+10": 10, "10": 10, "0": 0, "+1000": 1000} {
		if got, err := gate.ParseCount(in); err != nil || got != want {
			t.Errorf("ParseCount(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "+", "10k", "++1"} {
		if got, err := gate.ParseCount(in); err == nil {
			t.Errorf("ParseCount(%q) = %v, want an error", in, got)
		}
	}
	if _, err := gate.ParseSize("5XB"); err == nil || err.Error() != `"5XB": expected a size such as 5MiB, 512KB or 10MB` {
		t.Errorf("ParseSize(5XB): %v", err)
	}
}

// TestSignatureSurvivesBaseline: a name with invalid UTF-8, a control
// character and a right-to-left override is accepted by the baseline
// written from it.
func TestSignatureSurvivesBaseline(t *testing.T) {
	res := &series.Result{Kind: "python heap", By: series.ByType, SampleType: series.ValueType{Type: "objects", Unit: "count"},
		Rows: []series.Row{{Key: "app.\xffEvil\x1b\u202e", Suspect: true, Trend: series.Trend{Delta: 5}}}}
	rep := gate.Check(res, gate.Budgets{}, nil)
	var buf bytes.Buffer
	if err := gate.NewBaseline(rep).Write(&buf); err != nil {
		t.Fatal(err)
	}
	base, err := gate.ReadBaseline(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if rep := gate.Check(res, gate.Budgets{}, base); rep.Failed() || rep.Count(gate.Accepted) != 1 {
		t.Errorf("not accepted by its own baseline: %q\n%s", signatures(rep), buf.String())
	}
}
