// Package dispatch carries queued actions out of the outbox to the
// connectors: paced to each platform's limit, retried where that cannot post
// twice, held on the operator's word. It owns the Dispatcher and the
// OutboxStore it works from; what an item's states mean is feeds/outbox's.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/internal/backoff"
	"github.com/tribune/tribune/feeds/outbox"
)

// OutboxStore is the durable outbox the dispatcher works from. The store
// package implements it.
type OutboxStore interface {
	// Enqueue adds a new item, durably, and audits it as queued.
	Enqueue(outbox.Outgoing) error
	// EnqueueAll adds items in one transaction: all, or none.
	EnqueueAll([]outbox.Outgoing) error
	// Pending returns the items that are not done, in ID (creation) order.
	Pending() ([]outbox.Outgoing, error)
	// Change applies fn to one item atomically, with the hold as stored in
	// the same transaction, and audits it when fn returns a non-zero Note.
	Change(id string, fn func(o *outbox.Outgoing, held bool) (outbox.Note, error)) (outbox.Outgoing, error)
	Hold() (outbox.Hold, error)
	// SetHold sets the brake, audited; it reports whether it changed.
	SetHold(outbox.Hold) (bool, error)
	// AdoptHold sets the brake as another node of a cluster set it,
	// without an audit entry (that node wrote it).
	AdoptHold(outbox.Hold) (bool, error)
	// Note records an audit entry that goes with no change (a refusal).
	Note(outbox.AuditEntry) error
}

// Options configures a Dispatcher. Zero values are sensible.
type Options struct {
	// Limits overrides, per feed id, the pace the connector declares in
	// Capabilities.Rate.
	Limits map[string]feeds.Limit
	// MaxAttempts bounds the tries of an action that fails transiently
	// (rate-limit answers do not count). Zero means 5.
	MaxAttempts int
	// Timeout bounds one send. Zero means 30 s.
	Timeout time.Duration
	Now     func() time.Time
	// OnSent, when set, is told of each action the platform took, once
	// its new state is stored: the stats count answers and moderation.
	OnSent func(a feeds.Action, at time.Time)
	// Authorize, when set, says whether operator may do what (an action
	// kind, or "hold" for the brake); its error refuses the change, which
	// the audit log records. Nil allows everything (one local operator).
	Authorize func(operator, what string) error
}

// WhatHold is what Authorize is asked for a hold or a release.
const WhatHold = "hold"

// Dispatcher sends queued outbox items through their feed's connector,
// outside the UI loop, and carries out the operator's changes to the outbox
// (edit, cancel, resend, hold).
//
// Every state change is committed before it is published. Each feed is
// paced to its platform's limit, sends one item at a time in queue order,
// and waits when the platform says "rate limited"; feeds do not wait on
// each other. An item is never sent twice on a platform without
// idempotency: an interrupted send there becomes StateUncertain and waits
// for the operator.
type Dispatcher struct {
	store OutboxStore
	hub   *hub.Hub
	opts  Options
	wake  chan struct{}

	// mu guards feeds. It is never taken inside a store callback: due
	// holds it while it calls the store, so a callback waiting on it
	// would deadlock against bbolt's write lock.
	mu     sync.Mutex
	feeds  map[string]*pace
	flight sync.WaitGroup

	randMu sync.Mutex
	rand   *rand.Rand

	// holdMu makes storing a hold and publishing it one step, so sessions
	// never show a brake that the store no longer has.
	holdMu sync.Mutex
}

// sendGrace is how long a send in flight may go on once the dispatcher is
// told to stop (the operator quit): long enough for a platform to confirm
// a reply, so that quitting does not turn it into "uncertain".
const sendGrace = 3 * time.Second

// pace is one feed's sending state.
type pace struct {
	busy bool // a send is in flight
	// waiting: the last send was with another node, whose outcome did
	// not come in time (the hub shows the feed waiting for it).
	waiting bool
	recent  []time.Time // when the last sends left, at most Limit.Count
	paused  time.Time   // the platform asked for nothing before this
}

// New returns a dispatcher for the hub's connectors.
func New(store OutboxStore, hub *hub.Hub, opts Options) *Dispatcher {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Dispatcher{
		store: store,
		hub:   hub,
		opts:  opts,
		wake:  make(chan struct{}, 1),
		rand:  rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		feeds: make(map[string]*pace),
	}
}

// Limit is the pace the dispatcher keeps for feed: the config's override,
// else what the connector declares.
func (d *Dispatcher) Limit(feed string) feeds.Limit {
	if l, ok := d.opts.Limits[feed]; ok {
		return l
	}
	if c, ok := d.hub.Connector(feed); ok {
		return c.Capabilities().Rate
	}
	return feeds.Limit{}
}

// Wake asks the dispatcher to look at the outbox now (after an Enqueue).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run works the outbox until ctx ends, then waits for the sends in flight
// to settle.
func (d *Dispatcher) Run(ctx context.Context) error {
	defer d.flight.Wait()
	if err := d.recoverInterrupted(); err != nil {
		return err
	}
	if err := d.publishHold(); err != nil {
		return err
	}
	if err := d.publishIncident(); err != nil {
		return err
	}
	for {
		claimed, next, err := d.due()
		if err != nil && ctx.Err() == nil {
			// The store failing is not a reason to stop; try again soon.
			next = d.opts.Now().Add(time.Second)
		}
		for _, o := range claimed {
			d.flight.Add(1)
			go func() {
				defer d.flight.Done()
				d.deliver(ctx, o)
				d.Wake()
			}()
		}
		var (
			timer *time.Timer
			due   <-chan time.Time
		)
		if !next.IsZero() {
			timer = time.NewTimer(max(next.Sub(d.opts.Now()), 0))
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
		if it.State == outbox.StateSending {
			if _, err := d.settleInterrupted(it.Action); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleInterrupted decides the fate of a send that may or may not have
// reached the platform: sent again where that cannot post twice, otherwise
// left to the operator.
func (d *Dispatcher) settleInterrupted(a feeds.Action) (outbox.Outgoing, error) {
	idem := false
	if c, ok := d.hub.Connector(a.Feed); ok {
		idem = c.Capabilities().Idempotent
	}
	return d.record(a.ID, func(o *outbox.Outgoing) string {
		if idem {
			o.State = outbox.StateQueued
			return ""
		}
		o.State = outbox.StateUncertain
		o.Err = "the send was interrupted: check the platform, then resend or drop"
		return outbox.AuditUncertain
	})
}

// due claims, for each feed that may send now, its oldest queued item, and
// returns them with the time the next waiting item will be due (zero: none
// is waiting on time). Claimed items are StateSending and must be
// delivered.
func (d *Dispatcher) due() ([]outbox.Outgoing, time.Time, error) {
	items, err := d.store.Pending()
	if err != nil {
		return nil, time.Time{}, err
	}
	hold, err := d.store.Hold()
	if err != nil || hold.Whole() {
		return nil, time.Time{}, err // released by SetHold, which wakes us
	}
	now := d.opts.Now()
	var (
		claimed []outbox.Outgoing
		next    time.Time
		looked  = make(map[string]bool)
	)
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, it := range items {
		feed := it.Action.Feed
		if it.State != outbox.StateQueued || looked[feed] || hold.Holds(it.Action) {
			continue // a held reply does not hold back the moderation behind it
		}
		// Only a feed's oldest queued item may go: replies leave in the
		// order they were written.
		looked[feed] = true
		p := d.pace(feed)
		if p.busy {
			continue // its send will wake us
		}
		at := it.NextTry
		if p.paused.After(at) {
			at = p.paused
		}
		if l := d.Limit(feed); !l.IsZero() && len(p.recent) >= l.Count {
			if free := p.recent[len(p.recent)-l.Count].Add(l.Per); free.After(at) {
				at = free
			}
		}
		if at.After(now) {
			later(at)
			continue
		}
		o, err := d.store.Change(it.Action.ID, func(o *outbox.Outgoing, held bool) (outbox.Note, error) {
			return outbox.Note{}, o.Claim(held, now)
		})
		switch {
		case errors.Is(err, outbox.ErrHeld):
			continue // held since Pending was read; SetHold wakes us
		case errors.Is(err, outbox.ErrNotQueued):
			continue // cancelled or edited away just now
		case err != nil:
			return claimed, time.Time{}, err
		}
		hub.Publish(d.hub, hub.TopicOutbox, o)
		p.busy = true
		p.recent = append(p.recent, now)
		if l := d.Limit(feed); len(p.recent) > max(l.Count, 1) {
			p.recent = p.recent[len(p.recent)-max(l.Count, 1):]
		}
		claimed = append(claimed, o)
	}
	return claimed, next, nil
}

func (d *Dispatcher) pace(feed string) *pace {
	p := d.feeds[feed]
	if p == nil {
		p = &pace{}
		d.feeds[feed] = p
	}
	return p
}

// deliver carries out one claimed action and records the outcome. A store
// failure leaves the item in StateSending, which the next start settles.
func (d *Dispatcher) deliver(ctx context.Context, o outbox.Outgoing) {
	a := o.Action
	defer func() {
		d.mu.Lock()
		d.pace(a.Feed).busy = false
		d.mu.Unlock()
	}()
	c, ok := d.hub.Connector(a.Feed)
	switch {
	case !ok:
		d.fail(a.ID, fmt.Sprintf("feed %q is not configured", a.Feed))
		return
	case !c.Capabilities().Can(a.Kind):
		d.fail(a.ID, fmt.Sprintf("feed %q cannot %s", a.Feed, a.Kind))
		return
	}
	// The send outlives a stop by sendGrace, bounded by the timeout.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.Timeout)
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(sendGrace, cancel) })
	// The operator saw, and the outbox keeps, the channel's displayed
	// name; the platform gets the name it spelled (hub.RawChannel).
	sent := a
	sent.Channel = d.hub.RawChannel(a.Feed, a.Target, a.Channel)
	err := c.Do(sendCtx, sent)
	stop()
	cancel()
	if who, waiting := feeds.AwaitingOf(err); waiting {
		d.awaiting(a, who, err)
		return
	}
	d.mu.Lock()
	was := d.pace(a.Feed).waiting
	d.pace(a.Feed).waiting = false
	d.mu.Unlock()
	if was {
		d.hub.SetSendWaiting(a.Feed, "", false)
	}
	if wait, limited := feeds.RetryAfterOf(err); limited {
		d.limited(a, wait, err)
		return
	}
	switch {
	case err == nil:
		_, rerr := d.record(a.ID, func(o *outbox.Outgoing) string {
			o.State, o.Err = outbox.StateSent, ""
			return outbox.AuditSent
		})
		if rerr == nil && d.opts.OnSent != nil {
			d.opts.OnSent(a, d.opts.Now())
		}
	case feeds.IsPermanent(err):
		d.fail(a.ID, err.Error())
	case ctx.Err() != nil && sendCtx.Err() != nil && !feeds.IsNotSent(err):
		// Cut off by the stop: settle now as a restart would.
		_, _ = d.settleInterrupted(a)
	case !feeds.IsNotSent(err) && !c.Capabilities().Idempotent:
		_, _ = d.record(a.ID, func(o *outbox.Outgoing) string {
			o.State = outbox.StateUncertain
			o.Err = fmt.Sprintf("%v (may or may not have been sent)", err)
			return outbox.AuditUncertain
		})
	default:
		// Safe to try again: nothing left, or the platform deduplicates.
		// The wait is drawn here, not in the store callback (see d.mu).
		d.randMu.Lock()
		next := d.opts.Now().Add(backoff.Wait(o.Attempts, d.rand))
		d.randMu.Unlock()
		_, _ = d.record(a.ID, func(o *outbox.Outgoing) string {
			o.Err = err.Error()
			if o.Attempts >= d.opts.MaxAttempts {
				o.State = outbox.StateFailed
				return outbox.AuditFailed
			}
			o.State, o.NextTry = outbox.StateQueued, next
			return outbox.AuditRetry
		})
	}
}

// awaiting handles an action another node sends and has not settled in
// time: it goes back to the head of the queue, not counted as an attempt,
// not audited (nothing happened to it), to wait again for the same
// outcome; the Stats pane says whom the feed waits for.
func (d *Dispatcher) awaiting(a feeds.Action, who string, err error) {
	d.mu.Lock()
	d.pace(a.Feed).waiting = true
	d.mu.Unlock()
	d.hub.SetSendWaiting(a.Feed, who, true)
	_, _ = d.record(a.ID, func(o *outbox.Outgoing) string {
		o.State, o.Err, o.NextTry = outbox.StateQueued, err.Error(), d.opts.Now()
		o.Attempts--
		return ""
	})
}

// limited handles a "rate limited" answer: the whole feed waits as told,
// the Stats pane says so, and the action goes back to the head of the
// queue. A refused request was not posted, so this holds on any platform.
func (d *Dispatcher) limited(a feeds.Action, wait time.Duration, err error) {
	until := d.opts.Now().Add(wait)
	d.mu.Lock()
	d.pace(a.Feed).paused = until
	d.mu.Unlock()
	d.hub.SetSendPause(a.Feed, until, err.Error())
	_, _ = d.record(a.ID, func(o *outbox.Outgoing) string {
		o.State, o.Err, o.NextTry = outbox.StateQueued, err.Error(), until
		o.Attempts-- // the platform refused it; it was not an attempt
		return outbox.AuditLimited
	})
	time.AfterFunc(wait, func() {
		d.mu.Lock()
		resumed := !d.pace(a.Feed).paused.After(d.opts.Now())
		d.mu.Unlock()
		if resumed {
			d.hub.SetSendPause(a.Feed, time.Time{}, "")
		}
	})
}

func (d *Dispatcher) fail(id, msg string) {
	_, _ = d.record(id, func(o *outbox.Outgoing) string {
		o.State, o.Err = outbox.StateFailed, msg
		return outbox.AuditFailed
	})
}

// record commits the dispatcher's own change to one item (audited under
// the What fn returns, by nobody), then publishes it.
func (d *Dispatcher) record(id string, fn func(*outbox.Outgoing) string) (outbox.Outgoing, error) {
	return d.change(id, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		what := fn(o)
		o.Updated = d.opts.Now()
		return outbox.Note{What: what}, nil
	})
}

// change commits one change to an item, publishes it and wakes the loop.
func (d *Dispatcher) change(id string, fn func(*outbox.Outgoing, bool) (outbox.Note, error)) (outbox.Outgoing, error) {
	o, err := d.store.Change(id, fn)
	if err != nil {
		return outbox.Outgoing{}, fmt.Errorf("outbox item %s: %w", id, err)
	}
	hub.Publish(d.hub, hub.TopicOutbox, o)
	d.Wake()
	return o, nil
}

// Edit replaces the text of a queued item, for operator by.
func (d *Dispatcher) Edit(id, text, by string) (outbox.Outgoing, error) {
	return d.noted(d.change(id, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		if err := d.authorize(by, string(o.Action.Kind), o.Action); err != nil {
			return outbox.Note{}, err
		}
		return outbox.Note{What: outbox.AuditEdited, By: by}, o.Edit(text, d.opts.Now())
	}))
}

// Cancel drops a queued, failed or uncertain item, for operator by.
func (d *Dispatcher) Cancel(id, by string) (outbox.Outgoing, error) {
	return d.noted(d.change(id, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		if err := d.authorize(by, string(o.Action.Kind), o.Action); err != nil {
			return outbox.Note{}, err
		}
		return outbox.Note{What: outbox.AuditCancelled, By: by}, o.Cancel(d.opts.Now())
	}))
}

// Resend queues a failed or uncertain item again, for operator by.
func (d *Dispatcher) Resend(id, by string) (outbox.Outgoing, error) {
	return d.noted(d.change(id, func(o *outbox.Outgoing, _ bool) (outbox.Note, error) {
		if err := d.authorize(by, string(o.Action.Kind), o.Action); err != nil {
			return outbox.Note{}, err
		}
		return outbox.Note{What: outbox.AuditResent, By: by}, o.Resend(d.opts.Now())
	}))
}

// refusal is an operator's request that Options.Authorize refused, with
// the audit entry that records it.
type refusal struct {
	err   error
	entry outbox.AuditEntry
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// authorize asks Options.Authorize whether operator may do what to a; a
// refusal comes back as a *refusal, for noted to record once outside any
// transaction.
func (d *Dispatcher) authorize(operator, what string, a feeds.Action) error {
	if d.opts.Authorize == nil {
		return nil
	}
	err := d.opts.Authorize(operator, what)
	if err == nil {
		return nil
	}
	return &refusal{err: err, entry: outbox.AuditEntry{By: operator, What: outbox.AuditRefused, ActionID: a.ID,
		Feed: a.Feed, Kind: feeds.ActionKind(what), Target: a.Target, TargetAuthor: a.TargetAuthor, Result: err.Error()}}
}

// noted records in the audit log a refusal err carries, and passes o and
// err on.
func (d *Dispatcher) noted(o outbox.Outgoing, err error) (outbox.Outgoing, error) {
	var r *refusal
	if errors.As(err, &r) {
		_ = d.store.Note(r.entry)
	}
	return o, err
}

// SetHold pulls (on) or releases the brake on the whole outbox, for
// operator by. Sends already in flight finish; nothing else leaves while it
// is on.
func (d *Dispatcher) SetHold(on bool, by string) (outbox.Hold, error) {
	return d.Hold(outbox.Hold{On: on, By: by})
}

// Hold sets the brake as h says (h.By is the operator): all of it, or
// narrowed to replies and posts, or to some feeds. Sends in flight finish.
func (d *Dispatcher) Hold(h outbox.Hold) (outbox.Hold, error) {
	by := h.By
	if err := d.authorize(by, WhatHold, feeds.Action{}); err != nil {
		_, err = d.noted(outbox.Outgoing{}, err)
		return outbox.Hold{}, err
	}
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	h.Since = d.opts.Now()
	if _, err := d.store.SetHold(h); err != nil {
		return outbox.Hold{}, err
	}
	h, err := d.store.Hold()
	if err != nil {
		return outbox.Hold{}, err
	}
	d.hub.PublishHold(h)
	d.Wake()
	return h, nil
}

// AdoptHold sets the brake as another front-end of a cluster set it: no
// authorization (it was asked there) and no audit entry (written there);
// every session is told, and what it releases leaves.
func (d *Dispatcher) AdoptHold(h outbox.Hold) error {
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	changed, err := d.store.AdoptHold(h)
	if err != nil || !changed {
		return err
	}
	d.hub.PublishHold(h)
	d.Wake()
	return nil
}

// publishHold tells every session where the brake stands, as stored.
func (d *Dispatcher) publishHold() error {
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	h, err := d.store.Hold()
	if err != nil {
		return fmt.Errorf("reading hold: %w", err)
	}
	d.hub.PublishHold(h)
	return nil
}

// EnqueueAll commits new actions to the outbox all together, or none of
// them (a post to every feed), then tells every session and wakes the loop.
func (d *Dispatcher) EnqueueAll(os []outbox.Outgoing) error {
	for _, o := range os {
		if err := d.authorize(o.Action.Operator, string(o.Action.Kind), o.Action); err != nil {
			_, err = d.noted(o, err)
			return err
		}
	}
	if err := d.store.EnqueueAll(os); err != nil {
		return err
	}
	hub.Publish(d.hub, hub.TopicOutbox, os...)
	d.Wake()
	return nil
}

// Enqueue commits a new action to the outbox, tells every session, and
// wakes the loop. When it returns nil the action is on disk.
func (d *Dispatcher) Enqueue(o outbox.Outgoing) error {
	if err := d.authorize(o.Action.Operator, string(o.Action.Kind), o.Action); err != nil {
		_, err = d.noted(o, err)
		return err
	}
	if err := d.store.Enqueue(o); err != nil {
		return err
	}
	hub.Publish(d.hub, hub.TopicOutbox, o)
	d.Wake()
	return nil
}
