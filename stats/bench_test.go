package stats

import (
	"fmt"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// BenchmarkObserve feeds batches of 100 events from 1000 authors over 3
// feeds, the clock moving 50 ms per batch (about 2,000 events a second, so
// minutes roll over during the run). Authors and feeds are seen once before
// the timer starts: this measures the steady state.
func BenchmarkObserve(b *testing.B) {
	const batch, authors = 100, 1000
	feedNames := []string{"twitch-main", "mastodon-tag", "bsky-brand"}
	platforms := []string{"twitch", "mastodon", "bluesky"}
	names := make([]string, authors)
	for i := range names {
		names[i] = fmt.Sprintf("user%04d", i)
	}
	evs := make([]feeds.Event, authors)
	for i := range evs {
		f := i % len(feedNames)
		evs[i] = feeds.Event{Feed: feedNames[f], Platform: platforms[f], Kind: feeds.KindMessage, Author: names[i], Text: "hello"}
	}

	now := t0
	e := New(func() time.Time { return now })
	e.Observe(evs) // warm up: every feed and author known
	for i := range evs {
		// Move two authors in three to another feed (and platform), so
		// that the run mixes authors known on several feeds.
		evs[i].Feed = feedNames[(i/len(feedNames))%len(feedNames)]
		evs[i].Platform = platforms[(i/len(feedNames))%len(feedNames)]
	}
	e.Observe(evs)

	b.ReportAllocs()
	b.ResetTimer()
	off := 0
	for b.Loop() {
		now = now.Add(50 * time.Millisecond)
		w := evs[off : off+batch]
		for i := range w {
			w[i].Time = now
		}
		e.Observe(w)
		off = (off + batch) % authors
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
}

// BenchmarkSnapshot takes a snapshot of 3 busy feeds, as each UI does once a
// second.
func BenchmarkSnapshot(b *testing.B) {
	now := t0
	e := New(func() time.Time { return now })
	for range 60 {
		e.Observe(burst("a", 10, now))
		e.Observe(burst("b", 10, now))
		e.Observe(burst("c", 10, now))
		now = now.Add(time.Minute)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Snapshot()
	}
}
