package hub

import (
	"context"
	"sync"

	"github.com/tribune/tribune/feeds/outbox"
)

// Subscribe registers a subscriber until ctx ends.
func (h *Hub) Subscribe(ctx context.Context) *Subscription {
	s := &Subscription{
		ready:   make(chan struct{}, 1),
		backlog: h.opts.SubscriberBacklog,
	}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	add(&s.pending, TopicHealth, s.backlog, [][]Health{h.healthLocked()})
	if h.hold != nil {
		add(&s.pending, TopicHold, s.backlog, []outbox.Hold{*h.hold})
	}
	if h.incident != nil {
		add(&s.pending, TopicIncident, s.backlog, []outbox.Incident{*h.incident})
	}
	h.mu.Unlock()
	s.signal()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	}()
	return s
}

// subscribers returns the subscriptions now registered.
func (h *Hub) subscribers() []*Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := make([]*Subscription, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	return subs
}

// Subscription is one subscriber's mailbox. The hub adds to it without ever
// blocking; the subscriber waits on Ready and drains with Take.
type Subscription struct {
	ready   chan struct{}
	backlog int

	mu      sync.Mutex
	pending Batch
}

// Ready is signalled when something is waiting to be taken.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take returns and clears what is waiting.
func (s *Subscription) Take() Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.pending
	s.pending = Batch{}
	return b
}

func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Publish pushes vs on topic t to every subscriber. It never blocks on a
// subscriber: each one's queue for t is bounded by t's Keep. Publishing
// nothing does nothing.
func Publish[T any](h *Hub, t *Topic[T], vs ...T) {
	if len(vs) == 0 {
		return
	}
	for _, s := range h.subscribers() {
		s.mu.Lock()
		add(&s.pending, t, s.backlog, vs)
		s.mu.Unlock()
		s.signal()
	}
}

// Batch is what one Take returns: for each topic, what was published on it
// since the Take before, as its Keep bounded it. Read it with Items, Last
// and Dropped.
type Batch struct {
	queues []any // by Topic.id: a *queue[T], or nil when nothing came
}

// queue is one topic's part of a Batch.
type queue[T any] struct {
	items   []T
	dropped int
}

// Items returns what b carries on topic t, oldest first.
func Items[T any](b Batch, t *Topic[T]) []T {
	if q := lookup(b, t); q != nil {
		return q.items
	}
	return nil
}

// Last returns the newest value b carries on topic t, if any: for topics
// that keep only the latest.
func Last[T any](b Batch, t *Topic[T]) (T, bool) {
	if q := lookup(b, t); q != nil && len(q.items) > 0 {
		return q.items[len(q.items)-1], true
	}
	var zero T
	return zero, false
}

// Dropped returns how many values on topic t the subscriber was too slow
// to receive before this Take.
func Dropped[T any](b Batch, t *Topic[T]) int {
	if q := lookup(b, t); q != nil {
		return q.dropped
	}
	return 0
}

func lookup[T any](b Batch, t *Topic[T]) *queue[T] {
	if t.id >= len(b.queues) {
		return nil
	}
	q, _ := b.queues[t.id].(*queue[T])
	return q
}

// add appends vs to b's queue for t and bounds it.
func add[T any](b *Batch, t *Topic[T], backlog int, vs []T) {
	if t.id >= len(b.queues) {
		b.queues = append(b.queues, make([]any, int(topics.Load())-len(b.queues))...)
	}
	q, _ := b.queues[t.id].(*queue[T])
	if q == nil {
		q = new(queue[T])
		b.queues[t.id] = q
	}
	var dropped int
	q.items, dropped = t.keep(append(q.items, vs...), backlog)
	q.dropped += dropped
}
