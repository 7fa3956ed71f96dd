package cluster

import (
	"maps"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// What alice read on one front-end is read on another, though each
// numbers the events its own way; and back.
func TestReadMarksFollowTheOperator(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	// fe2's store had an event before: its Seqs are fe1's plus one.
	path2 := dbIn(t, "fe2")
	db, err := store.Open(path2, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AppendEvents([]feeds.Event{{Seq: 1, Feed: "old", ID: "x", Kind: feeds.KindMessage, Time: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	sh1 := newShown()
	fe1 := startFrontEnd(t, tc, 1, "fe1", dbIn(t, "fe1"), sh1)
	p.post(10)
	sh1.wait(t, 10)
	seq1 := seqsByID(t, fe1.db)
	if err := fe1.db.MarkAllRead("alice", seq1["3"]); err != nil {
		t.Fatal(err)
	}
	if err := fe1.db.MarkRead("alice", seq1["6"], seq1["8"]); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"0": true, "1": true, "2": true, "3": true, "6": true, "8": true}
	if got := readIDs(t, fe1.db, "alice"); !maps.Equal(got, want) {
		t.Fatalf("fe1 has %v read", got)
	}

	// alice connects to fe2, which starts now: it catches up with the
	// stream and finds her marks.
	sh2 := newShown()
	fe2 := startFrontEnd(t, tc, 2, "fe2", path2, sh2)
	for !maps.Equal(readIDs(t, fe2.db, "alice"), want) {
		<-sh2.changed
	}
	if readIDs(t, fe2.db, "bob")["0"] {
		t.Error("bob has read what alice read")
	}

	// She reads on there; fe1 sees it.
	seq2 := seqsByID(t, fe2.db)
	if seq2["3"] == seq1["3"] {
		t.Fatal("the two front-ends number the events alike: the test proves nothing")
	}
	if err := fe2.db.MarkRead("alice", seq2["9"]); err != nil {
		t.Fatal(err)
	}
	if err := fe2.db.MarkAllRead("alice", seq2["5"]); err != nil {
		t.Fatal(err)
	}
	for len(readIDs(t, fe1.db, "alice")) != 9 {
		<-sh1.changed
	}
	if readIDs(t, fe1.db, "alice")["7"] {
		t.Errorf("fe1 has %v read, and 7 was not", readIDs(t, fe1.db, "alice"))
	}
}

// seqsByID is the Seq of each event of the feed "chat" in db, by id.
func seqsByID(t *testing.T, db *store.DB) map[string]uint64 {
	t.Helper()
	evs, err := db.Recent(1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]uint64)
	for _, ev := range evs {
		if ev.Feed == "chat" {
			out[ev.ID] = ev.Seq
		}
	}
	return out
}

// readIDs is the ids of the events of "chat" op has read in db.
func readIDs(t *testing.T, db *store.DB, op string) map[string]bool {
	t.Helper()
	rs, err := db.ReadState(op)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]bool)
	for id, seq := range seqsByID(t, db) {
		if rs.IsRead(seq) {
			out[id] = true
		}
	}
	return out
}

// alice's columns (filters and mutes) and theme follow her to another
// front-end, one started later included, and so does removing them.
func TestPrefsFollowTheOperator(t *testing.T) {
	tc := newTestCluster(t, 3)
	sh1, sh2 := newShown(), newShown()
	fe1 := startFrontEnd(t, tc, 0, "fe1", dbIn(t, "fe1"), sh1)
	const cols = `{"columns":[{"name":"questions","query":"?"}],"active":0,"mute":["irc"]}`
	if err := fe1.db.SetPref("alice", "columns", cols); err != nil {
		t.Fatal(err)
	}
	if err := fe1.db.SetPref("alice", "theme", "light"); err != nil {
		t.Fatal(err)
	}
	fe2 := startFrontEnd(t, tc, 1, "fe2", dbIn(t, "fe2"), sh2)
	for pref(t, fe2.db, "alice", "columns") != cols || pref(t, fe2.db, "alice", "theme") != "light" {
		<-sh2.changed
	}
	if pref(t, fe2.db, "bob", "columns") != "" {
		t.Error("bob has alice's columns")
	}
	// Changed on fe2 (and the theme dropped): fe1 follows.
	const cols2 = `{"columns":[{"name":"all"}],"active":0}`
	if err := fe2.db.SetPref("alice", "columns", cols2); err != nil {
		t.Fatal(err)
	}
	if err := fe2.db.SetPref("alice", "theme", ""); err != nil {
		t.Fatal(err)
	}
	for pref(t, fe1.db, "alice", "columns") != cols2 || pref(t, fe1.db, "alice", "theme") != "" {
		<-sh1.changed
	}
}

func pref(t *testing.T, db *store.DB, op, key string) string {
	t.Helper()
	p, err := db.Prefs(op)
	if err != nil {
		t.Fatal(err)
	}
	return p[key]
}
