package watch

import (
	"fmt"
	"testing"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
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

// BenchmarkSanitize is what the hub pays for the text alone of each
// event, on the same lines: sanitize.Text, a stricter bound than the
// whole event's (BenchmarkSanitizeEvent).
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

// BenchmarkSanitizeEvent is what the hub pays per event to sanitize it:
// hub.Clean, every field of a chat message as the demo's Twitch feed
// sends it, on the same lines. The bound: matching an event's
// text against 200 watch-words costs no more than sanitizing the event.
func BenchmarkSanitizeEvent(b *testing.B) {
	lines := benchLines()
	evs := make([]feeds.Event, len(lines))
	for i, l := range lines {
		evs[i] = feeds.Event{
			Feed: "launch-chat", Platform: "twitch", Kind: feeds.KindMessage,
			ID: fmt.Sprintf("8f2c41d0-%04x-4e6b-9a57-1c0e4b2d%04x", i, i), Channel: "#lumio",
			Author: "pamplemousse_fr", AuthorName: "Pamplemousse_FR", Badges: []string{"subscriber"},
			Text: l,
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev := evs[i%len(evs)]
		hub.Clean(&ev)
	}
}
