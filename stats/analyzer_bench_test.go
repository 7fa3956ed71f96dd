package stats

import (
	"testing"

	"github.com/tribune/tribune/feeds/sanitize"
	"github.com/tribune/tribune/stats/internal/testutil"
	"github.com/tribune/tribune/stats/watch"
)

// BenchmarkAnalyze is the pulse's reading of one message, on the lines
// stats/watch benchmarks Match with: with no watch-word, with 200 (the
// difference is what watch-words cost the engine, now that they share the
// tokenizing with sentiment and terms), and sanitize.Text, which the hub
// already pays per message, in the same run.
func BenchmarkAnalyze(b *testing.B) {
	lines := testutil.Lines
	// The 200 watch-words of stats/watch's benchmarks, the brand's
	// handles first, so many that a fifth of the tokens are hits or
	// start one.
	words := testutil.WatchList(200)
	for _, c := range []struct {
		name string
		l    *Lexicon
	}{{"watch=0", NewLexicon(nil, 0)}, {"watch=200", NewLexicon(watch.MustCompile(words), 5)}} {
		b.Run(c.name, func(b *testing.B) {
			var a Analysis
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.reset()
				c.l.Analyze(lines[i%len(lines)], &a)
			}
		})
	}
	b.Run("sanitize", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = sanitize.Text(lines[i%len(lines)], 0)
		}
	})
}
