package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/feeds"
)

// committed is a Committer that hands each batch to the test.
type committed chan []feeds.Event

func (c committed) CommitNew(ctx context.Context, evs []feeds.Event) (int, error) {
	select {
	case c <- append([]feeds.Event(nil), evs...):
	case <-ctx.Done():
	}
	return len(evs), nil
}

// A front-end whose consumer cannot be made when it starts (here the
// stream is missing; in the crash test, a server was restarting) asks
// again, and follows once it can, instead of giving up for good.
func TestFollowAsksAgainForItsConsumer(t *testing.T) {
	s, err := Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := Options{LeaseTTL: 400 * time.Millisecond}
	fe, err := Dial(ctx, s.ClientURL(), "fe", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.NC.Close()
	if err := fe.JS.DeleteStream(ctx, EventStream); err != nil {
		t.Fatal(err)
	}
	got := make(committed)
	failed := make(chan error, 1)
	followed := make(chan error, 1)
	go func() {
		followed <- fe.Follow(ctx, got, func(err error) {
			select {
			case failed <- err:
			default:
			}
		})
	}()
	select {
	case <-failed: // it could not make its consumer
	case err := <-followed:
		t.Fatalf("Follow returned before it could follow: %v", err)
	}

	in, err := Dial(ctx, s.ClientURL(), "ingest", opts) // makes the stream again
	if err != nil {
		t.Fatal(err)
	}
	defer in.NC.Close()
	if err := in.Publisher().AppendEvents([]feeds.Event{{Feed: "chat", ID: "1", Kind: feeds.KindMessage, Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case evs := <-got:
		if len(evs) != 1 || evs[0].ID != "1" {
			t.Errorf("followed %v, want event 1", evs)
		}
	case err := <-followed:
		t.Fatalf("Follow gave up: %v", err)
	}
}
