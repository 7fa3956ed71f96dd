package sanitize

import "unicode/utf8"

// This file removes terminal control sequences. The model is the VT500
// parser state machine (vt100.net/emu/dec_ansi_parser) that xterm, VTE,
// Ghostty and most emulators follow, reduced to one question: where does the
// sequence that starts here end? Whatever a terminal would have consumed as
// part of a sequence is removed with it, so neither its effect nor its
// payload (an OSC 52 clipboard blob, a window title, a DCS string) reaches
// the screen as text.
//
// Safety does not rest on this file: every C0/C1 control, DEL and ESC is
// dropped by the caller anyway, so output can never start a sequence even
// where the parse below differs from a given terminal. This file only
// decides how much visible garbage goes with it.
//
// Conventions shared by the skip functions: i is the byte index just after
// the introducer; they return the index of the first byte that is not part
// of the sequence. They never return an index inside a UTF-8 sequence.

const (
	esc = 0x1B
	bel = 0x07
	can = 0x18 // CAN and SUB cancel a sequence in progress
	sub = 0x1A
	del = 0x7F
)

// skipESC skips the rest of a sequence introduced by ESC.
func skipESC(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '[': // CSI
			return skipCSI(s, i+1)
		case c == ']': // OSC: ends at BEL or ST (xterm)
			return skipString(s, i+1, true)
		case c == 'P' || c == 'X' || c == '^' || c == '_': // DCS, SOS, PM, APC: end at ST
			return skipString(s, i+1, false)
		case c >= 0x20 && c <= 0x2F: // nF: intermediates then a final byte (ESC ( B, ESC # 8)
			return skipIntermediates(s, i+1)
		case c >= 0x30 && c <= 0x7E: // Fp, Fe, Fs: ESC 7, ESC c, ESC M, a lone ST (ESC \)
			return i + 1
		case c == can || c == sub: // cancelled
			return i + 1
		case c == esc: // ESC ESC: the second one starts over
			return i
		case c < 0x20 || c == del:
			// A terminal executes C0 controls (and ignores DEL) without
			// leaving the escape state; we drop them and stay in it.
			i++
		default:
			// Not ASCII: the ESC stands alone. The rune (a C1 control,
			// a letter, an invalid byte) is the caller's to handle.
			return i
		}
	}
	return i
}

// skipIntermediates skips the intermediate bytes and final byte of an
// nF escape sequence.
func skipIntermediates(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x2F:
			i++
		case c >= 0x30 && c <= 0x7E:
			return i + 1
		case c == can || c == sub:
			return i + 1
		case c == esc || c >= 0x80:
			return i
		default: // C0 or DEL: ignored inside the sequence
			i++
		}
	}
	return i
}

// skipCSI skips parameters, intermediates and the final byte of a control
// sequence (after ESC [ or the 8-bit CSI, U+009B).
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3F: // parameter and intermediate bytes
			i++
		case c >= 0x40 && c <= 0x7E: // final byte
			return i + 1
		case c == can || c == sub:
			return i + 1
		case c == esc || c >= 0x80:
			// A new sequence, a C1 control, or text that no terminal
			// would take as part of a CSI: the sequence ends here and
			// the caller handles what follows.
			return i
		default: // C0 or DEL: ignored inside the sequence
			i++
		}
	}
	return i
}

// skipString skips the payload and terminator of a control string: OSC
// (belTerminates), DCS, SOS, PM, APC. The payload may hold anything, text
// and newlines included; the string ends at ST (ESC \ or U+009C), at BEL for
// OSC, or is cut short by CAN, SUB, another ESC or a C1 control, as in a
// terminal. Unterminated, it runs to the end of s.
func skipString(s string, i int, belTerminates bool) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == bel && belTerminates:
				return i + 1
			case c == can || c == sub:
				return i + 1
			case c == esc:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2 // ST
				}
				return i // any other ESC starts a new sequence
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isC1(r) {
			if r == 0x9C { // 8-bit ST
				return i + n
			}
			return i // another C1 control aborts the string
		}
		i += n // payload, invalid bytes included
	}
	return i
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9F }

// skipC1 is called with r, a C1 control found at the byte index just before
// i. It returns the end of the sequence that r introduces; for a C1 control
// that introduces nothing, that is i itself.
func skipC1(s string, r rune, i int) int {
	switch r {
	case 0x9B: // CSI
		return skipCSI(s, i)
	case 0x9D: // OSC
		return skipString(s, i, true)
	case 0x90, 0x98, 0x9E, 0x9F: // DCS, SOS, PM, APC
		return skipString(s, i, false)
	}
	return i
}
