package sanitize

import "unicode"

// tableLimit bounds the runes whose class is precomputed: the BMP and the
// Supplementary Multilingual Plane (emoji, historic scripts). Above it, scan
// asks the unicode tables directly.
const tableLimit = 0x20000

// notPlain has a bit set for each rune below tableLimit that scan must look
// at more closely than "print it": marks (Mn, Me), format characters (Cf,
// which include the bidi controls and the BOM) and separators (Zs, Zl,
// Zp). It is built from the unicode package's tables, so it cannot drift
// from them, and costs 16 KiB; it saves a few binary searches per rune of
// non-Latin text.
var notPlain = func() *[tableLimit / 64]uint64 {
	var t [tableLimit / 64]uint64
	for _, tab := range []*unicode.RangeTable{unicode.Mn, unicode.Me, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp} {
		for _, r := range tab.R16 {
			for c := uint32(r.Lo); c <= uint32(r.Hi); c += uint32(r.Stride) {
				t[c/64] |= 1 << (c % 64)
			}
		}
		for _, r := range tab.R32 {
			for c := r.Lo; c <= r.Hi && c < tableLimit; c += r.Stride {
				t[c/64] |= 1 << (c % 64)
			}
		}
	}
	return &t
}()

// plain reports whether r, at least U+0300, is an ordinary printed rune.
func plain(r rune) bool {
	return r < tableLimit && notPlain[r/64]&(1<<(r%64)) == 0
}
