package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// flaky fails each action's first try as not sent, then succeeds.
type flakyConn struct {
	idempotent bool
	mu         sync.Mutex
	tried      map[string]int
}

func (c *flakyConn) Platform() string { return "test" }
func (c *flakyConn) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply}, Idempotent: c.idempotent}
}
func (c *flakyConn) Run(ctx context.Context, _ feeds.Stream) error { <-ctx.Done(); return ctx.Err() }
func (c *flakyConn) Do(_ context.Context, a feeds.Action) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tried[a.ID]++
	if c.tried[a.ID] == 1 {
		return feeds.NotSent(errors.New("not connected"))
	}
	return nil
}

// Many feeds sending and retrying at once against the real store: the
// dispatcher's own lock and bbolt's write lock once deadlocked here (a
// retry's backoff was drawn under the dispatcher's lock inside a store
// transaction while the loop held that lock waiting for the store).
func TestDispatcherManyFeedsRetryingOnBbolt(t *testing.T) {
	db := openTemp(t, Options{})
	hub := hub.New(hub.Options{Store: db})
	const nFeeds, perFeed = 30, 3
	for f := range nFeeds {
		hub.Add(fmt.Sprintf("f%02d", f), &flakyConn{idempotent: f%2 == 0, tried: make(map[string]int)})
	}
	d := dispatch.New(db, hub, dispatch.Options{})
	now := time.Now()
	for i := range nFeeds * perFeed {
		at := now.Add(time.Duration(i) * time.Microsecond)
		a := feeds.Action{ID: feeds.NewActionID(at), Feed: fmt.Sprintf("f%02d", i%nFeeds), Kind: feeds.ActReply,
			Text: "hi", Operator: "t", Created: at}
		if err := db.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: at}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(time.Minute) // a guard against a hang, not a speed limit
	for {
		pending, err := db.Pending()
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d items still pending after a minute: the dispatcher is stuck", len(pending))
		}
		time.Sleep(20 * time.Millisecond)
	}
	all, _ := db.Outbox()
	for _, o := range all {
		if o.State != outbox.StateSent || o.Attempts != 2 {
			t.Errorf("%s on %s: %s after %d attempts, want sent after 2", o.Action.ID, o.Action.Feed, o.State, o.Attempts)
		}
	}
}
