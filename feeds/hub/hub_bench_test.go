package hub_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/store"
)

// benchIngest pushes b.N realistic chat events through a running hub and
// waits until a subscriber has seen them all: sanitize, dedupe, seq,
// persist (when st is set) and fan-out.
func benchIngest(b *testing.B, st hub.EventStore) {
	h := hub.New(hub.Options{Store: st, SubscriberBacklog: 1 << 30})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := h.Subscribe(ctx)
	go h.Run(ctx)
	evs := make([]feeds.Event, b.N)
	t0 := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = feeds.Event{
			Feed: "twitch", Platform: "twitch", ID: fmt.Sprintf("885196de-%012d", i),
			Author: fmt.Sprintf("viewer_%d", i%1000), AuthorName: "Viewer", Badges: []string{feeds.BadgeSubscriber},
			Channel: "#lumio", Text: "trop bien la démo, c'est quand la sortie en Belgique ? PogChamp 🎧",
			Time: t0.Add(time.Duration(i) * time.Millisecond),
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for _, ev := range evs {
			h.Ingest(ctx, ev)
		}
	}()
	seen := 0
	for seen < b.N {
		<-sub.Ready()
		seen += len(hub.Items(sub.Take(), hub.TopicEvents))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkHubIngest(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchIngest(b, nil) })
	b.Run("bbolt", func(b *testing.B) {
		db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchIngest(b, db)
	})
}
