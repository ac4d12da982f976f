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
	check  func(name string, data []byte) error
}

// WithCheck returns the source with check run on its content each time
// Bytes has read it: the caller's test that the input is of the format
// it expects, so that a reader only ever sees the bytes it reads.
func (s Source) WithCheck(check func(name string, data []byte) error) Source {
	s.check = check
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
	data, err := s.read()
	if err == nil && s.check != nil {
		err = s.check(s.Name, data)
	}
	return data, err
}

func (s Source) read() ([]byte, error) {
	if s.onRead != nil {
		s.onRead()
	}
	if s.path == "" {
		return s.data, nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, &InputError{File: s.Name, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > MaxInputSize {
		return readAllBounded(s.Name, f)
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
		return readAllBounded(s.Name, io.MultiReader(bytes.NewReader(buf[:n]), bytes.NewReader(extra[:m]), f))
	}
	return decompressBounded(s.Name, buf[:n])
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
			out = append(out, Source{Name: "<stdin>", data: data})
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
	for _, name := range names {
		path := filepath.Join(dir, name)
		if keep == nil || keep(sniffFile(path, sniff)) {
			out = append(out, Source{Name: path, path: path})
		}
	}
	if len(out) == 0 {
		return nil, &InputError{File: dir, Msg: "directory holds no profile files"}
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

// readAllBounded reads r to the end, undoing gzip when the content starts
// with its magic number, and refuses more than MaxInputSize bytes.
func readAllBounded(name string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, &InputError{File: name, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	return decompressBounded(name, raw)
}

// decompressBounded undoes gzip when raw starts with its magic number.
func decompressBounded(name string, raw []byte) ([]byte, error) {
	if int64(len(raw)) > MaxInputSize {
		return nil, &InputError{File: name, Msg: fmt.Sprintf("larger than %d GiB", MaxInputSize>>30)}
	}
	if !isGzip(raw) {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, &InputError{File: name, Pos: "byte 0", Msg: "expected a gzip header", Err: err}
	}
	var buf bytes.Buffer
	// The gzip trailer holds the size mod 2³²: trust it as a first guess
	// when it is plausible (deflate expands at most about 1032×), so the
	// buffer is allocated once.
	if len(raw) >= 18 {
		if guess := int64(binary.LittleEndian.Uint32(raw[len(raw)-4:])); guess < MaxInputSize && guess <= int64(len(raw))*1032 {
			buf.Grow(int(guess) + bytes.MinRead)
		}
	}
	n, err := io.Copy(&buf, io.LimitReader(zr, MaxInputSize+1))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &InputError{File: name, Pos: fmt.Sprintf("byte %d of the decompressed data", n), Msg: "truncated gzip stream"}
	case err != nil:
		return nil, &InputError{File: name, Pos: fmt.Sprintf("byte %d of the decompressed data", n), Msg: "corrupt gzip stream", Err: err}
	case n > MaxInputSize:
		return nil, &InputError{File: name, Msg: fmt.Sprintf("decompresses to more than %d GiB", MaxInputSize>>30)}
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
