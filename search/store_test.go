package search

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

// TestStoreSearchAgreesWithMatch pages through a real store with queries
// and checks the hits are exactly the events Match keeps, newest first.
func TestStoreSearchAgreesWithMatch(t *testing.T) {
	end := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{Now: func() time.Time { return end }, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20_000
	evs := make([]feeds.Event, n)
	for i := range evs {
		evs[i] = benchEvent(rng, uint64(i+1), end.Add(time.Duration(i-n)*time.Second))
		if i%3000 == 0 {
			evs[i].Text += " " + rareWord
		}
	}
	if err := db.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	facts := NewPulse(watch.MustCompile([]string{"@lumio", "refund*", "surchauffe"}), 1, nil)
	for _, src := range []string{rareWord, "probleme", `"trop bien"`, "is:mention is:question", "from:user_42 OR from:user_4242",
		"crash on:irc -has:link", "watch:surchauffe after:2h", "-refund -bug -lol -gg", ""} {
		q := MustParse(src, time.UTC, end)
		var want []uint64
		for i := len(evs) - 1; i >= 0; i-- {
			if q.Match(&evs[i], facts) {
				want = append(want, evs[i].Seq)
			}
		}
		var got []uint64
		cur := store.Cursor{}
		for pages := 0; !cur.Done(); pages++ {
			page, next, err := db.Search(context.Background(), q.Filter(facts), cur, 700)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				got = append(got, e.Seq)
			}
			cur = next
			if pages > n/700+2 {
				t.Fatalf("%q: paging does not end", src)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: store search found %d, Match %d (first %v vs %v)", src, len(got), len(want),
				got[:min(5, len(got))], want[:min(5, len(want))])
		}
	}
}
