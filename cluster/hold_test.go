package cluster

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// A reply handed to the work queue before the team pulled the brake does
// not go out from the ingest node while it holds; the moderation behind
// it, which a replies-only hold lets through, goes meanwhile; released,
// the reply goes, once.
func TestIngestHonoursTheTeamsHold(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	n := startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	fe := dial(t, tc, 1, "fe1")
	ctx := context.Background()
	pull := func(h outbox.Hold) {
		t.Helper()
		v, _ := json.Marshal(h)
		e, _ := json.Marshal(crisisEntry{Node: "fe1", Value: v})
		if _, err := fe.crisis.Put(ctx, holdKey, e); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			n.in.hold.mu.Lock()
			same := n.in.hold.h.Same(h)
			n.in.hold.mu.Unlock()
			if same {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the ingest node never saw the hold")
			}
		}
	}
	pull(outbox.Hold{On: true, Replies: true, By: "alice"})

	now := time.Now()
	reply := feeds.Action{ID: feeds.NewActionID(now), Feed: "chat", Kind: feeds.ActReply, Text: "not now", Operator: "bob", Created: now}
	del := feeds.Action{ID: feeds.NewActionID(now.Add(time.Millisecond)), Feed: "chat", Kind: feeds.ActDelete, Target: "3", Operator: "bob", Created: now}
	for _, a := range []feeds.Action{reply, del} {
		if err := fe.handOver(ctx, a, 1); err != nil {
			t.Fatal(err)
		}
	}
	for p.times(del.ID) == 0 {
		<-p.did // the delete, behind the held reply, goes
	}
	// The reply comes back to its front-end, unsent, as held.
	err := fe.waitOutcome(ctx, reply, 1)
	if who, ok := feeds.AwaitingOf(err); !ok || who != teamsHold {
		t.Fatalf("the held reply's outcome: %v (waiting for %q)", err, who)
	}
	if k := p.times(reply.ID); k != 0 {
		t.Fatalf("the held reply went %d times", k)
	}
	// Released, the front-end hands it over again, as the next attempt.
	pull(outbox.Hold{})
	if err := fe.Remote("chat", &source{p: p}).(*remote).handOff(ctx, reply); err != nil {
		t.Fatalf("the released reply: %v", err)
	}
	if k, d := p.times(reply.ID), p.times(del.ID); k != 1 || d != 1 {
		t.Errorf("the platform took the reply %d times and the delete %d, want once each", k, d)
	}
}
