package cluster

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/sanitize"
	"github.com/tribune/tribune/presence"
)

// PresenceBucket holds, under each front-end's name (a Token), who is
// connected to it and what they are answering: the sessions of its
// Team. A front-end puts its own as they change and again every third of
// the lease TTL; the bucket forgets an entry after a TTL, and the other
// front-ends forget a front-end they have not heard from for a TTL, so
// the sessions of one that died go within about a TTL.
const PresenceBucket = "tribune_presence"

// maxRelayed bounds the sessions taken from one front-end's entry.
const maxRelayed = 1000

// TeamRelay relays a front-end's Team to the others, and theirs to it.
type TeamRelay struct {
	c    *Conn
	team *presence.Team
	wake chan struct{}
}

// RelayTeam returns the relay of team, which it asks to be told of the
// local sessions' changes; Run it.
func (c *Conn) RelayTeam(team *presence.Team) *TeamRelay {
	p := &TeamRelay{c: c, team: team, wake: make(chan struct{}, 1)}
	team.OnChange(func() { poke(p.wake) })
	return p
}

// Run relays until ctx ends: the others' sessions are published on h as
// the local ones are, and go when their front-end leaves or goes quiet.
func (p *TeamRelay) Run(ctx context.Context, h *hub.Hub, onErr func(error)) {
	every := p.c.opts.LeaseTTL / 3
	heard := make(map[string]time.Time) // when each front-end last put, by name
	own := Token(p.c.Node)
	push := func(ctx context.Context) { p.push(ctx, every, onErr) }
	follow(ctx, p.c.presence, push, func(e jetstream.KeyValueEntry) {
		if e.Key() == own {
			return
		}
		node := FeedOf(e.Key())
		if e.Operation() != jetstream.KeyValuePut {
			delete(heard, node)
			p.team.Relayed(h, node, nil)
			return
		}
		var ps []presence.Presence
		if json.Unmarshal(e.Value(), &ps) != nil {
			return
		}
		heard[node] = time.Now()
		p.team.Relayed(h, node, clean(ps))
	}, onErr, every, func(now time.Time) {
		for node, at := range heard {
			if now.Sub(at) > p.c.opts.LeaseTTL {
				delete(heard, node)
				p.team.Relayed(h, node, nil)
			}
		}
	})
}

// clean makes what another node says of its sessions fit to show.
func clean(ps []presence.Presence) []presence.Presence {
	ps = ps[:min(len(ps), maxRelayed)]
	for i, s := range ps {
		ps[i] = presence.Presence{
			Session:  sanitize.Line(s.Session, 64),
			Operator: sanitize.Line(s.Operator, 64),
			Feed:     sanitize.Line(s.Feed, 256),
			Target:   sanitize.Line(s.Target, 256),
			Active:   s.Active,
		}
	}
	return ps
}

// push puts the local sessions as they change and every so often, and
// takes them away when ctx ends.
func (p *TeamRelay) push(ctx context.Context, every time.Duration, onErr func(error)) {
	key := Token(p.c.Node)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.Background(), every)
			_ = p.c.presence.Purge(rctx, key)
			cancel()
			return
		case <-p.wake:
		case <-tick.C:
		}
		data, err := json.Marshal(p.team.Local())
		if err != nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, every)
		if _, err := p.c.presence.Put(rctx, key, data); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		cancel()
	}
}
