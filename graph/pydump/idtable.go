package pydump

import "hash/maphash"

// idTable maps Python ids to node indexes: open addressing with linear
// probing. Key and value share a slot: one cache miss per lookup.
//
// Ids come from the dump, so whoever writes the dump chooses them. A fixed
// hash lets them choose ids that all land in one slot and turn every
// lookup into a walk over the whole table: with the Fibonacci hash this
// table first used (the top bits of id × 0x9E3779B97F4A7C15), the ids
// j × 0x9E3779B97F4A7C15⁻¹ mod 2⁶⁴ for j = 1, 2, … all hash to slot 0,
// and 200,000 objects took 21 s to read instead of 65 ms. So the slot is
// the runtime's own seeded hash (hash/maphash, the one Go maps use against
// hash flooding) under a seed drawn afresh for every table, which a dump
// cannot predict. It costs a few nanoseconds per lookup, against the cache
// miss of the probe itself.
type idTable struct {
	slots []idSlot
	n     int
	shift uint
	seed  maphash.Seed
}

type idSlot struct {
	key uint64
	val int32 // node index + 1; 0 is an empty slot
}

func (t *idTable) init(hint int) {
	size, bits := 16, uint(4)
	for size*3/4 < hint {
		size <<= 1
		bits++
	}
	t.slots = make([]idSlot, size)
	t.n = 0
	t.shift = 64 - bits
	t.seed = maphash.MakeSeed() // grow re-adds every key, so a new seed is fine
}

// slot is k's home slot: the top bits of its seeded hash.
func (t *idTable) slot(k uint64) int {
	return int(maphash.Comparable(t.seed, k) >> t.shift)
}

func (t *idTable) get(k uint64) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.val == 0 {
			return -1, false
		}
		if s.key == k {
			return s.val - 1, true
		}
	}
}

// put adds k → v, or returns the index k already has.
func (t *idTable) put(k uint64, v int32) (int32, bool) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case s.val == 0:
			s.key, s.val = k, v+1
			t.n++
			return v, false
		case s.key == k:
			return s.val - 1, true
		}
	}
}

func (t *idTable) grow() {
	old := t.slots
	t.init(max(16, len(old)))
	for _, s := range old {
		if s.val != 0 {
			t.put(s.key, s.val-1)
		}
	}
}
