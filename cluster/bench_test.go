package cluster

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
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
// through JetStream on loopback, to a front-end's hub and bbolt: as fast
// as they go ("flood", where p99 is the backlog's wait), and at 10,000
// events a second in batches of 100 ("10k/s"); on one embedded server,
// and on three with every stream replicated three times ("R3", the real
// deployment: the ingest node and the front-end on different servers).
// go test ./cluster -run '^$' -bench IngestToFrontEnd -benchmem -benchtime 100000x
func BenchmarkIngestToFrontEnd(b *testing.B) {
	b.Run("flood", func(b *testing.B) { benchIngest(b, 1, 1, 1024, 0) })
	b.Run("10k/s", func(b *testing.B) { benchIngest(b, 1, 1, 100, 10*time.Millisecond) })
	b.Run("R3/flood", func(b *testing.B) { benchIngest(b, 3, 1, 1024, 0) })
	b.Run("R3/10k/s", func(b *testing.B) { benchIngest(b, 3, 1, 100, 10*time.Millisecond) })
}

// BenchmarkFollowCost: what following the stream costs, at 10,000 events
// a second on three servers (R3), with one front-end and with three:
// cpu-µs/event is the whole process's (servers, ingest node and
// front-ends), so a front-end's cost per event is the difference between
// the two divided by two.
// go test ./cluster -run '^$' -bench FollowCost -benchmem -benchtime 50000x -count 3
func BenchmarkFollowCost(b *testing.B) {
	b.Run("fe=1", func(b *testing.B) { benchIngest(b, 3, 1, 100, 10*time.Millisecond) })
	b.Run("fe=3", func(b *testing.B) { benchIngest(b, 3, 3, 100, 10*time.Millisecond) })
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchIngest publishes b.N events in batches, one batch every "every"
// (0: at once after the last), through servers JetStream servers to
// fronts front-ends, and reports the rate at which the last front-end
// stored them, the p99 delay over all, and the CPU time per event.
func benchIngest(b *testing.B, servers, fronts, batch int, every time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var in *Conn
	var feConn []*Conn
	if servers == 1 {
		s, err := Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Shutdown()
		if in, err = Dial(ctx, s.ClientURL(), "ingest", Options{}); err != nil {
			b.Fatal(err)
		}
		for i := range fronts {
			c, err := Dial(ctx, s.ClientURL(), "fe"+strconv.Itoa(i), Options{})
			if err != nil {
				b.Fatal(err)
			}
			feConn = append(feConn, c)
		}
	} else {
		tc := newTestCluster(b, servers)
		in = dial(b, tc, 0, "ingest")
		for i := range fronts {
			feConn = append(feConn, dial(b, tc, (i+1)%servers, "fe"+strconv.Itoa(i)))
		}
	}
	defer in.NC.Close()
	var (
		wg      sync.WaitGroup
		closers []func()
	)
	defer func() { // the followers first, then their connections
		cancel()
		wg.Wait()
		for _, c := range closers {
			c()
		}
	}()
	var tms []*timing
	for i, fe := range feConn {
		closers = append(closers, fe.NC.Close)
		db, err := store.Open(filepath.Join(b.TempDir(), "fe.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		closers = append(closers, func() { db.Close() })
		h := hub.New(hub.Options{Store: db})
		tm := &timing{h: h, want: b.N, done: make(chan struct{})}
		tms = append(tms, tm)
		wg.Add(2)
		go func() { defer wg.Done(); _ = h.Run(ctx) }()
		go func() { defer wg.Done(); _ = feConn[i].Follow(ctx, tm, func(err error) { b.Log(err) }) }()
	}

	pub := in.Publisher()
	evs := make([]feeds.Event, 0, batch)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
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
	var lat []time.Duration
	for _, tm := range tms {
		tm.mu.Lock()
		done := tm.done
		tm.mu.Unlock()
		if done != nil {
			<-done
		}
		tm.mu.Lock()
		lat = append(lat, tm.lat...)
		tm.mu.Unlock()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/event")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
