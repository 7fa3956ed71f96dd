package cluster

import (
	"maps"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// Marks on events a front-end has not stored yet are applied once they
// arrive; what is applied from the bucket is not put back.
func TestReadMarksWaitForTheirEvents(t *testing.T) {
	r := (&Conn{}).ReadMarks()
	db, err := store.Open(dbIn(t, "fe"), store.Options{OnRead: r.Marked})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msg := func(seq uint64, id string) feeds.Event {
		return feeds.Event{Seq: seq, Feed: "chat", ID: id, Kind: feeds.KindMessage, Time: time.Now()}
	}
	if err := db.AppendEvents([]feeds.Event{msg(1, "a"), msg(2, "b")}); err != nil {
		t.Fatal(err)
	}
	entry := readEntry{Upto: &store.EventRef{Feed: "chat", ID: "c"}, Marks: []store.EventRef{{Feed: "chat", ID: "e"}, {Feed: "chat", ID: "b"}}}
	if err := r.apply(db, "alice", entry); err != nil {
		t.Fatal(err)
	}
	if got := readSeqs(t, db, "alice"); !maps.Equal(got, map[uint64]bool{2: true}) {
		t.Fatalf("read %v, want b (2) only: c and e are not here yet", got)
	}
	// c, d and e arrive.
	if err := db.AppendEvents([]feeds.Event{msg(3, "c"), msg(4, "d"), msg(5, "e")}); err != nil {
		t.Fatal(err)
	}
	if err := r.retry(db, "alice", r.pending["alice"]); err != nil {
		t.Fatal(err)
	}
	if got := readSeqs(t, db, "alice"); !maps.Equal(got, map[uint64]bool{1: true, 2: true, 3: true, 5: true}) {
		t.Errorf("read %v, want a, b, c (the watermark) and e", got)
	}
	if len(r.pending) != 0 {
		t.Errorf("still waiting for %+v", r.pending["alice"])
	}
	if len(r.dirty) != 0 {
		t.Errorf("what came from the bucket would be put back: %v", r.dirty)
	}
	// alice's own mark here is put.
	if err := db.MarkRead("alice", 4); err != nil {
		t.Fatal(err)
	}
	if !r.dirty["alice"] {
		t.Error("a mark made here is not queued")
	}
}

func readSeqs(t *testing.T, db *store.DB, op string) map[uint64]bool {
	t.Helper()
	rs, err := db.ReadState(op)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[uint64]bool)
	for seq := uint64(1); seq <= 5; seq++ {
		if rs.IsRead(seq) {
			out[seq] = true
		}
	}
	return out
}
