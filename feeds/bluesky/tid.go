package bluesky

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// A TID (https://atproto.com/specs/tid) is a 64-bit integer written as 13
// base32-sortable characters: the top bit 0, 53 bits of microseconds since
// the Unix epoch, 10 bits of "clock identifier". Posts, likes and reposts
// use one as their record key.
//
// The record key of every record we create is a TID derived from the
// action's id, never from the clock at send time: a retried action writes
// the same key, so the PDS cannot store it twice. Written by hand: the one
// Go implementation (indigo's atproto/syntax) comes with a large module.

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tidFor returns the record key for the action with id, queued at created.
// The timestamp is the action's creation time (from the id when it has the
// feeds.NewActionID form, else created); the clock identifier is a hash of
// the id, so two actions queued in the same microsecond differ.
func tidFor(id string, created time.Time) string {
	us := created.UnixMicro()
	if ns, ok := actionIDNanos(id); ok {
		us = ns / 1000
	}
	sum := sha256.Sum256([]byte(id))
	clock := uint64(binary.BigEndian.Uint16(sum[:2])) & 0x3ff
	return encodeTID(uint64(max(us, 0)), clock)
}

// actionIDNanos reads the creation time out of a feeds.NewActionID id
// ("%016x-%08x": nanoseconds, then randomness).
func actionIDNanos(id string) (int64, bool) {
	hexNanos, _, ok := strings.Cut(id, "-")
	if !ok || len(hexNanos) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(hexNanos, 16, 64)
	if err != nil || n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

func encodeTID(micros, clock uint64) string {
	v := (micros&(1<<53-1))<<10 | clock&0x3ff
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// validTID reports whether s is a syntactically valid TID.
func validTID(s string) bool {
	if len(s) != 13 || !strings.ContainsRune("234567abcdefghij", rune(s[0])) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(tidAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
