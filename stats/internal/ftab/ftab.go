// Package ftab is a read-only hash table from short byte strings (folded
// tokens) to int32 values, built once and then looked up without
// allocating. It backs the watch-word matcher, the sentiment lexicon and the
// stop-word lists: a Go map indexed with string(b) does not allocate either,
// but this table is about three times faster on 3-10 byte keys, and the
// per-event budget is a few hundred nanoseconds for everything.
//
// A Table is safe for concurrent lookups once built.
package ftab

import (
	"encoding/binary"
	"math/bits"
)

// Table maps keys to values. The zero Table is empty and usable.
type Table struct {
	slots []slot
	keys  []byte // all keys, concatenated
	mask  uint64
	n     int
	// filter has a bit set for the filterKey of every key: most keys
	// not in the table (most words of a message are in no list) are
	// turned away by one bit test, before any hashing.
	filter *[filterBits / 64]uint64
}

// filterBits is the size of Table.filter: 2 KiB, which keeps a few
// thousand keys at a few percent of false positives.
const filterBits = 1 << 14

// filterKey is the index in Table.filter of a non-empty key: its length
// and first, middle and last bytes, mixed.
func filterKey(b []byte) uint32 {
	l := len(b)
	x := uint32(b[0]) | uint32(b[l/2])<<8 | uint32(b[l-1])<<16 | uint32(l)<<24
	return (x * 0x9E3779B1) >> (32 - 14)
}

type slot struct {
	hash uint64
	off  uint32
	n    uint32 // key length; 0 marks an empty slot
	val  int32
}

// Hash returns the hash Table uses for b. Callers that look up the same key
// in several tables may compute it once and use GetHash.
func Hash(b []byte) uint64 {
	const k = 0x9E3779B97F4A7C15
	h := uint64(len(b)) * k
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * k
		h ^= h >> 29
		b = b[8:]
	}
	if len(b) > 0 {
		var w uint64
		for i, c := range b {
			w |= uint64(c) << (8 * i)
		}
		h = (h ^ w) * k
	}
	hi, lo := bits.Mul64(h, 0xD6E8FEB86659FD93)
	return hi ^ lo
}

// Len reports the number of keys.
func (t *Table) Len() int { return t.n }

// Get returns the value stored for key.
func (t *Table) Get(key []byte) (int32, bool) {
	if t.n == 0 || len(key) == 0 {
		return 0, false
	}
	if k := filterKey(key); t.filter[k/64]&(1<<(k%64)) == 0 {
		return 0, false
	}
	return t.GetHash(Hash(key), key)
}

// GetHash is Get with the key's Hash already computed.
func (t *Table) GetHash(h uint64, key []byte) (int32, bool) {
	if t.n == 0 {
		return 0, false
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			return 0, false
		}
		if s.hash == h && int(s.n) == len(key) && string(t.keys[s.off:s.off+s.n]) == string(key) {
			return s.val, true
		}
	}
}

// Set stores val for key, replacing any earlier value. It is meant for
// building: it may allocate, and must not run concurrently with lookups.
// Empty keys are ignored.
func (t *Table) Set(key []byte, val int32) {
	if len(key) == 0 {
		return
	}
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	if t.filter == nil {
		t.filter = new([filterBits / 64]uint64)
	}
	k := filterKey(key)
	t.filter[k/64] |= 1 << (k % 64)
	h := Hash(key)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			*s = slot{hash: h, off: uint32(len(t.keys)), n: uint32(len(key)), val: val}
			t.keys = append(t.keys, key...)
			t.n++
			return
		}
		if s.hash == h && int(s.n) == len(key) && string(t.keys[s.off:s.off+s.n]) == string(key) {
			s.val = val
			return
		}
	}
}

// SetString is Set with a string key.
func (t *Table) SetString(key string, val int32) { t.Set([]byte(key), val) }

func (t *Table) grow() {
	old := t.slots
	size := 16
	if len(old) > 0 {
		size = 2 * len(old)
	}
	t.slots = make([]slot, size)
	t.mask = uint64(size - 1)
	for _, s := range old {
		if s.n == 0 {
			continue
		}
		for i := s.hash & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].n == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// Each calls fn for every key and value, in no particular order.
func (t *Table) Each(fn func(key []byte, val int32)) {
	for _, s := range t.slots {
		if s.n != 0 {
			fn(t.keys[s.off:s.off+s.n], s.val)
		}
	}
}
