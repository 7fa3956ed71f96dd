package watch

import (
	"slices"
	"testing"

	"github.com/tribune/tribune/stats/textnorm"
)

// referenceMatch is Match as it was before Scan: the oracle the tests
// compare Match and Scan with.
func (m *Matcher) referenceMatch(dst []Hit, text string) []Hit {
	var tk textnorm.Tokenizer
	tk.Reset(text)
	var bufA, bufB [maxActive]cand
	active, next := &bufA, &bufB
	nActive := 0
	var syms [maxSyms]int32
	for tk.Next() {
		kind := tk.Kind()
		if kind <= textnorm.Elision {
			// The common case: a word no entry can be or start with,
			// told without copying it when it is plain ASCII.
			var w, p uint32
			var l int
			if tk.Plain() {
				st, en := tk.Span()
				b := text[st:en]
				l = len(b)
				var b1, b2 byte
				if l > 1 {
					b1 = b[1] | 0x20
				}
				if l > 2 {
					b2 = b[2] | 0x20
				}
				w = wordKey(b[0]|0x20, b[l/2]|0x20, b[l-1]|0x20, l)
				p = prefixKey(b[0]|0x20, b1, b2, m.prefixKeyLen)
			} else {
				b := tk.Folded()
				l = len(b)
				w, p = m.keys(b)
			}
			if bl := m.blooms[min(nActive, 1)]; !bl.word(w) && (len(m.groups) == 0 || l < m.prefixKeyLen || !bl.prefix(p)) {
				nActive = 0
				continue
			}
		}
		folded := tk.Folded()
		ns := 0
		if kind != textnorm.URL && !tk.Long() {
			ns = m.symbols(&syms, kind, folded)
		}
		if ns == 0 {
			nActive = 0
			continue
		}
		nNext := 0
		start, end := tk.Span()
		// Phrases under way.
		for _, c := range active[:nActive] {
			for _, s := range syms[:ns] {
				if child, ok := m.next.get(c.node, s); ok {
					dst, nNext = m.reach(dst, next, nNext, child, int(c.start), end)
				}
			}
		}
		// Phrases starting here.
		for _, s := range syms[:ns] {
			if child := m.root[s]; child != 0 {
				dst, nNext = m.reach(dst, next, nNext, child, start, end)
			}
		}
		active, next, nActive = next, active, nNext
	}
	return dst
}

// Match and Scan find what Match found before them, on every line the
// tests and benchmarks know and with every list.
func TestMatchAsReference(t *testing.T) {
	lists := [][]string{watchList(200), watchList(50), {"ne marche pas", "marche", "@lumio", "#halo*", "refund*", "l'écran"},
		{"halo", "lumio", "refund*", "don't", "boîtier", "ça chauffe", "ré*", "a", "x1", "e"}, {"🔥", "❤️ lumio", "ＨＡＬＯ", "привет", "ab*"}}
	texts := append(slices.Clone(benchLines()), "ne marche pas", "NE MARCHE... PAS ne-marche-pas", "l'écran \u0301é",
		"@a@b.c #x_y", "refunded refund* #HaloGate @Lumio lumio", "https://lumio.com/refund refund",
		"×÷ a×b é÷ \xc3", "\xc3a don't l'ami lumio's ＨＡＬＯ e\u0301cran naïve µ 🔥refund❤️refund")
	for _, list := range lists {
		m := MustCompile(list)
		for _, text := range texts {
			got, want := m.Match(nil, text), m.referenceMatch(nil, text)
			if !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, before %v", text, got, want)
			}
		}
	}
}

func FuzzMatchAsReference(f *testing.F) {
	for _, l := range benchLines() {
		f.Add(l)
	}
	f.Add("ne marche pas NE-MARCHE-PAS l'écran \u0301é @a@b.c #x_y")
	ms := []*Matcher{
		MustCompile(append(watchList(50), "ne marche pas", "@lumio", "#halo*", "l'écran")),
		// No hashtag, mention or pictograph starts an entry: the quick
		// scan steps over them.
		MustCompile([]string{"halo", "lumio", "refund*", "don't", "boîtier", "ça chauffe", "ré*", "a", "x1", "e"}),
		MustCompile([]string{"🔥", "❤️ lumio", "ＨＡＬＯ", "привет", "ab*"}),
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range ms {
			if got, want := m.Match(nil, text), m.referenceMatch(nil, text); !slices.Equal(got, want) {
				t.Errorf("Match(%q) = %v, before %v", text, got, want)
			}
		}
	})
}
