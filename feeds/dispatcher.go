package feeds

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// OutboxStore is the durable outbox the dispatcher works from. The store
// package implements it.
type OutboxStore interface {
	Pending() ([]Outgoing, error)
	UpdateOutgoing(id string, fn func(*Outgoing) error) (Outgoing, error)
}

// Dispatcher sends queued outbox items through their feed's connector,
// outside the UI loop. Every state change is committed before it is
// published, and an item is never sent twice on a platform without
// idempotency: an interrupted send there becomes StateUncertain and waits
// for the operator.
type Dispatcher struct {
	store       OutboxStore
	hub         *Hub
	wake        chan struct{}
	now         func() time.Time
	timeout     time.Duration
	maxAttempts int
	rand        *rand.Rand
}

// NewDispatcher returns a dispatcher for the hub's connectors.
func NewDispatcher(store OutboxStore, hub *Hub) *Dispatcher {
	return &Dispatcher{
		store:       store,
		hub:         hub,
		wake:        make(chan struct{}, 1),
		now:         time.Now,
		timeout:     30 * time.Second,
		maxAttempts: 5,
		rand:        rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// Wake asks the dispatcher to look at the outbox now (after an Enqueue).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run works the outbox until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	if err := d.recoverInterrupted(); err != nil {
		return err
	}
	for {
		next, err := d.sendDue(ctx)
		if err != nil && ctx.Err() == nil {
			// The store failing is not a reason to stop; try again soon.
			next = d.now().Add(time.Second)
		}
		var (
			timer *time.Timer
			due   <-chan time.Time
		)
		if !next.IsZero() {
			timer = time.NewTimer(max(next.Sub(d.now()), 0))
			due = timer.C
		}
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// recoverInterrupted settles items a previous process left in StateSending.
func (d *Dispatcher) recoverInterrupted() error {
	items, err := d.store.Pending()
	if err != nil {
		return fmt.Errorf("reading outbox: %w", err)
	}
	for _, it := range items {
		if it.State != StateSending {
			continue
		}
		if _, err := d.settleInterrupted(it.Action); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) settleInterrupted(a Action) (Outgoing, error) {
	idem := false
	if c, ok := d.hub.Connector(a.Feed); ok {
		idem = c.Capabilities().Idempotent
	}
	return d.set(a.ID, func(o *Outgoing) {
		if idem {
			o.State = StateQueued
			return
		}
		o.State = StateUncertain
		o.Err = "the send was interrupted: check the platform, then resend or drop"
	})
}

// sendDue sends every item that is due and returns when the earliest
// waiting one will be.
func (d *Dispatcher) sendDue(ctx context.Context) (time.Time, error) {
	items, err := d.store.Pending()
	if err != nil {
		return time.Time{}, err
	}
	var next time.Time
	for _, it := range items {
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		if it.State != StateQueued {
			continue
		}
		if !it.NextTry.After(d.now()) {
			var err error
			if it, err = d.send(ctx, it.Action); err != nil {
				return time.Time{}, err
			}
		}
		if it.State == StateQueued && (next.IsZero() || it.NextTry.Before(next)) {
			next = it.NextTry
		}
	}
	return next, nil
}

// send carries out one action and records the outcome, which it returns.
// Its error is a store error only; the action's own failure is recorded on
// the item.
func (d *Dispatcher) send(ctx context.Context, a Action) (Outgoing, error) {
	c, ok := d.hub.Connector(a.Feed)
	switch {
	case !ok:
		return d.fail(a.ID, fmt.Sprintf("feed %q is not configured", a.Feed))
	case !c.Capabilities().Can(a.Kind):
		return d.fail(a.ID, fmt.Sprintf("feed %q cannot %s", a.Feed, a.Kind))
	}
	if _, err := d.set(a.ID, func(o *Outgoing) {
		o.State = StateSending
		o.Attempts++
	}); err != nil {
		return Outgoing{}, err
	}
	sendCtx, cancel := context.WithTimeout(ctx, d.timeout)
	err := c.Do(sendCtx, a)
	cancel()
	switch {
	case err == nil:
		return d.set(a.ID, func(o *Outgoing) { o.State, o.Err = StateSent, "" })
	case IsPermanent(err):
		return d.fail(a.ID, err.Error())
	case ctx.Err() != nil:
		// Shutting down mid-send: settle now as a restart would.
		return d.settleInterrupted(a)
	case !c.Capabilities().Idempotent:
		return d.set(a.ID, func(o *Outgoing) {
			o.State = StateUncertain
			o.Err = fmt.Sprintf("%v (may or may not have been sent)", err)
		})
	}
	return d.set(a.ID, func(o *Outgoing) {
		o.Err = err.Error()
		if o.Attempts >= d.maxAttempts {
			o.State = StateFailed
			return
		}
		o.State = StateQueued
		o.NextTry = d.now().Add(backoff(o.Attempts, d.rand))
	})
}

func (d *Dispatcher) fail(id, msg string) (Outgoing, error) {
	return d.set(id, func(o *Outgoing) { o.State, o.Err = StateFailed, msg })
}

// set commits a change to one item, then publishes it.
func (d *Dispatcher) set(id string, fn func(*Outgoing)) (Outgoing, error) {
	o, err := d.store.UpdateOutgoing(id, func(o *Outgoing) error {
		fn(o)
		o.Updated = d.now()
		return nil
	})
	if err != nil {
		return Outgoing{}, fmt.Errorf("updating outbox item %s: %w", id, err)
	}
	d.hub.PublishOutbox(o)
	return o, nil
}
