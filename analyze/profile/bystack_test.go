package profile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
)

// TestByStackFindsTheSitesLeak: testdata/heap/stacks (testdata/gen/stackleak)
// leaks through one site, newEntry, over four stacks, each growing by less
// than a thousandth of the heap. By site the leak is found; by stack each
// of its four stacks must be found too (issue 20, item 2: they were flat),
// and the controls stay what they are.
func TestByStackFindsTheSitesLeak(t *testing.T) {
	ps, err := LoadProfiles(testkit.Sources(t, "testdata/heap/stacks/heap-*.pb.gz"))
	if err != nil {
		t.Fatal(err)
	}
	site, err := Diff(ps, DiffOptions{Noise: series.DefaultNoise})
	if err != nil {
		t.Fatal(err)
	}
	if r := rowByFunc(site, "main.newEntry"); r == nil || r.Class != series.Growing {
		t.Fatalf("by site: newEntry %+v", r)
	}
	stacks, err := Diff(ps, DiffOptions{By: series.ByStack, Noise: series.DefaultNoise})
	if err != nil {
		t.Fatal(err)
	}
	var callers []string
	for _, r := range stacks.Rows {
		fs := SiteFrames(r)
		switch fs[0].Func {
		case "main.newEntry":
			if r.Class != series.Growing || !r.Suspect {
				t.Errorf("stack through %s: %s, want growing", fs[3].Func, r.Class)
			}
			callers = append(callers, fmt.Sprintf("%s:%d", fs[3].Func, fs[3].Line))
		case "main.newCacheEntry":
			if r.Class != series.Plateau {
				t.Errorf("the bounded cache: %s, want plateau", r.Class)
			}
		case "main.newBallast":
			if r.Class != series.Flat {
				t.Errorf("the ballast: %s, want flat", r.Class)
			}
		default:
			if r.Suspect {
				t.Errorf("%s: a suspect", r.Key)
			}
		}
	}
	want := "main.handleExport:60 main.handleExport:61 main.handleLogin:53 main.handleSearch:56"
	if got := strings.Join(callers, " "); got != want {
		t.Errorf("growing stacks come from %s, want %s", got, want)
	}
	if stacks.Verdict.Growing != 4 {
		t.Errorf("verdict: %d growing, want 4", stacks.Verdict.Growing)
	}
}

// TestDistinctTitles: rows whose stacks share their first three frames
// show frames until they differ; rows whose functions are the same to
// the end show lines; the others keep three frames.
func TestDistinctTitles(t *testing.T) {
	fr := func(fn string, line int64) series.Frame { return series.Frame{Func: fn, File: "m.go", Line: line} }
	site := fr("a", 1)
	mk := func(fs ...series.Frame) series.Row {
		return series.Row{Frame: site, Stack: append([]series.Frame{fr("runtime.mallocgc", 9)}, fs...)}
	}
	rows := []series.Row{
		mk(site, fr("b", 2), fr("c", 3), fr("d", 4), fr("e", 5)),
		mk(site, fr("b", 2), fr("c", 3), fr("x", 4), fr("e", 5)),
		mk(site, fr("b", 2), fr("c", 3), fr("x", 7), fr("e", 5)),
		mk(site, fr("b", 2), fr("y", 3), fr("d", 4)),
		mk(site, fr("b", 2)),
	}
	distinctTitles(rows)
	type shown struct {
		n     int
		lines bool
	}
	want := []shown{{4, false}, {4, true}, {4, true}, {3, false}, {2, false}}
	for i, r := range rows {
		if got := (shown{r.TitleFrames, r.TitleLines}); got != want[i] {
			t.Errorf("row %d: shows %+v, want %+v", i, got, want[i])
		}
	}
}
