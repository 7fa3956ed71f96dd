package textnorm

import (
	"testing"

	"github.com/tribune/tribune/stats/internal/testutil"
)

// benchLines are the demo-like chat lines every text benchmark uses.
func benchLines() []string { return testutil.Lines }

func BenchmarkTokenize(b *testing.B) {
	lines := benchLines()
	var tk Tokenizer
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	b.SetBytes(int64(n / len(lines)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tk.Reset(lines[i%len(lines)])
		for tk.Next() {
			_ = tk.Token()
		}
	}
}

func BenchmarkFold(b *testing.B) {
	lines := benchLines()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendFold(buf[:0], lines[i%len(lines)])
	}
}
