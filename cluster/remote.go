package cluster

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
)

// Remote stands, in a front-end's hub, for feed, which runs on whichever
// ingest node holds its lease: it says the feed's platform and what it
// can do (conn is the connector the config builds, never run here), and
// its health says which node runs it.
func (c *Conn) Remote(feed string, conn feeds.Connector) feeds.Connector {
	return &remote{c: c, feed: feed, conn: conn}
}

type remote struct {
	c    *Conn
	feed string
	conn feeds.Connector
}

func (r *remote) Platform() string                 { return r.conn.Platform() }
func (r *remote) Capabilities() feeds.Capabilities { return r.conn.Capabilities() }

// Run reports the feed connected, and the node that runs it, until ctx
// ends.
func (r *remote) Run(ctx context.Context, s feeds.Stream) error {
	s.Connected()
	w, err := r.c.leases.Watch(ctx, Token(r.feed))
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				return errors.New("cluster: the lease watch ended")
			case e == nil: // what was stored has been read
			case e.Operation() == jetstream.KeyValuePut:
				s.Status("runs on", string(e.Value()))
			default:
				s.Status("runs on", "no ingest node")
			}
		}
	}
}

// Do hands a to the ingest node that holds the feed's lease, and waits
// for what it did (see outbox.go).
func (r *remote) Do(ctx context.Context, a feeds.Action) error {
	return r.handOff(ctx, a)
}
