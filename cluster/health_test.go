package cluster

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
)

// held is a front-end's store that takes nothing until it is let go.
type held struct{ let chan struct{} }

func (h held) CommitNew(ctx context.Context, evs []feeds.Event) (int, error) {
	select {
	case <-h.let:
		return len(evs), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A front-end tells its sessions, through the hub, how it stands with the
// cluster: the events delivered but not yet stored, then none once
// stored; cut off when its server goes.
func TestHealthReportsLag(t *testing.T) {
	srv, err := Serve(&server.Options{ServerName: "nats-1", Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dialed := func(node string) *Conn {
		c, err := Dial(ctx, srv.ClientURL(), node, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.NC.Close)
		return c
	}
	evs := make([]feeds.Event, 5)
	for i := range evs {
		evs[i] = feeds.Event{Feed: "chat", ID: strconv.Itoa(i), Kind: feeds.KindMessage, Text: "hi"}
	}
	if err := dialed("ingest-a").Publisher().AppendEvents(evs); err != nil {
		t.Fatal(err)
	}
	fe := dialed("fe1")
	store := held{let: make(chan struct{})}
	go func() { _ = fe.Follow(ctx, store, nil) }()
	h := hub.New(hub.Options{})
	sub := h.Subscribe(ctx)
	go fe.ReportHealth(ctx, h, 20*time.Millisecond)
	waitHealth := func(what string, ok func(Health) bool) {
		t.Helper()
		for {
			select {
			case <-sub.Ready():
				if hl, got := hub.Last(sub.Take(), TopicHealth); got && ok(hl) {
					return
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("the front-end never reported %s", what)
			}
		}
	}
	waitHealth("5 events being stored", func(hl Health) bool {
		return hl.Connected && hl.Node == "fe1" && hl.Server == "nats-1" && hl.Pending == 0 && hl.AckPending == 5
	})
	close(store.let)
	waitHealth("no lag", func(hl Health) bool { return hl.Connected && hl.Pending == 0 && hl.AckPending == 0 && hl.Err == "" })
	srv.Shutdown()
	waitHealth("being cut off from nats-1", func(hl Health) bool { return !hl.Connected && hl.Server == "nats-1" })
}
