package cluster

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/sanitize"
)

// Health is a front-end's view of the cluster, for the Stats pane: its
// connection, and how far it is behind the event stream.
type Health struct {
	Node      string // this front-end
	Connected bool
	// Server is the server it is connected to (its name, else its URL
	// without credentials), or was last.
	Server string
	// Pending is the events not yet delivered to this front-end,
	// AckPending those delivered but not yet stored.
	Pending    uint64
	AckPending int
	// Err is why the lag could not be read ("" when it was).
	Err string
}

// TopicHealth carries the front-end's Health; only the latest is kept.
// ReportHealth publishes it on a slow timer, sessions new and old take
// the next.
var TopicHealth = hub.NewTopic("cluster", hub.KeepLatest[Health]())

// maxHealthText bounds each text of a Health.
const maxHealthText = 120

// Health reads this front-end's view of the cluster. The lag is asked of
// the cluster; ctx bounds the wait. Its texts (the server's name comes
// from the network) are sanitized.
func (c *Conn) Health(ctx context.Context) Health {
	h := Health{Node: c.Node, Connected: c.NC.Status() == nats.CONNECTED, Server: c.NC.ConnectedServerName()}
	if h.Server == "" {
		h.Server = c.NC.ConnectedUrlRedacted()
	}
	if h.Connected {
		cons, err := c.JS.Consumer(ctx, EventStream, consumerName(c.Node))
		if err != nil {
			h.Err = "lag unknown: " + err.Error()
		} else {
			ci := cons.CachedInfo()
			h.Pending, h.AckPending = ci.NumPending, ci.NumAckPending
		}
	}
	h.Node = sanitize.Line(h.Node, maxHealthText)
	h.Server = sanitize.Line(h.Server, maxHealthText)
	h.Err = sanitize.Line(h.Err, maxHealthText)
	return h
}

// ReportHealth publishes the front-end's Health on h every period until
// ctx ends; cut off, it names the server it was last connected to.
func (c *Conn) ReportHealth(ctx context.Context, h *hub.Hub, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := "" // the server last connected to, for when it is gone
	for {
		rctx, cancel := context.WithTimeout(ctx, every)
		hl := c.Health(rctx)
		cancel()
		if hl.Connected {
			last = hl.Server
		} else if hl.Server == "" {
			hl.Server = last
		}
		hub.Publish(h, TopicHealth, hl)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
