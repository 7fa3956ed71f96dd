package hub_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/search"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

// benchIngest pushes b.N realistic chat events through a running hub and
// waits until a subscriber has seen them all: sanitize, dedupe, seq,
// persist (when st is set) and fan-out. When keep is set, the subscriber
// asks it of every event, as a session filtering its feed does.
func benchIngest(b *testing.B, st hub.EventStore, keep func(*feeds.Event) bool) {
	h := hub.New(hub.Options{Store: st, SubscriberBacklog: 1 << 30})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := h.Subscribe(ctx)
	go h.Run(ctx)
	evs := make([]feeds.Event, b.N)
	t0 := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	texts := []string{"trop bien la démo, c'est quand la sortie en Belgique ? PogChamp 🎧"}
	if keep != nil { // something for the filter to find, and to miss
		texts = append(texts, "@lumio le boîtier chauffe, ça ne marche pas, je veux un remboursement",
			"the case looks great, when does it ship to europe?")
	}
	for i := range evs {
		evs[i] = feeds.Event{
			Feed: "twitch", Platform: "twitch", ID: fmt.Sprintf("885196de-%012d", i),
			Author: fmt.Sprintf("viewer_%d", i%1000), AuthorName: "Viewer", Badges: []string{feeds.BadgeSubscriber},
			Channel: "#lumio", Text: texts[i%len(texts)],
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
	seen, kept := 0, 0
	for seen < b.N {
		<-sub.Ready()
		evs := hub.Items(sub.Take(), hub.TopicEvents)
		seen += len(evs)
		if keep != nil {
			for i := range evs {
				if keep(&evs[i]) {
					kept++
				}
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if keep != nil {
		b.ReportMetric(float64(kept)/float64(b.N), "kept")
	}
}

// BenchmarkHubIngestFiltered is BenchmarkHubIngest (memory) with a
// session's search filter (package search) asked of every event the
// subscriber takes, as a filtered feed or a column does with the live
// window. The subscriber must keep up: 200,000 events/s at least.
func BenchmarkHubIngestFiltered(b *testing.B) {
	pulse := search.NewPulse(watch.MustCompile([]string{"@lumio", "remboursement", "refund*", "ne marche pas", "#HaloGate"}), 1,
		func(feed, id string) bool { return false })
	for _, bc := range []struct{ name, q string }{
		{"words", `refund* OR "ne marche pas" OR belgique -from:spam_bot`},
		{"facts", "is:question is:mention OR watch:* on:twitch"},
		{"sentiment", "sentiment:neg -is:deleted"},
	} {
		q := search.MustParse(bc.q, time.UTC, time.Now())
		b.Run(bc.name, func(b *testing.B) {
			benchIngest(b, nil, func(ev *feeds.Event) bool { return q.Match(ev, pulse) })
		})
	}
}

func BenchmarkHubIngest(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchIngest(b, nil, nil) })
	b.Run("bbolt", func(b *testing.B) {
		db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchIngest(b, db, nil)
	})
}

// countingStore counts the transactions (each one fsync) of the store it
// wraps.
type countingStore struct {
	hub.EventStore
	txs atomic.Int64
}

func (s *countingStore) AppendEvents(evs []feeds.Event) error {
	s.txs.Add(1)
	return s.EventStore.AppendEvents(evs)
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHubTrickle is ingest as a busy evening really arrives: four
// feeds at 500 msg/s each, in bursts of 1 to 5 events, one of them a
// webhook whose every burst is a Commit (each its own request, as
// concurrent HTTP posts are). It runs in real time (b.N/2000 s), so ns/op
// is the pace; what counts is cpu-ns/event and the transactions (each one
// fsync) per event.
func BenchmarkHubTrickle(b *testing.B) {
	const feedsN, perFeed = 4, 500 // msg/s
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := &countingStore{EventStore: db}
	h := hub.New(hub.Options{Store: st, SubscriberBacklog: 1 << 30})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := h.Subscribe(ctx)
	go h.Run(ctx)
	t0 := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	mk := func(feed string, i int) feeds.Event {
		return feeds.Event{
			Feed: feed, Platform: "irc", ID: fmt.Sprintf("%s-%012d", feed, i),
			Author: fmt.Sprintf("viewer_%d", i%1000), Channel: "#lumio",
			Text: "trop bien la démo, c'est quand la sortie en Belgique ? PogChamp",
			Time: t0.Add(time.Duration(i) * time.Millisecond),
		}
	}
	per := (b.N + feedsN - 1) / feedsN
	total := per * feedsN
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for f := range feedsN {
		feed := fmt.Sprintf("feed%d", f)
		webhook := f == feedsN-1
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(f), 1))
			start := time.Now()
			for i := 0; i < per; {
				k := min(1+r.IntN(5), per-i)
				if d := time.Until(start.Add(time.Duration(i) * time.Second / perFeed)); d > 0 {
					time.Sleep(d)
				}
				if webhook {
					burst := make([]feeds.Event, k)
					for j := range burst {
						burst[j] = mk(feed, i+j)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := h.Commit(ctx, burst); err != nil {
							b.Error(err)
						}
					}()
				} else {
					for j := range k {
						h.Ingest(ctx, mk(feed, i+j))
					}
				}
				i += k
			}
		}()
	}
	seen := 0
	for seen < total {
		<-sub.Ready()
		seen += len(hub.Items(sub.Take(), hub.TopicEvents))
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	txs := st.txs.Load()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(total), "cpu-ns/event")
	b.ReportMetric(float64(txs)/float64(total), "tx/event")
	b.ReportMetric(float64(total)/float64(txs), "events/tx")
}
