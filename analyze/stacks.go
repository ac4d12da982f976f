package analyze

import (
	"encoding/binary"
	"strconv"
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
	stackIDs map[string]int32
	keyBuf   []byte
}

func newStackTable() *stackTable {
	return &stackTable{frameIDs: map[Frame]int32{}, stackIDs: map[string]int32{}, off: []int32{0}}
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

// stack interns a stack of frame ids, innermost first.
func (t *stackTable) stack(ids []int32) int32 {
	t.keyBuf = t.keyBuf[:0]
	for _, id := range ids {
		t.keyBuf = binary.AppendUvarint(t.keyBuf, uint64(id))
	}
	if id, ok := t.stackIDs[string(t.keyBuf)]; ok {
		return id
	}
	id := int32(len(t.off) - 1)
	t.data = append(t.data, ids...)
	t.off = append(t.off, int32(len(t.data)))
	t.stackIDs[string(t.keyBuf)] = id
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
