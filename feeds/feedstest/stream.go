// Package feedstest gives connector tests a Stream that records what a
// connector reports, without a hub.
package feedstest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// Stream records events, connections and status. It is safe for
// concurrent use. CommitErr, when set, is what Commit returns (the events
// are then not recorded, as a store failure would lose them).
type Stream struct {
	mu        sync.Mutex
	events    []feeds.Event
	connected int
	status    map[string]string
	changed   chan struct{}
	CommitErr error
}

// NewStream returns an empty recording stream.
func NewStream() *Stream {
	return &Stream{status: make(map[string]string), changed: make(chan struct{}, 1)}
}

func (s *Stream) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Emit records ev.
func (s *Stream) Emit(ev feeds.Event) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	s.poke()
}

// Commit records evs, or returns CommitErr.
func (s *Stream) Commit(ctx context.Context, evs []feeds.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.CommitErr != nil {
		err := s.CommitErr
		s.mu.Unlock()
		return err
	}
	s.events = append(s.events, evs...)
	s.mu.Unlock()
	s.poke()
	return nil
}

// Connected counts a connection.
func (s *Stream) Connected() {
	s.mu.Lock()
	s.connected++
	s.mu.Unlock()
	s.poke()
}

// Status records key = value (an empty value deletes it).
func (s *Stream) Status(key, value string) {
	s.mu.Lock()
	if value == "" {
		delete(s.status, key)
	} else {
		s.status[key] = value
	}
	s.mu.Unlock()
	s.poke()
}

// Events returns a copy of what was emitted so far.
func (s *Stream) Events() []feeds.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]feeds.Event(nil), s.events...)
}

// Connections returns how many times Connected was called.
func (s *Stream) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// StatusOf returns the current value of key.
func (s *Stream) StatusOf(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status[key]
}

// WaitFor waits until cond holds on the stream, failing the test after
// timeout. The timeout only bounds a broken test; it asserts nothing about
// speed.
func (s *Stream) WaitFor(t testing.TB, timeout time.Duration, what string, cond func(*Stream) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond(s) {
		select {
		case <-s.changed:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("waited %s for %s; have %d events, %d connections, status %v",
				timeout, what, len(s.Events()), s.Connections(), s.snapshotStatus())
		}
	}
}

func (s *Stream) snapshotStatus() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.status))
	for k, v := range s.status {
		out[k] = v
	}
	return out
}

// WaitEvents waits until at least n events were emitted and returns them.
func (s *Stream) WaitEvents(t testing.TB, n int, timeout time.Duration) []feeds.Event {
	t.Helper()
	s.WaitFor(t, timeout, "events", func(s *Stream) bool { return len(s.Events()) >= n })
	return s.Events()
}
