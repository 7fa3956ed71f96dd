package cluster

import (
	"context"
	"strconv"
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

// A front-end killed with events given to it and not stored gets them
// again: the events it stores after its restart do not acknowledge them.
func TestFollowDoesNotAcknowledgeWhatItDidNotStore(t *testing.T) {
	s, err := Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	ctx := context.Background()
	c, err := Dial(ctx, s.ClientURL(), "fe", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.NC.Close()
	publish := func(from, to int) {
		t.Helper()
		var evs []feeds.Event
		for i := from; i < to; i++ {
			evs = append(evs, feeds.Event{Feed: "chat", ID: strconv.Itoa(i), Kind: feeds.KindMessage, Text: "hi"})
		}
		if err := c.Publisher().AppendEvents(evs); err != nil {
			t.Fatal(err)
		}
	}
	follow := func(got Committer) (stop func()) {
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = c.Follow(fctx, got, nil) }()
		return func() { cancel(); <-done }
	}

	publish(0, 10)
	first := dying(make(chan struct{})) // takes one batch, and dies storing it
	stop := follow(first)
	<-first
	stop()

	publish(10, 20)
	again := make(committed, 100)
	stop = follow(again)
	defer stop()
	seen := make(map[string]bool)
	for !seen["19"] {
		for _, ev := range <-again {
			seen[ev.ID] = true
		}
	}
	cons, err := c.JS.Consumer(ctx, EventStream, consumerName("fe"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumAckPending <= 10 || info.AckFloor.Stream >= 10 {
			if info.AckFloor.Stream != 0 || info.NumAckPending != 10 {
				t.Fatalf("after the restart, the ack floor is at %d with %d pending: events 0-9, never stored, count as stored",
					info.AckFloor.Stream, info.NumAckPending)
			}
			return
		}
		time.Sleep(10 * time.Millisecond) // the last acknowledgement is on its way
	}
}

// dying is a Committer that is killed while it stores its first batch.
type dying chan struct{}

func (d dying) CommitNew(ctx context.Context, _ []feeds.Event) (int, error) {
	close(d)
	<-ctx.Done()
	return 0, ctx.Err()
}
