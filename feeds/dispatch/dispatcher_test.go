package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// memOutbox is an OutboxStore in memory.
type memOutbox struct {
	mu    sync.Mutex
	items map[string]outbox.Outgoing
	hold  outbox.Hold
	audit []outbox.AuditEntry
}

func newMemOutbox(items ...outbox.Outgoing) *memOutbox {
	m := &memOutbox{items: make(map[string]outbox.Outgoing)}
	for _, it := range items {
		m.items[it.Action.ID] = it
	}
	return m
}

func (m *memOutbox) Enqueue(o outbox.Outgoing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[o.Action.ID]; ok {
		return errors.New("exists")
	}
	m.items[o.Action.ID] = o
	m.audit = append(m.audit, outbox.NewAuditEntry(o, outbox.AuditQueued, o.Action.Operator))
	return nil
}

func (m *memOutbox) EnqueueAll(os []outbox.Outgoing) error {
	for _, o := range os {
		if err := m.Enqueue(o); err != nil {
			return err
		}
	}
	return nil
}

func (m *memOutbox) Note(e outbox.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, e)
	return nil
}

func (m *memOutbox) Pending() ([]outbox.Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []outbox.Outgoing
	for _, it := range m.items {
		if !it.State.Done() {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Action.ID < out[j].Action.ID })
	return out, nil
}

func (m *memOutbox) Change(id string, fn func(*outbox.Outgoing, bool) (outbox.Note, error)) (outbox.Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	if !ok {
		return outbox.Outgoing{}, errors.New("not found")
	}
	note, err := fn(&it, m.hold.Holds(it.Action))
	if err != nil {
		return outbox.Outgoing{}, err
	}
	m.items[id] = it
	if note.What != "" {
		m.audit = append(m.audit, outbox.NewAuditEntry(it, note.What, note.By))
	}
	return it, nil
}

func (m *memOutbox) Hold() (outbox.Hold, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hold, nil
}

func (m *memOutbox) SetHold(h outbox.Hold) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hold.Same(h) {
		return false, nil
	}
	m.hold = h
	return true, nil
}

func (m *memOutbox) AdoptHold(h outbox.Hold) (bool, error) { return m.SetHold(h) }

func (m *memOutbox) whats() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, e := range m.audit {
		out = append(out, e.ActionID+":"+e.What)
	}
	return out
}

func (m *memOutbox) get(id string) outbox.Outgoing {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.items[id]
}

// scripted answers Do with the errors given, in order, then nil.
type scripted struct {
	idempotent bool
	rate       feeds.Limit
	mu         sync.Mutex
	errs       []error
	done       []feeds.Action
}

func (s *scripted) Platform() string { return "test" }
func (s *scripted) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 100, Actions: []feeds.ActionKind{feeds.ActReply}, Idempotent: s.idempotent, Rate: s.rate}
}
func (s *scripted) Run(ctx context.Context, st feeds.Stream) error { <-ctx.Done(); return ctx.Err() }
func (s *scripted) Do(_ context.Context, a feeds.Action) error {
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

func queued(id string, kind feeds.ActionKind) outbox.Outgoing {
	return outbox.Outgoing{Action: feeds.Action{ID: id, Feed: "f", Kind: kind, Text: "hi"}, State: outbox.StateQueued}
}

func runDispatcher(t *testing.T, box *memOutbox, c feeds.Connector) *Dispatcher {
	t.Helper()
	h := hub.New(hub.Options{})
	h.Add("f", c)
	d := New(box, h, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func waitState(t *testing.T, box *memOutbox, id string, want outbox.State) outbox.Outgoing {
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
	box := newMemOutbox(queued("1", feeds.ActReply), queued("2", feeds.ActReply))
	c := &scripted{}
	runDispatcher(t, box, c)
	waitState(t, box, "1", outbox.StateSent)
	it := waitState(t, box, "2", outbox.StateSent)
	if it.Attempts != 1 || c.calls() != 2 {
		t.Errorf("attempts %d, calls %d; want 1 and 2", it.Attempts, c.calls())
	}
}

func TestDispatcherSurfacesPermanentFailure(t *testing.T) {
	box := newMemOutbox(queued("1", feeds.ActReply), queued("2", feeds.ActBan))
	c := &scripted{errs: []error{feeds.Permanent(errors.New("403 not a moderator"))}}
	runDispatcher(t, box, c)
	if it := waitState(t, box, "1", outbox.StateFailed); it.Err != "403 not a moderator" {
		t.Errorf("error %q", it.Err)
	}
	if it := waitState(t, box, "2", outbox.StateFailed); it.Err != `feed "f" cannot ban` {
		t.Errorf("unsupported action error %q", it.Err)
	}
	if c.calls() != 1 {
		t.Errorf("%d calls: an unsupported action must not reach the connector", c.calls())
	}
}

func TestDispatcherRetriesTransientOnIdempotentPlatform(t *testing.T) {
	box := newMemOutbox(queued("1", feeds.ActReply))
	c := &scripted{idempotent: true, errs: []error{errors.New("503"), errors.New("503")}}
	runDispatcher(t, box, c)
	it := waitState(t, box, "1", outbox.StateSent)
	if it.Attempts != 3 || c.calls() != 3 {
		t.Errorf("attempts %d, calls %d; want 3", it.Attempts, c.calls())
	}
}

// On a platform without idempotency an ambiguous failure is never retried
// on its own: the operator decides.
func TestDispatcherMarksAmbiguousFailureUncertain(t *testing.T) {
	box := newMemOutbox(queued("1", feeds.ActReply))
	c := &scripted{errs: []error{errors.New("connection reset")}}
	d := runDispatcher(t, box, c)
	waitState(t, box, "1", outbox.StateUncertain)
	d.Wake()
	d.Wake()
	if c.calls() != 1 {
		t.Errorf("%d calls, want 1", c.calls())
	}
}

func TestDispatcherSettlesInterruptedSends(t *testing.T) {
	sending := func(id string) outbox.Outgoing {
		o := queued(id, feeds.ActReply)
		o.State, o.Attempts = outbox.StateSending, 1
		return o
	}
	t.Run("not idempotent", func(t *testing.T) {
		box := newMemOutbox(sending("1"))
		c := &scripted{}
		runDispatcher(t, box, c)
		waitState(t, box, "1", outbox.StateUncertain)
		if c.calls() != 0 {
			t.Errorf("an interrupted send was repeated on a platform without idempotency")
		}
	})
	t.Run("idempotent", func(t *testing.T) {
		box := newMemOutbox(sending("1"))
		c := &scripted{idempotent: true}
		runDispatcher(t, box, c)
		waitState(t, box, "1", outbox.StateSent)
	})
}

// fakeClock is a settable clock for the dispatcher's pacing decisions.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// steppedDispatcher is a dispatcher on a fake clock whose loop the test
// turns by hand: step claims what is due and delivers it.
type steppedDispatcher struct {
	*Dispatcher
	t     *testing.T
	clock *fakeClock
	hub   *hub.Hub
}

func newStepped(t *testing.T, box *memOutbox, conns map[string]feeds.Connector, opts Options) *steppedDispatcher {
	h := hub.New(hub.Options{})
	for id, c := range conns {
		h.Add(id, c)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)}
	opts.Now = clock.Now
	return &steppedDispatcher{Dispatcher: New(box, h, opts), t: t, clock: clock, hub: h}
}

// step delivers everything due now and returns the ids sent and when the
// next item is due.
func (s *steppedDispatcher) step() ([]string, time.Time) {
	s.t.Helper()
	claimed, next, err := s.due()
	if err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for _, o := range claimed {
		s.deliver(context.Background(), o)
		ids = append(ids, o.Action.ID)
	}
	return ids, next
}

func queuedOn(feed, id string) outbox.Outgoing {
	o := queued(id, feeds.ActReply)
	o.Action.Feed = feed
	return o
}

// Twitch chat allows 20 messages per 30 s: the 21st waits until the first
// leaves the window, checked on a fake clock.
func TestDispatcherKeepsThePlatformsPace(t *testing.T) {
	var items []outbox.Outgoing
	for i := range 25 {
		items = append(items, queuedOn("tw", fmt.Sprintf("%02d", i)))
	}
	box := newMemOutbox(items...)
	c := &scripted{rate: feeds.Limit{Count: 20, Per: 30 * time.Second}}
	d := newStepped(t, box, map[string]feeds.Connector{"tw": c}, Options{})
	start := d.clock.Now()

	sent := 0
	for range 20 {
		ids, _ := d.step()
		sent += len(ids)
		d.clock.Add(time.Second)
	}
	if sent != 20 {
		t.Fatalf("sent %d in the first 20 s, want 20", sent)
	}
	// At +20 s, +29 s: nothing, and the loop is told when to look again.
	ids, next := d.step()
	if len(ids) != 0 {
		t.Errorf("sent %v before the window opened", ids)
	}
	if want := start.Add(30 * time.Second); !next.Equal(want) {
		t.Errorf("next send due at +%s, want +30s", next.Sub(start))
	}
	d.clock.Add(9 * time.Second)
	if ids, _ := d.step(); len(ids) != 0 {
		t.Errorf("sent %v at +29s", ids)
	}
	d.clock.Add(time.Second) // +30 s: the first send leaves the window
	if ids, _ := d.step(); fmt.Sprint(ids) != "[20]" {
		t.Errorf("at +30s sent %v, want [20]", ids)
	}
	if _, next := d.step(); !next.Equal(start.Add(31 * time.Second)) {
		t.Errorf("then next due at +%s, want +31s", next.Sub(start))
	}
	if c.calls() != 21 {
		t.Errorf("connector saw %d sends, want 21", c.calls())
	}
}

// A config override replaces the declared pace; feeds are paced apart.
func TestDispatcherLimitOverrideAndFeedsIndependent(t *testing.T) {
	box := newMemOutbox(queuedOn("a", "1"), queuedOn("a", "2"), queuedOn("b", "3"), queuedOn("b", "4"))
	slow := &scripted{rate: feeds.Limit{Count: 100, Per: time.Second}}
	d := newStepped(t, box, map[string]feeds.Connector{"a": slow, "b": &scripted{}},
		Options{Limits: map[string]feeds.Limit{"a": {Count: 1, Per: time.Minute}}})
	if got := d.Limit("a"); got != (feeds.Limit{Count: 1, Per: time.Minute}) {
		t.Errorf("Limit(a) = %v", got)
	}
	ids, _ := d.step()
	if fmt.Sprint(ids) != "[1 3]" {
		t.Errorf("first step sent %v, want one per feed [1 3]", ids)
	}
	if ids, _ := d.step(); fmt.Sprint(ids) != "[4]" {
		t.Errorf("second step sent %v, want [4]: feed b is unlimited, a waits", ids)
	}
	if ids, next := d.step(); len(ids) != 0 || !next.Equal(d.clock.Now().Add(time.Minute)) {
		t.Errorf("third step sent %v, next %v; want nothing until a minute on", ids, next)
	}
}

// "Rate limited, retry in 20 s": the whole feed waits that long, the item
// keeps its place, Stats is told, and it then goes out once.
func TestDispatcherWaitsWhenRateLimited(t *testing.T) {
	box := newMemOutbox(queuedOn("m", "1"), queuedOn("m", "2"))
	c := &scripted{errs: []error{feeds.RetryAfter(20*time.Second, errors.New("429 Too Many Requests"))}}
	d := newStepped(t, box, map[string]feeds.Connector{"m": c}, Options{})
	start := d.clock.Now()

	if ids, _ := d.step(); fmt.Sprint(ids) != "[1]" {
		t.Fatalf("step sent %v", ids)
	}
	if ids, next := d.step(); len(ids) != 0 || !next.Equal(start.Add(20*time.Second)) {
		t.Fatalf("during the pause sent %v, next due +%s; want nothing and +20s", ids, next.Sub(start))
	}
	it := box.get("1")
	if it.State != outbox.StateQueued || it.Attempts != 0 || it.Err != "429 Too Many Requests" {
		t.Errorf("rate-limited item = %+v", it)
	}
	hl := d.hub.Health()
	if len(hl) != 1 || !hl[0].SendPaused.Equal(start.Add(20*time.Second)) || hl[0].SendPausedWhy == "" {
		t.Errorf("health does not say the feed is paused: %+v", hl)
	}
	d.clock.Add(19 * time.Second)
	if ids, _ := d.step(); len(ids) != 0 {
		t.Errorf("sent %v during the pause (item 2 must wait too)", ids)
	}
	d.clock.Add(time.Second)
	if ids, _ := d.step(); fmt.Sprint(ids) != "[1]" {
		t.Errorf("after the pause sent %v, want [1] first", ids)
	}
	if ids, _ := d.step(); fmt.Sprint(ids) != "[2]" {
		t.Errorf("then sent %v, want [2]", ids)
	}
	if got := box.get("1"); got.State != outbox.StateSent || got.Attempts != 1 {
		t.Errorf("item 1 = %+v, want sent after 1 attempt", got)
	}
	if w := fmt.Sprint(box.whats()); w != "[1:rate-limited 1:sent 2:sent]" {
		t.Errorf("audit = %s", w)
	}
}

// An action another node sends, whose outcome did not come in time, is
// neither a failure nor a rate limit, on a platform without idempotency
// too: it waits again at once, not counted as an attempt nor audited,
// and the feed shows whom it waits for until the outcome comes.
func TestDispatcherWaitsForTheNodeThatSends(t *testing.T) {
	box := newMemOutbox(queuedOn("m", "1"), queuedOn("m", "2"))
	wait := errors.New("cluster: waiting for ingest-b, which sends 1: context deadline exceeded")
	c := &scripted{errs: []error{feeds.Awaiting("ingest-b", wait), feeds.Awaiting("ingest-b", wait)}}
	d := newStepped(t, box, map[string]feeds.Connector{"m": c}, Options{MaxAttempts: 2})
	for range 2 {
		if ids, _ := d.step(); fmt.Sprint(ids) != "[1]" {
			t.Fatalf("step sent %v, want [1] again at once", ids)
		}
		it := box.get("1")
		if it.State != outbox.StateQueued || it.Attempts != 0 || it.Err != wait.Error() {
			t.Errorf("waiting item = %+v", it)
		}
		hl := d.hub.Health()
		if len(hl) != 1 || hl[0].SendWaiting != "ingest-b" || !hl[0].SendPaused.IsZero() {
			t.Errorf("health = %+v, want the feed waiting for ingest-b and not paused", hl)
		}
	}
	if ids, _ := d.step(); fmt.Sprint(ids) != "[1]" {
		t.Fatalf("then sent %v, want [1]", ids)
	}
	if it := box.get("1"); it.State != outbox.StateSent || it.Attempts != 1 {
		t.Errorf("item 1 = %+v, want sent after 1 attempt", it)
	}
	if hl := d.hub.Health(); hl[0].SendWaiting != "" {
		t.Errorf("health = %+v, still waiting once the outcome came", hl)
	}
	if ids, _ := d.step(); fmt.Sprint(ids) != "[2]" {
		t.Errorf("then sent %v, want [2]", ids)
	}
	if w := fmt.Sprint(box.whats()); w != "[1:sent 2:sent]" {
		t.Errorf("audit = %s", w)
	}
}

// A failure before anything left (not connected) is retried even where the
// platform has no idempotency; a failure after it may have left is not.
func TestDispatcherRetriesWhatSurelyDidNotLeave(t *testing.T) {
	box := newMemOutbox(queuedOn("irc", "1"))
	c := &scripted{errs: []error{feeds.NotSent(errors.New("not connected")), errors.New("write: broken pipe")}}
	d := newStepped(t, box, map[string]feeds.Connector{"irc": c}, Options{})
	d.step()
	it := box.get("1")
	if it.State != outbox.StateQueued || it.NextTry.IsZero() {
		t.Fatalf("after a NotSent failure: %+v, want queued with a retry time", it)
	}
	d.clock.Add(2 * time.Minute)
	d.step()
	if it := box.get("1"); it.State != outbox.StateUncertain {
		t.Fatalf("after an ambiguous failure: %+v, want uncertain", it)
	}
	d.clock.Add(time.Hour)
	if ids, _ := d.step(); len(ids) != 0 || c.calls() != 2 {
		t.Errorf("an uncertain item was sent again: %v, %d calls", ids, c.calls())
	}
}

func TestDispatcherGivesUpAfterMaxAttempts(t *testing.T) {
	box := newMemOutbox(queuedOn("m", "1"))
	c := &scripted{idempotent: true, errs: []error{errors.New("503"), errors.New("503"), errors.New("503")}}
	d := newStepped(t, box, map[string]feeds.Connector{"m": c}, Options{MaxAttempts: 3})
	for range 5 {
		d.step()
		d.clock.Add(2 * time.Minute)
	}
	if it := box.get("1"); it.State != outbox.StateFailed || it.Attempts != 3 || it.Err != "503" {
		t.Errorf("item = %+v, want failed after 3 attempts", it)
	}
	if w := fmt.Sprint(box.whats()); w != "[1:retry 1:retry 1:failed]" {
		t.Errorf("audit = %s", w)
	}
}

// Hold stops everything; queued items stay queued and editable; release
// lets them go, edited.
func TestDispatcherHoldStopsEverything(t *testing.T) {
	box := newMemOutbox(queuedOn("a", "1"), queuedOn("b", "2"))
	c := &scripted{}
	d := newStepped(t, box, map[string]feeds.Connector{"a": c, "b": c}, Options{})
	h, err := d.SetHold(true, "alice")
	if err != nil || !h.On || h.By != "alice" {
		t.Fatalf("SetHold = %+v, %v", h, err)
	}
	d.clock.Add(time.Hour)
	if ids, next := d.step(); len(ids) != 0 || !next.IsZero() {
		t.Fatalf("held outbox sent %v (next %v)", ids, next)
	}
	if _, err := d.Edit("1", "holding statement v2", "alice"); err != nil {
		t.Fatalf("edit while held: %v", err)
	}
	if _, err := d.Cancel("2", "bob"); err != nil {
		t.Fatalf("cancel while held: %v", err)
	}
	if c.calls() != 0 {
		t.Fatalf("%d sends while held", c.calls())
	}
	if _, err := d.SetHold(false, "alice"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := d.step(); fmt.Sprint(ids) != "[1]" {
		t.Errorf("after release sent %v, want [1]", ids)
	}
	if c.done[0].Text != "holding statement v2" {
		t.Errorf("sent %q, want the edited text", c.done[0].Text)
	}
	if got := box.get("2"); got.State != outbox.StateCancelled {
		t.Errorf("cancelled item = %+v", got)
	}
}

func TestDispatcherOperatorChanges(t *testing.T) {
	sent := queuedOn("m", "3")
	sent.State = outbox.StateSent
	failed := queuedOn("m", "2")
	failed.State, failed.Attempts, failed.Err = outbox.StateFailed, 5, "503"
	box := newMemOutbox(queuedOn("m", "1"), failed, sent)
	c := &scripted{}
	d := newStepped(t, box, map[string]feeds.Connector{"m": c}, Options{})

	if _, err := d.Edit("1", "", "alice"); !errors.Is(err, outbox.ErrEmptyText) {
		t.Errorf("empty edit: %v", err)
	}
	if _, err := d.Edit("3", "too late", "alice"); !errors.Is(err, outbox.ErrFinished) {
		t.Errorf("editing a sent item: %v", err)
	}
	if _, err := d.Cancel("3", "alice"); !errors.Is(err, outbox.ErrFinished) {
		t.Errorf("cancelling a sent item: %v", err)
	}
	if _, err := d.Resend("1", "alice"); err == nil {
		t.Error("resending a queued item was accepted")
	}
	// A failed item is fixed, then sent again.
	if o, err := d.Edit("2", "shorter text", "bob"); err != nil || o.State != outbox.StateFailed || o.Action.Text != "shorter text" {
		t.Fatalf("editing a failed item = %+v, %v", o, err)
	}
	o, err := d.Resend("2", "bob")
	if err != nil || o.State != outbox.StateQueued || o.Attempts != 0 || o.Err != "" || o.Action.Text != "shorter text" {
		t.Fatalf("Resend = %+v, %v", o, err)
	}
	// Claimed for sending: neither edit nor cancel may touch it now.
	claimed, _, _ := d.due()
	if len(claimed) != 1 || claimed[0].Action.ID != "1" {
		t.Fatalf("claimed %+v", claimed)
	}
	if _, err := d.Cancel("1", "alice"); !errors.Is(err, outbox.ErrInFlight) {
		t.Errorf("cancelling an item in flight: %v", err)
	}
	if _, err := d.Edit("1", "x", "alice"); !errors.Is(err, outbox.ErrInFlight) {
		t.Errorf("editing an item in flight: %v", err)
	}
	if w := fmt.Sprint(box.whats()); w != "[2:edited 2:resent]" {
		t.Errorf("audit = %s (refused changes must not be audited)", w)
	}
}

// OnSent hears of what the platform took, once, and of nothing else.
func TestDispatcherToldOfSends(t *testing.T) {
	box := newMemOutbox(queued("1", feeds.ActReply), queued("2", feeds.ActReply))
	c := &scripted{errs: []error{feeds.Permanent(errors.New("403"))}}
	h := hub.New(hub.Options{})
	h.Add("f", c)
	sent := make(chan string, 4)
	d := New(box, h, Options{OnSent: func(a feeds.Action, _ time.Time) { sent <- a.ID }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitState(t, box, "1", outbox.StateFailed)
	waitState(t, box, "2", outbox.StateSent)
	if id := <-sent; id != "2" {
		t.Errorf("told of %s, want 2", id)
	}
	select {
	case id := <-sent:
		t.Errorf("told again, of %s", id)
	default:
	}
}

// The services enforce what an operator may do: a refusal is an error and
// an audit entry, and changes nothing.
func TestDispatcherEnforcesAuthorize(t *testing.T) {
	box := newMemOutbox(queued("mine", feeds.ActReply))
	h := hub.New(hub.Options{})
	h.Add("f", &scripted{})
	allow := map[string][]string{"rita": {"reply"}, "ada": {"reply", "hold"}}
	d := New(box, h, Options{Authorize: func(op, what string) error {
		for _, w := range allow[op] {
			if w == what {
				return nil
			}
		}
		return fmt.Errorf("%s may not %s", op, what)
	}})
	reply := queued("v1", feeds.ActReply)
	reply.Action.Operator = "vic"
	if err := d.Enqueue(reply); err == nil || err.Error() != "vic may not reply" {
		t.Errorf("a viewer's reply: %v", err)
	}
	if _, ok := box.items["v1"]; ok {
		t.Error("the refused reply was stored")
	}
	ban := queued("r1", feeds.ActBan)
	ban.Action.Operator = "rita"
	if err := d.Enqueue(ban); err == nil {
		t.Error("a responder's ban was allowed")
	}
	if _, err := d.SetHold(true, "rita"); err == nil {
		t.Error("a responder held the outbox")
	}
	if _, err := d.Cancel("mine", "vic"); err == nil || box.get("mine").State != outbox.StateQueued {
		t.Errorf("a viewer cancelled a reply: %v", err)
	}
	if _, err := d.SetHold(true, "ada"); err != nil {
		t.Errorf("an admin's hold: %v", err)
	}
	ok := queued("r2", feeds.ActReply)
	ok.Action.Operator = "rita"
	if err := d.Enqueue(ok); err != nil {
		t.Errorf("a responder's reply: %v", err)
	}
	var refused []string
	for _, e := range box.audit {
		if e.What == outbox.AuditRefused {
			refused = append(refused, e.By+" "+string(e.Kind))
		}
	}
	if want := []string{"vic reply", "rita ban", "rita hold", "vic reply"}; !slices.Equal(refused, want) {
		t.Errorf("refusals audited %v, want %v", refused, want)
	}
}

// A hold narrowed to replies keeps replies in while moderation goes out,
// even behind a held reply on the same feed; one narrowed to a feed keeps
// only that feed's in.
func TestDispatcherScopedHolds(t *testing.T) {
	reply := queued("1", feeds.ActReply)
	ban := queued("2", feeds.ActBan)
	other := queued("3", feeds.ActReply)
	other.Action.Feed = "g"
	box := newMemOutbox(reply, ban, other)
	box.hold = outbox.Hold{On: true, Replies: true, Feeds: []string{"f"}}
	h := hub.New(hub.Options{})
	c := &scripted{}
	h.Add("f", &modding{c})
	h.Add("g", c)
	d := New(box, h, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitState(t, box, "2", outbox.StateSent) // the ban behind the held reply
	waitState(t, box, "3", outbox.StateSent) // a reply on another feed
	if st := box.get("1").State; st != outbox.StateQueued {
		t.Fatalf("the held reply is %s", st)
	}
	if _, err := d.SetHold(false, "alice"); err != nil {
		t.Fatal(err)
	}
	waitState(t, box, "1", outbox.StateSent)
}

// modding is a connector that also bans.
type modding struct{ *scripted }

func (m *modding) Capabilities() feeds.Capabilities {
	c := m.scripted.Capabilities()
	c.Actions = append(c.Actions, feeds.ActBan)
	return c
}
