package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report"
	"github.com/spf13/cobra"
)

// recordOptions are the flags and arguments of `leakscan record`.
type recordOptions struct {
	URLs    []string
	Every   time.Duration
	Count   int
	Output  string
	Timeout time.Duration
	Retries int
}

// maxSnapshot bounds one response body, as the format registry bounds a
// pprof profile.
const maxSnapshot = 512 << 20

// newRecordCmd builds the record command; runF replaces runRecord in
// tests.
func newRecordCmd(s streams, runF func(context.Context, streams, *recordOptions) error) *cobra.Command {
	opts := &recordOptions{}
	cmd := &cobra.Command{
		Use:   "record URL... -o DIR",
		Short: "Save a series of profiles from a live service's pprof endpoints, with the growth so far",
		Long: `Fetch each URL — a net/http/pprof endpoint such as
http://host:6060/debug/pprof/heap or /debug/pprof/goroutine — every
interval, count times, saving each snapshot as it arrives, and after each
round print one line per endpoint: what grew so far, as diff would say it.

Snapshots are named after the endpoint and numbered, so that they sort:
DIR/heap-001.pb.gz, DIR/heap-002.pb.gz … With several URLs each endpoint
gets its own folder (DIR/heap/, DIR/goroutine/), so that every folder is
one series: "leakscan diff DIR" (or DIR/heap) and "leakscan report" read it.

A request that gets no answer within --timeout, a dropped connection or
an HTTP 5xx is retried, waiting longer each time; a URL that does not
serve a profile (an HTML page, a 404, anything the format registry does
not read) stops the recording with one line and exit code 2. Snapshots
saved before stay.`,
		Example: `  # six heap profiles, one every 30 seconds
  leakscan record http://localhost:6060/debug/pprof/heap --every 30s --count 6 -o snaps/
  leakscan diff snaps/

  # heap and goroutines together, into snaps/heap/ and snaps/goroutine/
  leakscan record http://localhost:6060/debug/pprof/heap http://localhost:6060/debug/pprof/goroutine -o snaps/
  leakscan report snaps/goroutine -o goroutines.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.URLs = args
			if runF != nil {
				return runF(c.Context(), s, opts)
			}
			return runRecord(c.Context(), s, opts)
		},
	}
	f := cmd.Flags()
	f.DurationVar(&opts.Every, "every", 30*time.Second, "time between the starts of two rounds of fetches")
	f.IntVar(&opts.Count, "count", 6, "snapshots to take of each URL")
	f.StringVarP(&opts.Output, "output", "o", "", "the directory to save snapshots in (created if missing; must not hold snapshots of the same names)")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "the longest one request may take, body included")
	f.IntVar(&opts.Retries, "retries", 3, "retries of a request that timed out, lost its connection or got an HTTP 5xx, waiting twice as long each time")
	return cmd
}

// endpoint is one URL being recorded.
type endpoint struct {
	url   string
	name  string // "heap": the start of its file names
	dir   string
	files []string // saved so far, in order
}

// runRecord fetches every URL each round, saves the snapshots and prints
// the growth so far.
func runRecord(ctx context.Context, s streams, opts *recordOptions) error {
	eps, width, err := opts.plan()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	client := &http.Client{Timeout: opts.Timeout}
	errOut := &syncWriter{w: s.ErrOut}
	start := time.Now()
	for round := 1; round <= opts.Count; round++ {
		if round > 1 {
			if !sleepCtx(ctx, time.Until(start.Add(time.Duration(round-1)*opts.Every))) {
				fmt.Fprintf(s.Out, "interrupted after %d of %d rounds\n", round-1, opts.Count)
				return nil
			}
		}
		paths, err := opts.round(ctx, client, errOut, eps, round, width)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintf(s.Out, "interrupted in round %d of %d\n", round, opts.Count)
				return nil
			}
			return err
		}
		fmt.Fprintf(s.Out, "[%d/%d] saved %s\n", round, opts.Count, strings.Join(paths, ", "))
		if round >= 2 {
			for _, ep := range eps {
				fmt.Fprintf(s.Out, "  %s: %s\n", ep.name, growthSoFar(ep))
			}
		}
	}
	seen := map[string]bool{}
	for _, ep := range eps {
		if !seen[ep.dir] {
			seen[ep.dir] = true
			fmt.Fprintf(s.Out, "next: leakscan diff %s\n", ep.dir)
		}
	}
	return nil
}

// plan checks the options and the URLs, names the endpoints, creates the
// directories and refuses to mix with snapshots already there. width is
// the number of digits of a snapshot's number.
func (o *recordOptions) plan() ([]*endpoint, int, error) {
	switch {
	case o.Output == "":
		return nil, 0, usageError{errors.New("record needs -o DIR, the directory to save snapshots in")}
	case o.Count < 1:
		return nil, 0, usageError{fmt.Errorf("--count %d: expected 1 or more", o.Count)}
	case o.Every <= 0:
		return nil, 0, usageError{fmt.Errorf("--every %s: expected a positive interval such as 30s", o.Every)}
	case o.Timeout <= 0:
		return nil, 0, usageError{fmt.Errorf("--timeout %s: expected a positive duration such as 10s", o.Timeout)}
	case o.Retries < 0:
		return nil, 0, usageError{fmt.Errorf("--retries %d: expected 0 or more", o.Retries)}
	}
	var urls []*url.URL
	for _, raw := range o.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, 0, usageError{fmt.Errorf("%q: expected an http:// or https:// URL of a pprof endpoint, such as http://localhost:6060/debug/pprof/heap", raw)}
		}
		urls = append(urls, u)
	}
	names, err := endpointNames(urls)
	if err != nil {
		return nil, 0, err
	}
	eps := make([]*endpoint, len(urls))
	for i, u := range urls {
		dir := o.Output
		if len(urls) > 1 {
			dir = filepath.Join(o.Output, names[i])
		}
		eps[i] = &endpoint{url: u.String(), name: names[i], dir: dir}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, 0, usageError{fmt.Errorf("-o %s: %w", o.Output, err)}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, 0, usageError{fmt.Errorf("-o %s: %w", o.Output, err)}
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), names[i]+"-") {
				return nil, 0, usageError{fmt.Errorf("%s already holds %s: record into another directory, so that series do not mix", dir, e.Name())}
			}
		}
	}
	return eps, max(3, len(strconv.Itoa(o.Count))), nil
}

// endpointNames names each URL after the last element of its path
// ("heap", "goroutine"), with its host and port in front when two URLs
// would otherwise share a name.
func endpointNames(urls []*url.URL) ([]string, error) {
	base := make([]string, len(urls))
	count := map[string]int{}
	for i, u := range urls {
		base[i] = safeName(lastElem(u.Path))
		if base[i] == "" {
			base[i] = "profile"
		}
		count[base[i]]++
	}
	names := make([]string, len(urls))
	seen := map[string]bool{}
	for i, u := range urls {
		names[i] = base[i]
		if count[base[i]] > 1 {
			names[i] = safeName(u.Host) + "-" + base[i]
		}
		if seen[names[i]] {
			return nil, usageError{fmt.Errorf("%s is given twice", u)}
		}
		seen[names[i]] = true
	}
	return names, nil
}

// lastElem is the last element of a URL path, trailing slashes aside.
func lastElem(p string) string {
	p = strings.TrimRight(p, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// safeName keeps letters, digits, '.', '_' and '-', and makes anything
// else '_'.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return strings.Trim(string(b), ".")
}

// round fetches every endpoint at once and, when every fetch succeeded,
// saves what each returned, so that the series of the endpoints stay
// aligned (and a URL that is no pprof endpoint saves nothing); it returns
// the paths saved, in the order of the URLs.
func (o *recordOptions) round(ctx context.Context, client *http.Client, errOut io.Writer, eps []*endpoint, round, width int) ([]string, error) {
	bodies := make([][]byte, len(eps))
	exts := make([]string, len(eps))
	errs := make([]error, len(eps))
	var wg sync.WaitGroup
	for i, ep := range eps {
		wg.Go(func() { bodies[i], exts[i], errs[i] = o.fetch(ctx, client, errOut, ep.url) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first, in the order of the URLs: one line
		}
	}
	paths := make([]string, len(eps))
	for i, ep := range eps {
		p, err := save(ep, round, width, exts[i], bodies[i])
		if err != nil {
			return nil, err
		}
		paths[i] = p
		ep.files = append(ep.files, p)
	}
	return paths, nil
}

// fetchError is a failed fetch; a transient one is worth retrying.
type fetchError struct {
	url       string
	msg       string
	transient bool
}

func (e *fetchError) Error() string { return e.url + ": " + e.msg }

// fetch gets one snapshot, retrying transient failures with a backoff
// that doubles, and tells its file extension by content.
func (o *recordOptions) fetch(ctx context.Context, client *http.Client, errOut io.Writer, u string) ([]byte, string, error) {
	wait := min(max(o.Every/10, 5*time.Millisecond), time.Second)
	for attempt := 0; ; attempt++ {
		body, err := get(ctx, client, u, o.Timeout)
		ext := ""
		if err == nil {
			if ext, err = snapshotExt(u, body); err == nil {
				return body, ext, nil
			}
		}
		var fe *fetchError
		if !errors.As(err, &fe) || !fe.transient || attempt == o.Retries || ctx.Err() != nil {
			if fe != nil && fe.transient && o.Retries > 0 {
				return nil, "", fmt.Errorf("%w (after %d retries)", err, o.Retries)
			}
			return nil, "", err
		}
		fmt.Fprintf(errOut, "leakscan: warning: %v; retry %d of %d in %s\n", err, attempt+1, o.Retries, wait)
		if !sleepCtx(ctx, wait) {
			return nil, "", ctx.Err()
		}
		wait *= 2
	}
}

// get does one request and reads the body, within maxSnapshot.
func get(ctx context.Context, client *http.Client, u string, timeout time.Duration) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &fetchError{url: u, msg: err.Error()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &fetchError{url: u, msg: netMessage(err, timeout), transient: true}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		status := "HTTP " + resp.Status
		switch {
		case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout:
			return nil, &fetchError{url: u, msg: status, transient: true}
		}
		return nil, &fetchError{url: u, msg: "not a pprof endpoint: " + status}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSnapshot+1))
	if err != nil {
		return nil, &fetchError{url: u, msg: "reading the response: " + netMessage(err, timeout), transient: true}
	}
	if len(body) > maxSnapshot {
		return nil, &fetchError{url: u, msg: fmt.Sprintf("the response is larger than %d MiB, the most leakscan reads of a pprof profile", maxSnapshot>>20)}
	}
	return body, nil
}

// netMessage says what went wrong with a request, in one line.
func netMessage(err error, timeout time.Duration) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("no complete response within %s (--timeout)", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// snapshotExt tells from the body, with the format registry, whether it is
// a snapshot leakscan reads, and its file extension: .pb.gz for a gzipped
// pprof profile, .txt for a goroutine dump in text.
func snapshotExt(u string, body []byte) (string, error) {
	head, complete, gz := body, true, len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b
	if gz {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			head, err = io.ReadAll(io.LimitReader(zr, input.SniffSize))
		}
		if err != nil {
			return "", &fetchError{url: u, msg: "the response is a broken gzip stream: " + err.Error(), transient: true}
		}
		complete = len(head) < input.SniffSize
	}
	var ext string
	switch f := analyze.SniffPrefix(head, complete); f {
	case input.FormatPprof:
		ext = ".pb"
	case input.FormatGoroutineText, input.FormatGoroutineDebug1:
		ext = ".txt"
	case input.FormatPprofText:
		return "", &fetchError{url: u, msg: "found a " + string(f) + "; leakscan reads the protobuf form: drop ?debug=1"}
	default:
		what := string(f)
		if t := bytes.TrimLeft(head, " \t\r\n"); bytes.HasPrefix(t, []byte("<")) {
			what = "an HTML page"
		} else if f == input.FormatUnknown && input.LooksLikeText(head) {
			what = "text of an unknown format"
		} else if f == input.FormatUnknown {
			what = "data of an unknown format"
		}
		return "", &fetchError{url: u, msg: "not a pprof endpoint: the response is " + what + ", not a profile"}
	}
	if gz {
		ext += ".gz"
	}
	return ext, nil
}

// save writes a snapshot under its final name in one step: to a hidden
// temporary file first, renamed when complete, so that a folder never
// holds half a snapshot.
func save(ep *endpoint, round, width int, ext string, body []byte) (string, error) {
	name := fmt.Sprintf("%s-%0*d%s", ep.name, width, round, ext)
	final := filepath.Join(ep.dir, name)
	tmp, err := os.CreateTemp(ep.dir, "."+name+".*")
	if err != nil {
		return "", outputError{err}
	}
	_, err = tmp.Write(body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), final)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", outputError{err}
	}
	return final, nil
}

// growthSoFar is the one-line verdict on an endpoint's snapshots so far,
// from the same analysis diff runs.
func growthSoFar(ep *endpoint) string {
	srcs, err := analyze.ReadSources(ep.files, nil)
	if err != nil {
		return "cannot analyse: " + err.Error()
	}
	ser, err := analyze.Load(srcs)
	if err != nil {
		return "cannot analyse: " + err.Error()
	}
	res, err := ser.Analyze(analyze.Options{By: series.BySite}, false)
	if err != nil {
		return "cannot analyse: " + err.Error()
	}
	return report.VerdictLine(res)
}

// sleepCtx waits d, or less when ctx ends first; it reports whether it
// waited all of d.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// syncWriter serialises the writes of the concurrent fetches.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
