package cluster

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/store"
)

// timing is a front-end's hub that notes, for each event it stores, how
// long it took from the ingest node's publisher.
type timing struct {
	h    *hub.Hub
	mu   sync.Mutex
	lat  []time.Duration
	got  int
	want int
	done chan struct{}
}

func (t *timing) CommitNew(ctx context.Context, evs []feeds.Event) (int, error) {
	n, err := t.h.CommitNew(ctx, evs)
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range evs {
		t.lat = append(t.lat, now.Sub(evs[i].Time))
	}
	t.got += n
	if t.got >= t.want && t.done != nil {
		close(t.done)
		t.done = nil
	}
	return n, err
}

// BenchmarkIngestToFrontEnd: events from an ingest node's publisher,
// through JetStream on one embedded server on loopback, to a front-end's
// hub and bbolt: as fast as they go ("flood", where p99 is the backlog's
// wait), and at 10,000 events a second in batches of 100 ("10k/s").
// go test ./cluster -run '^$' -bench IngestToFrontEnd -benchmem -benchtime 100000x
func BenchmarkIngestToFrontEnd(b *testing.B) {
	b.Run("flood", func(b *testing.B) { benchIngest(b, 1024, 0) })
	b.Run("10k/s", func(b *testing.B) { benchIngest(b, 100, 10*time.Millisecond) })
}

// benchIngest publishes b.N events in batches, one batch every "every"
// (0: at once after the last), and reports the rate and the p99 delay.
func benchIngest(b *testing.B, batch int, every time.Duration) {
	s, err := Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := Dial(ctx, s.ClientURL(), "ingest", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.NC.Close()
	fe, err := Dial(ctx, s.ClientURL(), "fe", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer fe.NC.Close()
	db, err := store.Open(filepath.Join(b.TempDir(), "fe.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	h := hub.New(hub.Options{Store: db})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(2)
	go func() { defer wg.Done(); _ = h.Run(ctx) }()
	tm := &timing{h: h, want: b.N, done: make(chan struct{})}
	done := tm.done
	go func() { defer wg.Done(); _ = fe.Follow(ctx, tm, func(err error) { b.Log(err) }) }()

	pub := in.Publisher()
	evs := make([]feeds.Event, 0, batch)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += batch {
		if every > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i/batch) * every)))
		}
		evs = evs[:0]
		now := time.Now()
		for j := i; j < min(i+batch, b.N); j++ {
			evs = append(evs, feeds.Event{Feed: "twitch", Platform: "twitch", ID: strconv.Itoa(j), Time: now,
				Author: "kiki_fr", Text: "trop bien, je précommande ce soir 🎧 #LumioHalo"})
		}
		if err := pub.AppendEvents(evs); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	slices.Sort(tm.lat)
	b.ReportMetric(float64(tm.lat[len(tm.lat)*99/100].Microseconds())/1000, "p99-ms")
}
