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
	// SendWaiting, when set, is who the dispatcher waits for: the node
	// that sends this feed's actions, which has not said yet what became
	// of the one handed to it ("" when it is not known which node:
	// AwaitingNode).
	SendWaiting string
}

// AwaitingNode is SendWaiting when the node is not known.
const AwaitingNode = "the node that sends it"

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

// reporter is what a supervisor needs of the hub: somewhere to hand its
// connector's events, and the feed's health to keep up to date.
type reporter interface {
	// emit hands one event to ingest; it blocks while the ingest queue is
	// full, until ctx ends.
	emit(ctx context.Context, ev feeds.Event)
	// CommitNew hands events to ingest and returns once they are stored,
	// with how many were new.
	CommitNew(ctx context.Context, evs []feeds.Event) (int, error)
	// setHealth changes the feed's health with fn and publishes it.
	setHealth(feed string, fn func(*Health))
}

// supervisor keeps one connector running: it runs it, reports the feed's
// health as the runs come and go, and after a failed run waits (backoff
// with jitter, or longer when the peer asked) before running it again,
// until the context ends or the connector fails for good.
type supervisor struct {
	feed string
	conn feeds.Connector
	hub  reporter
	now  func() time.Time
	rand *rand.Rand
	// failures counts failed runs since the last one that stayed up.
	failures int
}

func newSupervisor(feed string, conn feeds.Connector, hub reporter, now func() time.Time) *supervisor {
	return &supervisor{
		feed: feed, conn: conn, hub: hub, now: now,
		rand: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// run runs the connector until ctx ends, restarting it after failures.
func (s *supervisor) run(ctx context.Context) {
	for {
		st := &stream{sup: s, platform: s.conn.Platform(), ctx: ctx}
		err := s.conn.Run(ctx, st)
		s.hub.setHealth(s.feed, func(hl *Health) { hl.Status = nil })
		if ctx.Err() != nil {
			s.stopped()
			return
		}
		if freshStart(st.connectedAt.Load(), s.now()) {
			s.failures = 0
		}
		s.failures++
		msg := "connection ended"
		if err != nil {
			msg = err.Error()
		}
		if feeds.IsPermanent(err) {
			s.hub.setHealth(s.feed, func(hl *Health) {
				hl.State, hl.Since, hl.LastErr = HealthFailed, s.now(), msg
			})
			return
		}
		wait := nextWait(s.failures, err, s.rand)
		s.hub.setHealth(s.feed, func(hl *Health) {
			now := s.now()
			hl.State, hl.Since, hl.LastErr = HealthReconnecting, now, msg
			hl.Reconnects++
			hl.Retry = now.Add(wait)
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.stopped()
			return
		case <-t.C:
		}
	}
}

// stopped reports that the feed stopped because the hub did.
func (s *supervisor) stopped() {
	s.hub.setHealth(s.feed, func(hl *Health) {
		hl.State, hl.Since = HealthStopped, s.now()
	})
}

// connected reports that a run's connection is established.
func (s *supervisor) connected() {
	s.hub.setHealth(s.feed, func(hl *Health) {
		hl.State, hl.Since, hl.LastErr = HealthConnected, s.now(), ""
		hl.Retry = time.Time{}
	})
}

// stream is the Stream a supervisor hands to one Run of its connector.
type stream struct {
	sup       *supervisor
	platform  string
	ctx       context.Context
	connected atomic.Bool
	// connectedAt is when Connected was first called, in Unix nanoseconds.
	connectedAt atomic.Int64
}

// own puts the feed's id, and its platform unless the event names one, on
// ev: a connector speaks only for its own feed.
func (s *stream) own(ev *feeds.Event) {
	ev.Feed = s.sup.feed
	if ev.Platform == "" {
		ev.Platform = s.platform
	}
}

func (s *stream) Emit(ev feeds.Event) {
	s.own(&ev)
	s.sup.hub.emit(s.ctx, ev)
}

func (s *stream) Commit(ctx context.Context, evs []feeds.Event) error {
	_, err := s.CommitNew(ctx, evs)
	return err
}

// CommitNew is Commit that also says how many events were new, not
// dropped as already seen. It is beyond feeds.Stream: a connector that
// reports it to its peer (the webhook) asks for it by interface.
func (s *stream) CommitNew(ctx context.Context, evs []feeds.Event) (int, error) {
	for i := range evs {
		s.own(&evs[i])
	}
	return s.sup.hub.CommitNew(ctx, evs)
}

func (s *stream) Status(key, value string) {
	key = sanitize.Line(key, maxFieldRunes)
	if key == "" {
		return
	}
	value = sanitize.Line(value, maxFieldRunes)
	s.sup.hub.setHealth(s.sup.feed, func(hl *Health) { hl.Status = withStatus(hl.Status, key, value) })
}

func (s *stream) Connected() {
	if s.connected.Swap(true) {
		return
	}
	s.connectedAt.Store(s.sup.now().UnixNano())
	s.sup.connected()
}
