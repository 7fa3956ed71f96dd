package cluster

import (
	"context"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// PrefBucket holds every operator's preferences (their columns, filters
// and mutes, their theme), keyed <operator>.<key> (both as Tokens), so
// that they follow the operator to another front-end. The newest put
// wins; an empty value (or a deleted key) removes the preference.
const PrefBucket = "tribune_prefs"

// PrefStore is a front-end's store, as the preferences need it.
type PrefStore interface {
	SetPref(op, key, value string) error
}

// Prefs shares a front-end's preferences with the cluster.
type Prefs struct {
	c    *Conn
	mu   sync.Mutex
	out  map[string]string // to put, by bucket key: the latest value
	from map[string]string // the value just read from the bucket, not to put back
	own  map[string]uint64 // the revision of this front-end's last put, by key
	wake chan struct{}
}

// Prefs returns the front-end's preference sharing; give its Saved to
// the store (store.Options.OnPref), then Run it.
func (c *Conn) Prefs() *Prefs {
	return &Prefs{c: c, out: make(map[string]string), from: make(map[string]string),
		own: make(map[string]uint64), wake: make(chan struct{}, 1)}
}

func prefKey(op, key string) string { return Token(op) + "." + Token(key) }

// Saved queues a preference the store committed, unless it is the one
// just read from the bucket. It never waits on the network.
func (p *Prefs) Saved(op, key, value string) {
	k := prefKey(op, key)
	p.mu.Lock()
	f, ok := p.from[k]
	delete(p.from, k)
	if !ok || f != value {
		p.out[k] = value
	}
	p.mu.Unlock()
	if !ok || f != value {
		poke(p.wake)
	}
}

// Run puts this front-end's changes and applies the others' to db until
// ctx ends.
func (p *Prefs) Run(ctx context.Context, db PrefStore, onErr func(error)) {
	push := func(ctx context.Context) {
		pushes(ctx, p.wake, func(ctx context.Context) bool { return p.flush(ctx, onErr) })
	}
	follow(ctx, p.c.prefs, push, func(e jetstream.KeyValueEntry) {
		opTok, keyTok, ok := strings.Cut(e.Key(), ".")
		if !ok {
			return
		}
		var value string
		if e.Operation() == jetstream.KeyValuePut {
			value = string(e.Value())
		}
		p.mu.Lock()
		mine := e.Revision() <= p.own[e.Key()] // ours, or older than ours
		if !mine {
			p.from[e.Key()] = value
		}
		p.mu.Unlock()
		if mine {
			return
		}
		if err := db.SetPref(FeedOf(opTok), FeedOf(keyTok), value); err != nil {
			onErr(err)
		}
	}, onErr, 0, nil)
}

// flush puts the queued changes, and reports whether they all went in.
func (p *Prefs) flush(ctx context.Context, onErr func(error)) bool {
	p.mu.Lock()
	out := p.out
	p.out = make(map[string]string)
	p.mu.Unlock()
	ok := true
	for k, v := range out {
		rev, err := p.c.prefs.Put(ctx, k, []byte(v))
		p.mu.Lock()
		switch {
		case err == nil:
			p.own[k] = max(p.own[k], rev)
		case ctx.Err() == nil:
			onErr(err)
			ok = false
			if _, newer := p.out[k]; !newer {
				p.out[k] = v // again, unless a newer change waits
			}
		}
		p.mu.Unlock()
	}
	return ok
}
