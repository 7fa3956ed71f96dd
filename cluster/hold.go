package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/feeds/sanitize"
)

// HoldBucket holds the outbox brake of the whole team under one key: a
// hold pulled on one front-end holds the replies typed on every other,
// and a release on any releases all. The front-end where it was pulled
// writes the audit entry; the others adopt it without one.
const (
	HoldBucket = "tribune_hold"
	holdKey    = "outbox"
)

// holdEntry is the brake as the bucket holds it, and who put it there.
type holdEntry struct {
	Node string      `json:"node"`
	Hold outbox.Hold `json:"hold"`
}

// HoldAdopter is a front-end's dispatcher, as the shared hold needs it.
type HoldAdopter interface {
	AdoptHold(outbox.Hold) error
}

// Hold shares the outbox brake between front-ends.
type Hold struct {
	c    *Conn
	mu   sync.Mutex
	out  []byte // to put: the latest change here
	last []byte // the latest change here, put or not
	own  uint64 // the revision of this front-end's last put
	wake chan struct{}
}

// Hold returns the front-end's hold sharing; give its Set to the store
// (store.Options.OnHold), then Run it.
func (c *Conn) Hold() *Hold { return &Hold{c: c, wake: make(chan struct{}, 1)} }

// Set queues a change of the brake the store committed here. It never
// waits on the network.
func (h *Hold) Set(hold outbox.Hold) {
	data, err := json.Marshal(holdEntry{Node: h.c.Node, Hold: hold})
	if err != nil {
		return
	}
	h.mu.Lock()
	h.out, h.last = data, data
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run puts this front-end's changes and has d adopt the others' until
// ctx ends. The bucket's order decides: every front-end ends with the
// brake its last put set.
func (h *Hold) Run(ctx context.Context, d HoldAdopter, onErr func(error)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.push(ctx, onErr) }()
	defer wg.Wait()
	w, err := h.c.hold.Watch(ctx, holdKey)
	if err != nil {
		onErr(err)
		return
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var he holdEntry
			if json.Unmarshal(e.Value(), &he) != nil {
				continue
			}
			h.mu.Lock()
			skip := e.Revision() <= h.own // older than this front-end's last put
			if he.Node == h.c.Node {
				// Ours: adopted again only as the latest change here,
				// after another front-end's that came in between.
				skip = !bytes.Equal(e.Value(), h.last)
			}
			h.mu.Unlock()
			if skip {
				continue
			}
			if err := d.AdoptHold(cleanHold(he.Hold)); err != nil {
				onErr(err)
			}
		}
	}
}

// cleanHold makes what another node says of the brake fit to show.
func cleanHold(h outbox.Hold) outbox.Hold {
	h.By = sanitize.Line(h.By, 64)
	for i, f := range h.Feeds {
		h.Feeds[i] = sanitize.Line(f, 256)
	}
	return h
}

// push puts the latest change, retrying until it is in.
func (h *Hold) push(ctx context.Context, onErr func(error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		h.mu.Lock()
		data := h.out
		h.out = nil
		h.mu.Unlock()
		if data == nil {
			continue
		}
		rev, err := h.c.hold.Put(ctx, holdKey, data)
		if err == nil {
			h.mu.Lock()
			h.own = max(h.own, rev)
			h.mu.Unlock()
			continue
		}
		if ctx.Err() != nil {
			return
		}
		onErr(err)
		h.mu.Lock()
		if h.out == nil {
			h.out = data // again, unless a newer change waits
		}
		h.mu.Unlock()
		if sleep(ctx, time.Second) {
			select {
			case h.wake <- struct{}{}:
			default:
			}
		}
	}
}
