package hub

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/internal/backoff"
)

// flaky fails its first runs, then streams one event and waits.
type flaky struct {
	fails     int32
	runs      atomic.Int32
	permanent bool
}

func (f *flaky) Platform() string                 { return "test" }
func (f *flaky) Capabilities() feeds.Capabilities { return feeds.Capabilities{} }
func (f *flaky) Do(context.Context, feeds.Action) error {
	return nil
}

func (f *flaky) Run(ctx context.Context, s feeds.Stream) error {
	n := f.runs.Add(1)
	if f.permanent {
		return feeds.Permanent(errors.New("bad credentials"))
	}
	if n <= f.fails {
		return errors.New("connection refused")
	}
	s.Connected()
	s.Emit(feeds.Event{ID: "hello", Feed: "spoofed"})
	<-ctx.Done()
	return ctx.Err()
}

func TestSupervisorRestartsUntilConnected(t *testing.T) {
	h := New(Options{})
	c := &flaky{fails: 2}
	if err := h.Add("f", c); err != nil {
		t.Fatal(err)
	}
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	got := takeUntil(t, sub, 1)
	if got.Events[0].Feed != "f" {
		t.Errorf("event feed %q: a connector must not speak for another feed", got.Events[0].Feed)
	}
	if got.Events[0].Platform != "test" {
		t.Errorf("platform %q, want the connector's", got.Events[0].Platform)
	}
	if runs := c.runs.Load(); runs != 3 {
		t.Errorf("ran %d times, want 3", runs)
	}
	hl := waitHealth(t, h, "f", HealthConnected)
	if hl.Reconnects != 2 || hl.LastErr != "" {
		t.Errorf("health %+v: want 2 reconnects and the error cleared", hl)
	}
}

func TestSupervisorStopsOnPermanentError(t *testing.T) {
	h := New(Options{})
	c := &flaky{permanent: true}
	h.Add("f", c)
	runHub(t, h)
	hl := waitHealth(t, h, "f", HealthFailed)
	if hl.LastErr != "bad credentials" {
		t.Errorf("last error %q", hl.LastErr)
	}
	if c.runs.Load() != 1 {
		t.Errorf("a permanent error was retried: %d runs", c.runs.Load())
	}
}

func waitHealth(t *testing.T, h *Hub, feed string, want HealthState) Health {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, hl := range h.Health() {
			if hl.Feed == feed && hl.State == want {
				return hl
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("feed %s never reached %s: %+v", feed, want, h.Health())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// scriptedRun runs fn as its connector's Run, once per call.
type scriptedRun struct {
	runs atomic.Int32
	fn   func(n int32, ctx context.Context, s feeds.Stream) error
}

func (c *scriptedRun) Platform() string                       { return "test" }
func (c *scriptedRun) Capabilities() feeds.Capabilities       { return feeds.Capabilities{} }
func (c *scriptedRun) Do(context.Context, feeds.Action) error { return nil }
func (c *scriptedRun) Run(ctx context.Context, s feeds.Stream) error {
	return c.fn(c.runs.Add(1), ctx, s)
}

// Status is sanitized, kept sorted in Health, and cleared when Run ends.
func TestSupervisorKeepsStatusWhileRunning(t *testing.T) {
	release := make(chan struct{})
	c := &scriptedRun{fn: func(n int32, ctx context.Context, s feeds.Stream) error {
		if n > 1 {
			<-ctx.Done()
			return ctx.Err()
		}
		s.Connected()
		s.Status("slow", "30s")
		s.Status("mode\x1b]0;pwned\x07", "followers-only\u202e")
		s.Status("emote", "on")
		s.Status("emote", "") // cleared
		<-release
		return errors.New("connection reset")
	}}
	h := New(Options{})
	h.Add("f", c)
	runHub(t, h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		hl := h.Health()[0]
		if len(hl.Status) == 2 {
			if hl.Status[0].Key != "mode" || hl.Status[0].Value != "followers-only" ||
				hl.Status[1] != (StatusItem{"slow", "30s"}) {
				t.Errorf("status = %q, want sanitized and sorted", hl.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never arrived: %+v", hl)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	for len(h.Health()[0].Status) != 0 || c.runs.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("status not cleared after Run ended: %+v", h.Health())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A peer that says when to come back is obeyed over the backoff.
func TestSupervisorHonoursRetryAfter(t *testing.T) {
	c := &scriptedRun{fn: func(n int32, ctx context.Context, s feeds.Stream) error {
		if n == 1 {
			return feeds.RetryAfter(5*time.Minute, errors.New("server asked: retry in five minutes"))
		}
		<-ctx.Done()
		return ctx.Err()
	}}
	h := New(Options{})
	h.Add("f", c)
	runHub(t, h)
	hl := waitHealth(t, h, "f", HealthReconnecting)
	if wait := hl.Retry.Sub(hl.Since); wait != 5*time.Minute {
		t.Errorf("retry in %s, want the five minutes the peer asked for", wait)
	}
}

// A peer's wait never shortens the backoff (a server sending "retry: 1"
// cannot make us hammer it) and cannot park a feed for days.
func TestNextWaitBoundsWhatThePeerAsks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		// After 12 failures the backoff's ceiling is the cap (1 min);
		// with full jitter a draw under 1 ms is vanishingly unlikely.
		if w := nextWait(12, feeds.RetryAfter(time.Millisecond, errors.New("retry: 1")), r); w < backoff.Min {
			t.Fatalf("wait %s under the floor", w)
		}
		if w := nextWait(1, feeds.RetryAfter(0, errors.New("RECONNECT")), r); w < backoff.Min || w > backoff.Base {
			t.Fatalf("an immediate reconnect after a fresh start waited %s", w)
		}
		if w := nextWait(3, feeds.RetryAfter(49*24*time.Hour, errors.New("retry: 4294967295")), r); w != retryAfterCap {
			t.Fatalf("a 49-day wait became %s, want the cap %s", w, retryAfterCap)
		}
	}
	long := 0
	for range 200 {
		if nextWait(12, feeds.RetryAfter(time.Millisecond, errors.New("retry: 1")), r) > 5*time.Second {
			long++
		}
	}
	if long < 150 {
		t.Errorf("only %d of 200 waits after 12 failures exceeded 5 s: the peer's 1 ms replaced the backoff", long)
	}
}

// A server that accepts and drops us at once must meet a growing backoff:
// Connected alone does not make a fresh start, only a run that stayed up.
func TestFreshStartOnlyAfterAStableRun(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		connected time.Time
		want      bool
	}{
		{time.Time{}, false},           // never connected
		{now.Add(-time.Second), false}, // dropped right after the handshake
		{now.Add(-stableRun), true},    // stayed up
		{now.Add(-time.Hour), true},    // a long session
	} {
		at := int64(0)
		if !tc.connected.IsZero() {
			at = tc.connected.UnixNano()
		}
		if got := freshStart(at, now); got != tc.want {
			t.Errorf("connected at %v: fresh start %v, want %v", tc.connected, got, tc.want)
		}
	}
}

// Commit returns only once the events are stored, and returns the store's
// error: what a webhook needs before it answers 2xx.
func TestStreamCommitWaitsForTheStore(t *testing.T) {
	st := newMemStore()
	var stream feeds.Stream
	got := make(chan feeds.Stream, 1)
	c := &scriptedRun{fn: func(_ int32, ctx context.Context, s feeds.Stream) error {
		got <- s
		<-ctx.Done()
		return ctx.Err()
	}}
	h := New(Options{Store: st})
	h.Add("hook", c)
	runHub(t, h)
	stream = <-got
	ctx := context.Background()
	if err := stream.Commit(ctx, []feeds.Event{{ID: "a", Text: "one"}, {ID: "b", Text: "two"}}); err != nil {
		t.Fatal(err)
	}
	if st.count() != 2 {
		t.Fatalf("Commit returned before the store had the events: %d stored", st.count())
	}
	if ev := st.byID["hook/a"]; ev.Feed != "hook" || ev.Platform != "test" || ev.Seq == 0 {
		t.Errorf("committed event = %+v", ev)
	}
	// A repeat is dropped as already seen, and that is not an error.
	if err := stream.Commit(ctx, []feeds.Event{{ID: "a", Text: "one"}}); err != nil || st.count() != 2 {
		t.Errorf("repeat: %v, %d stored", err, st.count())
	}
	st.mu.Lock()
	st.fail = errors.New("disk full")
	st.mu.Unlock()
	if err := stream.Commit(ctx, []feeds.Event{{ID: "c", Text: "three"}}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Commit with a failing store: %v, want the store's error", err)
	}
	// The sender retries once the disk has room: the event was not stored,
	// so it must not be dropped as already seen.
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	if err := stream.Commit(ctx, []feeds.Event{{ID: "c", Text: "three"}}); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	_, stored := st.byID["hook/c"]
	st.mu.Unlock()
	if !stored {
		t.Error("a retried event was dropped as a duplicate of one that was never stored")
	}
}

// reports is a reporter that records what a supervisor tells it, so the
// supervisor can be watched without a hub.
type reports struct {
	mu     sync.Mutex
	events []feeds.Event
	health Health
	states []HealthState
}

func (r *reports) emit(_ context.Context, ev feeds.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *reports) CommitNew(_ context.Context, evs []feeds.Event) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, evs...)
	return len(evs), nil
}

func (r *reports) setHealth(feed string, fn func(*Health)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.health.Feed = feed
	before := r.health.State
	fn(&r.health)
	if r.health.State != before {
		r.states = append(r.states, r.health.State)
	}
}

// A supervisor reports only through its reporter: the run's events with
// the feed's id, and each change of state, to the end of the context.
func TestSupervisorReportsThroughItsReporter(t *testing.T) {
	r := &reports{}
	sup := newSupervisor("f", &flaky{fails: 1}, r, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sup.run(ctx); close(done) }()
	waitUntil(t, "the connector's event never reached the reporter", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.events) == 1
	})
	cancel()
	<-done
	if ev := r.events[0]; ev.Feed != "f" || ev.Platform != "test" {
		t.Errorf("event %+v: want feed f, platform test", ev)
	}
	want := []HealthState{HealthReconnecting, HealthConnected, HealthStopped}
	if fmt.Sprint(r.states) != fmt.Sprint(want) {
		t.Errorf("states %v, want %v", r.states, want)
	}
	if r.health.Reconnects != 1 || r.health.Feed != "f" {
		t.Errorf("health %+v: want one reconnect of f", r.health)
	}
}
