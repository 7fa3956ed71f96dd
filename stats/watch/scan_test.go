package watch

import (
	"slices"
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
