package goroutine

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
)

// headerLine finds traceback headers, also behind a log prefix.
var headerLine = regexp.MustCompile(`(?m)goroutine \d+ (gp=\S+ m=\S+( mp=\S+)? )?\[.*\]:\r?$`)

// TestTracebackVariants: every variant of the table has a real fixture
// holding it; every fixture parses without warnings into as many
// goroutines as it has headers; and the variants' details come out.
func TestTracebackVariants(t *testing.T) {
	for _, v := range tracebackVariants {
		b, err := os.ReadFile(filepath.Join("../../testdata/goroutine/variants", v.Fixture))
		if err != nil {
			t.Errorf("variant %s: %v", v.Name, err)
			continue
		}
		if !bytes.Contains(b, []byte(v.Mark)) {
			t.Errorf("variant %s: %s does not hold %q", v.Name, v.Fixture, v.Mark)
		}
	}
	paths, _ := filepath.Glob("../../testdata/goroutine/variants/*.txt")
	if len(paths) < 20 {
		t.Fatalf("only %d variant fixtures", len(paths))
	}
	rows := map[string][]series.Row{}
	elided := map[string]bool{} // in any group, hidden ones included
	for _, p := range paths {
		name := filepath.Base(p)
		data, _ := os.ReadFile(p)
		gs, err := LoadGoroutines([]input.Source{input.NewSource(name, data)})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, w := range gs.Warnings {
			t.Errorf("%s: warning %s", name, w)
		}
		if f := gs.Dumps[0].Format; f == input.FormatGoroutineText {
			if want := distinctGoroutines(data); gs.Dumps[0].Total != want {
				t.Errorf("%s: %d goroutines, %d headers", name, gs.Dumps[0].Total, want)
			}
		}
		for _, g := range gs.Dumps[0].Groups {
			elided[name] = elided[name] || g.Elided
		}
		res, err := DiffGoroutines(gs, GoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rows[name] = res.Rows
	}
	has := func(file string, ok func(r series.Row) bool) bool { return slices.ContainsFunc(rows[file], ok) }
	checks := []struct {
		file, what string
		ok         func(r series.Row) bool
	}{
		{"extra_locked.txt", "locked to thread", func(r series.Row) bool { return InfoOf(&r).Locked > 0 }},
		{"extra_minutes.txt", "wait minutes", func(r series.Row) bool { return InfoOf(&r).MaxWait >= 1 }},
		{"extra_labels.txt", "labels", func(r series.Row) bool { return len(InfoOf(&r).Labels) > 0 }},
		{"state_leaked.txt", "leaked marks", func(r series.Row) bool { return InfoOf(&r).Confirmed && r.Suspect }},
		{"state_nilchan.txt", "nil chan status", func(r series.Row) bool {
			return InfoOf(&r).State == "chan receive" && slices.ContainsFunc(InfoOf(&r).States, func(s StateCount) bool { return s.State == "chan receive (nil chan)" })
		}},
		{"state_synctest.txt", "durable stripped", func(r series.Row) bool {
			return InfoOf(&r).State != "" && !strings.Contains(InfoOf(&r).State, "durable")
		}},
		{"created_by.txt", "creator and parent", func(r series.Row) bool { return InfoOf(&r).Creator != nil && len(InfoOf(&r).Parents) > 0 }},
		{"legacy_go120_created_by.txt", "creator without parent", func(r series.Row) bool { return InfoOf(&r).Creator != nil && len(InfoOf(&r).Parents) == 0 }},
		{"running_other_thread.txt", "running goroutine", func(r series.Row) bool { return InfoOf(&r).State == "running" }},
	}
	for _, c := range checks {
		if !has(c.file, c.ok) {
			t.Errorf("%s: no group with %s", c.file, c.what)
		}
	}
	for _, f := range []string{"frames_elided.txt", "legacy_go120_frames_elided.txt"} {
		if !elided[f] {
			t.Errorf("%s: no group with elided frames", f)
		}
	}
	// The dump inside a CRLF log with prefixed lines reads like the bare one.
	keys := func(rs []series.Row) (out []string) {
		for _, r := range rs {
			out = append(out, r.Key)
		}
		slices.Sort(out)
		return out
	}
	if a, b := keys(rows["embedded_log_crlf.txt"]), keys(rows["panic_running_first.txt"]); !slices.Equal(a, b) {
		t.Errorf("embedded log: %v\nbare: %v", a, b)
	}
}

// distinctGoroutines counts the headers of a dump, less those of
// goroutines printed first as "stack unavailable" and again with a stack
// (crash dumps do that for goroutines running on other threads).
func distinctGoroutines(data []byte) int {
	locs := headerLine.FindAllIndex(data, -1)
	unavailable := map[string]bool{}
	n := 0
	for i, l := range locs {
		h := string(data[l[0]:l[1]])
		id := strings.Fields(h)[1]
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := data[l[1]:end]
		switch {
		case bytes.Contains(body, []byte("stack unavailable")) && id != "0":
			unavailable[id] = true
			n++
		case unavailable[id]:
			delete(unavailable, id) // printed twice: count once
		default:
			n++
		}
	}
	return n
}
