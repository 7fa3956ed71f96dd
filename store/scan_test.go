package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

func TestEventsWalksInSeqOrderAcrossPages(t *testing.T) {
	db := openTemp(t, Options{Now: newClock().Now})
	var evs []feeds.Event
	const n = 3*scanPage + 7
	for i := uint64(1); i <= n; i++ {
		feed := []string{"twitch", "irc", "bsky"}[i%3]
		evs = append(evs, ev(i, feed, fmt.Sprint(i)))
	}
	if err := db.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	var got []uint64
	err := db.Events(Filter{}, func(e feeds.Event) error {
		got = append(got, e.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("got %d events, want %d", len(got), n)
	}
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, s)
		}
	}
}

func TestEventsFilters(t *testing.T) {
	db := openTemp(t, Options{Now: newClock().Now})
	var evs []feeds.Event
	for i := uint64(1); i <= 20; i++ {
		evs = append(evs, ev(i, []string{"a", "b"}[i%2], fmt.Sprint(i)))
	}
	if err := db.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	f := Filter{Since: t0.Add(5 * time.Second), Until: t0.Add(15 * time.Second), Feeds: []string{"a", "nosuch"}}
	var got []uint64
	if err := db.Events(f, func(e feeds.Event) error { got = append(got, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []uint64{6, 8, 10, 12, 14}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	err := db.Events(Filter{}, func(feeds.Event) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("after fn's error: err %v, %d calls", err, n)
	}
}

func TestAuditPagesWithoutLosingOrRepeating(t *testing.T) {
	c := newClock()
	db := openTemp(t, Options{Now: c.Now})
	const n = 2*scanPage + 3
	for i := range n {
		if i%7 != 0 {
			c.Add(time.Second) // some entries share an instant
		}
		if err := db.Note(outbox.AuditEntry{What: outbox.AuditAlert, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := db.Audit(time.Time{}, func(e outbox.AuditEntry) error {
		got = append(got, e.Text)
		// fn runs outside any transaction: it may write.
		if len(got) == 1 {
			return db.Note(outbox.AuditEntry{What: outbox.AuditAlert, Text: "late"})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+1 || got[n] != "late" {
		t.Fatalf("got %d entries, last %q", len(got), got[len(got)-1])
	}
	for i := range n {
		if got[i] != fmt.Sprint(i) {
			t.Fatalf("entry %d is %q", i, got[i])
		}
	}
}
