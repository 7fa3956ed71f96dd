package hub

import (
	"sync/atomic"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// Topic is a kind of message the hub pushes to sessions, with how a
// subscriber's mailbox keeps it bounded while the session is slow. A
// package declares its topics once, as package variables, publishes on them
// with Publish, and sessions read what a Take carried with Items, Last and
// Dropped. The hub's own topics are declared below; another package (an
// alert engine, presence) declares its own the same way.
type Topic[T any] struct {
	name string
	id   int // index of the topic's queue in a Batch
	keep Keep[T]
}

// Keep bounds a topic's queue in one subscriber's mailbox. It is called
// with the queue just after new values were appended to it and with the
// hub's bound on a subscriber's backlog (Options.SubscriberBacklog), and
// returns what to keep and how many values were dropped unseen, which
// Dropped adds up. What it returns becomes the queue: it must not share an
// array with anything but queued.
type Keep[T any] func(queued []T, backlog int) (kept []T, dropped int)

// topics counts the topics made, to give each its index.
var topics atomic.Int64

// NewTopic returns a topic whose queues keep holds bounded. name is for
// people reading logs.
func NewTopic[T any](name string, keep Keep[T]) *Topic[T] {
	return &Topic[T]{name: name, id: int(topics.Add(1) - 1), keep: keep}
}

// String is the topic's name.
func (t *Topic[T]) String() string { return t.name }

// KeepNewest keeps up to the backlog: past it the oldest values are
// dropped, and counted. It drops a quarter of the backlog more than needed,
// so that a flood into a stuck subscriber copies the queue rarely, not on
// every value.
func KeepNewest[T any]() Keep[T] {
	return func(queued []T, backlog int) ([]T, int) {
		if len(queued) <= backlog {
			return queued, 0
		}
		drop := len(queued) - backlog*3/4
		return append([]T(nil), queued[drop:]...), drop
	}
}

// KeepLatest keeps only the last value: for state, where each value
// replaces the one before.
func KeepLatest[T any]() Keep[T] {
	return func(queued []T, _ int) ([]T, int) {
		if len(queued) <= 1 {
			return queued, 0
		}
		return append(queued[:0], queued[len(queued)-1]), 0
	}
}

// KeepLatestPer keeps, past the backlog, only the last value of each key,
// in the order of those last values: for changes to items, where a later
// change of an item makes its earlier ones moot. Nothing is counted as
// dropped.
func KeepLatestPer[T any, K comparable](key func(T) K) Keep[T] {
	return func(queued []T, backlog int) ([]T, int) {
		if len(queued) <= backlog {
			return queued, 0
		}
		last := make(map[K]int, len(queued))
		for i, v := range queued {
			last[key(v)] = i
		}
		out := make([]T, 0, len(last))
		for i, v := range queued {
			if last[key(v)] == i {
				out = append(out, v)
			}
		}
		return out, 0
	}
}

// The hub's own topics.
var (
	// TopicEvents carries new events, in Seq order. A slow subscriber
	// misses the oldest past its backlog; Dropped says how many (they are
	// in the store).
	TopicEvents = NewTopic("events", KeepNewest[feeds.Event]())
	// TopicUpdates carries events changed after ingest (deleted by
	// moderation). Past the backlog the oldest are dropped: the store has
	// them.
	TopicUpdates = NewTopic("updates", KeepNewest[feeds.Event]())
	// TopicOutbox carries outbox items whose state changed, oldest change
	// first; past the backlog, only each item's latest state.
	TopicOutbox = NewTopic("outbox", KeepLatestPer(func(o outbox.Outgoing) string { return o.Action.ID }))
	// TopicHealth carries the health of every feed, sorted by feed id,
	// each time one changes; only the latest is kept.
	TopicHealth = NewTopic("health", KeepLatest[[]Health]())
	// TopicHold carries where the outbox brake stands; only the latest is
	// kept.
	TopicHold = NewTopic("hold", KeepLatest[outbox.Hold]())
	// TopicIncident carries whether an incident is open; only the latest
	// is kept.
	TopicIncident = NewTopic("incident", KeepLatest[outbox.Incident]())
	// TopicErrors carries ingest errors (a store write failing); only the
	// latest is kept.
	TopicErrors = NewTopic("errors", KeepLatest[string]())
)
