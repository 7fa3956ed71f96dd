package watch

import (
	"fmt"
	"strings"
	"testing"
)

// hits renders the hits of list in text as "entry=highlighted" strings.
func hits(t *testing.T, list []string, text string) []string {
	t.Helper()
	m := MustCompile(list)
	var out []string
	bound := map[int]bool{len(text): true}
	for i := range text {
		bound[i] = true
	}
	for _, h := range m.Match(nil, text) {
		out = append(out, list[h.Entry]+"="+text[h.Start:h.End])
	}
	return out
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		list []string
		text string
		want string
	}{
		// Case and accents, both ways.
		{[]string{"probleme"}, "Gros PROBLÈME ici", "probleme=PROBLÈME"},
		{[]string{"Problème"}, "gros probleme", "Problème=probleme"},
		{[]string{"brûlant"}, "le boîtier est BRULANT!!", "brûlant=BRULANT"},
		{[]string{"remboursement"}, "Remboursement ?", "remboursement=Remboursement"},
		// Whole words only.
		{[]string{"refund"}, "refunded refunds prefund refund.", "refund=refund"},
		{[]string{"halo"}, "halogen Halo2 Halo", "halo=Halo"},
		// Prefixes.
		{[]string{"refund*"}, "refunded, REFUNDS and a refund", "refund*=refunded refund*=REFUNDS refund*=refund"},
		{[]string{"rembours*"}, "je veux être remboursé", "rembours*=remboursé"},
		{[]string{"ne marche*"}, "ça ne marchera jamais", "ne marche*=ne marchera"},
		// Phrases, across punctuation, not across other words.
		{[]string{"ne marche pas"}, "ça ne marche pas", "ne marche pas=ne marche pas"},
		{[]string{"ne marche pas"}, "NE MARCHE... PAS!", "ne marche pas=NE MARCHE... PAS"},
		{[]string{"ne marche pas"}, "ne-marche-pas", "ne marche pas=ne-marche-pas"},
		{[]string{"ne marche pas"}, "ne marche toujours pas", ""},
		{[]string{"ne marche pas"}, "ne marche 😡 pas", ""},
		{[]string{"lumio halo"}, "the Lumio Halo, the lumio, the halo", "lumio halo=Lumio Halo"},
		// Overlaps: every hit is reported.
		{[]string{"ne marche pas", "marche", "pas"}, "ne marche pas", "marche=marche ne marche pas=ne marche pas pas=pas"},
		{[]string{"la la"}, "la la la", "la la=la la la la=la la"},
		// Mentions and hashtags.
		{[]string{"@lumio"}, "@Lumio help, lumio, @lumio_fr, @lumio.bsky.social", "@lumio=@Lumio"},
		{[]string{"lumio"}, "@Lumio help, Lumio's case", "lumio=@Lumio lumio=Lumio"},
		{[]string{"#halogate"}, "#HaloGate halogate", "#halogate=#HaloGate"},
		{[]string{"halogate"}, "#HaloGate halogate", "halogate=#HaloGate halogate=halogate"},
		{[]string{"#halo*"}, "#HaloGate #halo halo", "#halo*=#HaloGate #halo*=#halo"},
		// Elisions.
		{[]string{"écran"}, "L'ÉCRAN est noir", "écran=ÉCRAN"},
		{[]string{"l'écran"}, "l’écran, l écran, écran", "l'écran=l’écran l'écran=l écran"},
		// Not inside links.
		{[]string{"refund"}, "https://lumio.com/refund refund", "refund=refund"},
		// Emoji entries.
		{[]string{"🔥"}, "ça chauffe 🔥🏽", "🔥=🔥🏽"},
		// Multi-byte spans.
		{[]string{"ecouteurs"}, "😡😡 ÉCOUTEURS 🎧", "ecouteurs=ÉCOUTEURS"},
		{[]string{"halo"}, "ＨＡＬＯ 𝐇𝐀𝐋𝐎", "halo=ＨＡＬＯ halo=𝐇𝐀𝐋𝐎"},
	} {
		got := strings.Join(hits(t, c.list, c.text), " ")
		if got != c.want {
			t.Errorf("%q in %q:\n got %s\nwant %s", c.list, c.text, got, c.want)
		}
	}
}

func TestEntries(t *testing.T) {
	m := MustCompile([]string{"@lumio", "refund*", "ne marche pas", "@lumio halo"})
	want := []Entry{
		{Text: "@lumio", Mention: true},
		{Text: "refund*", Prefix: true},
		{Text: "ne marche pas"},
		{Text: "@lumio halo"},
	}
	if got := m.Entries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Entries = %v, want %v", got, want)
	}
	text := "@LUMIO ça ne marche pas"
	if h := m.Match(nil, text); len(h) != 2 || h[0] != (Hit{0, 0, 6}) || h[1] != (Hit{2, strings.Index(text, "ne"), len(text)}) {
		t.Errorf("hits = %v", h)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, bad := range []string{"", "  ", "...", "re*fund", "*", "https://lumio.com", "refund *x", strings.Repeat("a", 65)} {
		if _, err := Compile([]string{bad}); err == nil {
			t.Errorf("Compile(%q) succeeded", bad)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	m := MustCompile(watchList(200))
	dst := make([]Hit, 0, 64)
	for _, l := range benchLines() {
		if n := testing.AllocsPerRun(20, func() { dst = m.Match(dst[:0], l) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times", l, n)
		}
	}
}

// checkSpans checks the invariants every hit must keep.
func checkSpans(t *testing.T, m *Matcher, text string) {
	bound := map[int]bool{len(text): true}
	for i := range text {
		bound[i] = true
	}
	for _, h := range m.Match(nil, text) {
		if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
			t.Fatalf("hit %v outside %q", h, text)
		}
		if !bound[h.Start] || !bound[h.End] {
			t.Fatalf("hit %v not on rune boundaries in %q", h, text)
		}
		if h.Entry < 0 || h.Entry >= len(m.Entries()) {
			t.Fatalf("hit %v: bad entry", h)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, l := range benchLines() {
		f.Add(l, "refund*")
	}
	f.Add("ne marche pas", "ne marche pas")
	f.Add("l'écran \u0301é", "l'écran")
	f.Add("@a@b.c #x_y", "@a@b.c")
	f.Fuzz(func(t *testing.T, text, entry string) {
		m := MustCompile(append(watchList(50), "ne marche pas", "@lumio", "#halo*"))
		checkSpans(t, m, text)
		if m2, err := Compile([]string{entry, "x"}); err == nil {
			checkSpans(t, m2, text)
			// An entry always finds itself, unless it is a phrase made
			// only of entries' own punctuation quirks.
			if len(m2.Match(nil, strings.TrimSuffix(strings.TrimSpace(entry), "*"))) == 0 {
				t.Errorf("entry %q does not match itself", entry)
			}
		}
	})
}
