package sanitize

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// check asserts every property a cleaned string must have, whatever the
// input:
//
//   - valid UTF-8;
//   - no rune below U+0020 except '\n' in Text, none at all in Line; so no
//     ESC, and no tab or CR;
//   - no DEL, no C1 control (U+0080–U+009F);
//   - no bidi embedding, override or isolate, no BOM;
//   - at most maxMarks Mn/Me marks after each base character (format
//     characters such as ZWJ neither count nor reset the count), so in
//     particular no run of more than maxMarks marks;
//   - at most max runes, "…" included (DefaultMax when max <= 0);
//   - no whitespace at either end;
//   - Text: no more than two newlines in a row, no whitespace before a
//     newline;
//   - Line: whitespace is only single ' ' characters;
//   - printable ASCII that fits comes back unchanged;
//   - nothing is invented: apart from ' ', '\n', U+FFFD and a final "…",
//     the runes of the output are a subsequence of the runes of the input.
func check(t *testing.T, line bool, in string, max int, got string) {
	t.Helper()
	if p := problem(line, in, max, got); p != "" {
		t.Fatalf("in %+q max %d\nout %+q\n%s", in, max, got, p)
	}
}

// problem returns what is wrong with got, the result for in, or "". It is a
// plain function, with no closure over t, to keep the fuzz loop fast.
func problem(line bool, in string, max int, got string) string {
	if !utf8.ValidString(got) {
		return "invalid UTF-8"
	}
	limit := max
	if limit <= 0 {
		limit = DefaultMax
	}
	if n := utf8.RuneCountInString(got); n > limit {
		return fmt.Sprintf("%d runes > %d", n, limit)
	}
	marks, nl := 0, 0
	prev := rune(-1)
	for _, r := range got {
		switch {
		case r == '\n' && !line:
		case r < 0x20:
			return fmt.Sprintf("control %U", r)
		case r == 0x7F:
			return "DEL"
		case r >= 0x80 && r <= 0x9F:
			return fmt.Sprintf("C1 control %U", r)
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
			return fmt.Sprintf("bidi control or BOM %U", r)
		}
		switch {
		case r < 0x300: // no marks or format characters but U+00AD
		case unicode.In(r, unicode.Mn, unicode.Me):
			if marks++; marks > maxMarks {
				return fmt.Sprintf("more than %d marks on one base", maxMarks)
			}
			prev = r
			continue
		case unicode.Is(unicode.Cf, r):
			prev = r
			continue
		}
		marks = 0
		if r == '\n' {
			if nl++; nl > 2 {
				return "more than 2 newlines in a row"
			}
			if prev != -1 && prev != '\n' && unicode.IsSpace(prev) {
				return "whitespace before a newline"
			}
		} else {
			nl = 0
		}
		if line && unicode.IsSpace(r) && (r != ' ' || prev == ' ') {
			return fmt.Sprintf("whitespace %U after %U in a line", r, prev)
		}
		prev = r
	}
	if strings.TrimSpace(got) != got {
		return "untrimmed"
	}
	rest := in
	for i, r := range got {
		if r == ' ' || r == '\n' || r == utf8.RuneError || r == '…' && i == len(got)-len("…") {
			continue
		}
		j := strings.IndexRune(rest, r)
		if j < 0 {
			return fmt.Sprintf("%U at byte %d is not in the input (in order)", r, i)
		}
		rest = rest[j+utf8.RuneLen(r):]
	}
	if !isPrintableASCII(in) || len(in) > limit || strings.TrimSpace(in) != in {
		return ""
	}
	if line && strings.Contains(in, "  ") {
		return ""
	}
	if got != in {
		return "clean ASCII changed"
	}
	return ""
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

func seeds(f *testing.F) {
	for _, cs := range [][]tcase{common, textCases, lineCases} {
		for _, tc := range cs {
			if len(tc.in) < 1000 {
				f.Add(tc.in, int16(tc.max))
			}
		}
	}
	f.Add(benchFrench, int16(20))
	f.Add(benchHostile, int16(0))
}

func fuzz(f *testing.F, line bool, fn func(string, int) string) {
	seeds(f)
	f.Fuzz(func(t *testing.T, s string, m int16) {
		max := int(m)
		got := fn(s, max)
		if p := problem(line, s, max, got); p != "" {
			t.Fatalf("in %+q max %d\nout %+q\n%s", s, max, got, p)
		}
		if again := fn(got, max); again != got {
			t.Fatalf("not idempotent\nin    %+q max %d\nonce  %+q\ntwice %+q", s, max, got, again)
		}
	})
}

func FuzzText(f *testing.F) { fuzz(f, false, Text) }
func FuzzLine(f *testing.F) { fuzz(f, true, Line) }

// FuzzTextLine checks that the two functions agree: a message body read as
// one line is the same line as the raw field, and a clean line is a clean
// body. The budget is large enough that nothing is cut.
func FuzzTextLine(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, s string, _ int16) {
		const big = 1 << 30
		line := Line(s, big)
		if got := Line(Text(s, big), big); got != line {
			t.Fatalf("in %+q\nLine(Text) %+q\nLine       %+q", s, got, line)
		}
		if got := Text(line, big); got != line {
			t.Fatalf("in %+q\nText(Line) %+q\nLine       %+q", s, got, line)
		}
	})
}
