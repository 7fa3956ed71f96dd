package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// A front-end whose wait for a send's outcome is cut short (the
// dispatcher's timeout) says whom it waits for, not a rate limit; asked
// again, it waits for the same send, which happens once.
func TestOutcomeWaitSaysWhomItWaitsFor(t *testing.T) {
	tc := newTestCluster(t, 3)
	p := newPlatform()
	p.gate = make(chan struct{}) // the platform holds the send
	startIngest(t, dial(t, tc, 0, "ingest-a"), p)
	r := dial(t, tc, 2, "fe1").Remote("chat", &source{})
	now := time.Now()
	a := feeds.Action{ID: feeds.NewActionID(now), Feed: "chat", Kind: feeds.ActReply, Text: "hi", Operator: "alice", Created: now}

	first, cancel := context.WithCancel(context.Background())
	handed := make(chan error, 1)
	go func() { handed <- r.Do(first, a) }()
	<-p.did // ingest-a is sending it
	cancel()
	for _, err := range []error{<-handed, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return r.Do(ctx, a)
	}()} {
		if who, ok := feeds.AwaitingOf(err); !ok || who != "ingest-a" {
			t.Errorf("a wait cut short gave %v (waiting for %q); want it waiting for ingest-a", err, who)
		}
		if _, limited := feeds.RetryAfterOf(err); limited {
			t.Errorf("a wait cut short is called a rate limit: %v", err)
		}
	}
	p.mu.Lock()
	close(p.gate)
	p.mu.Unlock()
	if err := r.Do(context.Background(), a); err != nil {
		t.Fatalf("once sent, Do = %v", err)
	}
	if n := p.times(a.ID); n != 1 {
		t.Errorf("the platform took it %d times, want once", n)
	}
}
