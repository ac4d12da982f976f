package analyze

import (
	"slices"
	"strconv"
	"strings"
)

// Frame is one source position of a call stack. Samples are keyed by
// frames, never by addresses or location ids, which change with every
// build.
type Frame struct {
	Func string `json:"function"`
	File string `json:"file"`
	Line int64  `json:"line"`
}

// String formats the frame as "pkg.Func file:line".
func (f Frame) String() string {
	return f.Func + " " + f.File + ":" + strconv.FormatInt(f.Line, 10)
}

// stackTable interns frames and stacks across all snapshots of a series, so
// that a stack id means the same call stack in every snapshot. Stacks are
// kept flat: stack i is frames data[off[i]:off[i+1]], innermost first.
type stackTable struct {
	frames   []Frame
	frameIDs map[Frame]int32
	data     []int32
	off      []int32
	hashes   []uint64 // per stack
	slots    []int32  // open-addressing hash table: stack id + 1, or 0
}

func newStackTable() *stackTable {
	return &stackTable{frameIDs: map[Frame]int32{}, off: []int32{0}, slots: make([]int32, 1024)}
}

// reserve makes room for the stacks of the first profile of a series, n
// stacks of about depth frames each; later profiles mostly repeat them.
func (t *stackTable) reserve(n, depth int) {
	if len(t.hashes) > 0 {
		return
	}
	t.data = slices.Grow(t.data, n*depth)
	t.off = slices.Grow(t.off, n)
	t.hashes = slices.Grow(t.hashes, n)
	size := len(t.slots)
	for 2*n > size {
		size *= 2
	}
	if size > len(t.slots) {
		t.rehash(size)
	}
}

// rehash moves the hash table to size slots (a power of two).
func (t *stackTable) rehash(size int) {
	t.slots = make([]int32, size)
	mask := uint64(size - 1)
	for id, h := range t.hashes {
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = int32(id + 1)
	}
}

func (t *stackTable) frame(f Frame) int32 {
	if id, ok := t.frameIDs[f]; ok {
		return id
	}
	id := int32(len(t.frames))
	t.frames = append(t.frames, f)
	t.frameIDs[f] = id
	return id
}

// frameView interns a frame whose strings may be views of a buffer that
// will be reused: they are copied only when the frame is new.
func (t *stackTable) frameView(f Frame) int32 {
	if id, ok := t.frameIDs[f]; ok {
		return id
	}
	return t.frame(Frame{Func: strings.Clone(f.Func), File: strings.Clone(f.File), Line: f.Line})
}

// stack interns a stack of frame ids, innermost first. Stacks live in an
// open-addressing hash table with linear probing, kept at most half full;
// the full hash is compared before the frames.
func (t *stackTable) stack(ids []int32) int32 {
	h := uint64(len(ids)) * 0x9e3779b97f4a7c15
	for _, id := range ids {
		h = (h ^ uint64(uint32(id))) * 0x100000001b3
		h ^= h >> 29
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for {
		s := t.slots[i]
		if s == 0 {
			break
		}
		if id := s - 1; t.hashes[id] == h && slices.Equal(t.frameIDsOf(id), ids) {
			return id
		}
		i = (i + 1) & mask
	}
	id := int32(len(t.hashes))
	t.data = append(t.data, ids...)
	t.off = append(t.off, int32(len(t.data)))
	t.hashes = append(t.hashes, h)
	t.slots[i] = id + 1
	if 2*len(t.hashes) > len(t.slots) {
		t.rehash(2 * len(t.slots))
	}
	return id
}

func (t *stackTable) frameIDsOf(stack int32) []int32 {
	return t.data[t.off[stack]:t.off[stack+1]]
}

func (t *stackTable) numStacks() int { return len(t.off) - 1 }

// framesOf returns the frames of a stack, innermost first.
func (t *stackTable) framesOf(stack int32) []Frame {
	ids := t.frameIDsOf(stack)
	out := make([]Frame, len(ids))
	for i, id := range ids {
		out[i] = t.frames[id]
	}
	return out
}
