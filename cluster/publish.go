package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
)

// publishTimeout bounds how long a batch waits for the stream to take it,
// retries included: longer than a stream leader election.
const publishTimeout = 15 * time.Second

// errNotKept is what MarkDeleted answers: the ingest node keeps nothing,
// so the hub falls back to a bare deletion update.
var errNotKept = errors.New("cluster: an ingest node keeps no events")

// Publisher is the EventStore of an ingest node's hub: what the hub has
// sanitized, de-duplicated and numbered goes to the event stream, each
// event with its feed and id as Nats-Msg-Id, so that one published again
// (a resumed connector, another node taking the feed over) inside the
// stream's duplicate window is dropped there.
type Publisher struct {
	c *Conn
	// ctx, when set, ends the waits of a node that stops.
	ctx context.Context
	// published, when set, is told of each batch once the stream holds
	// it (Leases saves the feeds' cursors then).
	published func(evs []feeds.Event)
}

// Publisher returns the EventStore that publishes to the cluster.
func (c *Conn) Publisher() *Publisher { return &Publisher{c: c} }

// AppendEvents publishes evs and returns once the stream acknowledged
// every one of them (a duplicate counts as acknowledged).
func (p *Publisher) AppendEvents(evs []feeds.Event) error {
	msgs := make([]*nats.Msg, len(evs))
	for i := range evs {
		m, err := eventMsg(&evs[i])
		if err != nil {
			return err
		}
		msgs[i] = m
	}
	if err := p.publish(msgs); err != nil {
		return err
	}
	if p.published != nil {
		p.published(evs)
	}
	return nil
}

// MarkDeleted publishes the deletion of feed's event id, for the
// front-ends to apply to what they keep.
func (p *Publisher) MarkDeleted(feed, id string) (feeds.Event, error) {
	m, err := eventMsg(&feeds.Event{Feed: feed, Kind: feeds.KindDelete, ID: "delete " + id, Target: id})
	if err != nil {
		return feeds.Event{}, err
	}
	if err := p.publish([]*nats.Msg{m}); err != nil {
		return feeds.Event{}, err
	}
	return feeds.Event{}, errNotKept
}

// publish sends msgs asynchronously, then sends again one by one, with
// the client's retries, those the stream did not take (a leader election
// under way, a server gone), until it takes them or the node stops: a
// batch given up would be lost, as the connector's cursor has moved past
// it. Meanwhile the hub waits, and so do the connectors.
func (p *Publisher) publish(msgs []*nats.Msg) error {
	stop := p.ctx
	if stop == nil {
		stop = context.Background()
	}
	var failed []*nats.Msg
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := p.c.JS.PublishMsgAsync(m)
		if err != nil {
			failed = append(failed, m)
			continue
		}
		futures = append(futures, f)
	}
	ctx, cancel := context.WithTimeout(stop, publishTimeout)
	for _, f := range futures {
		select {
		case <-f.Ok():
		case <-f.Err():
			failed = append(failed, f.Msg())
		case <-ctx.Done(): // sent again below; the stream drops a copy
			failed = append(failed, f.Msg())
		}
	}
	cancel()
	for _, m := range failed {
		for {
			ctx, cancel := context.WithTimeout(stop, publishTimeout)
			_, err := p.c.JS.PublishMsg(ctx, m, jetstream.WithRetryAttempts(60))
			cancel()
			if err == nil {
				break
			}
			if !sleep(stop, 250*time.Millisecond) {
				return fmt.Errorf("cluster: publishing to %s: %w", m.Subject, err)
			}
		}
	}
	return nil
}

// eventMsg is ev as the stream carries it.
func eventMsg(ev *feeds.Event) (*nats.Msg, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("cluster: encoding an event of %s: %w", ev.Feed, err)
	}
	m := nats.NewMsg(subject(ev.Feed))
	m.Data = data
	m.Header.Set(jetstream.MsgIDHeader, Token(ev.Feed)+"/"+ev.ID)
	return m, nil
}
