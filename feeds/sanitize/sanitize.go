// Package sanitize makes untrusted platform text inert before tribune stores
// or displays it (DESIGN.md, invariant 2). The hub calls it once per field
// at ingest; nothing downstream sanitizes again, and nothing upstream should
// display a field before it has passed through here.
//
// After Text or Line, a string:
//
//   - is valid UTF-8 (each run of invalid bytes becomes one U+FFFD);
//   - holds no C0 control, DEL or C1 control (U+0080–U+009F), and so no
//     ESC: Text keeps '\n' as its only control, Line keeps none;
//   - shows nothing of the escape sequences it arrived with: CSI, OSC (window
//     title, OSC 52 clipboard, OSC 8 hyperlink), DCS, SOS, PM, APC and
//     two-byte ESC sequences are removed whole, payload included, whether
//     introduced by ESC or by their C1 form, terminated or not;
//   - holds no bidi embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069) and no BOM (U+FEFF). Right-to-left letters and the
//     implicit marks LRM, RLM and ALM stay: they cannot leak direction
//     beyond the paragraph;
//   - has at most maxMarks (4) nonspacing or enclosing marks (Mn, Me) after
//     each base character, so zalgo text is bounded while Vietnamese,
//     decomposed accents, Hebrew points and emoji keycaps survive. Invisible
//     format characters (ZWJ, ZWSP, ...) between marks neither count nor
//     reset the count, so they cannot be used to stack more;
//   - has at most max runes, "…" included (see Text).
//
// Both functions are idempotent: f(f(s, max), max) == f(s, max).
//
// Text that is already clean is returned as is, without allocating: that
// is the common case, and every field of every event goes through here.
// Printable ASCII takes a shorter path still.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is the rune budget used when max <= 0.
const DefaultMax = 4000 // runes

// maxMarks is the number of combining marks kept after a base character.
const maxMarks = 4

// Text cleans a message body. It keeps '\n' (CRLF and lone CR become '\n';
// U+2028/U+2029 become '\n'; runs of more than 2 newlines collapse to 2;
// leading/trailing whitespace trimmed), turns tab into a space, and caps the
// result at max runes (max <= 0 means DefaultMax), cutting on a
// grapheme-safe boundary as far as practical and appending "…" when cut.
//
// Precisely: whitespace at the end of each line is dropped too (so a line
// holding only spaces counts as blank), other whitespace inside a line is
// kept as it came, and the result, "…" included, never exceeds max runes.
func Text(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	if printableASCII(s, max, false) {
		return s
	}
	c := cleaner{src: s, max: max}
	return c.run()
}

// Line cleans a one-line field (author, display name, channel, badge): like
// Text but every newline/tab/separator becomes a single space, and runs of
// spaces collapse.
//
// Separators are the Unicode categories Zs, Zl and Zp (no-break and
// ideographic spaces included). The result, "…" included, never exceeds max
// runes.
func Line(s string, max int) string {
	if max <= 0 {
		max = DefaultMax
	}
	if printableASCII(s, max, true) {
		return s
	}
	c := cleaner{src: s, max: max, line: true}
	return c.run()
}

// printableASCII reports whether s needs no work at all: printable ASCII
// only, within max, no space at either end, and for a line no double space.
func printableASCII(s string, max int, line bool) bool {
	if len(s) > max {
		return false
	}
	if len(s) == 0 {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	if line {
		prev := byte(0)
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c-0x20 >= 0x7F-0x20 || (c == ' ' && prev == ' ') {
				return false
			}
			prev = c
		}
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i]-0x20 >= 0x7F-0x20 {
			return false
		}
	}
	return true
}

// class is what one rune of input amounts to once sequences are skipped.
type class uint8

const (
	drop    class = iota // removed: control, bidi control, BOM, sequence
	newline              // \n, U+2028, U+2029
	cr                   // \r: a newline that swallows a following \n
	space                // ' ', tab, other Zs separators
	mark                 // Mn, Me: bounded by maxMarks
	format               // other Cf (ZWJ, ZWNJ, tags, ...): kept, invisible
	base                 // everything else: printed
	invalid              // a run of invalid bytes: printed as U+FFFD
)

// scan classifies the input at byte i and returns the class, the rune and
// the index just past it. Escape sequences and their payload come back as
// a single drop spanning the whole sequence.
func scan(s string, i int) (class, rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		switch {
		case c >= 0x21 && c < del:
			return base, rune(c), i + 1
		case c == ' ' || c == '\t':
			return space, ' ', i + 1
		case c == '\n':
			return newline, '\n', i + 1
		case c == '\r':
			return cr, '\n', i + 1
		case c == esc:
			return drop, 0, skipESC(s, i+1)
		}
		return drop, 0, i + 1 // other C0, DEL
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		// One U+FFFD for a whole run of invalid bytes, as
		// strings.ToValidUTF8 does.
		j := i + n
		for j < len(s) && s[j] >= utf8.RuneSelf {
			if r2, n2 := utf8.DecodeRuneInString(s[j:]); r2 != utf8.RuneError || n2 != 1 {
				break
			}
			j++
		}
		return invalid, utf8.RuneError, j
	case r <= 0x9F: // C1
		return drop, 0, skipC1(s, r, i+n)
	case r < 0x300:
		// Latin-1 and Latin Extended: only NBSP is special, and U+00AD
		// (soft hyphen) is a format character.
		switch r {
		case 0xA0:
			return space, r, i + n
		case 0xAD:
			return format, r, i + n
		}
		return base, r, i + n
	case plain(r):
		return base, r, i + n
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
		return drop, 0, i + n
	case r == 0x2028 || r == 0x2029:
		return newline, '\n', i + n
	case isZs(r):
		return space, r, i + n
	case unicode.In(r, unicode.Mn, unicode.Me):
		return mark, r, i + n
	case unicode.Is(unicode.Cf, r):
		return format, r, i + n
	}
	return base, r, i + n
}

// isZs reports whether r is a space separator other than ' ' (category Zs;
// the set has been stable since Unicode 4.0, and a test checks it against
// the unicode package).
func isZs(r rune) bool {
	switch {
	case r < 0xA0:
		return false
	case r == 0xA0, r == 0x1680, r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// cleaner holds the state of one pass over src.
//
// Whitespace is held back until something visible follows it, so that it
// can be trimmed at the ends of lines and of the text, and newlines
// collapsed, without writing and unwriting output. Pending whitespace is
// kept as a range of src and rescanned when it is committed: scan is a pure
// function of the position, so the rescan sees what the first pass saw.
type cleaner struct {
	src  string
	max  int
	line bool
	out  writer

	count   int  // runes committed to out
	marks   int  // marks since the last base character
	afterCR bool // the last kept rune was \r: a \n now is part of CRLF

	// Pending whitespace (only once something has been committed).
	nl      int // Text: newlines pending, at most 2
	wsFrom  int // Text: src range of spaces after the last newline;
	wsTo    int //       wsFrom == wsTo when there are none
	pending bool
}

func (c *cleaner) run() string {
	c.out.src, c.out.max = c.src, c.max
	s := c.src
	for i := 0; i < len(s); {
		if b := s[i]; b > ' ' && b < del {
			// A run of printable ASCII, the bulk of most text.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < del {
				j++
			}
			c.marks, c.afterCR = 0, false
			if !c.emitRun(i, j) {
				return c.finish()
			}
			i = j
			continue
		}
		cl, _, j := scan(s, i)
		if cl == drop {
			i = j
			continue
		}
		if cl == newline && c.afterCR && s[i] == '\n' {
			c.afterCR = false // the \n of a CRLF
			i = j
			continue
		}
		c.afterCR = cl == cr
		switch cl {
		case newline, cr:
			c.marks = 0
			if c.count == 0 {
				break // leading whitespace
			}
			c.pending = true
			if !c.line {
				// Spaces before a newline end a line: dropped.
				c.wsFrom, c.wsTo = j, j
				if c.nl < 2 {
					c.nl++
				}
			}
		case space:
			c.marks = 0
			if c.count == 0 {
				break
			}
			c.pending = true
			if !c.line {
				if c.wsFrom == c.wsTo {
					c.wsFrom = i
				}
				c.wsTo = j
			}
		case mark:
			if c.marks == maxMarks {
				break // zalgo
			}
			c.marks++
			if !c.emit(cl, i, j) {
				return c.finish()
			}
		case format:
			if !c.emit(cl, i, j) {
				return c.finish()
			}
		default: // base, invalid
			c.marks = 0
			if !c.emit(cl, i, j) {
				return c.finish()
			}
		}
		i = j
	}
	return c.finish()
}

// emit commits pending whitespace, then the rune read from src[i:j]. It
// reports false once more than max runes are committed: the result will be
// cut, and nothing further can change it.
func (c *cleaner) emit(cl class, i, j int) bool {
	if c.pending {
		c.pending = false
		if c.line {
			c.out.writeByte(' ')
			if c.count++; c.count > c.max {
				return false
			}
		} else if !c.flushText() {
			return false
		}
	}
	if cl == invalid {
		c.out.writeString(string(utf8.RuneError))
	} else {
		c.out.copySrc(i, j)
	}
	c.count++
	return c.count <= c.max
}

// emitRun is emit for src[i:j], a run of printable ASCII other than space.
func (c *cleaner) emitRun(i, j int) bool {
	if c.pending {
		// emit commits the pending whitespace along with the first byte.
		if !c.emit(base, i, i+1) {
			return false
		}
		i++
	}
	if n := c.max + 1 - c.count; j-i > n {
		j = i + n // enough to know the result is cut
	}
	c.out.copySrc(i, j)
	c.count += j - i
	return c.count <= c.max
}

// flushText commits pending newlines and spaces in Text mode.
func (c *cleaner) flushText() bool {
	for ; c.nl > 0; c.nl-- {
		c.out.writeByte('\n')
		if c.count++; c.count > c.max {
			return false
		}
	}
	for i := c.wsFrom; i < c.wsTo; {
		cl, r, j := scan(c.src, i)
		if cl == space {
			if r == ' ' {
				c.out.writeByte(' ') // a tab becomes a space
			} else {
				c.out.copySrc(i, j)
			}
			if c.count++; c.count > c.max {
				return false
			}
		}
		i = j
	}
	c.wsFrom, c.wsTo = 0, 0
	return true
}

// finish returns the committed output, cut to max runes if it is over.
func (c *cleaner) finish() string {
	out := c.out.string()
	if c.count > c.max {
		return cut(out, c.count, c.max)
	}
	return out
}

// writer builds the output. As long as the output is a prefix of src it only
// counts bytes (lazy), so text that needs no change costs no allocation; the
// first byte that differs copies the prefix into a builder.
type writer struct {
	src  string
	max  int
	w    int // output length while lazy
	b    strings.Builder
	copy bool // output lives in b
}

func (o *writer) spill() {
	o.copy = true
	// The output holds at most max+1 runes before it is cut.
	n := len(o.src)
	if o.max < n {
		n = min(n, utf8.UTFMax*(o.max+1))
	}
	o.b.Grow(n + utf8.UTFMax)
	o.b.WriteString(o.src[:o.w])
}

// copySrc writes src[i:j].
func (o *writer) copySrc(i, j int) {
	if !o.copy {
		if o.w == i {
			o.w = j
			return
		}
		if strings.HasPrefix(o.src[o.w:], o.src[i:j]) {
			o.w += j - i
			return
		}
		o.spill()
	}
	o.b.WriteString(o.src[i:j])
}

func (o *writer) writeString(t string) {
	if !o.copy {
		if strings.HasPrefix(o.src[o.w:], t) {
			o.w += len(t)
			return
		}
		o.spill()
	}
	o.b.WriteString(t)
}

func (o *writer) writeByte(c byte) {
	if !o.copy {
		if o.w < len(o.src) && o.src[o.w] == c {
			o.w++
			return
		}
		o.spill()
	}
	o.b.WriteByte(c)
}

// string returns the output. A lazy output that is much shorter than src is
// copied, so that a stored field does not pin a large hostile input.
func (o *writer) string() string {
	if o.copy {
		return o.b.String()
	}
	if len(o.src)-o.w > 64 {
		return strings.Clone(o.src[:o.w])
	}
	return o.src[:o.w]
}
