package analyze

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/internal/testkit"
	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/stack"
)

func TestMixedKinds(t *testing.T) {
	heap := testkit.LiveProfile(t, "heap")
	gor := testkit.LiveProfile(t, "goroutine")
	_, err := Load([]input.Source{input.NewSource("heap.pb", heap), input.NewSource("goroutine.pb", gor)})
	var ie *input.InputError
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
	data := testkit.Gunzip(t, raw)
	good := input.NewSource("good.pb", data)
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
			_, err := Load([]input.Source{good, input.NewSource("bad.pb", c.data)})
			var ie *input.InputError
			if !errors.As(err, &ie) || ie.File != "bad.pb" {
				t.Fatalf("error %v, want an input.InputError for bad.pb", err)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, c.want)
			}
		})
	}
	// Every truncation of a real profile fails cleanly or, when the cut
	// falls between fields, decodes.
	for n := 0; n < len(data); n += max(1, len(data)/300) {
		if _, err := pprofwire.Decode("cut.pb", data[:n], stack.NewTable()); err != nil {
			var ie *input.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("cut at %d: %v is not an input.InputError", n, err)
			}
		}
	}
}

// TestReadSourcesGzipErrors: broken gzip streams and missing files fail
// with one line; a directory keeps the files leakscan reads, sorted.
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
	srcs, err := ReadSources([]string{cut}, nil)
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
	srcs, _ = ReadSources([]string{write("bad.pb.gz", bad)}, nil)
	if _, err := srcs[0].Bytes(); err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	if _, err := ReadSources([]string{filepath.Join(dir, "missing")}, nil); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	// A directory takes its profile files, sorted, and skips the rest.
	sub := filepath.Join(dir, "series")
	os.Mkdir(sub, 0o755)
	for _, n := range []string{"b.pb.gz", "a.pb.gz"} {
		os.WriteFile(filepath.Join(sub, n), raw, 0o644)
	}
	os.WriteFile(filepath.Join(sub, "README"), []byte("notes\n"), 0o644)
	srcs, err = ReadSources([]string{sub}, nil)
	if err != nil || len(srcs) != 2 || filepath.Base(srcs[0].Name) != "a.pb.gz" {
		t.Errorf("directory: %v %v", srcs, err)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, err := ReadSources([]string{empty}, nil); err == nil {
		t.Errorf("empty directory accepted")
	}
}

// TestGoroutineSeriesBadInput: in a goroutine series, an empty file and a
// heap profile are refused with one line that says what they are.
func TestGoroutineSeriesBadInput(t *testing.T) {
	good := input.NewSource("good.txt", []byte("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n"))
	heapProfile := testkit.Gunzip(t, testkit.MustRead(t, "../testdata/heap/leaky/heap-1.pb.gz"))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "found an empty file"},
		{"heap profile", heapProfile, "a heap profile, expected a goroutine profile"},
		{"python dump", []byte(`{"format":"leakscan-pydump","version":1}`), "found Python heap dump"},
	} {
		_, err := Load([]input.Source{good, input.NewSource("bad.txt", c.data)})
		var ie *input.InputError
		if !errors.As(err, &ie) || ie.File != "bad.txt" || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
	}
}

// TestGzipBomb: 128 MiB of zeros, gzipped to about 130 KB, is refused from
// its first 64 KiB — before, the whole of it was decompressed first — and
// so is one that starts as a profile and breaks; both with one line and
// little memory.
func TestGzipBomb(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 128 {
		zw.Write(zeros)
	}
	zw.Close()
	bomb := filepath.Join(dir, "bomb.pb.gz")
	os.WriteFile(bomb, b.Bytes(), 0o644)
	srcs, err := ReadSources([]string{bomb, "../testdata/heap/leaky/heap-1.pb.gz"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	_, err = Load(srcs)
	runtime.ReadMemStats(&ms1)
	if want := bomb + ": expected a pprof profile (protobuf, gzipped or not), found data of an unknown format"; err == nil || err.Error() != want {
		t.Errorf("bomb: %v, want %s", err, want)
	}
	if n := ms1.TotalAlloc - ms0.TotalAlloc; n > 8<<20 {
		t.Errorf("refusing a %d-byte bomb allocated %d bytes", b.Len(), n)
	}
	// A bomb that starts as a profile (an empty string table) breaks at
	// its first zero.
	b.Reset()
	zw.Reset(&b)
	zw.Write([]byte{0x32, 0x00})
	for range 128 {
		zw.Write(zeros)
	}
	zw.Close()
	os.WriteFile(bomb, b.Bytes(), 0o644)
	_, err = Load(srcs)
	if want := bomb + ": byte 2: malformed pprof profile: expected a Profile field, found field number 0"; err == nil || err.Error() != want {
		t.Errorf("profile-shaped bomb: %v, want %s", err, want)
	}
}

// TestTruncatedGoroutineProto: a goroutine profile cut short, not
// gzipped, says where it broke, as a heap profile does.
func TestTruncatedGoroutineProto(t *testing.T) {
	data := testkit.LiveProfile(t, "goroutine")
	cut := data[:len(data)*2/3]
	_, err := Load([]input.Source{input.NewSource("g.pb", cut)}, KindGoroutine)
	if err == nil || !strings.HasPrefix(err.Error(), "g.pb: byte ") || !strings.Contains(err.Error(), "malformed pprof profile") {
		t.Errorf("truncated goroutine proto: %v", err)
	}
}

// FuzzLoad feeds any bytes, as one input and as the second of a pair,
// through format sniffing, loading and every analysis: a failure is an
// InputError or an OptionError, never a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n"))
	f.Add([]byte("goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/x/main.go:5\n"))
	f.Add([]byte(`{"format":"leakscan-pydump","version":1}` + "\n"))
	f.Add([]byte{0x32, 0x00, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02})
	f.Add([]byte("JAVA PROFILE 1.0.2\x00"))
	f.Add([]byte(`{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],` +
		`"node_types":[["synthetic","closure","object"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],` +
		`"edge_types":[["element","context","weak"],"string_or_number","node"]},"node_count":3,"edge_count":3},` +
		`"nodes":[0,0,1,0,1,0,1,3,5,1,1,2,5,64,1],"edges":[0,0,5,1,3,10,2,0,0],"locations":[5,1,2,3],"strings":["","(GC roots)","f","v"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		for _, srcs := range [][]input.Source{{input.NewSource("a", data)}, {input.NewSource("a", data), input.NewSource("b", data)}} {
			s, err := Load(srcs)
			if err != nil {
				var ie *input.InputError
				if !errors.As(err, &ie) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("load: %T %v", err, err)
				}
				continue
			}
			if _, err := s.Analyze(Options{By: "site"}, true); err != nil {
				var oe *OptionError
				var ie *input.InputError
				if !errors.As(err, &oe) && !errors.As(err, &ie) {
					t.Fatalf("analyze: %T %v", err, err)
				}
			}
		}
	})
}

// TestFolderOfFormats: a folder holding checkpoints written several ways
// is several series; leakscan says so instead of reading them as one
// (which found "no goroutine group grew" beside a total of 23 → 101).
func TestFolderOfFormats(t *testing.T) {
	_, err := ReadSources([]string{"../testdata/goroutine/leaky"}, nil)
	want := "../testdata/goroutine/leaky: the folder holds 3 formats: 6 goroutine profile text (debug=1) (goroutine-1.debug1.txt …), " +
		"17 goroutine dump (debug=2 or traceback) (goroutine-1.debug2-labels.txt …), 6 pprof profile (goroutine-1.pb.gz …); " +
		"a series is of one format: name the files of one series"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if srcs, err := ReadSources([]string{"../testdata/heap/leaky"}, nil); err != nil || len(srcs) != 6 {
		t.Errorf("a folder of one format: %d sources, %v", len(srcs), err)
	}
}
