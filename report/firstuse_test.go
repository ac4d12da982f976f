package report

import (
	"strings"
	"testing"
	"time"

	"github.com/leakscan/leakscan/analyze/series"
)

// TestStdName: the language's own names are told from the program's.
func TestStdName(t *testing.T) {
	for _, c := range []struct {
		kind series.Kind
		name string
		std  bool
	}{
		{"python heap", "builtins.dict", true},
		{"python heap", "socket.socket", true},
		{"python heap", "asyncio.unix_events._UnixSelectorEventLoop", true},
		{"python heap", "_weakrefset.WeakSet", true},
		{"cycle", "traceback_cycle.ClientResponse", false},
		{"cycle", "ClientResponse.read", false},
		{"python heap", "aiohttp.client_reqrep.ClientResponse", false},
		{"python heap", "dict", false},
		{"heap", "runtime.mallocgc", true},
		{"heap", "sync.(*Pool).Get", true},
		{"heap", "net/http.(*conn).serve", true},
		{"heap", "internal/runtime/maps.newarray", true},
		{"heap", "main.newSession", false},
		{"goroutine", "github.com/x/y.(*T).run", false},
		{"goroutine", "gopkg.in/yaml.v3.(*decoder).unmarshal", false},
	} {
		if got := stdName(c.kind, c.name); got != c.std {
			t.Errorf("stdName(%q, %q) = %v, want %v", c.kind, c.name, got, c.std)
		}
	}
}

// TestRateUnit: rates are given in the natural unit of the span (issue
// 20, item 6: a two-second series gave per-hour rates).
func TestRateUnit(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		span time.Duration
		per  string
	}{{2 * time.Second, "second"}, {90 * time.Second, "second"}, {30 * time.Minute, "minute"}, {5 * time.Hour, "hour"}, {72 * time.Hour, "day"}} {
		res := &series.Result{PerHour: true, Inputs: []series.Input{{Time: t0}, {Time: t0.Add(c.span)}}}
		if got := rateOf(res).per; got != c.per {
			t.Errorf("span %v: per %s, want %s", c.span, got, c.per)
		}
	}
	if got := rateOf(&series.Result{}).per; got != "snapshot" {
		t.Errorf("no times: per %s", got)
	}
	// A slope of 3600 per hour over 2 s is 1 per second.
	res := &series.Result{PerHour: true, Inputs: []series.Input{{Time: t0}, {Time: t0.Add(2 * time.Second)}},
		SampleType: series.ValueType{Type: "objects", Unit: "count"}, By: series.ByType, Noun: "type",
		Rows: []series.Row{{Key: "x", Suspect: true, Trend: series.Trend{Values: []float64{0, 2}, Delta: 2, Slope: 3600, Class: series.Growing}}}}
	var b strings.Builder
	if err := Text(&b, res, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "RATE/S") || !strings.Contains(b.String(), " +1 ") {
		t.Errorf("text table:\n%s", b.String())
	}
}

// TestKeywordsLeaveOutStdlib: the keywords line names the program's
// types, not its language's (issue 20, item 6).
func TestKeywordsLeaveOutStdlib(t *testing.T) {
	row := func(k string) series.Row {
		return series.Row{Key: k, Suspect: true, Trend: series.Trend{Class: series.Growing}}
	}
	res := &series.Result{Kind: "python heap", By: series.ByType, Rows: []series.Row{
		row("builtins.dict"), row("socket.socket"), row("myapp.Handler"), row("collections.deque"), row("aiohttp.ClientResponse")}}
	if got := strings.Join(Keywords(res), " "); got != "myapp.Handler aiohttp.ClientResponse" {
		t.Errorf("keywords %q", got)
	}
	res.Rows = res.Rows[:2] // only the library's: its own modules, not builtins
	if got := strings.Join(Keywords(res), " "); got != "socket.socket" {
		t.Errorf("keywords %q", got)
	}
}
