package cluster

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/presence"
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

// A session on fe2 sees alice answering on fe1, and sees her go when fe1
// dies, within about a lease TTL.
func TestPresenceAcrossFrontEnds(t *testing.T) {
	tc := newTestCluster(t, 3)
	fe1 := startFrontEnd(t, tc, 0, "fe1", dbIn(t, "fe1"), newShown())
	fe2 := startFrontEnd(t, tc, 1, "fe2", dbIn(t, "fe2"), newShown())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := fe2.hub.Subscribe(ctx) // as a session on fe2 follows the team
	alice := presence.Presence{Session: "s1", Operator: "alice\x1b]0;pwned\x07", Feed: "chat", Target: "3", Active: time.Now()}
	fe1.team.Set(fe1.hub, alice)
	typing := func() (presence.Presence, bool) {
		for _, p := range fe2.team.All() {
			if p.Session == "s1" && p.Typing() {
				return p, true
			}
		}
		return presence.Presence{}, false
	}
	for {
		if _, ok := typing(); ok {
			break
		}
		<-sub.Ready()
		sub.Take()
	}
	p, _ := typing()
	if p.Operator != "alice" || p.Target != "3" || p.Feed != "chat" {
		t.Errorf("fe2 sees %+v", p)
	}

	// fe1 dies, once following: no goodbye reaches the cluster.
	waitFollowing(t, fe2.c, "fe1")
	fe1.c.NC.Close()
	fe1.stop()
	for {
		if len(fe2.team.All()) == 0 {
			break
		}
		<-sub.Ready()
		sub.Take()
	}
}

// waitFollowing waits until front-end node follows the event stream (it
// says it is alive once its consumer is made).
func waitFollowing(t *testing.T, c *Conn, node string) {
	t.Helper()
	w, err := c.nodes.Watch(context.Background(), "front-end."+Token(node))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e != nil && e.Operation() == jetstream.KeyValuePut {
			return
		}
	}
	t.Fatal("the node watch ended")
}

// A hold pulled on fe1 holds the replies typed on fe2, and a release on
// fe2 lets fe1's out: one brake for the team, audited where it was pulled.
// An incident opened on one is the team's, closed from either.
func TestCrisisAcrossFrontEnds(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	sh1, sh2 := newShown(), newShown()
	fe1 := startFrontEnd(t, tc, 1, "fe1", dbIn(t, "fe1"), sh1)
	fe2 := startFrontEnd(t, tc, 2, "fe2", dbIn(t, "fe2"), sh2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub1, sub2 := fe1.hub.Subscribe(ctx), fe2.hub.Subscribe(ctx)

	if _, err := fe1.disp.Hold(outbox.Hold{On: true, By: "alice"}); err != nil {
		t.Fatal(err)
	}
	waitHold(t, sub2, true)
	if h, err := fe2.db.Hold(); err != nil || !h.On || h.By != "alice" {
		t.Fatalf("fe2's hold: %+v, %v", h, err)
	}
	held2 := fe2.reply(t, "typed on fe2 during the hold")
	held1 := fe1.reply(t, "typed on fe1 during the hold")
	if n := p.times(held2) + p.times(held1); n != 0 {
		t.Fatalf("a held reply was sent (%d)", n)
	}

	// bob releases on fe2: both replies go, once each.
	if _, err := fe2.disp.Hold(outbox.Hold{On: false, By: "bob"}); err != nil {
		t.Fatal(err)
	}
	waitHold(t, sub1, false)
	sh1.waitState(held1, outbox.StateSent)
	sh2.waitState(held2, outbox.StateSent)
	if p.times(held1) != 1 || p.times(held2) != 1 {
		t.Errorf("sent %d and %d times, want once each", p.times(held1), p.times(held2))
	}

	if _, err := fe2.disp.OpenIncident("bob", "refund storm"); err != nil {
		t.Fatal(err)
	}
	waitIncident(t, sub1, true)
	if _, err := fe1.disp.OpenIncident("alice", "a second one"); err == nil {
		t.Error("fe1 opened a second incident while the team's is open")
	}
	if _, err := fe1.disp.CloseIncident("alice"); err != nil {
		t.Fatal(err)
	}
	waitIncident(t, sub2, false)

	// Each front-end audited what was done there, not the other's.
	if got := audited(t, fe1.db); got != "held by alice, incident-closed by alice" {
		t.Errorf("fe1 audited %q", got)
	}
	if got := audited(t, fe2.db); got != "released by bob, incident-opened by bob" {
		t.Errorf("fe2 audited %q", got)
	}
}

// waitIncident waits until the hub sub follows told the sessions an
// incident is open (or closed).
func waitIncident(t *testing.T, sub *hub.Subscription, open bool) {
	t.Helper()
	for {
		<-sub.Ready()
		if inc, ok := hub.Last(sub.Take(), hub.TopicIncident); ok && inc.Open == open {
			return
		}
	}
}

// waitHold waits until the hub sub follows told the sessions the brake
// is on (or off).
func waitHold(t *testing.T, sub *hub.Subscription, on bool) {
	t.Helper()
	for {
		<-sub.Ready()
		for _, h := range hub.Items(sub.Take(), hub.TopicHold) {
			if h.On == on {
				return
			}
		}
	}
}

// audited is the holds, releases and incidents in db's audit log.
func audited(t *testing.T, db *store.DB) string {
	t.Helper()
	var out []string
	err := db.Audit(time.Time{}, func(e outbox.AuditEntry) error {
		switch e.What {
		case outbox.AuditHeld, outbox.AuditReleased, outbox.AuditIncidentOpened, outbox.AuditIncidentClosed:
			out = append(out, e.What+" by "+e.By)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, ", ")
}
