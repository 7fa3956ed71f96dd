package feeds

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"
)

// memOutbox is an OutboxStore in memory.
type memOutbox struct {
	mu    sync.Mutex
	items map[string]Outgoing
}

func newMemOutbox(items ...Outgoing) *memOutbox {
	m := &memOutbox{items: make(map[string]Outgoing)}
	for _, it := range items {
		m.items[it.Action.ID] = it
	}
	return m
}

func (m *memOutbox) Pending() ([]Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Outgoing
	for _, it := range m.items {
		if !it.State.Done() {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action.ID < out[j].Action.ID })
	return out, nil
}

func (m *memOutbox) UpdateOutgoing(id string, fn func(*Outgoing) error) (Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	if !ok {
		return Outgoing{}, errors.New("not found")
	}
	if err := fn(&it); err != nil {
		return Outgoing{}, err
	}
	m.items[id] = it
	return it, nil
}

func (m *memOutbox) get(id string) Outgoing {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items[id]
}

// scripted answers Do with the errors given, in order, then nil.
type scripted struct {
	idempotent bool
	mu         sync.Mutex
	errs       []error
	done       []Action
}

func (s *scripted) Platform() string { return "test" }
func (s *scripted) Capabilities() Capabilities {
	return Capabilities{MaxText: 100, Actions: []ActionKind{ActReply}, Idempotent: s.idempotent}
}
func (s *scripted) Run(ctx context.Context, st Stream) error { <-ctx.Done(); return ctx.Err() }
func (s *scripted) Do(_ context.Context, a Action) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = append(s.done, a)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return err
	}
	return nil
}

func (s *scripted) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.done)
}

func queued(id string, kind ActionKind) Outgoing {
	return Outgoing{Action: Action{ID: id, Feed: "f", Kind: kind, Text: "hi"}, State: StateQueued}
}

func runDispatcher(t *testing.T, box *memOutbox, c Connector) *Dispatcher {
	t.Helper()
	h := NewHub(HubOptions{})
	h.Add("f", c)
	d := NewDispatcher(box, h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func waitState(t *testing.T, box *memOutbox, id string, want State) Outgoing {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		it := box.get(id)
		if it.State == want {
			return it
		}
		if time.Now().After(deadline) {
			t.Fatalf("item %s is %s (%s), want %s", id, it.State, it.Err, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestDispatcherSendsOnce(t *testing.T) {
	box := newMemOutbox(queued("1", ActReply), queued("2", ActReply))
	c := &scripted{}
	runDispatcher(t, box, c)
	waitState(t, box, "1", StateSent)
	it := waitState(t, box, "2", StateSent)
	if it.Attempts != 1 || c.calls() != 2 {
		t.Errorf("attempts %d, calls %d; want 1 and 2", it.Attempts, c.calls())
	}
}

func TestDispatcherSurfacesPermanentFailure(t *testing.T) {
	box := newMemOutbox(queued("1", ActReply), queued("2", ActBan))
	c := &scripted{errs: []error{Permanent(errors.New("403 not a moderator"))}}
	runDispatcher(t, box, c)
	if it := waitState(t, box, "1", StateFailed); it.Err != "403 not a moderator" {
		t.Errorf("error %q", it.Err)
	}
	if it := waitState(t, box, "2", StateFailed); it.Err != `feed "f" cannot ban` {
		t.Errorf("unsupported action error %q", it.Err)
	}
	if c.calls() != 1 {
		t.Errorf("%d calls: an unsupported action must not reach the connector", c.calls())
	}
}

func TestDispatcherRetriesTransientOnIdempotentPlatform(t *testing.T) {
	box := newMemOutbox(queued("1", ActReply))
	c := &scripted{idempotent: true, errs: []error{errors.New("503"), errors.New("503")}}
	runDispatcher(t, box, c)
	it := waitState(t, box, "1", StateSent)
	if it.Attempts != 3 || c.calls() != 3 {
		t.Errorf("attempts %d, calls %d; want 3", it.Attempts, c.calls())
	}
}

// On a platform without idempotency an ambiguous failure is never retried
// on its own: the operator decides.
func TestDispatcherMarksAmbiguousFailureUncertain(t *testing.T) {
	box := newMemOutbox(queued("1", ActReply))
	c := &scripted{errs: []error{errors.New("connection reset")}}
	d := runDispatcher(t, box, c)
	waitState(t, box, "1", StateUncertain)
	d.Wake()
	d.Wake()
	if c.calls() != 1 {
		t.Errorf("%d calls, want 1", c.calls())
	}
}

func TestDispatcherSettlesInterruptedSends(t *testing.T) {
	sending := func(id string) Outgoing {
		o := queued(id, ActReply)
		o.State, o.Attempts = StateSending, 1
		return o
	}
	t.Run("not idempotent", func(t *testing.T) {
		box := newMemOutbox(sending("1"))
		c := &scripted{}
		runDispatcher(t, box, c)
		waitState(t, box, "1", StateUncertain)
		if c.calls() != 0 {
			t.Errorf("an interrupted send was repeated on a platform without idempotency")
		}
	})
	t.Run("idempotent", func(t *testing.T) {
		box := newMemOutbox(sending("1"))
		c := &scripted{idempotent: true}
		runDispatcher(t, box, c)
		waitState(t, box, "1", StateSent)
	})
}
