package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/feeds/sanitize"
)

// What the team did on other front-ends, as the audit stream tells it:
// each action an operator queued there and what became of it. A
// front-end shows them as one machine shows its sessions' actions: in
// the outbox view, as "answered by alice" in the Feed, and as answers in
// the pulse (the unanswered questions, the response times).

// OwnOutbox is a front-end's outbox, as far as telling its own
// actions from the team's goes.
type OwnOutbox interface {
	HasOutgoing(id string) (bool, error)
}

// FollowTeam hands fn, until ctx ends, every change of an action that is
// not in db's outbox (another front-end's), from since on: the state it
// is in after the change, fields from the network made inert. A reader
// that cannot start or ends starts again, from the last change seen.
func (c *Conn) FollowTeam(ctx context.Context, since time.Time, db OwnOutbox, fn func(outbox.Outgoing)) {
	for ctx.Err() == nil {
		since = c.followTeam(ctx, since, db, fn)
		if !sleep(ctx, c.opts.LeaseTTL/4) {
			return
		}
	}
}

// followTeam is one reader of FollowTeam; it returns when the last change
// it handed over was made.
func (c *Conn) followTeam(ctx context.Context, since time.Time, db OwnOutbox, fn func(outbox.Outgoing)) time.Time {
	cons, err := c.JS.OrderedConsumer(ctx, AuditStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{auditSubjects + ">"},
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &since,
	})
	if err != nil {
		return since
	}
	it, err := cons.Messages()
	if err != nil {
		return since
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		m, err := it.Next()
		switch {
		case ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed):
			return since
		case err != nil:
			continue // a missed heartbeat: the ordered consumer recovers
		}
		if md, err := m.Metadata(); err == nil {
			since = md.Timestamp
		}
		var e outbox.AuditEntry
		if json.Unmarshal(m.Data(), &e) != nil || e.ActionID == "" || e.State == "" {
			continue
		}
		if own, err := db.HasOutgoing(e.ActionID); err != nil || own {
			continue
		}
		fn(teamAction(e))
	}
}

// teamAction is the outbox item an audit entry of another node tells of,
// made inert.
func teamAction(e outbox.AuditEntry) outbox.Outgoing {
	line := func(s string) string { return sanitize.Line(s, 256) }
	return outbox.Outgoing{
		Action: feeds.Action{
			ID: line(e.ActionID), Operator: line(e.Operator), Feed: line(e.Feed), Kind: feeds.ActionKind(line(string(e.Kind))),
			Channel: line(e.Channel), Target: line(e.Target), TargetAuthor: line(e.TargetAuthor),
			TargetText: sanitize.Text(e.TargetText, 0), Text: sanitize.Text(e.Text, 0),
			Duration: e.Duration, Reason: line(e.Reason), Created: e.Time,
		},
		State: outbox.State(line(string(e.State))), Attempts: e.Attempts, Err: sanitize.Text(e.Result, 0), Updated: e.Time,
		Elsewhere: true,
	}
}
