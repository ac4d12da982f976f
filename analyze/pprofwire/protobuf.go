package pprofwire

import "fmt"

// This file reads protobuf wire format: varints, length-delimited fields
// and packed repeated integers, with the offset of the first error.

// pbuf reads protobuf fields from a byte slice, remembering the first error
// with its offset in the whole file.
type pbuf struct {
	b    []byte
	off  int // position in b
	base int // offset of b[0] in the file
	err  *Error
}

func (p *pbuf) fail(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{Off: p.base + off, Msg: fmt.Sprintf(format, args...)}
	}
	p.off = len(p.b)
}

func (p *pbuf) more() bool { return p.err == nil && p.off < len(p.b) }

func (p *pbuf) varint() uint64 {
	b := p.b[p.off:]
	// Fast path: one byte.
	if len(b) > 0 && b[0] < 0x80 {
		p.off++
		return uint64(b[0])
	}
	v, n := uvarint(b)
	if n <= 0 {
		p.fail(p.off, "truncated or overlong varint")
		return 0
	}
	p.off += n
	return v
}

// field reads a tag and returns the field number and wire type.
func (p *pbuf) field() (int, int) {
	tag := p.varint()
	return int(tag >> 3), int(tag & 7)
}

// bytes reads a length-delimited field's payload.
func (p *pbuf) bytes() (payload []byte, start int) {
	l := p.varint()
	if p.err != nil {
		return nil, 0
	}
	if l > uint64(len(p.b)-p.off) {
		p.fail(p.off, "a field of %d bytes runs past the end of its message (%d bytes left)", l, len(p.b)-p.off)
		return nil, 0
	}
	start = p.off
	p.off += int(l)
	return p.b[start:p.off], p.base + start
}

// skip skips a field of the given wire type.
func (p *pbuf) skip(wire int) {
	switch wire {
	case 0:
		p.varint()
	case 1:
		p.advance(8)
	case 2:
		p.bytes()
	case 5:
		p.advance(4)
	default:
		p.fail(p.off, "unsupported wire type %d", wire)
	}
}

func (p *pbuf) advance(n int) {
	if len(p.b)-p.off < n {
		p.fail(p.off, "truncated fixed-size field")
		return
	}
	p.off += n
}

// sub returns a reader over an embedded message.
func (p *pbuf) sub() pbuf {
	b, start := p.bytes()
	return pbuf{b: b, base: start}
}

// int64s reads a repeated integer field given either packed (wire type 2)
// or one element per field (wire type 0), appending to dst.
func (p *pbuf) int64s(wire int, dst []int64) []int64 {
	if wire == 0 {
		return append(dst, int64(p.varint()))
	}
	if wire != 2 {
		p.fail(p.off, "repeated integer field with wire type %d", wire)
		return dst
	}
	q := p.sub()
	for q.more() {
		dst = append(dst, int64(q.varint()))
	}
	if q.err != nil && p.err == nil {
		p.err = q.err
	}
	return dst
}

// take adopts a sub-reader's error.
func (p *pbuf) take(q *pbuf) {
	if q.err != nil && p.err == nil {
		p.err = q.err
		p.off = len(p.b)
	}
}

// eachVarint calls f for every varint field of a message and skips the
// fields of other wire types.
func (q *pbuf) eachVarint(f func(num int, v uint64)) {
	for q.more() {
		num, wire := q.field()
		if wire != 0 {
			q.skip(wire)
			continue
		}
		f(num, q.varint())
	}
}
