package analyze

import (
	"bytes"
	"fmt"
	"io"

	"github.com/leakscan/leakscan/analyze/goroutine"
	"github.com/leakscan/leakscan/analyze/heap"
	"github.com/leakscan/leakscan/analyze/input"
	"github.com/leakscan/leakscan/analyze/pprofwire"
	"github.com/leakscan/leakscan/analyze/python"
	"github.com/leakscan/leakscan/analyze/v8"
)

// Kind is what a series is of. It decides which loader reads the inputs
// and which analyses run on them.
type Kind string

// The kinds of series.
const (
	KindProfile   Kind = "profile"   // pprof profiles other than goroutine profiles
	KindGoroutine Kind = "goroutine" // goroutine profiles and dumps, any form
	KindHeapDump  Kind = "heap dump" // object-graph dumps of any runtime
)

// Head is the start of an input as the format rows look at it.
type Head struct {
	Data     []byte // decompressed; all of it when Complete
	Complete bool
	// Text is the first 4 KiB without a byte-order mark and leading
	// blanks: what a text format starts with.
	Text []byte
}

// Format is one row of the format registry: an input format, how to tell
// it by content, and what reads it.
type Format struct {
	Name input.Format
	// Kind is what a series of such inputs is; "" for formats recognised
	// only so that an error can say what a file is.
	Kind Kind
	// Sniff reports whether the head is of this format. Rows are tried in
	// registry order; the first that says yes names the format.
	Sniff func(h *Head) bool
	// KindOf, when set, tells the kind from the whole content instead of
	// Kind (a pprof profile holds goroutines or heap samples).
	KindOf func(data []byte) Kind
	// Read reads an object-graph dump (Kind KindHeapDump) into the
	// format-neutral model, with its runtime's hook.
	Read heap.Reader
	// Hint is added to the error when such an input is given where
	// another kind is expected.
	Hint string
	// MaxSize is the most an input of this format may hold, decompressed
	// (0 for input.MaxInputSize): reading stops there, so a gzip bomb
	// that starts like the format costs at most this much memory.
	MaxSize int64
}

// formats is the registry: every input format leakscan recognises, in
// the order they are tried. It is the one place that knows them all.
var formats = []Format{
	{Name: input.FormatPprof, Kind: KindProfile, Sniff: sniffProto, KindOf: protoKind, MaxSize: 512 << 20},
	{Name: input.FormatHPROF, Sniff: textPrefix("JAVA PROFILE "), Hint: "leakscan diff does not read this format yet"},
	{Name: input.FormatPyDump, Kind: KindHeapDump, Sniff: textPrefix(`{"format":"leakscan-pydump"`), Read: python.Read},
	{Name: input.FormatV8Snapshot, Kind: KindHeapDump, Sniff: func(h *Head) bool {
		return bytes.HasPrefix(h.Text, []byte("{")) && bytes.Contains(h.Data[:min(len(h.Data), 4096)], []byte(`"snapshot"`))
	}, Read: v8.Read},
	{Name: input.FormatGoroutineDebug1, Kind: KindGoroutine, Sniff: func(h *Head) bool { return goroutine.IsDebug1(h.Data) }, MaxSize: 2 << 30},
	{Name: input.FormatPprofText, Sniff: textPrefix("heap profile:", "--- contention", "--- mutex", "threadcreate profile:"),
		Hint: "leakscan reads the protobuf form (fetch /debug/pprof/heap without ?debug=1)"},
	{Name: input.FormatGoroutineText, Kind: KindGoroutine, Sniff: func(h *Head) bool { return goroutine.HasTraceback(h.Data) }, MaxSize: 2 << 30},
}

// sniffProto takes for a pprof profile a well-formed Profile message, or
// the prefix of one whose fields are well formed up to the cut.
func sniffProto(h *Head) bool {
	_, err := pprofwire.Scan(h.Data)
	if err == nil {
		return true
	}
	pe, ok := err.(*pprofwire.Error)
	return ok && !h.Complete && pe.Off > 0 && pe.Cut
}

// protoKind tells goroutine profiles from the other pprof profiles.
func protoKind(data []byte) Kind {
	if goroutine.IsProfile(data) {
		return KindGoroutine
	}
	return KindProfile
}

// textPrefix sniffs a text format by how it starts.
func textPrefix(prefixes ...string) func(h *Head) bool {
	return func(h *Head) bool {
		for _, p := range prefixes {
			if bytes.HasPrefix(h.Text, []byte(p)) {
				return true
			}
		}
		return false
	}
}

// RegisterFormat adds a row to the registry, tried before the others,
// and returns a function that removes it again. It is meant for tests
// and for programs built on leakscan; it must not run while inputs load.
func RegisterFormat(f Format) (unregister func()) {
	formats = append([]Format{f}, formats...)
	return func() {
		for i := range formats {
			if formats[i].Name == f.Name {
				formats = append(formats[:i:i], formats[i+1:]...)
				return
			}
		}
	}
}

// Sniff tells the format of decompressed input data from its content.
func Sniff(data []byte) input.Format { return SniffPrefix(data, true) }

// SniffPrefix tells the format from the start of the data; complete says
// whether data is all of it.
func SniffPrefix(data []byte, complete bool) input.Format {
	if row := lookup(data, complete); row != nil {
		return row.Name
	}
	if complete && len(bytes.TrimSpace(data)) == 0 {
		return input.FormatEmpty
	}
	return input.FormatUnknown
}

// lookup returns the registry row of the data; nil when none recognises
// it.
func lookup(data []byte, complete bool) *Format {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	head := bytes.TrimPrefix(data[:min(len(data), 4096)], []byte("\xef\xbb\xbf"))
	h := &Head{Data: data, Complete: complete, Text: bytes.TrimLeft(head, " \t\r\n")}
	for i := range formats {
		if formats[i].Sniff(h) {
			return &formats[i]
		}
	}
	return nil
}

// kindOf tells what a series starting with data is of; "" when no row
// reads data.
func kindOf(data []byte) (Kind, *Format) {
	row := lookup(data, true)
	switch {
	case row == nil:
		return "", nil
	case row.KindOf != nil:
		return row.KindOf(data), row
	}
	return row.Kind, row
}

// ReadSources reads every argument: a file, "-" for stdin (at most once),
// or a directory, which stands for the files in it (sorted by name) that
// leakscan reads.
func ReadSources(args []string, stdin io.Reader) ([]input.Source, error) {
	keep := func(f input.Format) bool {
		for _, row := range formats {
			if row.Name == f && row.Kind != "" {
				return true
			}
		}
		return false
	}
	return input.ReadSources(args, stdin, keep, SniffPrefix)
}

// gate refuses, from its first bytes, an input that a series of kind k
// does not read (any kind when k is ""), and gives the limit of its format.
func gate(name string, k Kind) input.Gate {
	return func(head []byte, complete bool) (input.Limit, error) {
		row := lookup(head, complete)
		if k == "" && row != nil && row.Kind != "" || accepts(k, row) {
			return input.Limit{Max: row.MaxSize, What: string(row.Name)}, nil
		}
		if k == "" {
			k = KindProfile // the error then says what a profile would be
		}
		return input.Limit{}, wrongFormat(name, head, k, row)
	}
}

// accepts reports whether a series of kind k reads inputs of the row's
// format. A pprof profile of the other kind passes: the loaders compare
// sample types and say what the profile holds.
func accepts(k Kind, row *Format) bool {
	return row != nil && (row.Kind == k || row.KindOf != nil && k != KindHeapDump)
}

// wrongFormat is the error for an input of another format than a series
// of kind want reads: it names the format found and, for a profile that
// broke, where it broke.
func wrongFormat(name string, data []byte, want Kind, row *Format) error {
	expected := map[Kind]string{
		KindProfile:   "a pprof profile (protobuf, gzipped or not)",
		KindGoroutine: "a goroutine dump (traceback, debug=1 or debug=2 text, or a proto goroutine profile)",
		KindHeapDump:  "a heap dump",
	}[want]
	e := &input.InputError{File: name, Msg: "expected " + expected + ", found "}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		if want == KindGoroutine {
			e.Msg = "expected a goroutine dump, found an empty file"
		} else {
			e.Msg += string(input.FormatEmpty)
		}
	case row == nil:
		if want == KindProfile || want == KindGoroutine {
			if _, err := pprofwire.Scan(data); err != nil && !input.LooksLikeText(data) {
				if pe, ok := err.(*pprofwire.Error); ok && pe.Off > 0 && (pe.Off >= 8 || pprofwire.StartsLikeProfile(data)) {
					// It started as a profile: say where it broke.
					e.Pos = fmt.Sprintf("byte %d", pe.Off)
					e.Msg = "malformed pprof profile: " + pe.Msg
					return e
				}
			}
		}
		if input.LooksLikeText(data) {
			e.Msg += "text of an unknown format"
		} else {
			e.Msg += "data of an unknown format"
		}
	default:
		e.Msg += string(row.Name)
		switch {
		case row.Hint != "":
			e.Msg += "; " + row.Hint
		case row.Kind != "":
			e.Msg += "; a series must be all profiles of one kind, all goroutine dumps, or all heap dumps"
		}
	}
	return e
}
