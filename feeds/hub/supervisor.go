package hub

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/internal/backoff"
	"github.com/tribune/tribune/feeds/sanitize"
)

// HealthState is a feed's connection state as the Stats pane shows it.
type HealthState string

const (
	HealthConnecting   HealthState = "connecting"
	HealthConnected    HealthState = "connected"
	HealthReconnecting HealthState = "reconnecting"
	// HealthFailed means the connector returned a permanent error (bad
	// credentials, a config the platform refuses): it is not retried.
	HealthFailed  HealthState = "failed"
	HealthStopped HealthState = "stopped"
)

// Health is what the supervisor knows about one feed.
type Health struct {
	Feed       string
	Platform   string
	State      HealthState
	Since      time.Time // when State began
	Reconnects int
	LastErr    string
	Retry      time.Time // when reconnecting: the next attempt
	// Status holds the connector's standing conditions (Stream.Status),
	// sorted by key. The slice is replaced, never modified in place, so a
	// copy of Health can be read without a lock.
	Status []StatusItem
	// SendPaused, when set, is when the dispatcher will send to this feed
	// again after the platform said "rate limited"; SendPausedWhy is what
	// it said.
	SendPaused    time.Time
	SendPausedWhy string
}

// StatusItem is one standing condition of a feed ("slow" = "30s").
type StatusItem struct{ Key, Value string }

// withStatus returns items with key set to value (removed when value is
// empty), as a new sorted slice.
func withStatus(items []StatusItem, key, value string) []StatusItem {
	out := make([]StatusItem, 0, len(items)+1)
	for _, it := range items {
		if it.Key != key {
			out = append(out, it)
		}
	}
	if value != "" {
		out = append(out, StatusItem{key, value})
	}
	slices.SortFunc(out, func(a, b StatusItem) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Bounds of a run and of a peer's wait.
const (
	// stableRun is how long a run must stay connected for its end to
	// count as a fresh start rather than one more failure: a server that
	// accepts and then drops us at once must still meet a growing backoff.
	stableRun = 10 * time.Second
	// retryAfterCap bounds a wait a peer asks for, so a hostile or broken
	// server cannot park a feed for days.
	retryAfterCap = 10 * time.Minute
)

// nextWait is the wait before the next run after failures failed runs in a
// row, the last ending with err: the backoff, or what the peer asked for
// when that is longer (never more than retryAfterCap).
func nextWait(failures int, err error, r *rand.Rand) time.Duration {
	wait := backoff.Wait(failures, r)
	if d, ok := feeds.RetryAfterOf(err); ok {
		wait = min(max(d, wait), retryAfterCap)
	}
	return wait
}

// freshStart reports whether a run that connected at connectedAt (Unix
// nanoseconds, 0 if never) and ended at now stayed up long enough for the
// backoff to start over.
func freshStart(connectedAt int64, now time.Time) bool {
	return connectedAt != 0 && now.Sub(time.Unix(0, connectedAt)) >= stableRun
}

// supervise runs one connector until ctx ends, restarting it after failures.
func (h *Hub) supervise(ctx context.Context, f *feed) {
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	failures := 0
	for {
		st := &stream{hub: h, feed: f.id, platform: f.conn.Platform(), ctx: ctx}
		err := f.conn.Run(ctx, st)
		h.setHealth(f.id, func(hl *Health) { hl.Status = nil })
		if ctx.Err() != nil {
			h.setHealth(f.id, func(hl *Health) {
				hl.State, hl.Since = HealthStopped, h.opts.Now()
			})
			return
		}
		if freshStart(st.connectedAt.Load(), h.opts.Now()) {
			failures = 0
		}
		failures++
		msg := "connection ended"
		if err != nil {
			msg = err.Error()
		}
		if feeds.IsPermanent(err) {
			h.setHealth(f.id, func(hl *Health) {
				hl.State, hl.Since, hl.LastErr = HealthFailed, h.opts.Now(), msg
			})
			return
		}
		wait := nextWait(failures, err, r)
		h.setHealth(f.id, func(hl *Health) {
			now := h.opts.Now()
			hl.State, hl.Since, hl.LastErr = HealthReconnecting, now, msg
			hl.Reconnects++
			hl.Retry = now.Add(wait)
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			h.setHealth(f.id, func(hl *Health) {
				hl.State, hl.Since = HealthStopped, h.opts.Now()
			})
			return
		case <-t.C:
		}
	}
}

// stream is the Stream a supervisor hands to one Run of a connector.
type stream struct {
	hub       *Hub
	feed      string
	platform  string
	ctx       context.Context
	connected atomic.Bool
	// connectedAt is when Connected was first called, in Unix nanoseconds.
	connectedAt atomic.Int64
}

func (s *stream) Emit(ev feeds.Event) {
	// A connector speaks only for its own feed.
	ev.Feed = s.feed
	if ev.Platform == "" {
		ev.Platform = s.platform
	}
	select {
	case s.hub.in <- ev:
	case <-s.ctx.Done():
	}
}

func (s *stream) Commit(ctx context.Context, evs []feeds.Event) error {
	for i := range evs {
		evs[i].Feed = s.feed
		if evs[i].Platform == "" {
			evs[i].Platform = s.platform
		}
	}
	return s.hub.Commit(ctx, evs)
}

func (s *stream) Status(key, value string) {
	key = sanitize.Line(key, maxFieldRunes)
	if key == "" {
		return
	}
	value = sanitize.Line(value, maxFieldRunes)
	s.hub.setHealth(s.feed, func(hl *Health) { hl.Status = withStatus(hl.Status, key, value) })
}

func (s *stream) Connected() {
	if s.connected.Swap(true) {
		return
	}
	s.connectedAt.Store(s.hub.opts.Now().UnixNano())
	s.hub.setHealth(s.feed, func(hl *Health) {
		hl.State, hl.Since, hl.LastErr = HealthConnected, s.hub.opts.Now(), ""
		hl.Retry = time.Time{}
	})
}
