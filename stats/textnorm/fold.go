package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// runeClass is what the tokenizer makes of one rune.
type runeClass uint8

const (
	rSep   runeClass = iota // separator: space, punctuation, symbol
	rWord                   // letter or digit: part of a word, folded
	rMark                   // combining mark: part of a word, dropped
	rApos                   // apostrophe (' ’ ʼ): see the package doc
	rHash                   // '#'
	rAt                     // '@'
	rEmoji                  // pictograph: a token on its own
	rMod                    // emoji modifier, variation selector, keycap: joins the emoji before it
)

// asciiFold maps an ASCII letter or digit to its folded byte; 0 for
// everything else, non-ASCII bytes included.
var asciiFold [256]byte

// asciiClass is the class of each ASCII byte.
var asciiClass [128]runeClass

// latinFold holds the folded form of U+00C0..U+024F; "" for a separator,
// "\x00" where unicode.ToLower is used instead.
var latinFold [0x250 - 0xC0]string

// The base letters of U+00C0..U+017F, one space-separated field per code
// point; "-" marks the two non-letters (× and ÷).
const latinTable = "" +
	// U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
	"a a a a a a ae c e e e e i i i i " +
	// U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
	"d n o o o o o - o u u u u y th ss " +
	// U+00E0 à á â ã ä å æ ç è é ê ë ì í î ï
	"a a a a a a ae c e e e e i i i i " +
	// U+00F0 ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ
	"d n o o o o o - o u u u u y th y " +
	// U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď
	"a a a a a a c c c c c c c c d d " +
	// U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ
	"d d e e e e e e e e e e g g g g " +
	// U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į
	"g g g g h h h h i i i i i i i i " +
	// U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
	"i i ij ij j j k k k l l l l l l l " +
	// U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
	"l l l n n n n n n n n n o o o o " +
	// U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş
	"o o oe oe r r r r r r s s s s s s " +
	// U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů
	"s s t t t t t t u u u u u u u u " +
	// U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ
	"u u u u w w y y y z z z z z z s"

func init() {
	for c := byte('0'); c <= '9'; c++ {
		asciiFold[c] = c
		asciiClass[c] = rWord
	}
	for c := byte('a'); c <= 'z'; c++ {
		asciiFold[c] = c
		asciiFold[c-'a'+'A'] = c
		asciiClass[c] = rWord
		asciiClass[c-'a'+'A'] = rWord
	}
	asciiClass['\''] = rApos
	asciiClass['#'] = rHash
	asciiClass['@'] = rAt

	f := strings.Fields(latinTable)
	if len(f) != 0x180-0xC0 {
		panic("textnorm: latin table has " + string(rune('0'+len(f)/100)) + "xx fields")
	}
	for i, s := range f {
		if s != "-" {
			latinFold[i] = s
		}
	}
	for r := rune(0x180); r < 0x250; r++ {
		latinFold[r-0xC0] = "\x00"
	}
	// Pinyin vowels with caron, Romanian comma-below letters.
	for r, s := range map[rune]string{
		0x1CD: "a", 0x1CE: "a", 0x1CF: "i", 0x1D0: "i", 0x1D1: "o", 0x1D2: "o",
		0x1D3: "u", 0x1D4: "u", 0x1D5: "u", 0x1D6: "u", 0x1D7: "u", 0x1D8: "u",
		0x1D9: "u", 0x1DA: "u", 0x1DB: "u", 0x1DC: "u",
		0x218: "s", 0x219: "s", 0x21A: "t", 0x21B: "t",
	} {
		latinFold[r-0xC0] = s
	}
}

// classify returns the class of a non-ASCII rune.
func classify(r rune) runeClass {
	switch {
	case r < 0xC0:
		if r == 0xAA || r == 0xBA || r == 0xB5 { // ª º µ
			return rWord
		}
		return rSep
	case r < 0x250:
		if latinFold[r-0xC0] == "" {
			return rSep
		}
		return rWord
	case r >= 0x300 && r <= 0x36F:
		return rMark
	case r == 0x2019 || r == 0x2BC:
		return rApos
	case r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F):
		return rMod
	case isEmoji(r):
		return rEmoji
	case r >= 0xFF10 && r <= 0xFF5A:
		// Fullwidth digits and letters (with the few punctuation
		// signs between them, which fold to ASCII separators).
		return asciiClass[r-0xFF10+'0']
	case r == 0xFF03:
		return rHash
	case r == 0xFF20:
		return rAt
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return rWord
	case unicode.In(r, unicode.Mn, unicode.Mc):
		return rMark
	}
	return rSep
}

// isEmoji reports whether r is a pictograph that stands as a token of its
// own: the Misc Symbols and Dingbats blocks, the emoji planes, and a few
// stragglers (⌚ ⏰ ⭐ ⬆ ‼ ⁉ 〰).
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF:
		return true
	case r >= 0x2600 && r <= 0x27BF:
		return true
	case r >= 0x2300 && r <= 0x23FF, r >= 0x2B00 && r <= 0x2BFF:
		return true
	case r == 0x203C || r == 0x2049 || r == 0x3030 || r == 0x303D:
		return true
	}
	return false
}

// appendFolded appends the folded form of the word rune r.
func appendFolded(dst []byte, r rune) []byte {
	switch {
	case r < 0xC0:
		switch r {
		case 0xAA:
			return append(dst, 'a')
		case 0xBA:
			return append(dst, 'o')
		}
		return utf8.AppendRune(dst, 0x3BC) // µ → μ
	case r < 0x250:
		if s := latinFold[r-0xC0]; s != "\x00" {
			return append(dst, s...)
		}
	case r == 0x1E9E: // ẞ
		return append(dst, "ss"...)
	case r >= 0xFF10 && r <= 0xFF5A:
		return append(dst, asciiFold[r-0xFF10+'0'])
	case r >= 0xFB00 && r <= 0xFB06:
		return append(dst, [...]string{"ff", "fi", "fl", "ffi", "ffl", "st", "st"}[r-0xFB00]...)
	case r >= 0x1D400 && r <= 0x1D6A3:
		// Mathematical alphanumeric letters (𝐇𝐄𝐋𝐋𝐎, 𝓗𝓮𝓵𝓵𝓸, ...): 13
		// alphabets of 52 letters, upper case first.
		return append(dst, 'a'+byte((r-0x1D400)%52%26))
	case r >= 0x1D7CE && r <= 0x1D7FF:
		return append(dst, '0'+byte((r-0x1D7CE)%10))
	}
	return utf8.AppendRune(dst, unicode.ToLower(r))
}

// AppendFold appends to dst the folded form of s: letters and digits as the
// tokenizer folds them (lower case, accents and ligatures undone, fullwidth
// and mathematical letters made ASCII), combining marks dropped, every other
// rune copied as is, invalid UTF-8 as U+FFFD. It is meant for substring
// search in a filter box; for matching words use Tokenizer or watch.
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if f := asciiFold[c]; f != 0 {
				c = f
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch classify(r) {
		case rWord:
			dst = appendFolded(dst, r)
		case rMark:
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// Fold returns AppendFold(nil, s) as a string. It returns s itself, without
// allocating, when s is ASCII with no upper-case letter.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return string(AppendFold(make([]byte, 0, len(s)+4), s))
		}
	}
	return s
}
