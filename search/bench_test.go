package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

// The store benchmarks share one database of bigEvents launch-night
// events, written once per test binary (about a minute) and removed when
// it ends:
//
//	go test ./search -run '^$' -bench 'Store|Author|History' -benchmem -benchtime 20x
const bigEvents = 1_000_000

// rareWord is in the 5 oldest events only: finding a page of it reads
// the whole database.
const rareWord = "xylophone"

var (
	bigOnce sync.Once
	bigDir  string
	bigDB   *store.DB
	bigErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDB != nil {
		_ = bigDB.Close()
	}
	if bigDir != "" {
		_ = os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// Chat as the demo's launch has it: French and English, a quarter of
// the lines with accents, questions, mentions, links now and then.
var (
	benchWords = strings.Fields(`the new keynote launch is live finally wow price when shipping europe france
		merci bravo trop bien c'est quand la sortie battery case looks great crash bug refund support
		help please lol gg pog hype soon today tomorrow halo earbuds sound bass android iphone pairing`)
	benchAccented = strings.Fields(`problème déçu génial précommande été très boîtier écouteurs chargé
		surchauffe brûlant réglé mise à jour remboursé`)
	benchFeeds = []struct{ feed, platform string }{
		{"twitch", "twitch"}, {"fedi", "mastodon"}, {"bsky", "bluesky"}, {"libera", "irc"},
	}
)

func benchEvent(rng *rand.Rand, seq uint64, t time.Time) feeds.Event {
	f := benchFeeds[rng.IntN(len(benchFeeds))]
	user := rng.IntN(50_000)
	var b strings.Builder
	accented := rng.IntN(4) == 0
	for n := 3 + rng.IntN(20); n > 0; n-- {
		if accented && rng.IntN(5) == 0 {
			b.WriteString(benchAccented[rng.IntN(len(benchAccented))])
		} else {
			b.WriteString(benchWords[rng.IntN(len(benchWords))])
		}
		b.WriteByte(' ')
	}
	switch rng.IntN(20) {
	case 0:
		b.WriteString("@lumio ?")
	case 1:
		b.WriteString("https://lumio.example/halo")
	case 2:
		b.WriteString("?")
	}
	return feeds.Event{
		Seq: seq, Feed: f.feed, Platform: f.platform, ID: fmt.Sprintf("%016x", rng.Uint64()),
		Kind: feeds.KindMessage, Time: t, Channel: "#launch",
		Author: fmt.Sprintf("user_%d", user), AuthorName: fmt.Sprintf("User %d", user),
		Text: strings.TrimSpace(b.String()),
	}
}

// bigStore opens the shared database, writing it the first time.
func bigStore(b *testing.B) *store.DB {
	b.Helper()
	bigOnce.Do(func() {
		if bigDir, bigErr = os.MkdirTemp("", "tribune-search-bench-"); bigErr != nil {
			return
		}
		end := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
		start := end.Add(-bigEvents * 10 * time.Millisecond)
		var db *store.DB
		db, bigErr = store.Open(filepath.Join(bigDir, "big.db"), store.Options{
			Retention: bigEvents + 1, Now: func() time.Time { return end }, Timeout: time.Second})
		if bigErr != nil {
			return
		}
		rng := rand.New(rand.NewPCG(14, 14))
		const batch = 10_000
		evs := make([]feeds.Event, 0, batch)
		for i := range bigEvents {
			ev := benchEvent(rng, uint64(i+1), start.Add(time.Duration(i)*10*time.Millisecond))
			if i < 5 {
				ev.Text += " " + rareWord
				ev.Author = "rare_author"
			}
			if i%1000 == 0 {
				ev.Author = "kiki_fr" // the user card's author: 1,000 events
			}
			evs = append(evs, ev)
			if len(evs) == batch {
				if bigErr = db.AppendEvents(evs); bigErr != nil {
					return
				}
				evs = evs[:0]
			}
		}
		// An audit log of 20,000 entries, one in 50 about kiki_fr.
		for i := range 20_000 {
			who := fmt.Sprintf("user_%d", i%50_000)
			if i%50 == 3 { // a timeout
				who = "kiki_fr"
			}
			kind := []feeds.ActionKind{feeds.ActReply, feeds.ActReply, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan}[i%5]
			e := outbox.AuditEntry{By: "alice", What: outbox.AuditSent, Kind: kind, Feed: "twitch", TargetAuthor: who,
				ActionID: fmt.Sprint(i), Text: "thanks for asking, the Halo ships in March"}
			if bigErr = db.Note(e); bigErr != nil {
				return
			}
		}
		bigDB = db
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigDB
}

// cpuTime is the process's user and system time so far: on a machine
// others share, wall time says more about them than about the search.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per op since cpu (GC included).
func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkStoreSearch is the first page (50 hits) of a query over the
// 1,000,000 stored events, newest first, as `/` asks when its query
// changes. rare and absent read the whole database.
func BenchmarkStoreSearch(b *testing.B) {
	db := bigStore(b)
	now := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	facts := NewPulse(watch.MustCompile([]string{"@lumio", "refund*", "surchauffe"}), 1, nil)
	for _, bc := range []struct{ name, q string }{
		{"word", "refund"},
		{"accented", "probleme"},
		{"phrase", `"trop bien"`},
		{"mention-question", "is:mention is:question"},
		{"from", "from:user_4242"},
		{"word-on-platform", "crash on:irc -has:link"},
		{"rare", rareWord},
		{"absent", "zyzzyva"},
		{"absent-accented", "déçuuu"},
		{"rare-author", "from:rare_author"},
	} {
		q := MustParse(bc.q, time.UTC, now)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			hits := 0
			cpu := cpuTime()
			for b.Loop() {
				page, _, err := db.Search(context.Background(), q.Filter(facts), store.Cursor{}, 50)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(page)
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

// BenchmarkStoreSearchNoPrefilter is the rare word read the plain way:
// every event decoded and matched. It is why Prefilter exists.
func BenchmarkStoreSearchNoPrefilter(b *testing.B) {
	db := bigStore(b)
	q := MustParse(rareWord, time.UTC, time.Now())
	f := q.Filter(nil)
	f.Prefilter = nil
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if page, _, err := db.Search(context.Background(), f, store.Cursor{}, 50); err != nil || len(page) != 5 {
			b.Fatal(len(page), err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkAuthorCard is `u` on a message: one author's card over the
// 1,000,000 events and the 20,000 audit entries.
func BenchmarkAuthorCard(b *testing.B) {
	db := bigStore(b)
	b.ReportAllocs()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for b.Loop() {
		card, err := db.Author(context.Background(), "twitch", "kiki_fr", 50)
		if err != nil || card.Messages == 0 || len(card.Moderation) == 0 {
			b.Fatal(card.Messages, err)
		}
	}
}

// BenchmarkHistory is scrolling back: a page of 200 above a row in the
// middle of the database, and `g`, the oldest 200.
func BenchmarkHistory(b *testing.B) {
	db := bigStore(b)
	b.Run("before", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if evs, err := db.Before(bigEvents/2, 200); err != nil || len(evs) != 200 {
				b.Fatal(len(evs), err)
			}
		}
	})
	b.Run("oldest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if evs, err := db.Oldest(200); err != nil || len(evs) != 200 {
				b.Fatal(len(evs), err)
			}
		}
	})
}
