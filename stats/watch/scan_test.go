package watch

import (
	"slices"
	"strings"
	"testing"

	"github.com/tribune/tribune/stats/textnorm"
)

// Scan finds what Match finds, on every line the tests and benchmarks
// know and with lists of every kind of entry.
func TestScanAsMatch(t *testing.T) {
	lists := [][]string{watchList(200), watchList(50), {"ne marche pas", "marche", "@lumio", "#halo*", "refund*", "l'écran"},
		{"halo", "lumio", "refund*", "don't", "boîtier", "ça chauffe", "ré*", "a", "x1", "e"}, {"🔥", "❤️ lumio", "ＨＡＬＯ", "привет", "ab*"}}
	texts := append(slices.Clone(benchLines()), "ne marche pas", "NE MARCHE... PAS ne-marche-pas", "l'écran \u0301é",
		"@a@b.c #x_y", "refunded refund* #HaloGate @Lumio lumio", "https://lumio.com/refund refund",
		"×÷ a×b é÷ \xc3", "\xc3a don't l'ami lumio's ＨＡＬＯ e\u0301cran naïve µ 🔥refund❤️refund")
	for _, list := range lists {
		m := MustCompile(list)
		for _, text := range texts {
			got, want := m.Match(nil, text), scanMatch(m, nil, text)
			if !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, through a Scan %v", text, want, got)
			}
		}
	}
}

func FuzzScanAsMatch(f *testing.F) {
	for _, l := range benchLines() {
		f.Add(l)
	}
	f.Add("ne marche pas NE-MARCHE-PAS l'écran \u0301é @a@b.c #x_y")
	ms := []*Matcher{
		MustCompile(append(watchList(50), "ne marche pas", "@lumio", "#halo*", "l'écran")),
		// No hashtag, mention or pictograph starts an entry.
		MustCompile([]string{"halo", "lumio", "refund*", "don't", "boîtier", "ça chauffe", "ré*", "a", "x1", "e"}),
		MustCompile([]string{"🔥", "❤️ lumio", "ＨＡＬＯ", "привет", "ab*"}),
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ms {
			if got, want := m.Match(nil, text), scanMatch(m, nil, text); !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, through a Scan %v", text, want, got)
			}
		}
	})
}

// scanMatch matches text a token at a time through a Scan, as the stats
// engine does.
func scanMatch(m *Matcher, dst []Hit, text string) []Hit {
	var tk textnorm.Tokenizer
	tk.Reset(text)
	var s Scan
	s.Reset(m)
	for tk.Next() {
		dst = s.Next(dst, &tk, text)
	}
	return dst
}

// refMatch is Match the general way: every token from the tokenizer,
// looked up in full, no filter and no word read apart. Match and a Scan
// must find what it finds.
func refMatch(m *Matcher, text string) []Hit {
	var (
		tk  textnorm.Tokenizer
		s   Scan
		dst []Hit
	)
	tk.Reset(text)
	s.Reset(m)
	for tk.Next() {
		var syms [maxSyms]int32
		ns := 0
		if tk.Kind() != textnorm.URL && !tk.Long() {
			ns = m.symbols(&syms, tk.Kind(), tk.Folded())
		}
		start, end := tk.Span()
		dst = s.step(dst, &syms, ns, start, end)
	}
	return dst
}

// pathLists are watch-lists that put Match's own reading of ASCII words
// to the test: words of every length around its 8- and 16-byte loads,
// short prefixes, digits, phrases that run through tokens it hands to
// the tokenizer.
var pathLists = [][]string{
	append(watchList(200), "a", "x1", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop",
		"abcdefghijklmnopq", strings.Repeat("z", 64), "09", "e2e", "ok ok", "don't", "that", "http", "www", "lumio halo case"),
	{"ab*", "a", "b c", "abcdefghijklmnop*", "#lumio", "@lumio", "ça", "q*"},
	{"x*", "refund"}, // a prefix key of one byte
}

// pathTexts are texts whose ASCII words end everywhere Match's loads
// can: at the end of texts shorter and longer than 16 bytes, and before
// every kind of byte.
var pathTexts = []string{
	"", "a", "A", "ab", "abcdefg", "ABCDEFGH", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
	"x abcdefgh", "xx abcdefghijklmnop", "the ABCDEFGHIJKLMNOP", "the case abcdefghijklmnopq",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ok ok",
	strings.Repeat("z", 64) + " " + strings.Repeat("Z", 65) + " " + strings.Repeat("z", 64),
	"ok\x10ok \x19a\x00b a\x7fb a`b a{b a@b a[b a/b a_b a-b a:b a.b a'b a\"b",
	"don't that's l'ami http://x.com/ok www.ok.fr a.b.fr ok. ok: ok/ ok- ok' ok,ok!ok?ok;ok)ok\nok\tok",
	"lumio halo case, LUMIO: halo! case? lumio.halo-case lumio 😡 halo case",
	"b c ab abc ABCDEFGHIJKLMNOPQRS q Q qq 09 e2e x1 X1 ça ca @lumio #lumio lumio",
	"naïve café abcdefgh\u00e9 \u00e9abcdefgh ab\u0301 ab\xff ab\xc3",
}

func TestMatchPaths(t *testing.T) {
	for _, list := range pathLists {
		m := MustCompile(list)
		for _, text := range append(slices.Clone(pathTexts), benchLines()...) {
			want := refMatch(m, text)
			if got := m.Match(nil, text); !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, the general way %v", text, got, want)
			}
			if got := scanMatch(m, nil, text); !slices.Equal(got, want) {
				t.Errorf("through a Scan, %q: %v, the general way %v", text, got, want)
			}
		}
	}
}

func FuzzMatchPaths(f *testing.F) {
	for _, s := range pathTexts {
		f.Add(s)
	}
	ms := make([]*Matcher, len(pathLists))
	for i, l := range pathLists {
		ms[i] = MustCompile(l)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ms {
			want := refMatch(m, text)
			if got := m.Match(nil, text); !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, the general way %v", text, got, want)
			}
			if got := scanMatch(m, nil, text); !slices.Equal(got, want) {
				t.Errorf("through a Scan, %q: %v, the general way %v", text, got, want)
			}
		}
	})
}
