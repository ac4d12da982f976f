package goroutine

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/analyze/stack"
)

// parseDebug1 parses the debug=1 text of a goroutine (or goroutineleak)
// profile, as runtime/pprof's printCountProfile writes it:
//
//	goroutine profile: total 57
//	3 @ 0x43e2ee 0x40a5a5 0x4b7e45 0x470ae1
//	# labels: {"leak":"send"}
//	#	0x4b7e44	main.leakBlockedSend+0x24	/src/main.go:42
//	#	0x470ae0	runtime.goexit+0x0	/go/src/runtime/asm_amd64.s:1700
//	(empty line)
//
// pprof's own legacy parser keeps only the addresses; this one keeps the
// function names, files and lines. It calls emit once per record with the
// record's count; it returns the total the header announces (-1 if none).
func parseDebug1(data []byte, tab *stack.Table, emit func(rec *goroutineRec, count int), warn func(string)) (total int) {
	total = -1
	var rec goroutineRec
	count, lineNo, recLine := 0, 0, 0
	flush := func() {
		if count > 0 {
			if len(rec.frames) == 0 {
				warn(fmt.Sprintf("line %d: a record of %d goroutines has no frames", recLine, count))
			}
			emit(&rec, count)
		}
		count = 0
	}
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		lineNo++
		switch {
		case len(line) == 0:
			flush()
		case total < 0 && bytes.Contains(line, []byte(" profile: total ")):
			j := bytes.LastIndexByte(line, ' ')
			total, _ = strconv.Atoi(string(line[j+1:]))
		case bytes.HasPrefix(line, []byte("# labels: ")):
			rec.labels = line[len("# labels: "):]
		case bytes.HasPrefix(line, []byte("#\t")):
			// #\t0x4b7e44\tmain.f+0x24\t/src/main.go:42
			fields := bytes.Split(line[2:], []byte("\t"))
			if count == 0 || len(fields) < 3 {
				warn(fmt.Sprintf("line %d: unexpected frame line %q", lineNo, clip(line)))
				continue
			}
			var f series.Frame
			fn := fields[1]
			if k := bytes.LastIndex(fn, []byte("+0x")); k > 0 {
				fn = fn[:k]
			}
			f.Func = stack.BytesString(fn)
			loc := fields[2]
			if k := bytes.LastIndexByte(loc, ':'); k >= 0 {
				if n, err := strconv.ParseInt(string(loc[k+1:]), 10, 64); err == nil {
					f.File, f.Line = stack.BytesString(loc[:k]), n
				}
			}
			if f.File == "" {
				f.File = stack.BytesString(loc)
			}
			rec.frames = append(rec.frames, tab.FrameView(f))
		default:
			// "N @ 0x… 0x…" starts a record.
			at := bytes.Index(line, []byte(" @"))
			n, err := strconv.Atoi(string(line[:max(at, 0)]))
			if at <= 0 || err != nil || n < 0 {
				warn(fmt.Sprintf("line %d: expected \"N @ 0x…\", found %q", lineNo, clip(line)))
				continue
			}
			flush()
			rec = goroutineRec{minutes: -1, creator: -1, frames: rec.frames[:0], line: lineNo}
			count, recLine = n, lineNo
		}
	}
	flush()
	return total
}
