package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// Bounds of an ingest node's sends, as the dispatcher has them.
const (
	sendTimeout = 30 * time.Second
	maxAttempts = 5
	// heldRetry is how long a front-end pauses before handing over again
	// an item the team's brake held, in case it has not seen the brake.
	heldRetry = 2 * time.Second
	// teamsHold is whom such an item waits for, as Stats says it.
	teamsHold = "the team's hold"
)

// sender works one feed's part of the work queue on the node that holds
// its lease: one item at a time, in order, at the platform's pace.
type sender struct {
	c    *Conn
	feed string
	conn feeds.Connector
	hold *teamHold
	// raw gives the channel name as the platform spelled it.
	raw    func(feed, target, channel string) string
	limit  feeds.Limit
	recent []time.Time
}

// run takes items until held ends (the lease is lost, or the node stops).
func (s *sender) run(held context.Context) {
	ttl := s.c.opts.LeaseTTL
	for {
		cons, err := s.c.JS.CreateOrUpdateConsumer(held, OutboxStream, jetstream.ConsumerConfig{
			Durable:       "sender-" + Token(s.feed),
			Description:   "tribune: the sends of feed " + s.feed,
			FilterSubject: outboxSubjects + Token(s.feed),
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       2 * ttl,
			MaxAckPending: 1, // in order: one item at a time
		})
		if err == nil {
			s.take(held, cons)
		}
		// Made again after a failure, or once its reader ended: a sender
		// lasts as long as the lease.
		if !sleep(held, ttl/4) {
			return
		}
	}
}

// take carries the items cons delivers until held ends or the reader
// cannot go on.
func (s *sender) take(held context.Context, cons jetstream.Consumer) {
	it, err := cons.Messages(jetstream.PullMaxMessages(1))
	if err != nil {
		return
	}
	defer it.Stop()
	stop := context.AfterFunc(held, it.Stop)
	defer stop()
	for {
		m, err := it.Next()
		switch {
		case held.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed):
			return
		case err != nil:
			continue // a missed heartbeat, a leader moving: the reader goes on
		}
		s.carry(held, m)
	}
}

// carry sends one item unless the cluster already knows its fate, and
// acknowledges it once its outcome is recorded.
func (s *sender) carry(held context.Context, m jetstream.Msg) {
	var h handoff
	if err := json.Unmarshal(m.Data(), &h); err != nil || h.Action.ID == "" {
		_ = m.Term()
		return
	}
	a := h.Action
	last, ok, err := s.c.lastOutcome(held, s.feed, a.ID)
	if err != nil {
		_ = m.Nak()
		return
	}
	idem := s.conn.Capabilities().Idempotent
	switch {
	case ok && last.final() && last.Attempt >= h.Attempt:
		_ = m.Ack() // done already
		return
	case ok && last.State == outbox.StateSending && last.Attempt == h.Attempt && !idem:
		s.settle(m, a, outcome{State: outbox.StateUncertain, Attempt: h.Attempt,
			Err: "the send was interrupted (an ingest node stopped): check the platform, then resend or drop"})
		return
	case s.hold.holds(a):
		s.giveBack(m, a, h.Attempt)
		return
	}
	// The item stays ours while it waits on the pace or the platform.
	busy, done := context.WithCancel(held)
	defer done()
	go func() {
		for sleep(busy, s.c.opts.LeaseTTL/2) {
			_ = m.InProgress()
		}
	}()
	sent := a
	if s.raw != nil {
		sent.Channel = s.raw(a.Feed, a.Target, a.Channel)
	}
	for tries := 1; ; tries++ {
		if !s.pace(held) {
			return // the lease is gone: the next holder takes the item
		}
		if s.hold.holds(a) { // pulled while it waited on the pace
			s.giveBack(m, a, h.Attempt)
			return
		}
		if err := s.c.record(held, s.feed, a.ID, outcome{State: outbox.StateSending, Attempt: h.Attempt}); err != nil {
			_ = m.Nak() // nothing was sent
			return
		}
		ctx, cancel := context.WithTimeout(held, sendTimeout)
		err := s.conn.Do(ctx, sent)
		cancel()
		if wait, limited := feeds.RetryAfterOf(err); limited {
			tries-- // refused: not an attempt
			if !sleep(held, wait) {
				return
			}
			continue
		}
		switch {
		case err == nil:
			s.settle(m, a, outcome{State: outbox.StateSent, Attempt: h.Attempt})
			return
		case feeds.IsPermanent(err):
			s.settle(m, a, outcome{State: outbox.StateFailed, Attempt: h.Attempt, Err: err.Error()})
			return
		case held.Err() != nil:
			return // cut off with the lease: the next holder settles it
		case !feeds.IsNotSent(err) && !idem:
			s.settle(m, a, outcome{State: outbox.StateUncertain, Attempt: h.Attempt,
				Err: fmt.Sprintf("%v (may or may not have been sent)", err)})
			return
		case tries >= maxAttempts:
			s.settle(m, a, outcome{State: outbox.StateFailed, Attempt: h.Attempt, Err: err.Error()})
			return
		}
		if !sleep(held, min(500*time.Millisecond<<tries, time.Minute)) {
			return
		}
	}
}

// giveBack hands a, which the team's brake holds, back to its front-end
// unsent: there it waits in the outbox with the others the brake holds,
// where the operator can still edit or cancel it, and the moderation
// behind it on the queue goes meanwhile. The front-end hands it over again
// once released, as the next attempt.
// Nothing happened to it: no audit entry.
func (s *sender) giveBack(m jetstream.Msg, a feeds.Action, attempt int) {
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if s.c.record(ctx, s.feed, a.ID, outcome{State: outbox.StateQueued, Attempt: attempt, Err: "held by the team's brake"}) == nil {
		_ = m.DoubleAck(ctx)
	}
}

// settle records o and then acknowledges the item; an outcome that could
// not be recorded leaves the item to be taken again.
func (s *sender) settle(m jetstream.Msg, a feeds.Action, o outcome) {
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := s.c.record(ctx, s.feed, a.ID, o); err != nil {
		return
	}
	e := outbox.NewAuditEntry(outbox.Outgoing{Action: a, State: o.State, Attempts: o.Attempt, Err: o.Err}, string(o.State), s.c.Node)
	_ = s.c.appendAudit(ctx, e, a.ID+"#"+strconv.Itoa(o.Attempt)) // the outcome is what counts
	_ = m.DoubleAck(ctx)
}

// pace waits until the feed's limit lets one more send go, and counts it.
func (s *sender) pace(ctx context.Context) bool {
	l := s.limit
	if !l.IsZero() && len(s.recent) >= l.Count {
		if !sleep(ctx, time.Until(s.recent[len(s.recent)-l.Count].Add(l.Per))) {
			return false
		}
	}
	s.recent = append(s.recent, time.Now())
	if n := max(l.Count, 1); len(s.recent) > n {
		s.recent = s.recent[len(s.recent)-n:]
	}
	return ctx.Err() == nil
}

// sleep waits d, or less if ctx ends first; it reports whether ctx is
// still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
