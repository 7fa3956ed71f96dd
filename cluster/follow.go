package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
)

// Committer is where a front-end puts what it follows: its hub, which
// sanitizes again (the stream is not trusted more than a platform),
// drops what it has seen, stores and fans out.
type Committer interface {
	CommitNew(ctx context.Context, evs []feeds.Event) (int, error)
}

// followBatch bounds the events committed in one go (one bbolt
// transaction on the front-end).
const followBatch = 1024

// consumerName is the durable consumer of front-end node.
func consumerName(node string) string { return "frontend-" + Token(node) }

// Follow reads the event stream with this front-end's durable consumer
// and commits it to h, acknowledging each batch once h has stored it,
// until ctx ends: a front-end that was down resumes after the last batch
// it acknowledged, and one killed between storing and acknowledging gets
// the batch again, which h drops as already seen. onErr, if set, hears
// of what went wrong; nothing stops following: a consumer that cannot be
// made (a server restarting, a JetStream leader being elected) is asked
// for again. It returns nil once ctx ends.
func (c *Conn) Follow(ctx context.Context, h Committer, onErr func(error)) error {
	if onErr == nil {
		onErr = func(error) {}
	}
	go c.heartbeat(ctx, "front-end", c.opts.LeaseTTL/4)
	for {
		err := c.follow(ctx, h, onErr)
		if ctx.Err() != nil {
			return nil
		}
		onErr(err)
		if !sleep(ctx, c.opts.LeaseTTL/4) {
			return nil
		}
	}
}

// follow is Follow's one consumer, until ctx ends or it cannot be made.
func (c *Conn) follow(ctx context.Context, h Committer, onErr func(error)) error {
	cons, err := c.JS.CreateOrUpdateConsumer(ctx, EventStream, jetstream.ConsumerConfig{
		Durable:       consumerName(c.Node),
		Description:   "tribune front-end " + c.Node,
		FilterSubject: eventSubjects + ">",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		// Each event acknowledged by itself: an acknowledgement of all up
		// to one would also cover those a killed front-end had been given
		// and not stored, which come back only after AckWait, behind
		// newer ones.
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxAckPending: 8 * followBatch,
	})
	if err != nil {
		return fmt.Errorf("cluster: consumer %s: %w", consumerName(c.Node), err)
	}
	msgs := make(chan jetstream.Msg, followBatch)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		select {
		case msgs <- m:
		case <-ctx.Done():
		}
	}, jetstream.PullMaxMessages(followBatch), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		onErr(fmt.Errorf("cluster: following events: %w", err))
	}))
	if err != nil {
		return fmt.Errorf("cluster: following events: %w", err)
	}
	defer cc.Stop()
	batch := make([]jetstream.Msg, 0, followBatch)
	evs := make([]feeds.Event, 0, followBatch)
	for {
		batch, evs = batch[:0], evs[:0]
		select {
		case <-ctx.Done():
			return nil
		case m := <-msgs:
			batch = append(batch, m)
		}
	gather:
		for len(batch) < followBatch {
			select {
			case m := <-msgs:
				batch = append(batch, m)
			default:
				break gather
			}
		}
		for _, m := range batch {
			var ev feeds.Event
			if err := json.Unmarshal(m.Data(), &ev); err != nil {
				onErr(fmt.Errorf("cluster: an event on %s does not read: %w", m.Subject(), err))
				continue
			}
			evs = append(evs, ev)
		}
		for failures := 0; ; failures++ {
			_, err := h.CommitNew(ctx, evs)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			onErr(err)
			t := time.NewTimer(min(100*time.Millisecond<<min(failures, 6), 5*time.Second))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		// Acknowledged once stored; the last waits for the server's word.
		for _, m := range batch[:len(batch)-1] {
			_ = m.Ack()
		}
		if err := batch[len(batch)-1].DoubleAck(ctx); err != nil && ctx.Err() == nil {
			onErr(fmt.Errorf("cluster: acknowledging events (they will come again, and be dropped): %w", err))
		}
	}
}
