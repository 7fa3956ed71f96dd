package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tribune/tribune/feeds"
)

// Events are stored in a compact binary form rather than JSON: ingest must
// sustain 100k events/s and JSON spends most of that budget on reflection
// and escaping. The layout (version 2):
//
//	[0]     codec version (2; 1 is still read)
//	[1]     Kind
//	[2]     flags: bit 0 Deleted, bit 1 Time is zero, bit 2 Direct
//	[3:11]  keep time: int64 big-endian Unix nanoseconds, the earlier of Time
//	        and when the event was stored; age pruning reads only this
//	        Time as varint Unix seconds and uvarint nanoseconds (absent when zero)
//	        ID, Feed, Platform, Channel, Author, AuthorName, Text, ReplyTo,
//	        Target: each a uvarint length and the bytes (ID first, so that
//	        MarkDeleted can match it without decoding the rest)
//	        uvarint badge count, then each badge as above
//	        Warning, RepostOf as above (version 2 only)
//
// Seq is the key and is not repeated in the value. Time is decoded in UTC.
// A new field gets a new codec version; decodeEvent keeps reading the old.

const (
	eventCodecV1 = 1
	eventCodecV2 = 2
)

const (
	flagDeleted  = 1 << 0
	flagZeroTime = 1 << 1
	flagDirect   = 1 << 2
)

// Offsets in the header: MarkDeleted sets a flag bit without a re-encode,
// pruning reads the keep time without a decode.
const (
	offFlags    = 2
	offKeepTime = 3
	headerLen   = 11
)

var errCorrupt = errors.New("corrupt event record")

// eventSizeBound is an upper bound of the encoded size of ev.
func eventSizeBound(ev *feeds.Event) int {
	const perString = binary.MaxVarintLen64
	n := headerLen + binary.MaxVarintLen64 + binary.MaxVarintLen32 + binary.MaxVarintLen64
	n += len(ev.Feed) + len(ev.Platform) + len(ev.ID) + len(ev.Channel) + len(ev.Author) +
		len(ev.AuthorName) + len(ev.Text) + len(ev.ReplyTo) + len(ev.Target) +
		len(ev.Warning) + len(ev.RepostOf) + 11*perString
	for _, b := range ev.Badges {
		n += perString + len(b)
	}
	return n
}

// appendEvent appends the encoding of ev to dst; keep is the keep time.
func appendEvent(dst []byte, ev *feeds.Event, keep int64) []byte {
	var flags byte
	if ev.Deleted {
		flags |= flagDeleted
	}
	if ev.Time.IsZero() {
		flags |= flagZeroTime
	}
	if ev.Direct {
		flags |= flagDirect
	}
	dst = append(dst, eventCodecV2, byte(ev.Kind), flags)
	dst = binary.BigEndian.AppendUint64(dst, uint64(keep))
	if !ev.Time.IsZero() {
		dst = binary.AppendVarint(dst, ev.Time.Unix())
		dst = binary.AppendUvarint(dst, uint64(ev.Time.Nanosecond()))
	}
	for _, s := range [...]string{ev.ID, ev.Feed, ev.Platform, ev.Channel, ev.Author,
		ev.AuthorName, ev.Text, ev.ReplyTo, ev.Target} {
		dst = appendString(dst, s)
	}
	dst = binary.AppendUvarint(dst, uint64(len(ev.Badges)))
	for _, b := range ev.Badges {
		dst = appendString(dst, b)
	}
	dst = appendString(dst, ev.Warning)
	return appendString(dst, ev.RepostOf)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decodeEvent decodes a stored event. The record is copied once and every
// string field shares that copy, so the result outlives the transaction that
// read v at the cost of one allocation, not one per field.
func decodeEvent(seq uint64, v []byte) (feeds.Event, error) {
	if len(v) < headerLen {
		return feeds.Event{}, errCorrupt
	}
	version := v[0]
	if version != eventCodecV1 && version != eventCodecV2 {
		return feeds.Event{}, fmt.Errorf("event codec version %d: %w", v[0], errCorrupt)
	}
	ev := feeds.Event{Seq: seq, Kind: feeds.Kind(v[1]),
		Deleted: v[offFlags]&flagDeleted != 0, Direct: v[offFlags]&flagDirect != 0}
	r := reader{b: v[headerLen:], s: string(v[headerLen:])}
	if v[offFlags]&flagZeroTime == 0 {
		sec := r.varint()
		nsec := r.uvarint()
		if nsec >= 1e9 {
			r.err = errCorrupt
		}
		ev.Time = time.Unix(sec, int64(nsec)).UTC()
	}
	for _, p := range [...]*string{&ev.ID, &ev.Feed, &ev.Platform, &ev.Channel, &ev.Author,
		&ev.AuthorName, &ev.Text, &ev.ReplyTo, &ev.Target} {
		*p = r.str()
	}
	if n := r.uvarint(); n > 0 && r.err == nil {
		if n > uint64(len(r.b)) { // each badge takes at least one byte
			return feeds.Event{}, errCorrupt
		}
		ev.Badges = make([]string, n)
		for i := range ev.Badges {
			ev.Badges[i] = r.str()
		}
	}
	if version >= eventCodecV2 {
		ev.Warning = r.str()
		ev.RepostOf = r.str()
	}
	if r.err != nil {
		return feeds.Event{}, r.err
	}
	return ev, nil
}

// keepTime reads the keep time of a stored event.
func keepTime(v []byte) (int64, bool) {
	if len(v) < headerLen {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(v[offKeepTime:])), true
}

// eventID returns the ID of a stored event without decoding the rest; the
// result aliases v.
func eventID(v []byte) ([]byte, bool) {
	if len(v) < headerLen {
		return nil, false
	}
	r := reader{b: v[headerLen:]}
	if v[offFlags]&flagZeroTime == 0 {
		r.varint()
		r.uvarint()
	}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		return nil, false
	}
	return r.b[:n], true
}

// reader consumes an encoded record; the first error sticks. s, when set,
// is a copy of the record that str slices its results from.
type reader struct {
	b   []byte
	s   string
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	start := len(r.s) - len(r.b)
	s := r.s[start : start+int(n)]
	r.b = r.b[n:]
	return s
}

// Unix nanoseconds clamped to what an int64 holds (years 1678 to 2262).
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// minuteKey is the Unix second of the UTC minute holding t, sign bit
// flipped so that the big-endian key sorts in time order.
func minuteKey(t time.Time) uint64 {
	s := t.Unix()
	s -= ((s % 60) + 60) % 60
	return uint64(s) ^ (1 << 63)
}

// minuteTime is the inverse of minuteKey.
func minuteTime(k uint64) time.Time {
	return time.Unix(int64(k^(1<<63)), 0).UTC()
}
