package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/feeds/sanitize"
)

// CrisisBucket holds what the whole team shares in a crisis, one key
// each: the outbox brake ("hold"), so that a hold pulled on one
// front-end holds the replies typed on every other and a release on any
// releases all; and the incident ("incident"), one for the team. The
// front-end where it changed writes the audit entry; the others adopt
// it without one.
const (
	CrisisBucket = "tribune_crisis"
	holdKey      = "hold"
	incidentKey  = "incident"
)

// crisisEntry is a key's value as the bucket holds it, and who put it.
type crisisEntry struct {
	Node  string          `json:"node"`
	Value json.RawMessage `json:"value"`
}

// CrisisAdopter is a front-end's dispatcher, as the crisis sharing needs
// it.
type CrisisAdopter interface {
	AdoptHold(outbox.Hold) error
	AdoptIncident(outbox.Incident) error
}

// Crisis shares the outbox brake and the incident between front-ends.
type Crisis struct {
	c    *Conn
	mu   sync.Mutex
	out  map[string][]byte // to put, by key: the latest change here
	last map[string][]byte // the latest change here, put or not, by key
	own  map[string]uint64 // the revision of this front-end's last put, by key
	wake chan struct{}
}

// Crisis returns the front-end's crisis sharing; give its Held and
// Incident to the store (store.Options.OnHold, OnIncident), then Run it.
func (c *Conn) Crisis() *Crisis {
	return &Crisis{c: c, out: make(map[string][]byte), last: make(map[string][]byte),
		own: make(map[string]uint64), wake: make(chan struct{}, 1)}
}

// Held queues a change of the brake the store committed here. It never
// waits on the network.
func (cr *Crisis) Held(h outbox.Hold) { cr.set(holdKey, h) }

// Incident queues the opening or closing of an incident the store
// committed here. It never waits on the network.
func (cr *Crisis) Incident(inc outbox.Incident) { cr.set(incidentKey, inc) }

func (cr *Crisis) set(key string, v any) {
	value, err := json.Marshal(v)
	if err != nil {
		return
	}
	data, err := json.Marshal(crisisEntry{Node: cr.c.Node, Value: value})
	if err != nil {
		return
	}
	cr.mu.Lock()
	cr.out[key], cr.last[key] = data, data
	cr.mu.Unlock()
	poke(cr.wake)
}

// Run puts this front-end's changes and has d adopt the others' until
// ctx ends. The bucket's order decides: every front-end ends with what
// the last put set.
func (cr *Crisis) Run(ctx context.Context, d CrisisAdopter, onErr func(error)) {
	push := func(ctx context.Context) {
		pushes(ctx, cr.wake, func(ctx context.Context) bool { return cr.flush(ctx, onErr) })
	}
	follow(ctx, cr.c.crisis, push, func(e jetstream.KeyValueEntry) {
		var ce crisisEntry
		if e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &ce) != nil {
			return
		}
		cr.mu.Lock()
		skip := e.Revision() <= cr.own[e.Key()] // older than this front-end's last put
		if ce.Node == cr.c.Node {
			// Ours: adopted again only as the latest change here, after
			// another front-end's that came in between.
			skip = !bytes.Equal(e.Value(), cr.last[e.Key()])
		}
		cr.mu.Unlock()
		if !skip {
			if err := adopt(d, e.Key(), ce.Value); err != nil {
				onErr(err)
			}
		}
	}, onErr, 0, nil)
}

// adopt has d take what another node says of key, made fit to show.
func adopt(d CrisisAdopter, key string, value json.RawMessage) error {
	switch key {
	case holdKey:
		var h outbox.Hold
		if json.Unmarshal(value, &h) != nil {
			return nil
		}
		h.By = sanitize.Line(h.By, 64)
		for i, f := range h.Feeds {
			h.Feeds[i] = sanitize.Line(f, 256)
		}
		return d.AdoptHold(h)
	case incidentKey:
		var inc outbox.Incident
		if json.Unmarshal(value, &inc) != nil {
			return nil
		}
		inc.By, inc.Why = sanitize.Line(inc.By, 64), sanitize.Line(inc.Why, 0)
		return d.AdoptIncident(inc)
	}
	return nil
}

// flush puts the latest changes, and reports whether they all went in.
func (cr *Crisis) flush(ctx context.Context, onErr func(error)) bool {
	cr.mu.Lock()
	out := cr.out
	cr.out = make(map[string][]byte)
	cr.mu.Unlock()
	ok := true
	for key, data := range out {
		rev, err := cr.c.crisis.Put(ctx, key, data)
		cr.mu.Lock()
		switch {
		case err == nil:
			cr.own[key] = max(cr.own[key], rev)
		case ctx.Err() == nil:
			onErr(err)
			ok = false
			if _, newer := cr.out[key]; !newer {
				cr.out[key] = data // again, unless a newer change waits
			}
		}
		cr.mu.Unlock()
	}
	return ok
}

// teamHold is the team's outbox brake as an ingest node sees it, followed
// in the crisis bucket: a reply a front-end handed over before the brake
// was pulled is given back to it unsent (sender.giveBack), instead of
// going out from the ingest node.
type teamHold struct {
	mu sync.Mutex
	h  outbox.Hold
}

// holds reports whether the brake keeps a in now.
func (t *teamHold) holds(a feeds.Action) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.h.Holds(a)
}

func (t *teamHold) set(h outbox.Hold) {
	t.mu.Lock()
	t.h = h
	t.mu.Unlock()
}

// load reads the brake as it stands, before any send; a bucket that
// cannot be read leaves it released, and says why.
func (t *teamHold) load(ctx context.Context, c *Conn) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	e, err := c.crisis.Get(ctx, holdKey)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("cluster: reading the team's hold: %w", err)
	}
	t.apply(e)
	return nil
}

// apply takes the brake from a crisis bucket entry.
func (t *teamHold) apply(e jetstream.KeyValueEntry) {
	if e.Key() != holdKey {
		return
	}
	var h outbox.Hold
	if e.Operation() == jetstream.KeyValuePut {
		var ce crisisEntry
		if json.Unmarshal(e.Value(), &ce) != nil || json.Unmarshal(ce.Value, &h) != nil {
			return
		}
	}
	t.set(h)
}

// run follows the brake until ctx ends.
func (t *teamHold) run(ctx context.Context, c *Conn, onErr func(error)) {
	follow(ctx, c.crisis, func(context.Context) {}, t.apply, onErr, 0, nil)
}
