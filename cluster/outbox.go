package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// The outbox across nodes. A reply is on the front-end's disk first, as
// without a cluster; the front-end's dispatcher then "sends" it through
// the feed's Remote, whose Do hands it to the work queue TRIBUNE_OUTBOX
// (subject tribune.outbox.<feed>) and waits for its outcome. The ingest
// node holding the feed's lease takes the queue's items one at a time,
// records "sending" in TRIBUNE_OUTCOMES (tribune.outcome.<feed>.<id>, the
// last per action kept) before it calls the platform, sends at the
// platform's pace, records the outcome, and only then acknowledges the
// item. A node taking an item whose last outcome is "sending" knows the
// send was interrupted: it sends again only where the platform has
// idempotency, and otherwise records "uncertain". Every front-end applies
// the outcomes to the items it holds.
const (
	OutboxStream   = "TRIBUNE_OUTBOX"
	OutcomeStream  = "TRIBUNE_OUTCOMES"
	outboxSubjects = "tribune.outbox."
	outcomeSubject = "tribune.outcome."
)

// handoff is an item of the work queue: an action, and which attempt of
// it this is (an operator's resend after a failure is the next).
type handoff struct {
	Action  feeds.Action `json:"action"`
	Attempt int          `json:"attempt"`
}

// outcome is what became of an attempt.
type outcome struct {
	State   outbox.State `json:"state"`
	Err     string       `json:"err,omitempty"`
	Attempt int          `json:"attempt"`
	Node    string       `json:"node"`
}

func (o outcome) final() bool {
	return o.State == outbox.StateSent || o.State == outbox.StateFailed || o.State == outbox.StateUncertain
}

func outcomeSubjectOf(feed, id string) string { return outcomeSubject + Token(feed) + "." + Token(id) }

// setupOutbox makes the two streams if they are missing.
func (c *Conn) setupOutbox(ctx context.Context) error {
	for _, cfg := range []jetstream.StreamConfig{{
		Name: OutboxStream, Description: "tribune: replies and actions handed to the ingest nodes",
		Subjects: []string{outboxSubjects + ">"}, Retention: jetstream.WorkQueuePolicy,
		Duplicates: c.opts.Dedupe, Storage: jetstream.FileStorage, Replicas: c.opts.Replicas,
	}, {
		Name: AuditStream, Description: "tribune: the audit log of every node",
		Subjects: []string{auditSubjects + ">"}, Duplicates: c.opts.Dedupe,
		Storage: jetstream.FileStorage, Replicas: c.opts.Replicas,
	}, {
		Name: OutcomeStream, Description: "tribune: what became of each action",
		Subjects: []string{outcomeSubject + ">"}, MaxMsgsPerSubject: 1, MaxAge: 30 * 24 * time.Hour,
		Storage: jetstream.FileStorage, Replicas: c.opts.Replicas,
	}} {
		if err := c.ensureStream(ctx, cfg); err != nil {
			return err
		}
	}
	var err error
	if c.outcomes, err = c.JS.Stream(ctx, OutcomeStream); err != nil {
		return fmt.Errorf("cluster: stream %s: %w", OutcomeStream, err)
	}
	return nil
}

// lastOutcome is the action's last recorded outcome, if any.
func (c *Conn) lastOutcome(ctx context.Context, feed, id string) (outcome, bool, error) {
	m, err := c.outcomes.GetLastMsgForSubject(ctx, outcomeSubjectOf(feed, id))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return outcome{}, false, nil
	}
	if err != nil {
		return outcome{}, false, err
	}
	var o outcome
	if err := json.Unmarshal(m.Data, &o); err != nil {
		return outcome{}, false, err
	}
	return o, true, nil
}

// record publishes an outcome and waits for the stream to hold it.
func (c *Conn) record(ctx context.Context, feed, id string, o outcome) error {
	o.Node = c.Node
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = c.JS.Publish(ctx, outcomeSubjectOf(feed, id), data, jetstream.WithRetryAttempts(20))
	return err
}

// handOff is a front-end's Do for a remote feed: it puts a on the work
// queue unless the cluster already has it, then waits for its outcome.
func (r *remote) handOff(ctx context.Context, a feeds.Action) error {
	last, ok, err := r.c.lastOutcome(ctx, a.Feed, a.ID)
	if err != nil {
		// Not a failed try: an earlier Do may have handed it over, and
		// the cluster, out of reach for now, may have sent it already.
		return feeds.Awaiting("", fmt.Errorf("cluster: reading the outcome of %s: %w", a.ID, err))
	}
	attempt := 1
	switch {
	case ok && last.State == outbox.StateSent:
		return nil
	case ok && last.final(): // failed or uncertain: the operator resends
		attempt = last.Attempt + 1
	case ok && last.State == outbox.StateQueued: // given back while the team held it
		attempt = last.Attempt + 1
	case ok: // with an ingest node now
		return r.c.waitOutcome(ctx, a, last.Attempt)
	}
	if err := r.c.handOver(ctx, a, attempt); err != nil {
		return err
	}
	return r.c.waitOutcome(ctx, a, attempt)
}

// handOver puts attempt of a on the work queue, once: the same attempt
// handed over again within the dedupe window is dropped by the stream.
func (c *Conn) handOver(ctx context.Context, a feeds.Action, attempt int) error {
	data, err := json.Marshal(handoff{Action: a, Attempt: attempt})
	if err != nil {
		return feeds.Permanent(err)
	}
	m := nats.NewMsg(outboxSubjects + Token(a.Feed))
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, a.ID+"#"+strconv.Itoa(attempt))
	if _, err := c.JS.PublishMsg(ctx, m); err != nil {
		// Perhaps on the queue all the same (the stream's answer lost):
		// the next Do looks, and hands it over again if not.
		return feeds.Awaiting("", fmt.Errorf("cluster: handing %s to the ingest nodes: %w", a.ID, err))
	}
	return nil
}

// waitOutcome waits for a's final outcome and answers as the platform
// would have: nil once sent, a permanent error once failed, and for an
// uncertain send an error the dispatcher records as uncertain. Cut off
// before (the dispatcher's timeout, a stop), it says whom it waits for.
//
// Only outcomes of attempt or a later one count. An item the ingest node
// gave back, held by the team's brake, is said as a wait for the brake,
// after a pause so that a front-end that has not seen the brake yet does
// not hand it over again at once.
func (c *Conn) waitOutcome(ctx context.Context, a feeds.Action, attempt int) error {
	it, stop, err := c.outcomesFrom(ctx, outcomeSubjectOf(a.Feed, a.ID))
	if err != nil {
		return fmt.Errorf("cluster: waiting for the outcome of %s: %w", a.ID, err)
	}
	defer stop()
	sender := "" // the node that said it sends a, once one did
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			// Not sent from here, and not lost: the cluster has it. The
			// dispatcher queues it again without counting a try (also when
			// it stops), and the next Do waits for the same outcome.
			if sender == "" {
				sender = c.holder(a.Feed)
			}
			return feeds.Awaiting(sender, fmt.Errorf("cluster: waiting for %s, which sends %s: %w", cmp.Or(sender, "the ingest node"), a.ID, err))
		}
		var o outcome
		if json.Unmarshal(m.Data(), &o) != nil || o.Attempt < attempt {
			continue
		}
		if o.State == outbox.StateQueued {
			sleep(ctx, heldRetry)
			return feeds.Awaiting(teamsHold, errors.New(o.Err))
		}
		if !o.final() {
			sender = o.Node
			continue
		}
		switch o.State {
		case outbox.StateSent:
			return nil
		case outbox.StateFailed:
			return feeds.Permanent(errors.New(o.Err))
		}
		return errors.New(o.Err) // uncertain: the feed declares no idempotency
	}
}

// holder is the node holding feed's lease now, "" if none or unknown.
func (c *Conn) holder(feed string) string {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.LeaseTTL/4)
	defer cancel()
	e, err := c.leases.Get(ctx, Token(feed))
	if err != nil {
		return ""
	}
	return string(e.Value())
}

// outcomesFrom reads the outcomes on subject, the last of each action
// first, then as they come, until ctx ends or stop is called.
func (c *Conn) outcomesFrom(ctx context.Context, subject string) (_ jetstream.MessagesContext, stop func(), _ error) {
	cons, err := c.JS.OrderedConsumer(ctx, OutcomeStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverLastPerSubjectPolicy,
	})
	if err != nil {
		return nil, nil, err
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, nil, err
	}
	unhook := context.AfterFunc(ctx, it.Stop)
	return it, func() { unhook(); it.Stop() }, nil
}

// OutboxStore is what a front-end's outcome follower changes: its store.
type OutboxStore interface {
	Change(id string, fn func(o *outbox.Outgoing, held bool) (outbox.Note, error)) (outbox.Outgoing, error)
}

// FollowOutcomes applies, until ctx ends, the cluster's final outcomes to
// the items of db waiting on the cluster's word (sending, or uncertain
// because this front-end stopped while it waited), and tells h's
// sessions: a reply sent by an ingest node while its front-end was down
// shows as sent once it is back.
func (c *Conn) FollowOutcomes(ctx context.Context, db OutboxStore, h *hub.Hub) error {
	for {
		_ = c.applyOutcomes(ctx, db, h)
		// The reader could not start or ended (the server it read from
		// went away): again, from the last outcome of each action.
		if !sleep(ctx, c.opts.LeaseTTL/4) {
			return nil
		}
	}
}

// applyOutcomes is one reader of FollowOutcomes, until it ends.
func (c *Conn) applyOutcomes(ctx context.Context, db OutboxStore, h *hub.Hub) error {
	it, stop, err := c.outcomesFrom(ctx, outcomeSubject+">")
	if err != nil {
		return err
	}
	defer stop()
	for {
		m, err := it.Next()
		switch {
		case ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed):
			return err
		case err != nil:
			continue // a missed heartbeat: the ordered consumer recovers
		}
		var o outcome
		if json.Unmarshal(m.Data(), &o) != nil || !o.final() {
			continue
		}
		id := FeedOf(m.Subject()[len(m.Subject())-tokenLen(m.Subject()):])
		changed := false
		item, err := db.Change(id, func(it *outbox.Outgoing, _ bool) (outbox.Note, error) {
			if it.State != outbox.StateSending && it.State != outbox.StateUncertain || it.State == o.State {
				return outbox.Note{}, nil
			}
			it.State, it.Err, it.Updated = o.State, o.Err, time.Now()
			changed = true
			return outbox.Note{What: string(o.State), By: ""}, nil
		})
		if err == nil && changed {
			hub.Publish(h, hub.TopicOutbox, item)
		}
	}
}

// tokenLen is the length of the last token of subject.
func tokenLen(subject string) int {
	for i := len(subject) - 1; i >= 0; i-- {
		if subject[i] == '.' {
			return len(subject) - i - 1
		}
	}
	return len(subject)
}
