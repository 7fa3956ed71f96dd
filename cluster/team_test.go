package cluster

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds/outbox"
)

// A front-end sees what the team does on the others: alice's reply typed
// on fe1 shows on fe2, queued then sent, with her name; fe2's own replies
// are its outbox's, not given again.
func TestFrontEndSeesTheTeamsActions(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	sh1, sh2 := newShown(), newShown()
	fe1 := startFrontEnd(t, tc, 1, "fe1", dbIn(t, "fe1"), sh1)
	fe2 := startFrontEnd(t, tc, 2, "fe2", dbIn(t, "fe2"), sh2)
	p.post(3)
	sh1.wait(t, 3)
	sh2.wait(t, 3)

	var mu sync.Mutex
	seen := map[string][]outbox.Outgoing{}
	changed := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fe2.c.FollowTeam(ctx, time.Now().Add(-time.Hour), fe2.db, func(o outbox.Outgoing) {
			mu.Lock()
			seen[o.Action.ID] = append(seen[o.Action.ID], o)
			mu.Unlock()
			poke(changed)
		})
	}()
	defer func() { cancel(); <-done }()

	theirs := fe1.reply(t, "merci !")
	ours := fe2.reply(t, "on regarde")
	sh1.waitState(theirs, outbox.StateSent)
	sh2.waitState(ours, outbox.StateSent)
	for deadline := time.After(30 * time.Second); ; {
		mu.Lock()
		got := seen[theirs]
		mu.Unlock()
		if n := len(got); n > 0 && got[n-1].State == outbox.StateSent {
			if got[0].State != outbox.StateQueued || got[n-1].Action.Operator != "alice" || got[n-1].Action.Text != "merci !" {
				t.Errorf("fe2 saw fe1's reply as %+v", got)
			}
			break
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("fe2 never saw fe1's reply sent: %+v", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if own := seen[ours]; len(own) > 0 {
		t.Errorf("fe2 was given its own reply again: %+v", own)
	}
}
