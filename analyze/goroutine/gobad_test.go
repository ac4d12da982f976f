package goroutine

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/series"
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
		{"heap profile", testkit.Gunzip(t, testkit.MustRead(t, "../../testdata/heap/leaky/heap-1.pb.gz")), "a heap profile, expected a goroutine profile"},
	} {
		_, err := LoadGoroutines([]input.Source{input.NewSource("bad.txt", c.data)})
		var ie *input.InputError
		if !errors.As(err, &ie) || ie.File != "bad.txt" || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
	}
	full := testkit.MustRead(t, "../../testdata/goroutine/leaky/goroutine-6.debug2.txt")
	for _, cut := range []int{len(full) / 2, len(full) - 30, 40} {
		gs, err := LoadGoroutines([]input.Source{input.NewSource("cut.txt", full[:cut])})
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
	d1 := testkit.MustRead(t, "../../testdata/goroutine/leaky/goroutine-6.debug1.txt")
	gs, err := LoadGoroutines([]input.Source{input.NewSource("cut1.txt", d1[:len(d1)/2])})
	if err != nil || !strings.Contains(strings.Join(gs.Warnings, "|"), "the header says 99 goroutines") {
		t.Errorf("truncated debug=1: %v %v", err, gs.Warnings)
	}
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
	var srcs []input.Source
	for i, n := range []int{1, 3, 3, 3, 3} {
		srcs = append(srcs, input.NewSource(fmt.Sprintf("d%d.txt", i), dump(n)))
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
			if r.Suspect || r.Class != series.Flat {
				t.Errorf("pool: suspect %v (%v), class %s", r.Suspect, r.Reasons, r.Class)
			}
		case "main.stuckHandler":
			if !r.Suspect || r.Class != series.Plateau || !slices.Contains(r.Reasons, "blocked 30 min") {
				t.Errorf("stuck: suspect %v, class %s, reasons %v", r.Suspect, r.Class, r.Reasons)
			}
		}
	}
}

// TestFormatOfTextAllocatesLittle: telling a 5 MB traceback from a proto
// profile allocates nothing in proportion to it (the proto decoder's
// tables were reserved from the text's size, then thrown away).
func TestFormatOfTextAllocatesLittle(t *testing.T) {
	var b strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&b, "goroutine %d [chan receive]:\nmain.worker()\n\t/x/main.go:10 +0x1d\n\n", i+1)
	}
	data := []byte(b.String())
	var f input.Format
	n := testing.AllocsPerRun(3, func() { f = FormatOf(data) })
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	FormatOf(data)
	runtime.ReadMemStats(&ms1)
	if f != input.FormatGoroutineText || ms1.TotalAlloc-ms0.TotalAlloc > 64<<10 {
		t.Errorf("format %s, %.0f allocations, %d bytes for a %d-byte dump", f, n, ms1.TotalAlloc-ms0.TotalAlloc, len(data))
	}
}
