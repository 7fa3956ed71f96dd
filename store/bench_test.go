package store

import (
	"fmt"
	"testing"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

const benchBatch = 1000

// BenchmarkAppendEvents measures ingest in batches of 1000 realistic events
// (four feeds, UUID ids, 20-200 byte lines), each batch one durable commit.
// "fresh" starts empty and stays under retention; "steady" runs at a small
// retention so that every batch also prunes as many events as it adds.
func BenchmarkAppendEvents(b *testing.B) {
	for _, bc := range []struct {
		name      string
		retention int
		prefill   int
	}{
		{"fresh", 0, 0},
		{"steady", 20_000, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db := openTemp(b, Options{Retention: bc.retention})
			g := newEventGen(42)
			for range bc.prefill {
				mustAppend(b, db, g.batch(benchBatch)...)
			}
			batches := make([][]feeds.Event, 64)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				if i%len(batches) == 0 {
					for j := range batches {
						batches[j] = g.batch(benchBatch)
					}
				}
				b.StartTimer()
				if err := db.AppendEvents(batches[i%len(batches)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkEnqueue is one durable reply commit, what the composer waits for
// before showing "queued".
func BenchmarkEnqueue(b *testing.B) {
	db := openTemp(b, Options{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o := outgoing(fmt.Sprintf("01J%010d", i), outbox.StateQueued)
		if err := db.Enqueue(o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveDraft is one durable draft save, as made while typing.
func BenchmarkSaveDraft(b *testing.B) {
	db := openTemp(b, Options{})
	d := draft("twitch\x00m1", 0, "merci pour votre question, la sortie est prévue pour")
	b.ReportAllocs()
	for i := int64(1); b.Loop(); i++ {
		d.Rev = i
		if _, err := db.SaveDraft("local", d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecent reads the newest screenful and a half, as a new
// subscriber does.
func BenchmarkRecent(b *testing.B) {
	db := openTemp(b, Options{})
	g := newEventGen(1)
	for range 20 {
		mustAppend(b, db, g.batch(benchBatch)...)
	}
	b.ReportAllocs()
	for b.Loop() {
		if evs, err := db.Recent(500); err != nil || len(evs) != 500 {
			b.Fatal(len(evs), err)
		}
	}
}

// BenchmarkMarkDeletedOldest is MarkDeleted's worst case: the oldest of
// 50,000 events on one feed, found by scanning back from the newest.
func BenchmarkMarkDeletedOldest(b *testing.B) {
	db := openTemp(b, Options{})
	g := newEventGen(1)
	var first feeds.Event
	for i := range 50 {
		batch := g.batch(benchBatch)
		for j := range batch {
			batch[j].Feed = "one"
		}
		if i == 0 {
			first = batch[0]
		}
		mustAppend(b, db, batch...)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.MarkDeleted("one", first.ID); err != nil {
			b.Fatal(err)
		}
	}
}
