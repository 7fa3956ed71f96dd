package sanitize

import (
	"unicode"
	"unicode/utf8"
)

// This file cuts an over-long result without splitting a user-perceived
// character. The standard library has no grapheme segmentation, so
// breakAllowed approximates the extended grapheme cluster rules of UAX #29
// that matter for chat text: a base and its combining marks, variation
// selectors, emoji modifiers and tag sequences; ZWJ emoji sequences;
// regional-indicator pairs (flags); Hangul syllables built from jamo. The
// rules it leaves out (prepended concatenation marks, Indic conjunct
// breaks) at worst let a cut fall inside a rare cluster, which is harmless:
// the result is still valid, clean text.

const (
	zwj      = '\u200D'
	zwnj     = '\u200C'
	ellipsis = "…"

	// maxBackoff bounds how far a cut may move back to reach a cluster
	// boundary. Real clusters are short (the longest emoji ZWJ sequences
	// with skin tones are about a dozen runes; marks are capped at
	// maxMarks); a longer "cluster" is a ZWJ chain made up to defeat the
	// cut, and is cut where the rune budget says.
	maxBackoff = 32
)

// cut returns the first runes of out, which holds more than max runes of
// clean text, followed by "…", in at most max runes in all. The cut falls on
// a cluster boundary where one is within reach and whitespace before the
// ellipsis is dropped.
func cut(out string, count, max int) string {
	// Keep at most max-1 runes to leave room for the ellipsis. out holds
	// count > max runes; find where rune max-1 starts by walking back.
	k := len(out)
	for n := count; n > max-1; n-- {
		_, size := utf8.DecodeLastRuneInString(out[:k])
		k -= size
	}
	hard := k
	for steps := 0; k > 0; steps++ {
		if steps == maxBackoff {
			k = hard
			// No boundary in reach: cut where the budget says, but do
			// not leave a joiner dangling in front of the ellipsis.
			for k > 0 {
				r, size := utf8.DecodeLastRuneInString(out[:k])
				if r != zwj {
					break
				}
				k -= size
			}
			break
		}
		prev, size := utf8.DecodeLastRuneInString(out[:k])
		next, _ := utf8.DecodeRuneInString(out[k:])
		if breakAllowed(out[:k], prev, next) {
			break
		}
		k -= size
	}
	// Whitespace just before the ellipsis only pads it.
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(out[:k])
		if r != ' ' && r != '\n' && !isZs(r) {
			break
		}
		k -= size
	}
	return out[:k] + ellipsis
}

// breakAllowed reports whether a grapheme cluster boundary may fall between
// prev and next. before is the text that ends with prev.
func breakAllowed(before string, prev, next rune) bool {
	if prev == zwj {
		// GB11 keeps an emoji ZWJ sequence together. Breaking after any
		// ZWJ is never right for display either: the joiner would then
		// try to join with the ellipsis.
		return false
	}
	if extends(next) {
		return false // GB9, GB9a
	}
	if isRI(prev) && isRI(next) {
		// GB12, GB13: flags pair regional indicators from the start of
		// the run, so a break is allowed only after an even count.
		n := 0
		for s := before; len(s) > 0; {
			r, size := utf8.DecodeLastRuneInString(s)
			if !isRI(r) {
				break
			}
			n++
			s = s[:len(s)-size]
		}
		return n%2 == 0
	}
	// GB6–GB8: Hangul syllable sequences.
	p, q := hangul(prev), hangul(next)
	switch {
	case p == hL && (q == hL || q == hV || q == hLV || q == hLVT):
		return false
	case (p == hLV || p == hV) && (q == hV || q == hT):
		return false
	case (p == hLVT || p == hT) && q == hT:
		return false
	}
	return true
}

// extends reports whether r continues the cluster before it rather than
// starting one (Grapheme_Cluster_Break Extend, ZWJ or SpacingMark, near
// enough).
func extends(r rune) bool {
	if r < 0x300 {
		return false
	}
	switch {
	case r == zwj || r == zwnj:
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin-tone modifiers
		return true
	case r >= 0xE0020 && r <= 0xE007F: // tags (subdivision flags)
		return true
	case r == 0xFF9E || r == 0xFF9F: // halfwidth katakana voiced marks
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

func isRI(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

type hangulKind uint8

const (
	hNone hangulKind = iota
	hL
	hV
	hT
	hLV
	hLVT
)

func hangul(r rune) hangulKind {
	switch {
	case r < 0x1100:
		return hNone
	case r <= 0x115F, r >= 0xA960 && r <= 0xA97C:
		return hL
	case r <= 0x11A7, r >= 0xD7B0 && r <= 0xD7C6:
		return hV
	case r <= 0x11FF, r >= 0xD7CB && r <= 0xD7FB:
		return hT
	case r >= 0xAC00 && r <= 0xD7A3:
		if (r-0xAC00)%28 == 0 {
			return hLV
		}
		return hLVT
	}
	return hNone
}
