package stats

import (
	"fmt"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/stats/watch"
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

// BenchmarkObservePulse is the engine's cost per event with the pulse on:
// the demo's own messages, the brand's handle and 200 watch-words. The
// target is 500,000 events a second on 2 cores.
func BenchmarkObservePulse(b *testing.B) {
	var evs []feeds.Event
	for _, fc := range demo.Launch(20) {
		s, err := demo.NewScenario(fc.Platform, 1, fc.Rate)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 2500 {
			_, ev := s.Next()
			ev.Feed, ev.ID = fc.Platform, fmt.Sprint(fc.Platform, i)
			evs = append(evs, ev)
		}
	}
	words := append([]string(nil), demoWatch...)
	for i := len(words); i < 201; i++ {
		words = append(words, fmt.Sprintf("motclef%d", i))
	}
	now := t0
	e := New(func() time.Time { return now })
	e.Configure(Config{Brand: []string{"@lumio"}, Text: NewLexicon(watch.MustCompile(words), 1)})
	e.Observe(evs) // every feed and author known
	const batch = 100
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
		off = (off + batch) % len(evs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
}
