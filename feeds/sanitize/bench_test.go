package sanitize

import (
	"strings"
	"testing"
)

const (
	benchASCII  = "pog that play was insane, gg to the whole team!! see you at 20h for the keynote"
	benchFrench = "Trop hâte de voir la keynote ce soir 🔥🔥 vous avez prévu un replay ? Merci l'équipe 👨\u200d👩\u200d👧 🇫🇷"
	// A French line that needs one change: a CRLF from a webhook.
	benchFrenchCRLF = "Bonjour à tous 👋\r\nLe live commence à 20h, café prêt ☕"
)

// benchHostile packs every kind of sequence the sanitizer removes around
// a little real text.
var benchHostile = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[31;1mFREE\x1b[0m \x1b]52;c;" +
	strings.Repeat("ZXZpbA==", 8) + "\x1b\\nitro \u202Egift\u202C \x9b6n\x1bP1$r0m\x1b\\" +
	"Z\u0351\u0364\u0350\u0346\u0303\u0357\u0300\u0346a\u0357\u0351\u0301\u0302\u0303lgo " +
	"\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \xff\xfe\x1b_Gf=100;AAAA\x1b\\\x1b7\x1b8\x00\x7f\r\n"

func bench(b *testing.B, fn func(string, int) string, s string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = fn(s, 0)
	}
}

func BenchmarkTextASCII(b *testing.B)      { bench(b, Text, benchASCII) }
func BenchmarkLineASCII(b *testing.B)      { bench(b, Line, "xX_Gamer_Xx") }
func BenchmarkTextFrench(b *testing.B)     { bench(b, Text, benchFrench) }
func BenchmarkTextFrenchCRLF(b *testing.B) { bench(b, Text, benchFrenchCRLF) }
func BenchmarkLineFrench(b *testing.B)     { bench(b, Line, "Jérôme 🇫🇷 Dupont-Lefèvre") }
func BenchmarkTextHostile(b *testing.B)    { bench(b, Text, benchHostile) }
func BenchmarkLineHostile(b *testing.B)    { bench(b, Line, benchHostile) }
func BenchmarkTextCJK(b *testing.B) {
	bench(b, Text, strings.Repeat("日本語のテキスト、", 20))
}
func BenchmarkTextLongCut(b *testing.B) { bench(b, Text, strings.Repeat("spam ", 100_000)) }
func BenchmarkTextHugeUnterminated(b *testing.B) {
	bench(b, Text, "x\x1b]52;c;"+strings.Repeat("A", 1<<20))
}
