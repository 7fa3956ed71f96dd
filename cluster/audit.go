package cluster

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds/outbox"
)

// AuditStream is the audit log every node appends to (subject
// tribune.audit.<node>): each front-end's entries as its store commits
// them, and the ingest nodes' outcomes of the sends they made.
const (
	AuditStream   = "TRIBUNE_AUDIT"
	auditSubjects = "tribune.audit."
)

// Audit copies a front-end's audit entries to the stream.
type Audit struct {
	c     *Conn
	mu    sync.Mutex
	queue []outbox.AuditEntry
	wake  chan struct{}
}

// Audit returns the node's audit copier: give its Noted to the store
// (store.Options.OnAudit), then Run it.
func (c *Conn) Audit() *Audit { return &Audit{c: c, wake: make(chan struct{}, 1)} }

// maxAuditQueue bounds what waits for a cluster out of reach; past it the
// oldest entries wait only in the front-end's own log.
const maxAuditQueue = 100_000

// Noted queues an entry the store committed. It never waits.
func (a *Audit) Noted(e outbox.AuditEntry) {
	a.mu.Lock()
	if len(a.queue) >= maxAuditQueue {
		a.queue = a.queue[1:]
	}
	a.queue = append(a.queue, e)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Run publishes what is queued until ctx ends.
func (a *Audit) Run(ctx context.Context, onErr func(error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
		}
		a.mu.Lock()
		q := a.queue
		a.queue = nil
		a.mu.Unlock()
		for i, e := range q {
			if err := a.c.appendAudit(ctx, e, strconv.FormatUint(e.Seq, 10)); err != nil {
				if ctx.Err() != nil {
					return
				}
				onErr(err)
				a.mu.Lock()
				a.queue = append(q[i:], a.queue...) // again, in order
				a.mu.Unlock()
				if sleep(ctx, time.Second) {
					select {
					case a.wake <- struct{}{}:
					default:
					}
				}
				break
			}
		}
	}
}

// appendAudit publishes e, named id among this node's entries so that
// one published twice is kept once.
func (c *Conn) appendAudit(ctx context.Context, e outbox.AuditEntry, id string) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	m := nats.NewMsg(auditSubjects + Token(c.Node))
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, Token(c.Node)+"/"+id)
	_, err = c.JS.PublishMsg(ctx, m)
	return err
}
