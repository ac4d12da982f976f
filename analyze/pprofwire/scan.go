package pprofwire

import "fmt"

// profileFields gives the protobuf wire type of every field of the
// perftools.profiles.Profile message (profile.proto). Field 13 (comment) is
// a repeated int64 and may be packed.
var profileFields = [...]int8{
	1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 2, 12: 0, 13: -1, 14: 0, 15: 0,
}

// Error is a position in a protobuf message and what was wrong there.
type Error struct {
	Off int
	Msg string
	Cut bool // the data ended inside a field
}

func (e *Error) Error() string { return fmt.Sprintf("byte %d: %s", e.Off, e.Msg) }

// Scan walks the top-level fields of a Profile message without decoding
// them. It accepts only known field numbers with their wire types, and
// lengths that fit, so that text or another binary format does not pass for
// a profile. It returns how many string_table entries it saw.
func Scan(b []byte) (strings int, err error) {
	off := 0
	for off < len(b) {
		start := off
		tag, n := uvarint(b[off:])
		if n <= 0 {
			return strings, &Error{start, "expected a field tag, found a broken varint", len(b)-start < 10}
		}
		off += n
		field, wire := tag>>3, int8(tag&7)
		if field == 0 || field >= uint64(len(profileFields)) {
			return strings, &Error{start, fmt.Sprintf("expected a Profile field, found field number %d", field), false}
		}
		want := profileFields[field]
		if want >= 0 && wire != want || want < 0 && wire != 0 && wire != 2 {
			return strings, &Error{start, fmt.Sprintf("field %d has wire type %d, expected %d", field, wire, max(want, 0)), false}
		}
		switch wire {
		case 0:
			if _, n := uvarint(b[off:]); n <= 0 {
				return strings, &Error{off, fmt.Sprintf("field %d: truncated varint", field), true}
			} else {
				off += n
			}
		case 2:
			l, n := uvarint(b[off:])
			if n <= 0 {
				return strings, &Error{off, fmt.Sprintf("field %d: truncated length", field), true}
			}
			off += n
			if l > uint64(len(b)-off) {
				return strings, &Error{off, fmt.Sprintf("field %d needs %d bytes, only %d left (truncated file?)", field, l, len(b)-off), true}
			}
			off += int(l)
			if field == 6 {
				strings++
			}
		}
	}
	if strings == 0 {
		return 0, &Error{len(b), "no string table: not a pprof profile", true}
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

// StartsLikeProfile reports whether data begins with the tag of one of
// the Profile message's length-delimited fields, as every producer's
// output does (sample_type, field 1, comes first from Go).
func StartsLikeProfile(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	f, w := int(data[0]>>3), data[0]&7
	return w == 2 && f > 0 && f < len(profileFields) && profileFields[f] == 2
}
