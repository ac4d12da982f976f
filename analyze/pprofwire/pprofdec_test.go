package pprofwire

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/stack"
)

// snapshotSummary flattens a snapshot into stack text → values, which does
// not depend on intern order.
func snapshotSummary(s *Snapshot, tab *stack.Table) map[string][]int64 {
	out := map[string][]int64{}
	nv := len(s.SampleTypes)
	for i, sid := range s.Stacks {
		key := fmt.Sprint(tab.StackFrames(sid))
		out[key] = append([]int64(nil), s.Values[i*nv:(i+1)*nv]...)
	}
	return out
}

// sameDecode checks Decode against the pprof library on data; it
// returns whether the library accepted the data.
func sameDecode(t *testing.T, data []byte) bool {
	t.Helper()
	libTab := stack.NewTable()
	want, libErr := loadPprofLib("x", data, libTab)
	ourTab := stack.NewTable()
	got, ourErr := Decode("x", data, ourTab)
	if libErr != nil || ourErr != nil {
		return libErr == nil
	}
	if !slices.Equal(got.SampleTypes, want.SampleTypes) || got.Time != want.Time || got.Duration != want.Duration ||
		got.Period != want.Period || got.PeriodType != want.PeriodType || got.Binary != want.Binary ||
		got.DefaultSampleType != want.DefaultSampleType || got.Negative != want.Negative || got.Truncated != want.Truncated {
		t.Fatalf("headers differ:\n got %+v\nwant %+v", got, want)
	}
	gs, ws := snapshotSummary(got, ourTab), snapshotSummary(want, libTab)
	if !maps.EqualFunc(gs, ws, slices.Equal) {
		for k, v := range ws {
			if !slices.Equal(gs[k], v) {
				t.Fatalf("stack %s: got %v, want %v", k, gs[k], v)
			}
		}
		t.Fatalf("decoders disagree: %d vs %d stacks", len(gs), len(ws))
	}
	return true
}

// fixtureProfiles returns every bundled pprof profile, decompressed.
func fixtureProfiles(t testing.TB) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob("../../testdata/heap/*/*.pb.gz")
	out := map[string][]byte{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = testkit.Gunzip(t, raw)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

// TestDecoderMatchesLibrary decodes every fixture, and live heap and
// goroutine profiles of this process, with both decoders.
func TestDecoderMatchesLibrary(t *testing.T) {
	inputs := fixtureProfiles(t)
	inputs["live heap"] = testkit.LiveProfile(t, "heap")
	inputs["live goroutine"] = testkit.LiveProfile(t, "goroutine")
	inputs["live allocs"] = testkit.LiveProfile(t, "allocs")
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		if !sameDecode(t, inputs[name]) {
			t.Errorf("%s: the library rejects it", name)
		}
	}
	if dir := os.Getenv("LEAKSCAN_BIGHEAP"); dir != "" {
		raw, err := os.ReadFile(filepath.Join(dir, "a.pb.gz"))
		if err == nil && !sameDecode(t, testkit.Gunzip(t, raw)) {
			t.Errorf("big profile: the library rejects it")
		}
	}
}

// FuzzDecodePprof feeds mutated profiles to the decoder: it must never
// panic, and whenever both it and the pprof library accept an input they
// must agree.
func FuzzDecodePprof(f *testing.F) {
	for _, data := range fixtureProfiles(f) {
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x32, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		Scan(data)
		sameDecode(t, data)
	})
}
