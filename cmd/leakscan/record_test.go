package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// pprofServer starts a real net/http/pprof server on loopback, with a
// few endpoints that are not pprof's: an HTML page, a JSON document, a
// handler that fails once with 503, one that never answers.
func pprofServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // the index page and every named profile
	mux.HandleFunc("/status.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	var mu sync.Mutex
	failed := map[string]bool{}
	mux.HandleFunc("/flaky/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !failed[r.URL.Path]
		failed[r.URL.Path] = true
		mu.Unlock()
		if first {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/debug/pprof/" + strings.TrimPrefix(r.URL.Path, "/flaky/")
		pprof.Index(w, r2)
	})
	// A leak the profiles see: 8 MiB kept per request, far above the
	// sampling rate, so that every one is sampled.
	var leaked [][]byte
	t.Cleanup(func() { leaked = nil })
	mux.HandleFunc("/leak/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, make([]byte, 8<<20))
		mu.Unlock()
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/debug/pprof/" + strings.TrimPrefix(r.URL.Path, "/leak/")
		pprof.Index(w, r2)
	})
	hang := make(chan struct{})
	mux.HandleFunc("/hang", func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(hang); srv.Close() })
	return srv
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRecordOneURL(t *testing.T) {
	srv := pprofServer(t)
	dir := filepath.Join(t.TempDir(), "snaps")
	// gc=1: net/http/pprof collects before it writes the profile.
	code, out, errs := runCLI(t, nil, "record", srv.URL+"/leak/heap?gc=1", "--every", "50ms", "--count", "3", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	t.Logf("stdout:\n%s", out)
	want := []string{"heap-001.pb.gz", "heap-002.pb.gz", "heap-003.pb.gz"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	wantLines := []string{
		"[1/3] saved " + filepath.Join(dir, "heap-001.pb.gz"),
		"[2/3] saved " + filepath.Join(dir, "heap-002.pb.gz"),
		"  heap: ",
		"[3/3] saved " + filepath.Join(dir, "heap-003.pb.gz"),
		"  heap: ",
		"next: leakscan diff " + dir,
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("want %d lines, got:\n%s", len(wantLines), out)
	}
	for i, w := range wantLines {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want it to start %q", i+1, lines[i], w)
		}
	}
	// The verdict is diff's: 8 MiB more at each round. (The profiles are
	// of this test process, sampled: other allocations may show too.)
	for _, i := range []int{2, 4} {
		if !strings.HasPrefix(lines[i], "  heap: ") || !strings.Contains(lines[i], "grew steadily: +") {
			t.Errorf("line %d is not the verdict on a growing heap: %q", i+1, lines[i])
		}
	}

	// diff reads the folder, and finds the leak among its top rows (the
	// profiles are of this test process: what other tests left may rank
	// beside it).
	code, out, errs = runCLI(t, nil, "diff", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^ *[123] +growing .*pprofServer\.func`).MatchString(out) {
		t.Errorf("diff of the recorded folder: exit %d\n%s\n%s", code, out, errs)
	}
	// So does report.
	md := filepath.Join(t.TempDir(), "leak.md")
	if code, out, errs = runCLI(t, nil, "report", dir, "-o", md, "--pictures", "0"); code != 0 {
		t.Fatalf("report of the recorded folder: exit %d\n%s%s", code, out, errs)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "pprofServer.func") {
		t.Errorf("report of the recorded folder: %v\n%.200s", err, b)
	}
}

func TestRecordSeveralURLs(t *testing.T) {
	srv := pprofServer(t)
	dir := t.TempDir()
	code, out, errs := runCLI(t, nil, "record", srv.URL+"/debug/pprof/heap", srv.URL+"/debug/pprof/goroutine?debug=2",
		"--every", "50ms", "--count", "3", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"goroutine", "heap"}) {
		t.Errorf("one folder per endpoint expected, got %q", got)
	}
	if got, want := listDir(t, filepath.Join(dir, "heap")), []string{"heap-001.pb.gz", "heap-002.pb.gz", "heap-003.pb.gz"}; !slices.Equal(got, want) {
		t.Errorf("heap files %q, want %q", got, want)
	}
	if got, want := listDir(t, filepath.Join(dir, "goroutine")), []string{"goroutine-001.txt", "goroutine-002.txt", "goroutine-003.txt"}; !slices.Equal(got, want) {
		t.Errorf("goroutine files %q, want %q", got, want)
	}
	if n := strings.Count(out, "\n  goroutine: "); n != 2 {
		t.Errorf("want a goroutine verdict after rounds 2 and 3, got %d:\n%s", n, out)
	}
	if !strings.Contains(out, "goroutine group") {
		t.Errorf("the goroutine verdict is not diff's:\n%s", out)
	}
	code, out, errs = runCLI(t, nil, "diff", filepath.Join(dir, "goroutine"))
	if code != 0 || !strings.Contains(out, "goroutine groups:") {
		t.Errorf("diff of the goroutine folder: exit %d\n%s%s", code, out, errs)
	}
}

func TestRecordNotAProfile(t *testing.T) {
	srv := pprofServer(t)
	for _, c := range []struct {
		path, want string
	}{
		{"/debug/pprof/", "not a pprof endpoint: the response is an HTML page, not a profile"},
		{"/nowhere", "not a pprof endpoint: HTTP 404 Not Found"},
		{"/status.json", "not a pprof endpoint: the response is text of an unknown format, not a profile"},
		{"/debug/pprof/heap?debug=1", "found a text (debug=1) pprof profile; leakscan reads the protobuf form: drop ?debug=1"},
	} {
		dir := t.TempDir()
		code, out, errs := runCLI(t, nil, "record", srv.URL+c.path, "--every", "50ms", "--count", "3", "-o", dir)
		want := "leakscan: " + srv.URL + c.path + ": " + c.want + "\n"
		if code != exitInput || errs != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", c.path, code, errs, want)
		}
		if out != "" || len(listDir(t, dir)) != 0 {
			t.Errorf("%s: nothing should be saved or printed, got %q and files %q", c.path, out, listDir(t, dir))
		}
	}
}

// TestRecordOneBadURL: with a good URL and a bad one, nothing is saved,
// so that the series of the URLs stay aligned.
func TestRecordOneBadURL(t *testing.T) {
	srv := pprofServer(t)
	dir := t.TempDir()
	code, _, errs := runCLI(t, nil, "record", srv.URL+"/debug/pprof/heap", srv.URL+"/nowhere", "--every", "50ms", "-o", dir)
	if want := "leakscan: " + srv.URL + "/nowhere: not a pprof endpoint: HTTP 404 Not Found\n"; code != exitInput || errs != want {
		t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errs, want)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("saved %s", p)
		}
		return err
	})
}

func TestRecordRetries(t *testing.T) {
	srv := pprofServer(t)
	dir := t.TempDir()
	code, out, errs := runCLI(t, nil, "record", srv.URL+"/flaky/heap", "--every", "50ms", "--count", "2", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	want := "leakscan: warning: " + srv.URL + "/flaky/heap: HTTP 503 Service Unavailable; retry 1 of 3 in 5ms\n"
	if errs != want {
		t.Errorf("stderr %q, want %q", errs, want)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"heap-001.pb.gz", "heap-002.pb.gz"}) {
		t.Errorf("files %q", got)
	}
}

func TestRecordTimeout(t *testing.T) {
	srv := pprofServer(t)
	code, _, errs := runCLI(t, nil, "record", srv.URL+"/hang", "--timeout", "20ms", "--retries", "1", "--every", "50ms", "-o", t.TempDir())
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	want := srv.URL + "/hang: no complete response within 20ms (--timeout)"
	if code != exitInput || len(lines) != 2 || lines[1] != "leakscan: "+want+" (after 1 retries)" || !strings.Contains(lines[0], want+"; retry 1 of 1") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

func TestRecordUsage(t *testing.T) {
	srv := pprofServer(t)
	heap := srv.URL + "/debug/pprof/heap"
	used := t.TempDir()
	os.WriteFile(filepath.Join(used, "heap-001.pb.gz"), []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{heap}, "record needs -o DIR"},
		{[]string{heap, "-o", t.TempDir(), "--count", "0"}, "--count 0: expected 1 or more"},
		{[]string{heap, "-o", t.TempDir(), "--every", "0s"}, "--every 0s: expected a positive interval"},
		{[]string{"localhost:6060/debug/pprof/heap", "-o", t.TempDir()}, `"localhost:6060/debug/pprof/heap": expected an http:// or https:// URL`},
		{[]string{heap, heap, "-o", t.TempDir()}, "is given twice"},
		{[]string{heap, "-o", used}, "already holds heap-001.pb.gz"},
	} {
		code, _, errs := runCLI(t, nil, append([]string{"record"}, c.args...)...)
		if code != exitInput || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want one line with %q", c.args, code, errs, c.want)
		}
	}
}

func TestEndpointNames(t *testing.T) {
	parse := func(raw ...string) []*url.URL {
		var out []*url.URL
		for _, r := range raw {
			u, err := url.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, u)
		}
		return out
	}
	got, err := endpointNames(parse("http://a:6060/debug/pprof/heap", "http://b:6060/debug/pprof/heap", "http://a:6060/debug/pprof/goroutine?debug=2", "http://c/"))
	if want := []string{"a_6060-heap", "b_6060-heap", "goroutine", "profile"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("names %q (%v), want %q", got, err, want)
	}
	// Numbers are wide enough to sort for any count.
	if _, w, _ := (&recordOptions{Output: t.TempDir(), Count: 1500, Every: 1, Timeout: 1, URLs: []string{"http://a/heap"}}).plan(); w != 4 {
		t.Errorf("width %d for 1500 snapshots, want 4", w)
	}
}
