package search

import (
	"bytes"
	"strings"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// Filter is the query as a store.Filter for store.Search and
// store.Events: Prefilter rules most events out before they are decoded,
// Keep is Match with f.
func (q *Query) Filter(f Facts) store.Filter {
	sf := store.Filter{Prefilter: q.Prefilter}
	if !q.Empty() {
		sf.Keep = func(ev *feeds.Event) bool { return q.Match(ev, f) }
	}
	return sf
}

// Prefilter reports whether a stored event may match, from its raw
// fields: false only when it cannot. It tests the feed, platform,
// author and times exactly, and for the words a run of terms needs, that
// each is in the text or content warning, ignoring ASCII case and
// apostrophes, counting any other character as what it may fold to
// (see needle.mayContain).
func (q *Query) Prefilter(r *store.Raw) bool {
	if r.Kind == feeds.KindDelete {
		return false
	}
	if len(q.groups) == 0 {
		return true
	}
	for gi, g := range q.groups {
		if q.mayMatch(r, g, q.need[gi]) {
			return true
		}
	}
	return false
}

func (q *Query) mayMatch(r *store.Raw, g []term, need []*needle) bool {
	for i := range g {
		t := &g[i]
		v, known := false, true
		switch t.kind {
		case kFeed:
			v, known = rawFoldEqual(r.Feed, t.str, false)
		case kOn:
			v, known = rawFoldEqual(r.Platform, t.str, false)
		case kFrom:
			v, known = rawAuthorIs(r.Author, r.AuthorName, t.str, t.pre)
		case kAfter:
			v = !r.Time.Before(t.t)
		case kBefore:
			v = r.Time.Before(t.t)
		default:
			known = false // decided once decoded
		}
		if known && v == t.neg {
			return false
		}
	}
	for _, w := range need {
		if !w.mayContain(r.Text) && !w.mayContain(r.Warning) {
			return false
		}
	}
	return true
}

// rawFoldEqual is foldEqual for a raw field. A field that is not ASCII
// may fold to anything: known is false.
func rawFoldEqual(b []byte, want string, prefix bool) (eq, known bool) {
	if !asciiBytes(b) {
		return false, false
	}
	if len(b) < len(want) || (!prefix && len(b) != len(want)) {
		return false, true
	}
	for i := 0; i < len(want); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false, true
		}
	}
	return true, true
}

// rawAuthorIs is authorIs for raw fields; known is false when that
// cannot be told without folding.
func rawAuthorIs(handle, name []byte, want string, prefix bool) (is, known bool) {
	if len(handle) > 0 && handle[0] == '@' {
		handle = handle[1:]
	}
	if !asciiBytes(handle) || !asciiBytes(name) {
		return false, false
	}
	if eq, _ := rawFoldEqual(handle, want, prefix); eq {
		return true, true
	}
	if len(name) > 0 {
		if eq, _ := rawFoldEqual(name, want, prefix); eq {
			return true, true
		}
	}
	for i, c := range handle {
		if c == '@' || c == '.' {
			eq, _ := rawFoldEqual(handle[:i], want, prefix)
			return i > 0 && eq, true
		}
	}
	return false, true
}

// asciiBytes reports whether b is all ASCII, eight bytes at a time.
func asciiBytes(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
			uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
		if x&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return false
		}
	}
	return true
}

// needle is a folded ASCII word a text must contain, compiled for
// mayContain: at[c] has bit k set when the word's byte k is c.
type needle struct {
	at   [128]uint64
	last uint64 // the bit of the word's last byte
	// rare is the word's byte least likely in chat, and its upper case:
	// an ASCII text with neither cannot hold the word.
	rare, rareUp byte
}

// byFrequency are the letters from the most to the least common in
// French and English chat; a digit or a sign is rarer than any.
const byFrequency = "etaoinsrhldcumfpgwybvkxjqz"

func newNeedle(w string) *needle {
	n := &needle{last: 1 << (len(w) - 1)}
	best := -1
	for k := 0; k < len(w); k++ {
		rank := strings.IndexByte(byFrequency, w[k])
		if rank < 0 {
			rank = len(byFrequency)
		}
		if rank > best {
			best, n.rare, n.rareUp = rank, w[k], w[k]
			if w[k] >= 'a' && w[k] <= 'z' {
				n.rareUp = w[k] - ('a' - 'A')
			}
		}
	}
	for k := 0; k < len(w); k++ {
		n.at[w[k]] |= 1 << k
		if c := w[k]; c >= 'a' && c <= 'z' {
			n.at[c-'a'+'A'] |= 1 << k
		}
	}
	return n
}

// mayContain reports whether text may hold a token that folds to the
// needle's word; false only when none can. Folding (textnorm) maps an
// ASCII letter or digit to itself in lower case, drops an apostrophe
// inside a word, and maps any other rune to at most: two ASCII bytes for
// a two-byte rune ("æ" → "ae", "ß" → "ss", "é" → "e", a combining mark →
// nothing), three for a three-byte one ("ﬃ" → "ffi", "ẞ" → "ss", "Ｈ" →
// "h", "K" → "k"), one for a four-byte one ("𝐇" → "h"). So a match is a
// run of text where each ASCII byte is the word's next byte, apostrophes
// are skipped, and each other rune stands for up to that many bytes of
// the word. This follows every such run at once (bit k of d: the word's
// first k+1 bytes are matched so far), a shift and a mask per byte: the
// shift-and algorithm with wildcards. An ASCII text without the word's
// rarest letter is ruled out before that, by a vectorized byte search.
func (n *needle) mayContain(text []byte) bool {
	if bytes.IndexByte(text, n.rare) < 0 && (n.rareUp == n.rare || bytes.IndexByte(text, n.rareUp) < 0) && asciiBytes(text) {
		return false
	}
	var d uint64
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c < 0x80 && c != '\'':
			d = (d<<1 | 1) & n.at[c]
		case c == '\'':
			// Dropped inside a word; no word starts with one.
		case c >= 0xF0: // the first byte of a four-byte rune
			d |= d<<1 | 1
		case c >= 0xE0: // three bytes
			d |= d<<1 | d<<2 | d<<3 | 0b111
		case c >= 0xC0: // two bytes
			d |= d<<1 | d<<2 | 0b11
		default: // a continuation byte: the rune is counted once
			continue
		}
		if d&n.last != 0 {
			return true
		}
	}
	return false
}
