package feeds

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// flaky fails its first runs, then streams one event and waits.
type flaky struct {
	fails     int32
	runs      atomic.Int32
	permanent bool
}

func (f *flaky) Platform() string           { return "test" }
func (f *flaky) Capabilities() Capabilities { return Capabilities{} }
func (f *flaky) Do(context.Context, Action) error {
	return nil
}

func (f *flaky) Run(ctx context.Context, s Stream) error {
	n := f.runs.Add(1)
	if f.permanent {
		return Permanent(errors.New("bad credentials"))
	}
	if n <= f.fails {
		return errors.New("connection refused")
	}
	s.Connected()
	s.Emit(Event{ID: "hello", Feed: "spoofed"})
	<-ctx.Done()
	return ctx.Err()
}

func TestSupervisorRestartsUntilConnected(t *testing.T) {
	h := NewHub(HubOptions{})
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
	h := NewHub(HubOptions{})
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

func TestBackoffIsCappedJittered(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 100; n++ {
		ceil := min(backoffBase<<min(n-1, 20), backoffCap)
		for range 50 {
			d := backoff(n, r)
			if d < backoffMin || d > max(ceil, backoffMin) {
				t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, backoffMin, ceil)
			}
		}
	}
	// Full jitter: waits spread over the range rather than sitting at it.
	seen := map[bool]bool{}
	for range 200 {
		seen[backoff(8, r) < backoffCap/2] = true
	}
	if !seen[true] || !seen[false] {
		t.Error("attempt 8 waits are not spread over [0, cap]")
	}
}
