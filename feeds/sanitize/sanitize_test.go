package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

type tcase struct {
	name string
	in   string
	max  int
	want string
}

// common cases hold for Text and Line alike: single-line input where the two
// agree.
var common = []tcase{
	// Plain text survives untouched.
	{"empty", "", 0, ""},
	{"ascii", "hello, world!", 0, "hello, world!"},
	{"french", "Café crème, s'il vous plaît", 0, "Café crème, s'il vous plaît"},
	{"japanese", "日本語", 0, "日本語"},
	{"arabic", "مرحبا", 0, "مرحبا"},
	{"hebrew", "שלום", 0, "שלום"},
	{"mixed rtl ltr", "hello שלום world", 0, "hello שלום world"},
	{"emoji", "gg 😂🔥", 0, "gg 😂🔥"},
	{"zwj family", "👨\u200d👩\u200d👧", 0, "👨\u200d👩\u200d👧"},
	{"zwj rainbow flag", "🏳️\u200d🌈", 0, "🏳️\u200d🌈"},
	{"skin tone", "👋🏽", 0, "👋🏽"},
	{"flag", "🇫🇷", 0, "🇫🇷"},
	{"flags", "🇫🇷🇧🇪🇨🇦", 0, "🇫🇷🇧🇪🇨🇦"},
	{"tag sequence scotland", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F", 0, "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"},
	{"keycap", "1\uFE0F\u20E3", 0, "1\uFE0F\u20E3"},
	{"persian zwnj", "می\u200cخواهم", 0, "می\u200cخواهم"},
	{"decomposed accent", "Cafe\u0301", 0, "Cafe\u0301"},
	{"vietnamese decomposed", "Vie\u0323\u0302t", 0, "Vie\u0323\u0302t"},
	{"vietnamese precomposed", "Tiếng Việt", 0, "Tiếng Việt"},
	{"hebrew points", "שָׁלוֹם", 0, "שָׁלוֹם"},
	{"lrm rlm kept", "a\u200eb\u200fc", 0, "a\u200eb\u200fc"},
	{"replacement char kept", "a\uFFFDb", 0, "a\uFFFDb"},
	{"hangul", "한국어", 0, "한국어"},
	{"hangul jamo", "\u1100\u1161\u11A8", 0, "\u1100\u1161\u11A8"},

	// OSC: clipboard, title, hyperlinks; BEL or ST terminated.
	{"osc52 bel", "hi\x1b]52;c;ZXZpbA==\x07there", 0, "hithere"},
	{"osc52 st", "hi\x1b]52;c;ZXZpbA==\x1b\\there", 0, "hithere"},
	{"osc0 title st", "\x1b]0;pwned\x1b\\hello", 0, "hello"},
	{"osc2 title bel", "a\x1b]2;pwned\x07b", 0, "ab"},
	{"osc8 hyperlink", "see \x1b]8;;https://evil.example/\x1b\\this\x1b]8;;\x1b\\ link", 0, "see this link"},
	{"osc 8-bit st", "a\x1b]0;t\u009cb", 0, "ab"},
	{"osc unterminated", "before\x1b]52;c;ZXZpbA==", 0, "before"},
	{"osc unterminated swallows to end", "a\x1b]0;title and more text", 0, "a"},
	{"osc cut by can", "a\x1b]0;x\x18b", 0, "ab"},
	{"osc cut by esc", "a\x1b]0;x\x1b[31mb", 0, "ab"},
	{"osc with utf8 payload", "a\x1b]0;ĉu vi? 😀\x07b", 0, "ab"},
	{"c1 osc", "a\u009d0;title\u0007b", 0, "ab"},
	{"c1 osc c1 st", "a\u009d52;c;ZXZpbA==\u009cb", 0, "ab"},

	// CSI: cursor movement, erase, SGR colours, private modes.
	{"sgr colour", "\x1b[31mred\x1b[0m", 0, "red"},
	{"sgr truecolor", "\x1b[38;2;255;0;0mred\x1b[m text", 0, "red text"},
	{"sgr colon", "\x1b[4:3mx", 0, "x"},
	{"cursor up", "a\x1b[2Ab", 0, "ab"},
	{"cursor position", "a\x1b[10;20Hb", 0, "ab"},
	{"erase screen", "\x1b[2J\x1b[Hgotcha", 0, "gotcha"},
	{"private mode", "a\x1b[?1049hb\x1b[?25l", 0, "ab"},
	{"csi intermediate", "a\x1b[0 qb", 0, "ab"},
	{"c1 csi erase", "\u009b2Jx", 0, "x"},
	{"c1 csi", "a\u009b31mb", 0, "ab"},
	{"csi unterminated", "ab\x1b[12;3", 0, "ab"},
	{"csi cut by can", "a\x1b[12\x18b", 0, "ab"},
	{"csi restarted by esc", "a\x1b[12\x1b[31mb", 0, "ab"},
	{"csi ends at non-ascii", "a\x1b[1é", 0, "aé"},
	{"csi ignores c0 inside", "a\x1b[1\x002Jb", 0, "ab"},

	// DCS, APC, PM, SOS: payload up to ST, BEL does not end them.
	{"dcs", "a\x1bP1$r0m\x1b\\b", 0, "ab"},
	{"dcs sixel", "a\x1bPq#0;2;0;0;0#1!14@\x1b\\b", 0, "ab"},
	{"dcs bel is payload", "a\x1bPx\x07y\x1b\\b", 0, "ab"},
	{"apc", "a\x1b_Gf=100;AAAA\x1b\\b", 0, "ab"},
	{"pm", "a\x1b^secret\x1b\\b", 0, "ab"},
	{"sos", "a\x1bXstart of string\x1b\\b", 0, "ab"},
	{"c1 dcs", "a\u0090q#0\u009cb", 0, "ab"},
	{"c1 apc", "a\u009fpayload\u009cb", 0, "ab"},
	{"c1 pm", "a\u009epayload\u009cb", 0, "ab"},
	{"c1 sos", "a\u0098payload\u009cb", 0, "ab"},
	{"dcs unterminated", "a\x1bPq#0;2;0;0;0", 0, "a"},
	{"apc aborted by c1", "a\x1b_x\u009b31mb", 0, "ab"},

	// Two-byte and nF escape sequences.
	{"esc 7", "a\x1b7b\x1b8", 0, "ab"},
	{"esc c reset", "a\x1bcb", 0, "ab"},
	{"esc M reverse index", "a\x1bMb", 0, "ab"},
	{"esc charset", "a\x1b(0b\x1b(B", 0, "ab"},
	{"esc decaln", "a\x1b#8b", 0, "ab"},
	{"lone st", "a\x1b\\b", 0, "ab"},
	{"lone esc at end", "abc\x1b", 0, "abc"},
	{"lone esc at start", "\x1b", 0, ""},
	{"esc esc", "a\x1b\x1b[31mb", 0, "ab"},
	{"esc then non-ascii", "a\x1bé", 0, "aé"},
	{"esc then c1", "a\x1b\u009b31mb", 0, "ab"},

	// Controls.
	{"nul", "a\x00b", 0, "ab"},
	{"bell", "a\x07b", 0, "ab"},
	{"backspace", "abc\x08\x08\x08xyz", 0, "abcxyz"},
	{"del", "a\x7fb", 0, "ab"},
	{"vt ff", "a\x0b\x0cb", 0, "ab"},
	{"c1 nel", "a\u0085b", 0, "ab"},
	{"c1 ind", "a\u0084b", 0, "ab"},
	{"c1 st alone", "a\u009cb", 0, "ab"},
	{"only controls", "\x00\x01\x1b[m\x7f\u0080", 0, ""},

	// Bidi controls and BOM.
	{"rlo", "\u202Eevil", 0, "evil"},
	{"rlo filename trick", "invoice\u202Efdp.exe", 0, "invoicefdp.exe"},
	{"embeddings", "\u202Aa\u202Bb\u202Cc\u202Dd", 0, "abcd"},
	{"isolates", "\u2066a\u2067b\u2068c\u2069d", 0, "abcd"},
	{"bom", "\uFEFFhello", 0, "hello"},
	{"bidi inside rtl", "\u202Bمرحبا\u202C", 0, "مرحبا"},

	// Combining marks.
	{"zalgo", "Z\u0351\u0364\u0350\u0346\u0303\u0357\u0300\u0346a\u0357\u0351\u0301\u0302\u0303", 0, "Z\u0351\u0364\u0350\u0346a\u0357\u0351\u0301\u0302"},
	{"four marks kept", "e\u0301\u0302\u0303\u0304", 0, "e\u0301\u0302\u0303\u0304"},
	{"five marks cut", "e\u0301\u0302\u0303\u0304\u0305", 0, "e\u0301\u0302\u0303\u0304"},
	{"enclosing marks count", "a\u20DD\u20DE\u20DF\u20E0\u20E2", 0, "a\u20DD\u20DE\u20DF\u20E0"},
	{"marks across removed controls", "e\u0301\u0302\x1b[m\u0303\u0304\x00\u0305", 0, "e\u0301\u0302\u0303\u0304"},
	{"marks across zwj", "e\u0301\u0302\u200d\u0303\u0304\u200d\u0305\u0306", 0, "e\u0301\u0302\u200d\u0303\u0304\u200d"},
	{"marks reset by base", "e\u0301\u0302\u0303\u0304x\u0301\u0302\u0303\u0304", 0, "e\u0301\u0302\u0303\u0304x\u0301\u0302\u0303\u0304"},
	{"leading marks", "\u0301\u0302\u0303\u0304\u0305x", 0, "\u0301\u0302\u0303\u0304x"},

	// Invalid UTF-8.
	{"invalid byte", "a\xffb", 0, "a\uFFFDb"},
	{"invalid run", "a\xff\xfe\xfdb", 0, "a\uFFFDb"},
	{"truncated sequence", "a\xe2\x82", 0, "a\uFFFD"},
	{"overlong", "a\xc0\xafb", 0, "a\uFFFDb"},
	{"surrogate", "a\xed\xa0\x80b", 0, "a\uFFFDb"},
	{"raw 8-bit csi", "a\x9b2Jb", 0, "a\uFFFD2Jb"},
	{"invalid inside osc", "a\x1b]0;\xff\xfe\x07b", 0, "ab"},

	// Whitespace.
	{"trim", "  hello  ", 0, "hello"},
	{"trim unicode spaces", "\u3000\u00a0hello\u2003", 0, "hello"},
	{"only spaces", "   ", 0, ""},
	{"tab", "a\tb", 0, "a b"},
	{"trim after escape", "\x1b[31m hello \x1b[0m", 0, "hello"},

	// Length.
	{"exact max", "abcde", 5, "abcde"},
	{"cut", "abcdef", 5, "abcd…"},
	{"cut max 1", "abc", 1, "…"},
	{"cut max 2", "abc", 2, "a…"},
	{"cut counts runes", "éééééé", 4, "ééé…"},
	{"cut drops space before ellipsis", "abc defgh", 5, "abc…"},
	{"cut keeps marks with base", "abe\u0301\u0302f", 4, "ab…"},
	{"cut after marks", "abe\u0301\u0302fg", 6, "abe\u0301\u0302…"},
	{"cut keeps zwj family", "hi 👨\u200d👩\u200d👧 yes", 7, "hi…"},
	{"cut keeps flag pair", "🇫🇷🇧🇪🇨🇦", 4, "🇫🇷…"},
	{"cut keeps flag pair odd", "🇫🇷🇧🇪🇨🇦", 5, "🇫🇷🇧🇪…"},
	{"cut keeps skin tone", "ab👋🏽c", 4, "ab…"},
	{"cut keeps tag sequence", "a🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007Fb", 8, "a…"},
	{"cut keeps hangul jamo", "a\u1100\u1161\u11A8b", 4, "a…"},
	{"cut after removal", "\x1b[31mabcdef\x1b[0m", 4, "abc…"},
	{"cut invalid", "\xff\xfe\xfd", 1, "\uFFFD"},
	{"within max after removal", "\x1b[31mabcd\x1b[0m", 4, "abcd"},
	{"within max after trim", "  abcd  ", 4, "abcd"},
	{"default max", strings.Repeat("x", DefaultMax+10), 0, strings.Repeat("x", DefaultMax-1) + "…"},
	{"negative max", strings.Repeat("x", DefaultMax+10), -1, strings.Repeat("x", DefaultMax-1) + "…"},
	{"zwj chain cut hard", strings.Repeat("👨\u200d", 100), 50, strings.Repeat("👨\u200d", 24) + "👨…"},
	{"letters joined by zwj cut between clusters", strings.Repeat("a\u200d", 100), 50, strings.Repeat("a\u200d", 23) + "a…"},
}

var textCases = []tcase{
	{"newline kept", "a\nb", 0, "a\nb"},
	{"crlf", "a\r\nb", 0, "a\nb"},
	{"lone cr", "a\rb", 0, "a\nb"},
	{"cr cr lf", "a\r\r\nb", 0, "a\n\nb"},
	{"crlf across removed sequence", "a\r\x1b[K\nb", 0, "a\nb"},
	{"line separator", "a\u2028b", 0, "a\nb"},
	{"paragraph separator", "a\u2029b", 0, "a\nb"},
	{"blank line kept", "a\n\nb", 0, "a\n\nb"},
	{"newlines collapse", "a\n\n\n\n\nb", 0, "a\n\nb"},
	{"crlf collapse", "a\r\n\r\n\r\n\r\nb", 0, "a\n\nb"},
	{"space-only lines are blank", "a\n \n\t\n  \nb", 0, "a\n\nb"},
	{"trailing space per line", "a  \nb", 0, "a\nb"},
	{"indent kept", "a\n  b", 0, "a\n  b"},
	{"inner spaces kept", "a  b", 0, "a  b"},
	{"tab indent", "a\n\tb", 0, "a\n b"},
	{"nbsp kept inside", "Bonjour\u00a0!", 0, "Bonjour\u00a0!"},
	{"narrow nbsp kept inside", "Bonjour\u202f!", 0, "Bonjour\u202f!"},
	{"trim newlines", "\n\n  hello\n\n", 0, "hello"},
	{"newline in escape", "a\x1b]0;x\ny\x07b", 0, "ab"},
	{"cut drops newline before ellipsis", "abc\n\ndef", 5, "abc…"},
	{"newlines count", "a\nb\nc", 4, "a\nb…"},
	{"multi-line chat", "Salut à tous 👋\r\nLe live commence à 20h\u202f!\r\n\r\n\r\n#launch", 0, "Salut à tous 👋\nLe live commence à 20h\u202f!\n\n#launch"},
}

var lineCases = []tcase{
	{"newline to space", "a\nb", 0, "a b"},
	{"crlf to space", "a\r\nb", 0, "a b"},
	{"separators", "a\u2028b\u2029c", 0, "a b c"},
	{"spaces collapse", "a   b", 0, "a b"},
	{"mixed whitespace collapse", "a \t\n\r\n \u00a0\u3000 b", 0, "a b"},
	{"nbsp to space", "Jean\u00a0Dupont", 0, "Jean Dupont"},
	{"double space ascii", "a  b", 0, "a b"},
	{"trim newlines", "\nname\n", 0, "name"},
	{"space across removed", "a \x1b[31m b", 0, "a b"},
	{"display name", "\u202E\x1b]0;x\x07 xX_Gamer\u0301\u0301\u0301\u0301\u0301_Xx\t", 0, "xX_Gamer\u0301\u0301\u0301\u0301_Xx"},
	{"cut", "a b c d e", 4, "a b…"},
}

func run(t *testing.T, name string, f func(string, int) string, cases ...[]tcase) {
	t.Helper()
	for _, cs := range cases {
		for _, tc := range cs {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				got := f(tc.in, tc.max)
				if got != tc.want {
					t.Fatalf("%s(%+q, %d)\n got %+q\nwant %+q", name, tc.in, tc.max, got, tc.want)
				}
				check(t, name == "Line", tc.in, tc.max, got)
				if again := f(got, tc.max); again != got {
					t.Fatalf("not idempotent: %+q -> %+q", got, again)
				}
			})
		}
	}
}

func TestText(t *testing.T) { run(t, "Text", Text, common, textCases) }
func TestLine(t *testing.T) { run(t, "Line", Line, common, lineCases) }

// The fast path returns the very same string, without allocating.
func TestFastPathNoAlloc(t *testing.T) {
	for _, s := range []string{"", "hello world", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "a  b"} {
		if a := testing.AllocsPerRun(100, func() { _ = Text(s, 0) }); a != 0 {
			t.Errorf("Text(%q) allocates %v", s, a)
		}
		if got := Text(s, 0); got != s || len(s) > 0 && !sameData(got, s) {
			t.Errorf("Text(%q) = %q, not the input itself", s, got)
		}
	}
	if a := testing.AllocsPerRun(100, func() { _ = Line("xX_Gamer_Xx", 64) }); a != 0 {
		t.Errorf("Line allocates %v", a)
	}
}

// Clean non-ASCII text also comes back as is, and so does text whose only
// change is trimming at the end.
func TestCleanTextNoAlloc(t *testing.T) {
	for _, s := range []string{
		"Café crème 😂 🇫🇷 👨\u200d👩\u200d👧",
		"日本語のテキスト",
		"Salut !\nÇa va ?",
		"trailing space ",
	} {
		if a := testing.AllocsPerRun(100, func() { _ = Text(s, 0) }); a != 0 {
			t.Errorf("Text(%q) allocates %v", s, a)
		}
	}
}

func sameData(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

// A result much shorter than its input does not keep the input alive; a
// slightly shorter one may share it.
func TestShortResultDoesNotPinInput(t *testing.T) {
	in := "hello" + strings.Repeat(" ", 1000)
	if got := Text(in, 0); got != "hello" || sameData(got, in) {
		t.Fatalf("got %q, shares input: %v", got, sameData(got, in))
	}
	in = "hello "
	if got := Text(in, 0); got != "hello" || !sameData(got, in) {
		t.Fatalf("got %q, shares input: %v", got, sameData(got, in))
	}
}

// isZs must agree with the unicode package.
func TestIsZs(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := r != ' ' && unicode.Is(unicode.Zs, r)
		if isZs(r) != want {
			t.Fatalf("isZs(%U) = %v, want %v", r, !want, want)
		}
	}
}

// Every C0 and C1 control and every bidi control, alone between letters,
// disappears (or is a newline in Text).
func TestEveryControl(t *testing.T) {
	var rs []rune
	for r := rune(0); r < 0x20; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x7F); r <= 0x9F; r++ {
		rs = append(rs, r)
	}
	rs = append(rs, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF)
	for _, r := range rs {
		in := "a" + string(r) + "b"
		if strings.ContainsRune("\n\r", r) {
			if got := Text(in, 0); got != "a\nb" {
				t.Errorf("Text(%+q) = %+q", in, got)
			}
			if got := Line(in, 0); got != "a b" {
				t.Errorf("Line(%+q) = %+q", in, got)
			}
			continue
		}
		if r == '\t' {
			continue
		}
		want := "ab"
		switch r {
		case 0x1B: // ESC b is a two-byte sequence
			want = "a"
		case 0x90, 0x98, 0x9D, 0x9E, 0x9F: // string introducers run to the end
			want = "a"
		case 0x9B: // CSI b: 'b' is a final byte
			want = "a"
		}
		if got := Text(in, 0); got != want {
			t.Errorf("Text(%+q) = %+q, want %+q", in, got, want)
		}
		if got := Line(in, 0); got != want {
			t.Errorf("Line(%+q) = %+q, want %+q", in, got, want)
		}
	}
}

// Zalgo of any depth is cut to maxMarks per base, and a huge input is cut
// to max runes.
func TestBounds(t *testing.T) {
	z := strings.Repeat("a"+strings.Repeat("\u0336", 200), 50)
	got := Text(z, 0)
	if want := strings.Repeat("a"+strings.Repeat("\u0336", maxMarks), 50); got != want {
		t.Fatalf("zalgo: got %d runes", utf8.RuneCountInString(got))
	}
	big := strings.Repeat("é\n", 1<<20)
	got = Text(big, 100)
	if n := utf8.RuneCountInString(got); n != 100 || !strings.HasSuffix(got, "é…") {
		t.Fatalf("big: %d runes, suffix %+q", n, got[len(got)-8:])
	}
}

// plain must agree with the unicode package for every rune it covers.
func TestPlainTable(t *testing.T) {
	for r := rune(0x300); r <= unicode.MaxRune; r++ {
		want := !unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp)
		if r >= tableLimit {
			if plain(r) {
				t.Fatalf("plain(%U) beyond the table", r)
			}
			continue
		}
		if plain(r) != want {
			t.Fatalf("plain(%U) = %v, want %v", r, !want, want)
		}
	}
}
