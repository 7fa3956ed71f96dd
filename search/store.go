package search

import (
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
// apostrophes; a text that is not all ASCII (accents fold) always passes
// that test.
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

func (q *Query) mayMatch(r *store.Raw, g []term, need []string) bool {
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
	if len(need) == 0 || !asciiBytes(r.Text) || !asciiBytes(r.Warning) {
		return true
	}
	for _, w := range need {
		if !containsWord(r.Text, w) && !containsWord(r.Warning, w) {
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

// containsWord reports whether the ASCII text holds w (lower case), ASCII
// letters compared without case and apostrophes in text skipped (the
// tokenizer folds "don't" to "dont"). It is a necessary condition of the
// tokenizer's folded word w being in text, not a word match.
func containsWord(text []byte, w string) bool {
	c0 := w[0]
	up := c0
	if c0 >= 'a' && c0 <= 'z' {
		up = c0 - ('a' - 'A')
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c != c0 && c != up {
			continue
		}
		j, k := i+1, 1
		for k < len(w) && j < len(text) {
			c := text[j]
			if c == '\'' {
				j++
				continue
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[k] {
				break
			}
			j++
			k++
		}
		if k == len(w) {
			return true
		}
	}
	return false
}
