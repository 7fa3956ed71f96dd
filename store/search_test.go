package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// searchDB holds 100 events over three feeds; every 7th says "refund".
func searchDB(t *testing.T) *DB {
	t.Helper()
	db := openTemp(t, Options{Now: newClock().Now})
	var evs []feeds.Event
	for i := uint64(1); i <= 100; i++ {
		e := ev(i, []string{"twitch", "irc", "bsky"}[i%3], fmt.Sprint(i))
		if i%7 == 0 {
			e.Text = "I want a refund " + fmt.Sprint(i)
		}
		evs = append(evs, e)
	}
	mustAppend(t, db, evs...)
	return db
}

func hasRefund(ev *feeds.Event) bool { return strings.Contains(ev.Text, "refund") }

func TestSearchPagesNewestFirst(t *testing.T) {
	db := searchDB(t)
	var want []uint64
	for i := uint64(98); i > 0; i -= 7 {
		want = append(want, i)
	}
	for _, pre := range []func(*Raw) bool{nil, func(r *Raw) bool { return bytes.Contains(r.Text, []byte("refund")) }} {
		var got []uint64
		cur := Cursor{}
		pages := 0
		for !cur.Done() {
			page, next, err := db.Search(context.Background(), Filter{Keep: hasRefund, Prefilter: pre}, cur, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 3 {
				t.Fatalf("page of %d, limit 3", len(page))
			}
			got = append(got, seqsOf(page)...)
			cur = next
			if pages++; pages > 10 {
				t.Fatal("paging does not end")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("prefilter %v: got %v, want %v", pre != nil, got, want)
		}
		if pages != 5 { // 14 hits in pages of 3: the fifth holds 2 and finds the end
			t.Errorf("%d pages, want 5", pages)
		}
		// A done cursor reads nothing.
		page, next, err := db.Search(context.Background(), Filter{}, cur, 10)
		if err != nil || len(page) != 0 || !next.Done() {
			t.Errorf("after the end: %v %v %v", page, next, err)
		}
	}
}

func TestSearchFromARowAndByFeed(t *testing.T) {
	db := searchDB(t)
	page, next, err := db.Search(context.Background(), Filter{Keep: hasRefund, Feeds: []string{"twitch", "twitch"}}, CursorBefore(60), 100)
	if err != nil {
		t.Fatal(err)
	}
	// Multiples of 7 below 60 on twitch (i%3 == 0): 42, 21.
	if got := seqsOf(page); !slices.Equal(got, []uint64{42, 21}) || !next.Done() {
		t.Errorf("got %v done %v", got, next.Done())
	}
	if !CursorBefore(1).Done() {
		t.Error("nothing is before seq 1")
	}
	// Since and Until bound the times; Keep nil keeps the rest.
	f := Filter{Since: t0.Add(10 * time.Second), Until: t0.Add(13 * time.Second)}
	page, _, err = db.Search(context.Background(), f, Cursor{}, 50)
	if err != nil || !slices.Equal(seqsOf(page), []uint64{12, 11, 10}) {
		t.Errorf("times: %v %v", seqsOf(page), err)
	}
}

func TestSearchStopsWhenCancelled(t *testing.T) {
	db := openTemp(t, Options{Now: newClock().Now})
	g := newEventGen(3)
	for range 3 * searchChunk / 1000 {
		mustAppend(t, db, g.batch(1000)...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	chunks := 0
	f := Filter{Prefilter: func(r *Raw) bool {
		if r.Seq%searchChunk == 0 {
			chunks++
			cancel() // during the third window (16,384 Seqs)
		}
		return false
	}}
	page, next, err := db.Search(ctx, f, Cursor{}, 10)
	if !errors.Is(err, context.Canceled) || len(page) != 0 || next.Done() {
		t.Fatalf("got %d events, done %v, err %v", len(page), next.Done(), err)
	}
	if chunks != 1 {
		t.Errorf("read %d windows with a multiple of searchChunk, want 1: the search goes on after the cancel", chunks)
	}
	// The cursor goes on where it stopped.
	page, _, err = db.Search(context.Background(), Filter{}, next, 1)
	if err != nil || len(page) != 1 || page[0].Seq >= uint64(2*searchChunk) {
		t.Errorf("resumed at %v, %v", seqsOf(page), err)
	}
}

func TestAfterAndOldest(t *testing.T) {
	db := searchDB(t)
	got, err := db.Oldest(3)
	if err != nil || !slices.Equal(seqsOf(got), []uint64{1, 2, 3}) {
		t.Errorf("Oldest(3) = %v, %v", seqsOf(got), err)
	}
	got, err = db.After(97, 10)
	if err != nil || !slices.Equal(seqsOf(got), []uint64{98, 99, 100}) {
		t.Errorf("After(97, 10) = %v, %v", seqsOf(got), err)
	}
	if got, err = db.After(0, 5000); err != nil || len(got) != 100 {
		t.Errorf("After(0, 5000): %d, %v", len(got), err)
	}
	if got, err = db.After(5, 0); err != nil || len(got) != 0 {
		t.Errorf("After(5, 0) = %v", seqsOf(got))
	}
	// Paging forward from the oldest meets every event once.
	var all []uint64
	for seq := uint64(0); ; {
		page, err := db.After(seq, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, seqsOf(page)...)
		seq = page[len(page)-1].Seq
	}
	if len(all) != 100 || all[0] != 1 || all[99] != 100 {
		t.Errorf("paging forward: %d events", len(all))
	}
}

func TestAuthorCard(t *testing.T) {
	clk := newClock()
	db := openTemp(t, Options{Now: clk.Now})
	var evs []feeds.Event
	for i := uint64(1); i <= 30; i++ {
		e := ev(i, []string{"twitch", "twitch-fr"}[i%2], fmt.Sprint(i))
		switch {
		case i%5 == 0:
			e.Author = "Kiki_FR" // the handle's case varies
		case i%5 == 1:
			e.Author = "kiki_fr"
		}
		if i == 11 {
			e.Kind = feeds.KindNotice // kiki subscribed: shown, not counted
		}
		if i == 26 {
			e.Platform = "irc" // another kiki_fr, on IRC
		}
		evs = append(evs, e)
	}
	mustAppend(t, db, evs...)
	if _, err := db.MarkDeleted("twitch-fr", "21"); err != nil {
		t.Fatal(err)
	}
	// kiki_fr on twitch: 1 5 6 10 11 15 16 20 21 25 30 (26 is IRC).
	for _, e := range []outbox.AuditEntry{
		{What: outbox.AuditQueued, Kind: feeds.ActTimeout, Feed: "twitch", TargetAuthor: "kiki_fr", ActionID: "a1"},
		{What: outbox.AuditSent, Kind: feeds.ActTimeout, Feed: "twitch", TargetAuthor: "kiki_fr", ActionID: "a1"},
		{What: outbox.AuditSent, Kind: feeds.ActReply, Feed: "twitch", TargetAuthor: "kiki_fr", ActionID: "a2"}, // not moderation
		{What: outbox.AuditSent, Kind: feeds.ActBan, Feed: "twitch", TargetAuthor: "someone", ActionID: "a3"},   // someone else
		{What: outbox.AuditSent, Kind: feeds.ActBan, Feed: "irc-net", TargetAuthor: "kiki_fr", ActionID: "a4"},  // unknown feed: kept
		{What: outbox.AuditSent, Kind: feeds.ActDelete, Feed: "twitch-fr", TargetAuthor: "KIKI_FR", ActionID: "a5"},
	} {
		clk.Add(time.Second)
		if err := db.Note(e); err != nil {
			t.Fatal(err)
		}
	}
	card, err := db.Author(context.Background(), "twitch", "kiki_fr", 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqsOf(card.Recent); !slices.Equal(got, []uint64{30, 25, 21, 20}) {
		t.Errorf("Recent %v", got)
	}
	if card.Messages != 10 || card.Deleted != 1 {
		t.Errorf("Messages %d Deleted %d, want 10 and 1", card.Messages, card.Deleted)
	}
	if !card.FirstSeen.Equal(t0.Add(time.Second)) || !card.LastSeen.Equal(t0.Add(30*time.Second)) {
		t.Errorf("seen %v to %v", card.FirstSeen, card.LastSeen)
	}
	var ids []string
	for _, e := range card.Moderation {
		ids = append(ids, e.ActionID+"/"+e.What)
	}
	if want := []string{"a5/sent", "a4/sent", "a1/sent", "a1/queued"}; !slices.Equal(ids, want) {
		t.Errorf("Moderation %v, want %v", ids, want)
	}
	none, err := db.Author(context.Background(), "twitch", "nobody", 4)
	if err != nil || len(none.Recent) != 0 || none.Messages != 0 || !none.FirstSeen.IsZero() || len(none.Moderation) != 0 {
		t.Errorf("nobody: %+v, %v", none, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Author(ctx, "twitch", "kiki_fr", 4); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestReadRawAgreesWithDecode(t *testing.T) {
	g := newEventGen(9)
	for i := range 200 {
		e := g.next()
		if i%3 == 0 {
			e.Warning, e.Text, e.Badges = "cw", "Ça chauffe 🔥", nil
		}
		if i%7 == 0 {
			e.Time = time.Time{}
		}
		v := appendEvent(nil, &e, 0)
		var r Raw
		if err := readRaw(e.Seq, v, &r); err != nil {
			t.Fatal(err)
		}
		if r.Seq != e.Seq || r.Kind != e.Kind || !r.Time.Equal(e.Time) || string(r.Feed) != e.Feed ||
			string(r.Platform) != e.Platform || string(r.Author) != e.Author || string(r.AuthorName) != e.AuthorName ||
			string(r.Text) != e.Text || string(r.Warning) != e.Warning {
			t.Fatalf("raw %+v of %+v", r, e)
		}
	}
	if err := readRaw(1, []byte{2, 0}, new(Raw)); err == nil {
		t.Error("a short record read")
	}
}
