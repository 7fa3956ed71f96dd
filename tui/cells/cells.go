// Package cells is how the TUI measures and shapes text on the screen:
// one width function, and the display copy of untrusted text.
//
// Terminals disagree about how wide some character sequences are: tmux,
// xterm, VTE and Apple Terminal add up the width of each code point
// (wcwidth), while kitty, WezTerm, foot, Ghostty and Windows Terminal
// measure grapheme clusters. A skin-tone emoji (👍🏽) is 4 columns in the
// first and 2 in the second; a ZWJ family (👨‍👩‍👧) 6 or 2; ❤️ (VS16) 1 or 2.
// A row the terminal draws wider than the program measured shifts the
// whole screen, and any sender can do that on purpose. So the screen shows
// a display copy whose every cluster is as wide under both measures:
// modifiers, joiners and variation selectors are dropped where they make
// the measures differ (👍🏽 shows 👍, 👨‍👩‍👧 shows 👨👩👧, ❤️ shows ❤), and a lone
// regional indicator shows its letter.
//
// Scripts whose clusters hold more than one spacing character (an Indic
// conjunct क्ष, a vowel sign ि or ொ, Thai ำ, a halfwidth voiced mark ｶﾞ)
// are drawn one cell per spacing character by the first terminals and one
// cluster wide by the second. Their display copy keeps every character and
// separates the cluster with zero-width spaces (U+200B, a cluster break in
// every Unicode version) before each spacing character: क्‌ष becomes
// क्, ZWSP, ष, as wide under both measures, drawn as the first terminals
// always drew it. A spacing mark that starts a run of text (styled apart
// from its base) gets one in front, so no terminal joins it across the
// styling. Only what still differs after that shows its first character.
// The stored text is never changed.
package cells

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Width is the width of s in cells, escape sequences aside: the one width
// function of the TUI. On a display copy every terminal agrees with it.
func Width(s string) int { return ansi.StringWidth(s) }

// BlockWidth is the width of the widest line of s.
func BlockWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, Width(line))
	}
	return w
}

// Truncate cuts s, escape sequences kept, to at most w cells, ending with
// tail when it cuts.
func Truncate(s string, w int, tail string) string { return ansi.Truncate(s, w, tail) }

// Wrap wraps s to lines of at most w cells, at spaces where it can.
func Wrap(s string, w int) string { return ansi.Wrap(s, w, "") }

// Fit makes one styled line exactly w cells wide: its display copy, cut or
// padded with spaces.
func Fit(s string, w int) string {
	s = Safe(s)
	n := Width(s)
	if n > w {
		s = Truncate(s, w, "")
		n = Width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Safe returns the display copy of s, which may hold escape sequences (our
// own styling): they are kept, and the text between them is made as wide
// under every terminal's measure. Text that needs nothing is returned as
// it is, without allocating.
func Safe(s string) string {
	// An edit can make a cluster of what were two (a kept first letter
	// joining the next one), so look again until nothing changes.
	for range 3 {
		t := safeOnce(s)
		if t == s {
			break
		}
		s = t
	}
	return s
}

func safeOnce(s string) string {
	if plain(s) {
		return s
	}
	// Escape sequences end clusters, for Width as for the terminals that
	// would join across them, so each run of text between them is made
	// safe on its own.
	var b strings.Builder // the copy, begun at the first change
	copied := 0           // s[:copied] is in b
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != 0x1b {
			j++
		}
		if run := s[i:j]; !plain(run) {
			if t := safeRun(run); t != run {
				b.WriteString(s[copied:i])
				b.WriteString(t)
				copied = j
			}
		}
		i = j
	}
	if copied == 0 {
		return s
	}
	b.WriteString(s[copied:])
	return b.String()
}

// safeRun is the display copy of text without escape sequences.
func safeRun(text string) string {
	edits := plan(text)
	switch first, _ := utf8.DecodeRuneInString(text); {
	case extender(first):
		// The rest of a cluster styled apart from its start: a
		// terminal may join it to what came before.
		if edits == nil {
			edits = keepAll(text)
		}
		edits[0] = drop
	case spacingJoiner(first):
		// A spacing mark styled apart from its base: kept, behind a
		// break so that no terminal joins it to what came before.
		if edits == nil {
			edits = keepAll(text)
		}
		if edits[0] == keep {
			edits[0] = split
		}
	}
	if edits == nil {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	r := 0
	for _, c := range text {
		switch e := edits[r]; e {
		case keep:
			b.WriteRune(c)
		case drop:
		case split:
			b.WriteRune(zwsp)
			b.WriteRune(c)
		default:
			b.WriteRune(e)
		}
		r++
	}
	return b.String()
}

func keepAll(text string) []rune {
	edits := make([]rune, utf8.RuneCountInString(text))
	for i := range edits {
		edits[i] = keep
	}
	return edits
}

// extender reports whether r only ever changes the cluster before it:
// joiners, variation selectors, skin tones.
func extender(r rune) bool {
	return r == '\u200d' || r == '\ufe0f' || r == '\ufe0e' || r >= 0x1f3fb && r <= 0x1f3ff
}

// Edits of one rune: keep it, drop it, keep it behind a zero-width space,
// or show another rune instead.
const (
	keep  rune = -1
	drop  rune = -2
	split rune = -3
)

// zwsp is the zero-width space: a cluster break in every Unicode version
// (Grapheme_Cluster_Break=Control), zero cells wide in every terminal.
const zwsp = '\u200b'

// spacingJoiner reports whether r takes a cell of its own in the terminals
// that add up code points yet joins the cluster before it (a spacing
// vowel sign, a halfwidth voiced mark).
func spacingJoiner(r rune) bool {
	if r < 0x0300 || ansi.StringWidthWc(string(r)) == 0 {
		return false
	}
	pair := "a" + string(r)
	c, _ := ansi.FirstGraphemeCluster(pair, ansi.GraphemeWidth)
	return c == pair
}

// plain reports whether s certainly needs no edit: every rune is one that
// every terminal draws alone as wide as Width says (Latin, Greek, Cyrillic
// and their accents; punctuation, arrows, box drawing, shapes and the
// other symbols the panes draw with). Anything else takes the long way.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if !simple(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func simple(r rune) bool {
	switch {
	case r < 0x0530:
		return true
	case r < 0x2010, r >= 0x2028 && r <= 0x202f, r >= 0x2060 && r <= 0x206f:
		return false // other scripts; invisible and format characters
	case r <= 0x2bff:
		return !ri(r)
	}
	return false
}

func ri(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

// plan returns an edit for each rune of text, or nil when every cluster is
// already as wide under both measures.
func plan(text string) []rune {
	var edits []rune
	r := 0
	for rest := text; rest != ""; {
		// The clusters Width measures, not another library's idea of them.
		cluster, _ := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		n := utf8.RuneCountInString(cluster)
		if n > 1 || cluster[0] >= utf8.RuneSelf {
			if e := fix(cluster); e != nil {
				if edits == nil {
					edits = keepAll(text)
				}
				copy(edits[r:], e)
			}
		}
		r += n
		rest = rest[len(cluster):]
	}
	return edits
}

// agrees reports whether every terminal draws s, one or more clusters, as
// wide as the TUI measures it.
func agrees(s string) bool { return ansi.StringWidthWc(s) == ansi.StringWidth(s) }

// fix returns the edits of one cluster's runes that make it agree, or nil
// when it already does.
func fix(cluster string) []rune {
	if agrees(cluster) {
		return nil
	}
	runes := []rune(cluster)
	edits := make([]rune, len(runes))
	var kept []rune
	for i, c := range runes {
		switch {
		case extender(c):
			edits[i] = drop
		default:
			edits[i] = keep
			kept = append(kept, c)
		}
	}
	if len(kept) == 1 && ri(kept[0]) {
		// A regional indicator without its pair: its letter.
		for i := range edits {
			if edits[i] == keep {
				edits[i] = 'A' + runes[i] - 0x1f1e6
			}
		}
		return edits
	}
	if len(kept) > 0 && agrees(string(kept)) {
		return edits
	}
	// Several spacing characters in one cluster (a conjunct, a vowel
	// sign, a halfwidth voiced mark): each begins a cluster of its own.
	var b strings.Builder
	for i, c := range runes {
		if edits[i] != keep {
			continue
		}
		if b.Len() > 0 && ansi.StringWidthWc(string(c)) > 0 {
			edits[i] = split
			b.WriteRune(zwsp)
		}
		b.WriteRune(c)
	}
	if b.Len() > 0 && agrees(b.String()) {
		return edits
	}
	// Still not agreed on: the first character alone, or a replacement
	// mark.
	for i := range edits {
		if edits[i] == split {
			edits[i] = keep
		}
	}
	first := true
	for i := range edits {
		switch {
		case edits[i] != keep:
		case first && agrees(string(runes[i])) && !leading(runes[i]):
			first = false
		case first:
			edits[i], first = '\ufffd', false
		default:
			edits[i] = drop
		}
	}
	return edits
}

// leading reports whether r joins what follows it into one cluster
// (Hangul leading jamo), so it cannot stand alone in a display copy.
func leading(r rune) bool {
	return r >= 0x1100 && r <= 0x115f || r >= 0xa960 && r <= 0xa97c
}

// escapeLen is the length of the escape sequence at the start of s: a CSI
// sequence (our styling) up to its final byte, an OSC or other string
// sequence up to its terminator, or ESC and one byte.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '_', '^':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}
