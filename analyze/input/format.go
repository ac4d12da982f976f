package input

import "unicode/utf8"

// Format is an input format recognised by content.
type Format string

// The formats leakscan recognises by content. Which of them it reads, and
// how, is the format registry's business (package analyze); some are
// named only so that an error can say what a file is.
const (
	FormatUnknown         Format = "unknown"
	FormatEmpty           Format = "empty file"
	FormatPprof           Format = "pprof profile"
	FormatPprofText       Format = "text (debug=1) pprof profile"
	FormatGoroutineText   Format = "goroutine dump (debug=2 or traceback)"
	FormatGoroutineDebug1 Format = "goroutine profile text (debug=1)"
	FormatV8Snapshot      Format = "V8 heap snapshot"
	FormatHPROF           Format = "Java HPROF heap dump"
	FormatPyDump          Format = "Python heap dump (leakscan_dump.py)"
)

// SniffSize is how much of a file a directory listing looks at to tell
// its format.
const SniffSize = 64 << 10

// Sniffer tells the format of decompressed input data from its start;
// complete says whether data is all of it.
type Sniffer func(data []byte, complete bool) Format

// LooksLikeText reports whether the first bytes are printable UTF-8 text.
func LooksLikeText(data []byte) bool {
	head := data[:min(len(data), 512)]
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n == 1 && len(head) >= utf8.UTFMax {
			return false
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		head = head[n:]
	}
	return true
}
