package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

func TestToken(t *testing.T) {
	for in, want := range map[string]string{
		"twitch":    "twitch",
		"a-b_C9":    "a-b_C9",
		"":          "=",
		"a.b":       "=612e62",
		"fr chat":   "=66722063686174",
		"=612e62":   "=3d363132653632",
		"a>":        "=613e",
		"chat.*":    "=636861742e2a",
		"émissions": "=c3a96d697373696f6e73",
	} {
		if got := Token(in); got != want {
			t.Errorf("Token(%q) = %q, want %q", in, got, want)
		}
	}
}

// The whole path: two ingest nodes, one of which holds the feed, and two
// front-ends. The holder dies mid-stream (its connection cut, so it
// gives nothing up): the other takes the feed over from the stored
// cursor, and each front-end shows every message exactly once. A
// front-end that was down comes back and catches up, without a gap or
// a repeat.
func TestFailoverAndCatchUp(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	holder := startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	shown1, shown2 := newShown(), newShown()
	db1 := dbIn(t, "fe1")
	fe1 := startFrontEnd(t, tc, 1, "fe1", db1, shown1)
	startFrontEnd(t, tc, 2, "fe2", dbIn(t, "fe2"), shown2)
	p.post(1)
	shown2.wait(t, 1) // ingest-a has the feed; ingest-b joins
	other := startIngest(t, dial(t, tc, 1, "ingest-b"), p)

	p.post(299)
	shown1.wait(t, 300)
	shown2.wait(t, 300)
	saved := waitCursor(t, other.c, "chat", 1)
	other.src.mu.Lock()
	before := len(other.src.from) // 0, unless a busy machine made the lease move
	other.src.mu.Unlock()

	// fe1 goes down; the holder dies with messages still coming.
	fe1.stop()
	p.post(200)
	holder.kill()
	p.post(200)
	shown2.wait(t, 700)
	other.src.mu.Lock()
	from := other.src.from
	other.src.mu.Unlock()
	if len(from) == 0 {
		t.Fatal("the surviving node never ran the feed")
	}
	for _, f := range from[before:] {
		if f < saved {
			t.Errorf("the surviving node's runs started at %v, want them from the stored cursor (%d or later)", from, saved)
		}
	}
	if n := shown2.ids("~moved-"); n != 0 {
		t.Errorf("%d notices of a gap, want none: the feed resumed from its cursor", n)
	}

	// fe1 comes back on another server and catches up.
	startFrontEnd(t, tc, 0, "fe1", db1, shown1)
	shown1.wait(t, 700)

	st, err := other.c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := st.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ingest     " + other.c.Node, "front-end  fe1", "front-end  fe2",
		"chat                 runs on ", "fe1                  0 to deliver", EventStream + "           700 messages"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("cluster status lacks %q:\n%s", want, out.String())
		}
	}
}

// A node cut from the cluster (its only server stopped) gives its feeds
// up by itself, before another node can take them: from then on it
// refuses to send, while the other node carries the feed on.
func TestPartitionedNodeStopsSending(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	a := startIngest(t, dialOnly(t, tc, 0, "ingest-a"), p)
	sh := newShown()
	startFrontEnd(t, tc, 2, "fe", dbIn(t, "fe"), sh)
	p.post(50)
	sh.wait(t, 50) // a has the feed: b is not there yet
	startIngest(t, dial(t, tc, 1, "ingest-b"), p)

	tc.servers[0].Shutdown()
	p.post(50)
	sh.wait(t, 100) // b has taken the feed over
	if a.in.Leases.Holds("chat") {
		t.Fatal("the cut node still holds the feed")
	}
	conn, _ := a.in.Hub.Connector("chat")
	err := conn.Do(context.Background(), feeds.Action{ID: "x", Feed: "chat", Kind: feeds.ActReply, Text: "hi"})
	if !feeds.IsNotSent(err) {
		t.Errorf("the cut node's Do = %v, want a not-sent refusal", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.done) != 0 {
		t.Errorf("the platform saw actions %v", p.done)
	}
}

// A reply goes from a front-end's outbox to the ingest node that holds
// the feed, and is sent once. The front-end dies while the platform is
// taking a second one: that one is still sent once, and the front-end,
// back (it first calls the send it was waiting on uncertain, as on one
// machine), shows it sent once the cluster says so.
func TestReplyAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	startIngest(t, dial(t, tc, 1, "ingest-b"), p)
	sh := newShown()
	db := dbIn(t, "fe1")
	fe := startFrontEnd(t, tc, 2, "fe1", db, sh)
	p.post(10)
	sh.wait(t, 10)

	first := fe.reply(t, "thanks!")
	sh.waitState(first, outbox.StateSent)
	// The audit log is the cluster's: the front-end's entries, and the
	// sending node's.
	waitAudit(t, fe.c, "fe1", outbox.AuditQueued, first)
	waitAudit(t, fe.c, "fe1", outbox.AuditSent, first)
	waitAudit(t, fe.c, "ingest", outbox.AuditSent, first)

	p.mu.Lock()
	p.gate = make(chan struct{})
	p.mu.Unlock()
	second := fe.reply(t, "on its way")
	for p.times(second) == 0 {
		<-p.did
	}
	fe.cancel() // killed while the ingest node sends, which then goes on
	p.mu.Lock()
	close(p.gate)
	p.mu.Unlock()
	fe.stop()
	// Killed, not stopped: the item is left as a crash leaves it.
	crashed, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crashed.Change(second, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		o.State = outbox.StateSending
		return outbox.Note{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	crashed.Close()

	sh2 := newShown()
	startFrontEnd(t, tc, 1, "fe1", db, sh2)
	sh2.waitState(second, outbox.StateSent)
	if n, m := p.times(first), p.times(second); n != 1 || m != 1 {
		t.Errorf("the platform took the replies %d and %d times, want once each", n, m)
	}
}

// The ingest node sending a reply dies mid-send, on a platform without
// idempotency: the node that takes the feed over does not send it again
// but marks it uncertain, and the front-end shows that.
func TestInterruptedSendIsUncertain(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	a := startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	sh := newShown()
	fe := startFrontEnd(t, tc, 2, "fe1", dbIn(t, "fe1"), sh)
	p.post(1)
	sh.wait(t, 1) // a holds the feed: b is not there yet
	startIngest(t, dial(t, tc, 1, "ingest-b"), p)

	p.mu.Lock()
	p.gate = make(chan struct{}) // never opened: the send hangs
	p.mu.Unlock()
	id := fe.reply(t, "on its way")
	for p.times(id) == 0 {
		<-p.did
	}
	a.kill()
	sh.waitState(id, outbox.StateUncertain)
	if n := p.times(id); n != 1 {
		t.Errorf("the platform was asked %d times, want once", n)
	}
}

// An operator whose front-end dies finds the draft on another, and a
// draft sent (deleted) on one goes from the others.
func TestDraftsFollowTheOperator(t *testing.T) {
	tc := newTestCluster(t, 3)
	sh1, sh2 := newShown(), newShown()
	fe1 := startFrontEnd(t, tc, 0, "fe1", dbIn(t, "fe1"), sh1)
	fe2 := startFrontEnd(t, tc, 1, "fe2", dbIn(t, "fe2"), sh2)
	d := store.Draft{Key: "chat\x00m1", Rev: 2, Action: feeds.Action{Feed: "chat", Kind: feeds.ActReply, Text: "half-writ"}}
	if _, err := fe1.db.SaveDraft("alice", d); err != nil {
		t.Fatal(err)
	}
	for !hasDraft(t, fe2.db, "alice", "half-writ") {
		<-sh2.changed
	}
	fe1.stop() // the draft is on fe2: alice goes on there
	if err := fe2.db.DeleteDraft("alice", d.Key, 3); err != nil {
		t.Fatal(err)
	}
	sh1 = newShown()
	fe1 = startFrontEnd(t, tc, 2, "fe1", fe1.path, sh1)
	// fe1 had the draft; back, it learns it is gone.
	for hasDraft(t, fe1.db, "alice", "half-writ") {
		<-sh1.changed
	}
}

func hasDraft(t *testing.T, db *store.DB, op, text string) bool {
	t.Helper()
	ds, err := db.Drafts(op)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Action.Text == text {
			return true
		}
	}
	return false
}
