package store

import (
	"flag"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// A large database for measuring start-up by hand, not in CI:
//
//	go test ./store -run TestSeedDB -seed-db /tmp/big.db -seed-events 1000000 -seed-main 550000
//
// writes -seed-events events (over the last hours, ending now), -seed-main
// of them on feed "twitch" and the rest spread over three other feeds, into
// a new database at -seed-db, without pruning anything. Opened with the
// default retention (200,000 per feed), the main feed then has
// seed-main - 200,000 events to prune.
var (
	seedDB     = flag.String("seed-db", "", "TestSeedDB: write a large database `file`")
	seedEvents = flag.Int("seed-events", 1_000_000, "TestSeedDB: events in all")
	seedMain   = flag.Int("seed-main", 550_000, "TestSeedDB: events on the main feed")
)

func TestSeedDB(t *testing.T) {
	if *seedDB == "" {
		t.Skip("writes a large database only when -seed-db is given")
	}
	if _, err := os.Stat(*seedDB); err == nil {
		t.Fatalf("%s exists; the seed writes a new database", *seedDB)
	}
	others := []string{"mastodon", "bluesky", "irc"}
	rest := max(*seedEvents-*seedMain, 0)
	counts := map[string]int{"twitch": *seedMain}
	for i, f := range others {
		counts[f] = rest / len(others)
		if i < rest%len(others) {
			counts[f]++
		}
	}
	start := time.Now()
	fillDB(t, *seedDB, counts, time.Now())
	t.Logf("wrote %d events (%v) to %s in %v", *seedEvents, counts, *seedDB, time.Since(start))
}

// fillDB writes a new database at path holding counts[feed] events of each
// feed, interleaved in seq order, their times ending at end, one ms apart,
// with nothing pruned.
func fillDB(t testing.TB, path string, counts map[string]int, end time.Time) {
	t.Helper()
	total := 0
	left := make(map[string]int, len(counts))
	for f, n := range counts {
		total += n
		left[f] = n
	}
	db := openAt(t, path, Options{Retention: total + 1, Now: func() time.Time { return end }})
	g := newEventGen(7)
	names := make([]string, 0, len(counts))
	for f := range counts {
		names = append(names, f)
	}
	const batch = 10_000
	evs := make([]feeds.Event, 0, batch)
	for i := range total {
		e := g.next()
		// Round-robin over the feeds that still need events, weighted by
		// what is left, so the feeds interleave.
		f := names[i%len(names)]
		for left[f] == 0 {
			f = names[(i+int(e.Seq))%len(names)]
			if left[f] == 0 {
				for _, n := range names {
					if left[n] > 0 {
						f = n
						break
					}
				}
			}
		}
		left[f]--
		e.Feed = f
		e.Time = end.Add(-time.Duration(total-i) * time.Millisecond)
		evs = append(evs, e)
		if len(evs) == batch {
			mustAppend(t, db, evs...)
			evs = evs[:0]
		}
	}
	if len(evs) > 0 {
		mustAppend(t, db, evs...)
	}
	mustClose(t, db)
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkOpenPrune opens a database whose one feed holds n events more
// than its retention of 1,000 keeps, and waits until they are pruned:
// pruning must be linear (2× the events, 2× the time).
func BenchmarkOpenPrune(b *testing.B) {
	for _, n := range []int{100_000, 200_000} {
		b.Run(fmt.Sprintf("prune=%dk", n/1000), func(b *testing.B) {
			src := dbPath(b)
			fillDB(b, src, map[string]int{"one": n + 1000}, t0)
			dir := b.TempDir()
			var maxTx time.Duration
			txs := 0
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				path := fmt.Sprintf("%s/%d.db", dir, i)
				copyFile(b, src, path)
				b.StartTimer()
				db, err := Open(path, Options{Retention: 1000, Now: func() time.Time { return t0 }})
				if err != nil {
					b.Fatal(err)
				}
				waitPruned(b, db)
				b.StopTimer()
				m, n := pruneMaxTx(db)
				maxTx, txs = max(maxTx, m), n
				if evs, _ := db.Recent(2000); len(evs) != 1000 {
					b.Fatalf("kept %d events, want 1000", len(evs))
				}
				mustClose(b, db)
				os.Remove(path)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/pruned")
			if txs > 0 {
				b.ReportMetric(float64(maxTx.Microseconds())/1000, "max-ms/tx")
				b.ReportMetric(float64(txs), "txs")
			}
		})
	}
}
