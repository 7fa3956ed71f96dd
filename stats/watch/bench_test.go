package watch

import (
	"testing"

	"github.com/tribune/tribune/feeds/sanitize"
	"github.com/tribune/tribune/stats/internal/testutil"
)

func benchLines() []string { return testutil.Lines }

// watchList returns n watch-words of the kind a launch config holds.
func watchList(n int) []string { return testutil.WatchList(n) }

// BenchmarkMatch200 matches 200 watch-words against one line per
// iteration, cycling through the demo-like lines: the per-event cost.
func BenchmarkMatch200(b *testing.B) {
	m := MustCompile(watchList(200))
	lines := benchLines()
	dst := make([]Hit, 0, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = m.Match(dst[:0], lines[i%len(lines)])
	}
}

// BenchmarkSanitize is what the hub already pays per event on the same
// lines: sanitize.Text. BenchmarkMatch200 must not be slower.
func BenchmarkSanitize(b *testing.B) {
	lines := benchLines()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = sanitize.Text(lines[i%len(lines)], 0)
	}
}

func BenchmarkCompile200(b *testing.B) {
	list := watchList(200)
	b.ReportAllocs()
	for b.Loop() {
		MustCompile(list)
	}
}
