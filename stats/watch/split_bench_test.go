package watch

import (
	"testing"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds/sanitize"
)

func asciiLines(ascii bool) []string {
	var out []string
	for _, l := range benchLines() {
		isASCII := true
		for i := 0; i < len(l); i++ {
			if l[i] >= utf8.RuneSelf {
				isASCII = false
			}
		}
		if isASCII == ascii {
			out = append(out, l)
		}
	}
	return out
}

func BenchmarkSplit(b *testing.B) {
	m := MustCompile(watchList(200))
	for _, c := range []struct {
		name  string
		lines []string
	}{{"ascii", asciiLines(true)}, {"nonascii", asciiLines(false)}} {
		b.Run("match/"+c.name, func(b *testing.B) {
			dst := make([]Hit, 0, 64)
			for i := 0; b.Loop(); i++ {
				dst = m.Match(dst[:0], c.lines[i%len(c.lines)])
			}
		})
		b.Run("sanitize/"+c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				_ = sanitize.Text(c.lines[i%len(c.lines)], 0)
			}
		})
	}
}
