package sanitize

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// This file cuts an over-long result without splitting a user-perceived
// character: the cut falls between extended grapheme clusters (UAX #29, by
// github.com/rivo/uniseg), so a base keeps its marks, an emoji its
// modifiers and joined parts, a flag both its letters.

const (
	zwj      = '\u200D'
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
	budget := max - 1 // room for the ellipsis
	// Segment from a point a boundary surely precedes, a little before the
	// budget runs out, rather than from the start of a long text: UAX #29
	// never joins a printable ASCII character to what comes before it
	// (save LF after CR).
	hard := len(out)
	for n := count; n > budget; n-- {
		_, size := utf8.DecodeLastRuneInString(out[:hard])
		hard -= size
	}
	from, back := hard, 0
	for from > 0 {
		if back > maxBackoff && out[from] >= 0x20 && out[from] < 0x7f {
			break
		}
		_, size := utf8.DecodeLastRuneInString(out[:from])
		from -= size
		back++
	}
	// k is the end of the last whole cluster within the budget.
	k, runes, state := from, budget-back, -1
	for rest := out[from:]; rest != ""; {
		cluster, next, _, st := uniseg.FirstGraphemeClusterInString(rest, state)
		n := utf8.RuneCountInString(cluster)
		if runes+n > budget {
			break
		}
		k, runes, rest, state = k+len(cluster), runes+n, next, st
	}
	if budget-runes > maxBackoff {
		k = hard // no boundary in reach: cut where the budget says
	}
	// A joiner just before the ellipsis would join with it, and
	// whitespace only pads it.
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(out[:k])
		if r != zwj && r != ' ' && r != '\n' && !isZs(r) {
			break
		}
		k -= size
	}
	return out[:k] + ellipsis
}
