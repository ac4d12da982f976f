package input

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxInputSize bounds the size of one input after decompression, so that a
// hostile or mistaken file (a gzip bomb, a core dump) fails with a message
// instead of exhausting memory.
const MaxInputSize int64 = 4 << 30

// Source is one input: its name as the user gave it and, through Bytes, its
// content, decompressed. Files are read when Bytes is called, so that a
// series of large inputs is held in memory one at a time.
type Source struct {
	Name   string // path as given; "<stdin>" for "-"
	path   string // file to read; "" when data holds the content
	data   []byte
	onRead func() // called when Bytes starts: progress
	gate   Gate
	raw    bool // data is as read (from stdin), still to be decompressed
}

// Limit is how much an input of some format may hold, decompressed.
type Limit struct {
	Max  int64  // bytes; 0 for MaxInputSize
	What string // the format, for the message: "pprof profile"
}

// Gate looks at the first bytes of an input, decompressed (all of it when
// complete), before the rest is read: it refuses an input of a format the
// caller does not read — a gzip bomb of zeros is refused after 64 KiB —
// or says how much an input of its format may hold.
type Gate func(head []byte, complete bool) (Limit, error)

// WithGate returns the source with gate consulted on its first bytes.
func (s Source) WithGate(g Gate) Source {
	s.gate = g
	return s
}

// Observe returns the sources with f(i) called when the i-th starts being
// read, so that a command can show progress through a series.
func Observe(srcs []Source, f func(i int)) []Source {
	out := make([]Source, len(srcs))
	for i, s := range srcs {
		s.onRead = func() { f(i) }
		out[i] = s
	}
	return out
}

// NewSource makes a source of content already in memory.
func NewSource(name string, data []byte) Source { return Source{Name: name, data: data} }

// Bytes returns the decompressed content.
func (s Source) Bytes() ([]byte, error) {
	if s.onRead != nil {
		s.onRead()
	}
	if s.path == "" {
		if s.raw {
			return decompress(s.Name, s.data, s.gate)
		}
		return s.data, gateData(s.Name, s.data, s.gate)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, &InputError{File: s.Name, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > MaxInputSize {
		raw, err := readAllBounded(s.Name, f)
		if err != nil {
			return nil, err
		}
		return decompress(s.Name, raw, s.gate)
	}
	// A regular file is read into a buffer of its size, at once; should it
	// have grown since, the rest is read the slow way.
	buf := make([]byte, st.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return nil, &InputError{File: s.Name, Msg: "cannot read", Err: err}
	}
	var extra [1]byte
	if m, _ := f.Read(extra[:]); m > 0 {
		raw, err := readAllBounded(s.Name, io.MultiReader(bytes.NewReader(buf[:n]), bytes.NewReader(extra[:m]), f))
		if err != nil {
			return nil, err
		}
		return decompress(s.Name, raw, s.gate)
	}
	return decompress(s.Name, buf[:n], s.gate)
}

// gateData runs a gate on content already decompressed.
func gateData(name string, data []byte, gate Gate) error {
	if gate == nil {
		return nil
	}
	lim, err := gate(data[:min(len(data), SniffSize)], len(data) <= SniffSize)
	if err != nil {
		return err
	}
	if lim.Max > 0 && int64(len(data)) > lim.Max {
		return tooBig(name, "is larger than", lim)
	}
	return nil
}

func tooBig(name, verb string, lim Limit) error {
	return &InputError{File: name, Msg: fmt.Sprintf("%s %s, the most leakscan reads of a %s", verb, sizeText(lim.Max), lim.What)}
}

// sizeText is a limit in MiB or GiB.
func sizeText(n int64) string {
	if n >= 1<<30 && n%(1<<30) == 0 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// InputError is a problem with one input file. Error gives one line naming
// the file, the position when known, and what was expected.
type InputError struct {
	File string
	Pos  string // "byte 1234", "line 7"; empty when the whole file is at fault
	Msg  string
	Err  error // the underlying error, if any
}

func (e *InputError) Error() string {
	s := e.File + ": "
	if e.Pos != "" {
		s += e.Pos + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *InputError) Unwrap() error { return e.Err }

// ReadSources reads every argument: a file, "-" for stdin (at most once), or
// a directory, which stands for the files in it (sorted by name) whose
// content sniff tells as one of the formats accepted by keep. Gzip is undone by
// content, not by file name.
func ReadSources(args []string, stdin io.Reader, keep func(Format) bool, sniff Sniffer) ([]Source, error) {
	var out []Source
	usedStdin := false
	for _, arg := range args {
		if arg == "-" {
			if usedStdin {
				return nil, &InputError{File: "<stdin>", Msg: `"-" given more than once`}
			}
			usedStdin = true
			data, err := readAllBounded("<stdin>", stdin)
			if err != nil {
				return nil, err
			}
			out = append(out, Source{Name: "<stdin>", data: data, raw: true})
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			return nil, &InputError{File: arg, Msg: "cannot read", Err: unwrapPathError(err)}
		}
		if !st.IsDir() {
			out = append(out, Source{Name: arg, path: arg})
			continue
		}
		srcs, err := readDir(arg, keep, sniff)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	return out, nil
}

func readDir(dir string, keep func(Format) bool, sniff Sniffer) ([]Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &InputError{File: dir, Msg: "cannot list directory", Err: unwrapPathError(err)}
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []Source
	count := map[Format]int{}
	example := map[Format]string{}
	var order []Format
	for _, name := range names {
		path := filepath.Join(dir, name)
		f := FormatUnknown
		if sniff != nil {
			f = sniffFile(path, sniff)
		}
		if keep == nil || keep(f) {
			out = append(out, Source{Name: path, path: path})
			if count[f] == 0 {
				order = append(order, f)
				example[f] = name
			}
			count[f]++
		}
	}
	if len(out) == 0 {
		return nil, &InputError{File: dir, Msg: "directory holds no profile files"}
	}
	if len(order) > 1 {
		// A folder of several formats is several series (checkpoints
		// written each way, dumps of other programs): which one is meant
		// is the user's to say.
		parts := make([]string, len(order))
		for i, f := range order {
			parts[i] = fmt.Sprintf("%d %s (%s …)", count[f], f, example[f])
		}
		return nil, &InputError{File: dir, Msg: fmt.Sprintf("the folder holds %d formats: %s; a series is of one format: name the files of one series",
			len(order), strings.Join(parts, ", "))}
	}
	return out, nil
}

// sniffFile tells the format of a file from its first bytes (decompressed
// when gzipped), without reading all of it.
func sniffFile(path string, sniff Sniffer) Format {
	f, err := os.Open(path)
	if err != nil {
		return FormatUnknown
	}
	defer f.Close()
	var r io.Reader = f
	head := make([]byte, 2)
	if n, _ := io.ReadFull(f, head); n == 2 && isGzip(head) {
		zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(head), f))
		if err != nil {
			return FormatUnknown
		}
		r = zr
	} else {
		r = io.MultiReader(bytes.NewReader(head[:n]), f)
	}
	buf, _ := io.ReadAll(io.LimitReader(r, SniffSize))
	return sniff(buf, len(buf) < SniffSize)
}

// readAllBounded reads r to the end, refusing more than MaxInputSize
// bytes; it does not decompress.
func readAllBounded(name string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, &InputError{File: name, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	if int64(len(raw)) > MaxInputSize {
		return nil, &InputError{File: name, Msg: fmt.Sprintf("larger than %d GiB", MaxInputSize>>30)}
	}
	return raw, nil
}

// decompress undoes gzip when raw starts with its magic number, in a
// stream: the gate sees the first SniffSize bytes before the rest is
// decompressed, and the rest stops at the gate's limit. Memory is the
// compressed input plus at most the limit.
func decompress(name string, raw []byte, gate Gate) ([]byte, error) {
	if !isGzip(raw) {
		return raw, gateData(name, raw, gate)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, &InputError{File: name, Pos: "byte 0", Msg: "expected a gzip header", Err: err}
	}
	streamErr := func(n int64, err error) error {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &InputError{File: name, Pos: fmt.Sprintf("byte %d of the decompressed data", n), Msg: "truncated gzip stream"}
		}
		return &InputError{File: name, Pos: fmt.Sprintf("byte %d of the decompressed data", n), Msg: "corrupt gzip stream", Err: err}
	}
	head := make([]byte, SniffSize)
	n := 0
	complete := false
	for n < len(head) {
		m, err := zr.Read(head[n:])
		n += m
		if err == io.EOF {
			complete = true
			break
		}
		if err != nil {
			return nil, streamErr(int64(n), err)
		}
	}
	lim := Limit{Max: MaxInputSize, What: "file"}
	if gate != nil {
		l, err := gate(head[:n], complete)
		if err != nil {
			return nil, err
		}
		if l.Max > 0 {
			lim = l
		}
	}
	if complete {
		return head[:n], nil
	}
	var buf bytes.Buffer
	// The gzip trailer holds the size mod 2³²: trust it as a first guess
	// when it is plausible (deflate expands at most about 1032×), so the
	// buffer is allocated once.
	if len(raw) >= 18 {
		if guess := int64(binary.LittleEndian.Uint32(raw[len(raw)-4:])); guess <= lim.Max && guess <= int64(len(raw))*1032 {
			buf.Grow(int(guess) + bytes.MinRead)
		}
	}
	buf.Write(head[:n])
	m, err := io.Copy(&buf, io.LimitReader(zr, lim.Max+1-int64(n)))
	switch {
	case err != nil:
		return nil, streamErr(int64(n)+m, err)
	case int64(buf.Len()) > lim.Max:
		return nil, tooBig(name, "decompresses to more than", lim)
	}
	return buf.Bytes(), nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// unwrapPathError drops the *os.PathError wrapper, whose path the
// InputError already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
