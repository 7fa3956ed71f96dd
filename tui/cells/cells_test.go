package cells

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/tui/tuitest"
)

// corpus is text terminals disagree on, and text they agree on.
var corpus = tuitest.Corpus

func agreeing(t *testing.T, s string) {
	t.Helper()
	if wc, gr := ansi.StringWidthWc(s), ansi.StringWidth(s); wc != gr {
		t.Errorf("%q: %d cells per code point, %d per grapheme", s, wc, gr)
	}
}

func TestDisplayCopyAgreesOnWidth(t *testing.T) {
	for _, s := range corpus {
		d := Safe(s)
		agreeing(t, d)
		if Safe(d) != d {
			t.Errorf("Safe is not stable on %q: %q then %q", s, d, Safe(d))
		}
	}
	for in, want := range map[string]string{
		"👍🏽 merci": "👍 merci", "👨\u200d👩\u200d👧": "👨👩👧", "❤️ Lumio": "❤ Lumio", "🇫": "F", "🇫🇷": "🇫🇷",
		"précommande": "précommande", "中文": "中文",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// Indic conjuncts and vowel signs, Thai, halfwidth voiced marks: every
// character shows, each spacing one in a cluster of its own.
func TestScriptsKeepEveryCharacter(t *testing.T) {
	const z = "\u200b"
	for in, want := range map[string]string{
		"क्षि":   "क्" + z + "ष" + z + "ि", // Devanagari kṣi: a conjunct and a vowel sign
		"नमस्ते": "नमस्" + z + "ते",
		"ক্ষ":    "ক্" + z + "ষ",
		"தமிழ்":  "தம" + z + "ிழ்", // Tamil: a spacing vowel sign
		"கொ":     "க" + z + "ொ",
		"น้ำ":    "น้" + z + "ำ", // Thai: a tone mark, then sara am
		"ที่":    "ที่",          // Thai tone marks take no cell: as it is
		"ก็":     "ก็",
		"ｶﾞﾊﾟﾝ":  "ｶ" + z + "ﾞﾊ" + z + "ﾟﾝ", // halfwidth kana: the mark in its own cell, as drawn in a grid
		"x ि":    "x " + z + "ि",
		"ொ":      z + "ொ", // alone in a run: kept from joining what a terminal drew before
	} {
		got := Safe(in)
		if got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
		agreeing(t, got)
		if strings.ReplaceAll(got, z, "") != in {
			t.Errorf("Safe(%q) = %q lost a character", in, got)
		}
	}
}

// A spacing mark styled apart from its base is kept, behind a break.
func TestSpacingMarkStyledApart(t *testing.T) {
	in := "\x1b[1mष\x1b[7mि\x1b[m"
	got := Safe(in)
	if want := "\x1b[1mष\x1b[7m\u200bि\x1b[m"; got != want {
		t.Errorf("Safe(%q) = %q, want %q", in, got, want)
	}
	agreeing(t, got)
	agreeing(t, ansi.Strip(got))
}

// Escape sequences (our styling) stay where they are, even inside a
// cluster the edit changes.
func TestSafeKeepsStyling(t *testing.T) {
	in := "\x1b[1m👍\x1b[7m🏽\x1b[m ok \x1b]8;;x\x07link\x1b]8;;\x07"
	got := Safe(in)
	if want := "\x1b[1m👍\x1b[7m\x1b[m ok \x1b]8;;x\x07link\x1b]8;;\x07"; got != want {
		t.Errorf("Safe(%q) = %q, want %q", in, got, want)
	}
	agreeing(t, got)
}

// Random strings of corpus pieces, styled or not, multi-line or not: the
// display copy always agrees, styling or not, and Fit is always exactly as
// wide as asked.
func TestRandomTextAlwaysAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	styles := []string{"", "\x1b[1m", "\x1b[38;2;224;164;88m", "\x1b[m"}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(styles[rng.IntN(len(styles))])
			b.WriteString(corpus[rng.IntN(len(corpus))])
		}
		s := b.String()
		agreeing(t, Safe(s))
		agreeing(t, ansi.Strip(Safe(s))) // as a terminal that joins across styling sees it
		w := rng.IntN(30)
		if f := Fit(s, w); Width(f) != w || ansi.StringWidthWc(f) != w {
			t.Fatalf("Fit(%q, %d) = %q: %d cells, %d per code point", s, w, f, Width(f), ansi.StringWidthWc(f))
		}
	}
}

func BenchmarkSafe(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"ascii", "Welcome everyone to the Lumio Halo launch! Shipping starts in December."},
		{"french", "c'est quand la sortie en France ? je précommande ce soir, ça a l'air génial"},
		{"emoji", "trop bien 🎧 je précommande ce soir 👍🏽 ❤️ 👨\u200d👩\u200d👧"},
		{"emoji already safe", "trop bien 🎧 je précommande ce soir 👍 ❤ 👨👩👧"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Safe(c.s)
			}
		})
	}
}

// What plain lets through untouched is drawn alike everywhere, alone or
// beside other text.
func TestPlainRunesAgree(t *testing.T) {
	for r := rune(0x20); r <= 0x2bff; r++ {
		if !simple(r) || r == 0x7f || r >= 0x80 && r < 0xa0 {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r), string(r) + "a", "é" + string(r)} {
			if !agrees(s) {
				t.Errorf("U+%04X in %q: %d per code point, %d per grapheme", r, s, ansi.StringWidthWc(s), ansi.StringWidth(s))
				break
			}
		}
	}
}

func TestFitMakesEveryLineExactlyWide(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"abc", "abc  "},
		{"abcde", "abcde"},
		{"abcdefgh", "abcde"},
		{"ab🎧", "ab🎧 "},
		{"abcd🎧", "abcd "}, // a wide character does not fit in one column
		{"\x1b[1mabcdefgh\x1b[m", "\x1b[1mabcde\x1b[m"},
	} {
		got := Fit(c.in, 5)
		if ansi.StringWidth(got) != 5 || ansi.Strip(got) != ansi.Strip(c.want) {
			t.Errorf("Fit(%q, 5) = %q, want %q", c.in, got, c.want)
		}
	}
}
