package irc

import "strings"

// mIRC formatting codes. They style text in IRC clients; shown raw, the
// hub would drop the control byte and leave a colour's digits in the text
// ("04,01red").
const (
	fmtBold      = '\x02'
	fmtColour    = '\x03' // then up to 2 digits, and optionally "," and up to 2 more
	fmtHexColour = '\x04' // then 6 hex digits, and optionally "," and 6 more
	fmtReset     = '\x0f'
	fmtMonospace = '\x11'
	fmtReverse   = '\x16'
	fmtItalic    = '\x1d'
	fmtStrike    = '\x1e'
	fmtUnderline = '\x1f'
)

// stripFormatting removes mIRC formatting codes, with a colour's numbers,
// and keeps the text they styled.
func stripFormatting(s string) string {
	if strings.IndexFunc(s, isFormatting) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case fmtColour:
			i = skipColour(s, i+1, 2, isDigit) - 1
		case fmtHexColour:
			i = skipColour(s, i+1, 6, isHex) - 1
		case fmtBold, fmtReset, fmtMonospace, fmtReverse, fmtItalic, fmtStrike, fmtUnderline:
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipColour returns the index past a colour's "FG[,BG]" starting at i,
// each of at most n bytes matching ok. The comma belongs to the code only
// when a background follows it ("\x034,hello" keeps its comma).
func skipColour(s string, i, n int, ok func(byte) bool) int {
	fg := skipN(s, i, n, ok)
	if fg == i {
		return i // a bare \x03 resets the colours
	}
	if fg < len(s) && s[fg] == ',' {
		if bg := skipN(s, fg+1, n, ok); bg > fg+1 {
			return bg
		}
	}
	return fg
}

func skipN(s string, i, n int, ok func(byte) bool) int {
	end := i
	for end < len(s) && end-i < n && ok(s[end]) {
		end++
	}
	if n == 6 && end-i != 6 {
		return i // a hex colour is all six digits or none
	}
	return end
}

func isFormatting(r rune) bool {
	switch r {
	case fmtBold, fmtColour, fmtHexColour, fmtReset, fmtMonospace, fmtReverse, fmtItalic, fmtStrike, fmtUnderline:
		return true
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
