package cluster

import (
	"context"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
)

// Feed is one configured feed: its id and its connector.
type Feed struct {
	ID   string
	Conn feeds.Connector
}

// Ingest is an ingest node: a hub whose connectors run under their
// feeds' leases and whose store is the event stream.
type Ingest struct {
	Hub    *hub.Hub
	Leases *Leases
	pub    *Publisher
	c      *Conn
	hold   *teamHold
}

// NewIngest makes the ingest node for fs over c; limits overrides, per
// feed, the pace its connector declares (the config's send_limit).
func (c *Conn) NewIngest(fs []Feed, limits map[string]feeds.Limit) (*Ingest, error) {
	ls := c.Leases()
	pub := ls.Publisher()
	h := hub.New(hub.Options{
		Store: pub,
		// The hub numbers the events that come without an id
		// ("tribune-N"): from a node to the next, those numbers must
		// not repeat, or the stream would drop them as duplicates.
		LastSeq: uint64(time.Now().UnixMicro()),
	})
	for _, f := range fs {
		if err := h.Add(f.ID, ls.Wrap(f.ID, f.Conn)); err != nil {
			return nil, err
		}
	}
	hold := &teamHold{}
	ls.onAcquire = func(held context.Context, feed string, conn feeds.Connector) {
		s := &sender{c: c, feed: feed, conn: conn, hold: hold, raw: h.RawChannel, limit: conn.Capabilities().Rate}
		if l, ok := limits[feed]; ok {
			s.limit = l
		}
		s.run(held)
	}
	return &Ingest{Hub: h, Leases: ls, pub: pub, c: c, hold: hold}, nil
}

// Run runs the node until ctx ends. onErr, if set, hears of what the hub
// could not publish.
func (in *Ingest) Run(ctx context.Context, onErr func(string)) {
	in.pub.ctx = ctx // before the hub runs, so before anything is published
	var wg sync.WaitGroup
	if onErr != nil {
		sub := in.Hub.Subscribe(ctx)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-sub.Ready():
					for _, e := range hub.Items(sub.Take(), hub.TopicErrors) {
						onErr(e)
					}
				}
			}
		}()
	}
	// The brake as it stands before any send, then as it changes.
	holdErr := func(err error) {
		if onErr != nil {
			onErr(err.Error())
		}
	}
	if err := in.hold.load(ctx, in.c); err != nil {
		holdErr(err)
	}
	wg.Add(3)
	go func() { defer wg.Done(); in.hold.run(ctx, in.c, holdErr) }()
	go func() { defer wg.Done(); in.Leases.Run(ctx) }()
	go func() { defer wg.Done(); _ = in.Hub.Run(ctx) }()
	wg.Wait()
}
