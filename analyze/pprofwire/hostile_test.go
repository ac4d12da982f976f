package pprofwire

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/stack"
)

// hostileCounts is a profile that declares 100,000 sample types and
// 100,000 samples in 400 KB (about 1 KB gzipped): the counts multiply to
// 10¹⁰ values, which a decoder that trusts them reserves before looking.
func hostileCounts() []byte {
	var b bytes.Buffer
	b.Write([]byte{0x32, 0x00}) // string_table: ""
	for range 100_000 {
		b.Write([]byte{0x0a, 0x00}) // sample_type {}
	}
	for range 100_000 {
		b.Write([]byte{0x12, 0x00}) // sample {}
	}
	return b.Bytes()
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileCounts: declared counts are checked against what the input
// holds before anything is allocated for them; the profile is refused
// with one line and the decoder allocates in proportion to the input.
// (Before the check, this input made the process die of "out of memory".)
func TestHostileCounts(t *testing.T) {
	data := hostileCounts()
	var err error
	n := allocated(func() { _, err = Decode("hostile.pb", data, stack.NewTable()) })
	if err == nil || !strings.Contains(err.Error(), "a sample has 0 values, expected 100000") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %v", err)
	}
	if limit := uint64(128 * len(data)); n > limit {
		t.Errorf("decoding a %d-byte profile allocated %d bytes, more than %d", len(data), n, limit)
	}
}
