package textnorm

import (
	"fmt"
	"strings"
	"testing"
)

// toks renders the tokens of s as "kind:folded[start:end]" for comparison.
func toks(s string) string {
	var tk Tokenizer
	tk.Reset(s)
	var out []string
	for tk.Next() {
		t := tk.Token()
		f := string(t.Folded)
		if t.Kind == URL {
			f = s[t.Start:t.End]
		}
		p := ""
		if t.Kind != Word {
			p = t.Kind.String() + ":"
		}
		out = append(out, p+f)
	}
	return strings.Join(out, " ")
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Problème", "probleme"},
		{"BRÛLANT", "brulant"},
		{"Ça chauffe", "ca chauffe"},
		{"Straße ẞ", "strasse ss"},
		{"Œuvre cœur Æsir", "oeuvre coeur aesir"},
		{"ＨＡＬＯ ｈａｌｏ １２", "halo halo 12"},
		{"𝐇𝐀𝐋𝐎 𝓗𝓪𝓵𝓸 𝟏𝟐", "halo halo 12"},
		{"e\u0301cran", "ecran"},
		{"ﬁn ﬂeur", "fin fleur"},
		{"Łódź Ñandú Ørsted ŞİŞLİ", "lodz nandu orsted sisli"},
		{"ΚΑΛΗΜΕΡΑ Привет", "καλημερα привет"},
		{"déjà vu 🔥", "deja vu 🔥"},
		{"plain ascii", "plain ascii"},
		{"\xff", "\uFFFD"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	s := "already folded"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold of folded ASCII allocates %v times", n)
	}
}

func TestTokens(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Le boîtier est BRÛLANT!!", "le boitier est brulant"},
		{"l'écran d'accord qu'il", "elision:l ecran elision:d accord elision:qu il"},
		{"L’ÉCRAN n’aime pas", "elision:l ecran elision:n aime pas"},
		{"don't can't it's Lumio's aujourd'hui", "dont cant it lumio aujourdhui"},
		{"'quoted' words'", "quoted words"},
		{"#LumioHalo #écouteurs #halo_2 C# a#b #", "hashtag:#lumiohalo hashtag:#ecouteurs hashtag:#halo_2 c a b"},
		{"@lumio @Lumio_FR: @lumio.bsky.social @lumio@mastodon.social. mail@x", "mention:@lumio mention:@lumio_fr mention:@lumio.bsky.social mention:@lumio@mastodon.social mail x"},
		{"see https://lumio.com/halo?x=1. now", "see url:https://lumio.com/halo?x=1 now"},
		{"(www.Lumio.fr) lumio-cadeaux.win/halo b00st-views.net", "url:www.Lumio.fr url:lumio-cadeaux.win/halo url:b00st-views.net"},
		{"ok.boomer e.g. 1.2 pre-order", "ok boomer e g 1 2 pre order"},
		{"🔥🔥 👍🏽 ❤️ 🇫🇷 👨\u200d👩\u200d👧", "emoji:🔥 emoji:🔥 emoji:👍 emoji:❤ emoji:🇫🇷 emoji:👨 emoji:👩 emoji:👧"},
		{"KEKW PepeHands 50°C", "kekw pepehands 50 c"},
		{"日本語のテキスト、です", "日本語のテキスト です"},
		{"", ""},
		{"  ...  ", ""},
	} {
		if got := toks(c.in); got != c.want {
			t.Errorf("tokens(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestSpans(t *testing.T) {
	s := "Salut @Lumio, l'écran 🔥 est BRÛLANT’s https://x.fr/a."
	var tk Tokenizer
	tk.Reset(s)
	var got []string
	for tk.Next() {
		tok := tk.Token()
		got = append(got, s[tok.Start:tok.End])
	}
	want := "Salut|@Lumio|l|écran|🔥|est|BRÛLANT|https://x.fr/a"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("spans = %s\nwant %s", g, want)
	}
}

func TestLong(t *testing.T) {
	s := strings.Repeat("A", 100) + " ok"
	var tk Tokenizer
	tk.Reset(s)
	tk.Next()
	tok := tk.Token()
	if !tok.Long || len(tok.Folded) != MaxFolded || tok.End != 100 {
		t.Errorf("long token: Long=%v len=%d End=%d", tok.Long, len(tok.Folded), tok.End)
	}
	tk.Next()
	if tok := tk.Token(); tok.Long || string(tok.Folded) != "ok" {
		t.Errorf("after long token: %+v", tok)
	}
}

func TestCaps(t *testing.T) {
	for s, want := range map[string]bool{"KEKW": true, "NUL": true, "W": false, "Nul": false, "ÉNORME": true, "É1": false} {
		var tk Tokenizer
		tk.Reset(s)
		tk.Next()
		if got := tk.Token().IsCaps(s); got != want {
			t.Errorf("IsCaps(%q) = %v", s, got)
		}
	}
}

func TestStop(t *testing.T) {
	for w, want := range map[string]bool{
		"le": true, "the": true, "dont": true, "mdr": true, "lol": true, "tres": true,
		"x": true, "2024": true, "etre": true,
		"boitier": false, "refund": false, "remboursement": false, "halo": false,
	} {
		if got := IsStop([]byte(w)); got != want {
			t.Errorf("IsStop(%q) = %v", w, got)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	var tk Tokenizer
	lines := benchLines()
	n := testing.AllocsPerRun(50, func() {
		for _, l := range lines {
			tk.Reset(l)
			for tk.Next() {
				_ = tk.Token()
			}
		}
	})
	if n != 0 {
		t.Errorf("tokenizing allocates %v times", n)
	}
}

func ExampleTokenizer() {
	var tk Tokenizer
	tk.Reset("@Lumio l'écran est BRÛLANT 😡 #HaloGate")
	for tk.Next() {
		tok := tk.Token()
		fmt.Printf("%s %q %d:%d\n", tok.Kind, tok.Folded, tok.Start, tok.End)
	}
	// Output:
	// mention "@lumio" 0:6
	// elision "l" 7:8
	// word "ecran" 9:15
	// word "est" 16:19
	// word "brulant" 20:28
	// emoji "😡" 29:33
	// hashtag "#halogate" 34:43
}
