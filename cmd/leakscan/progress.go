package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leakscan/leakscan/analyze/input"
	"golang.org/x/term"
)

// Progress is shown only on a terminal, only once work has taken this
// long, and redrawn this often.
const (
	progressAfter = time.Second
	progressEvery = 100 * time.Millisecond
	progressWidth = 24 // cells of the bar
)

// progress draws a one-line bar on stderr while inputs are read and
// analysed — only when stderr is a terminal, so never in pipes, CI logs
// or JSON output — and only after a second, so quick runs print nothing.
type progress struct {
	w     io.Writer
	start time.Time
	total int

	mu    sync.Mutex
	done  int
	stage string
	drawn bool
	stop  chan struct{}
	wg    sync.WaitGroup
	ended bool // end was called (from the command's goroutine only)
}

// startProgress returns the sources observed by a progress bar, and the
// bar; off a terminal the sources as they are and a nil bar, whose
// methods do nothing.
func startProgress(s streams, srcs []input.Source) ([]input.Source, *progress) {
	f, ok := s.ErrOut.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" || len(srcs) == 0 {
		return srcs, nil
	}
	p := &progress{w: f, start: time.Now(), total: len(srcs), stop: make(chan struct{})}
	p.wg.Add(1)
	go p.loop()
	obs := input.Observe(srcs, func(i int) {
		p.mu.Lock()
		p.done, p.stage = i, "reading "+filepath.Base(srcs[i].Name)
		p.mu.Unlock()
	})
	return obs, p
}

// setStage says what is being done once the inputs are read.
func (p *progress) setStage(stage string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.done, p.stage = p.total-1, stage
	p.mu.Unlock()
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			if now.Sub(p.start) < progressAfter {
				continue
			}
			p.mu.Lock()
			fmt.Fprintf(p.w, "\r\x1b[K%s", progressLine(p.done, p.total, p.stage, now.Sub(p.start)))
			p.drawn = true
			p.mu.Unlock()
		}
	}
}

// end stops the bar and erases it; later calls do nothing.
func (p *progress) end() {
	if p == nil || p.ended {
		return
	}
	p.ended = true
	close(p.stop)
	p.wg.Wait()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// progressLine is the bar: inputs started of all, what is being done, and
// the time so far.
//
//	[#########---------------] 3/8 reading heap-3.pb.gz 2.4s
func progressLine(done, total int, stage string, elapsed time.Duration) string {
	fill := 0
	if total > 0 {
		fill = done * progressWidth / total
	}
	bar := strings.Repeat("#", fill) + strings.Repeat("-", progressWidth-fill)
	return fmt.Sprintf("[%s] %d/%d %s %.1fs", bar, done+1, total, stage, elapsed.Seconds())
}
