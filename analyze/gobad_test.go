package analyze

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestGoroutineBadInput: empty and binary inputs fail with one line naming
// the file; a truncated dump gives a partial result and a warning naming
// the line.
func TestGoroutineBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "found an empty file"},
		{"binary", []byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 1, 2, 3}, "expected a goroutine dump"},
		{"log without a dump", []byte("level=info msg=started\nlevel=info msg=stopped\n"), "expected a goroutine dump"},
		{"heap profile", gunzip(t, mustRead(t, "../testdata/heap/leaky/heap-1.pb.gz")), "a heap profile, expected a goroutine profile"},
	} {
		_, err := LoadGoroutines([]Source{NewSource("bad.txt", c.data)})
		var ie *InputError
		if !errors.As(err, &ie) || ie.File != "bad.txt" || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
	}
	full := mustRead(t, "../testdata/goroutine/leaky/goroutine-6.debug2.txt")
	for _, cut := range []int{len(full) / 2, len(full) - 30, 40} {
		gs, err := LoadGoroutines([]Source{NewSource("cut.txt", full[:cut])})
		if err != nil {
			t.Errorf("cut at %d: %v", cut, err)
			continue
		}
		if len(gs.Warnings) == 0 || !strings.Contains(gs.Warnings[0], "cut.txt: line ") {
			t.Errorf("cut at %d: warnings %v", cut, gs.Warnings)
		}
		if gs.Dumps[0].Total == 0 {
			t.Errorf("cut at %d: nothing kept", cut)
		}
	}
	d1 := mustRead(t, "../testdata/goroutine/leaky/goroutine-6.debug1.txt")
	gs, err := LoadGoroutines([]Source{NewSource("cut1.txt", d1[:len(d1)/2])})
	if err != nil || !strings.Contains(strings.Join(gs.Warnings, "|"), "the header says 99 goroutines") {
		t.Errorf("truncated debug=1: %v %v", err, gs.Warnings)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLongWaitInSeries: in a series, a long wait makes a suspect of a group
// that rose and stayed, never of a constant pool.
func TestLongWaitInSeries(t *testing.T) {
	dump := func(stuck int) []byte {
		var b strings.Builder
		id := 10
		g := func(fn string, n int) {
			for i := 0; i < n; i++ {
				id++
				fmt.Fprintf(&b, "goroutine %d [chan receive, 30 minutes]:\nmain.%s()\n\t/src/main.go:7 +0x1d\ncreated by main.main in goroutine 1\n\t/src/main.go:3 +0x2a\n\n", id, fn)
			}
		}
		g("poolWorker", 4)
		g("stuckHandler", stuck)
		return []byte(b.String())
	}
	var srcs []Source
	for i, n := range []int{1, 3, 3, 3, 3} {
		srcs = append(srcs, NewSource(fmt.Sprintf("d%d.txt", i), dump(n)))
	}
	gs, err := LoadGoroutines(srcs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := DiffGoroutines(gs, GoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		switch r.Frame.Func {
		case "main.poolWorker":
			if r.Suspect || r.Class != Flat {
				t.Errorf("pool: suspect %v (%v), class %s", r.Suspect, r.Reasons, r.Class)
			}
		case "main.stuckHandler":
			if !r.Suspect || r.Class != Plateau || !slices.Contains(r.Reasons, "blocked 30 min") {
				t.Errorf("stuck: suspect %v, class %s, reasons %v", r.Suspect, r.Class, r.Reasons)
			}
		}
	}
}
