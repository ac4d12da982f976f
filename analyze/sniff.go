package analyze

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Format is an input format recognised by content.
type Format string

// The formats Sniff recognises. Only FormatPprof is analysed today; the
// others are named so that the error says what the file is.
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

// sniffSize is how much of a file sniffFile looks at.
const sniffSize = 64 << 10

// Sniff tells the format of decompressed input data from its content.
func Sniff(data []byte) Format { return sniffPrefix(data, true) }

// sniffPrefix tells the format from the start of the data; complete says
// whether data is all of it. A prefix of a profile is taken for a profile
// when every field up to the cut is well formed.
func sniffPrefix(data []byte, complete bool) Format {
	if len(bytes.TrimSpace(data)) == 0 {
		if complete {
			return FormatEmpty
		}
		return FormatUnknown
	}
	if _, err := scanProto(data); err == nil {
		return FormatPprof
	} else if pe, ok := err.(*protoError); ok && !complete && pe.Off > 0 && pe.cut {
		return FormatPprof
	}
	head := data[:min(len(data), 4096)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	text := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case bytes.HasPrefix(text, []byte("JAVA PROFILE ")):
		return FormatHPROF
	case bytes.HasPrefix(text, []byte(`{"format":"leakscan-pydump"`)):
		return FormatPyDump
	case bytes.HasPrefix(text, []byte("{")) && bytes.Contains(head, []byte(`"snapshot"`)):
		return FormatV8Snapshot
	case bytes.HasPrefix(text, []byte("goroutine profile: total")),
		bytes.HasPrefix(text, []byte("goroutineleak profile: total")):
		return FormatGoroutineDebug1
	case bytes.HasPrefix(text, []byte("heap profile:")),
		bytes.HasPrefix(text, []byte("--- contention")),
		bytes.HasPrefix(text, []byte("--- mutex")),
		bytes.HasPrefix(text, []byte("threadcreate profile:")):
		return FormatPprofText
	}
	if hasGoroutineHeader(data) {
		return FormatGoroutineText
	}
	return FormatUnknown
}

// hasGoroutineHeader reports whether some line of data holds a traceback
// header, "goroutine N [status…]:", wherever it is in the data (dumps come
// embedded in logs and test output, their lines sometimes prefixed).
func hasGoroutineHeader(data []byte) bool {
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte("goroutine "))
		if i < 0 {
			return false
		}
		start := off + i
		off = start + len("goroutine ")
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		if isHeader(bytes.TrimSuffix(data[start:start+end], []byte("\r"))) {
			return true
		}
	}
	return false
}

// profileFields gives the protobuf wire type of every field of the
// perftools.profiles.Profile message (profile.proto). Field 13 (comment) is
// a repeated int64 and may be packed.
var profileFields = [...]int8{
	1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 2, 12: 0, 13: -1, 14: 0, 15: 0,
}

// protoError is a position in a protobuf message and what was wrong there.
type protoError struct {
	Off int
	Msg string
	cut bool // the data ended inside a field
}

func (e *protoError) Error() string { return fmt.Sprintf("byte %d: %s", e.Off, e.Msg) }

// scanProto walks the top-level fields of a Profile message without decoding
// them. It accepts only known field numbers with their wire types, and
// lengths that fit, so that text or another binary format does not pass for
// a profile. It returns how many string_table entries it saw.
func scanProto(b []byte) (strings int, err error) {
	off := 0
	for off < len(b) {
		start := off
		tag, n := uvarint(b[off:])
		if n <= 0 {
			return strings, &protoError{start, "expected a field tag, found a broken varint", len(b)-start < 10}
		}
		off += n
		field, wire := tag>>3, int8(tag&7)
		if field == 0 || field >= uint64(len(profileFields)) {
			return strings, &protoError{start, fmt.Sprintf("expected a Profile field, found field number %d", field), false}
		}
		want := profileFields[field]
		if want >= 0 && wire != want || want < 0 && wire != 0 && wire != 2 {
			return strings, &protoError{start, fmt.Sprintf("field %d has wire type %d, expected %d", field, wire, max(want, 0)), false}
		}
		switch wire {
		case 0:
			if _, n := uvarint(b[off:]); n <= 0 {
				return strings, &protoError{off, fmt.Sprintf("field %d: truncated varint", field), true}
			} else {
				off += n
			}
		case 2:
			l, n := uvarint(b[off:])
			if n <= 0 {
				return strings, &protoError{off, fmt.Sprintf("field %d: truncated length", field), true}
			}
			off += n
			if l > uint64(len(b)-off) {
				return strings, &protoError{off, fmt.Sprintf("field %d needs %d bytes, only %d left (truncated file?)", field, l, len(b)-off), true}
			}
			off += int(l)
			if field == 6 {
				strings++
			}
		}
	}
	if strings == 0 {
		return 0, &protoError{len(b), "no string table: not a pprof profile", true}
	}
	return strings, nil
}

// uvarint decodes a protobuf varint; n ≤ 0 when b ends early or the varint
// is longer than ten bytes.
func uvarint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// looksLikeText reports whether the first bytes are printable UTF-8 text.
func looksLikeText(data []byte) bool {
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
