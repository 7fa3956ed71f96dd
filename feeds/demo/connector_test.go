package demo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// waitLimit only guards against a hang; nothing waits for it to pass.
const waitLimit = 10 * time.Second

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)}
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

// fakeStream records events and signals each one.
type fakeStream struct {
	mu        sync.Mutex
	events    []feeds.Event
	changed   chan struct{}
	connected chan struct{}
	// onConnected, when set, runs inside Connected: a test's way to act
	// at the worst moment for the connector.
	onConnected func()
}

func newStream() *fakeStream {
	return &fakeStream{changed: make(chan struct{}, 1), connected: make(chan struct{}, 8)}
}

func (s *fakeStream) Emit(ev feeds.Event) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *fakeStream) Connected() {
	if s.onConnected != nil {
		s.onConnected()
	}
	s.connected <- struct{}{}
}

func (s *fakeStream) Status(key, value string) {}

func (s *fakeStream) Commit(ctx context.Context, evs []feeds.Event) error {
	for _, ev := range evs {
		s.Emit(ev)
	}
	return nil
}

func (s *fakeStream) snapshot() []feeds.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]feeds.Event(nil), s.events...)
}

// waitFor blocks until an emitted event satisfies ok.
func (s *fakeStream) waitFor(t *testing.T, what string, ok func(feeds.Event) bool) feeds.Event {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		for _, ev := range s.snapshot() {
			if ok(ev) {
				return ev
			}
		}
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("no event: %s", what)
		}
	}
}

func (s *fakeStream) count(ok func(feeds.Event) bool) int {
	n := 0
	for _, ev := range s.snapshot() {
		if ok(ev) {
			n++
		}
	}
	return n
}

// running starts Run and returns a stop function that checks its result.
func running(t *testing.T, c *Connector, s *fakeStream) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx, s) }()
	select {
	case <-s.connected:
	case <-time.After(waitLimit):
		t.Fatal("Run did not report Connected")
	}
	return func() {
		t.Helper()
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(waitLimit):
			t.Fatal("Run did not return after cancel")
		}
	}
}

func newDemo(t *testing.T, platform string, clk *fakeClock) *Connector {
	t.Helper()
	c, err := New(Config{Platform: platform, Feed: platform + "-main", Seed: 1, Rate: 20, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunEmitsAndStops(t *testing.T) {
	clk := newClock()
	start := clk.Now()
	c := newDemo(t, "twitch", clk)
	s := newStream()
	stop := running(t, c, s)
	if n := len(s.snapshot()); n != 0 {
		t.Fatalf("%d events before the clock moved", n)
	}
	clk.Add(5 * time.Second)
	s.waitFor(t, "scenario events", func(ev feeds.Event) bool { return ev.Time.After(start.Add(4 * time.Second)) })
	stop()
	for _, ev := range s.snapshot() {
		if ev.Feed != "twitch-main" || ev.Platform != "twitch" {
			t.Fatalf("bad envelope %+v", ev)
		}
		if ev.Time.Before(start) || ev.Time.After(start.Add(5*time.Second)) {
			t.Fatalf("event time %v outside the scenario so far", ev.Time)
		}
	}

	// A reconnect continues the scenario: later ids, no restart.
	before := s.snapshot()
	num := func(id string) int {
		n, _ := strconv.Atoi(id[strings.LastIndex(id, "-")+1:])
		return n
	}
	last := num(before[len(before)-1].ID)
	stop = running(t, c, s)
	clk.Add(2 * time.Second)
	ev := s.waitFor(t, "events after reconnect", func(ev feeds.Event) bool { return ev.Time.After(start.Add(5 * time.Second)) })
	stop()
	if n := num(ev.ID); n <= last {
		t.Errorf("after reconnect id %s, before %d", ev.ID, last)
	}
	seen := map[string]bool{}
	for _, ev := range s.snapshot() {
		if seen[ev.ID] {
			t.Fatalf("duplicate id %s across a reconnect", ev.ID)
		}
		seen[ev.ID] = true
	}
}

func TestRunSkipsAfterLongPause(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "irc", clk)
	s := newStream()
	clk.Add(time.Hour) // nobody was connected for an hour
	stop := running(t, c, s)
	clk.Add(time.Second)
	s.waitFor(t, "an event", func(feeds.Event) bool { return true })
	stop()
	// Not an hour of backlog: at most a few seconds' worth.
	if n := len(s.snapshot()); n > 20*5*(int(maxLag/time.Second)+2) {
		t.Errorf("%d events emitted after a one-hour pause", n)
	}
}

// TestRunCatchesUpBeforeConnected: the clock moving the moment Run says
// Connected (a test's next step, on a busy machine before Run's first
// pump) is still seen as time passing, not as the pause to skip. It
// failed under load as TestRunSkipsAfterLongPause.
func TestRunCatchesUpBeforeConnected(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "irc", clk)
	s := newStream()
	clk.Add(time.Hour)
	s.onConnected = func() { clk.Add(time.Second) }
	stop := running(t, c, s)
	s.waitFor(t, "an event", func(feeds.Event) bool { return true })
	stop()
}

func TestRunTwiceAtOnce(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "twitch", clk)
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	if err := c.Run(context.Background(), newStream()); err == nil {
		t.Error("a second concurrent Run succeeded")
	}
}

func TestRunCanceledBeforeStart(t *testing.T) {
	c := newDemo(t, "bluesky", newClock())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Run(ctx, newStream()); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}

func TestReplyAppearsOnce(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "twitch", clk)
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	clk.Add(3 * time.Second)
	target := s.waitFor(t, "a message to reply to", func(ev feeds.Event) bool { return ev.Kind == feeds.KindMessage })

	a := feeds.Action{ID: "act-1", Feed: "twitch-main", Kind: feeds.ActReply, Text: "Yes, Halo works with Android!",
		Target: target.ID, TargetAuthor: target.Author, TargetText: target.Text, Operator: "sam"}
	for i := 0; i < 3; i++ {
		if err := c.Do(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	ev := s.waitFor(t, "the brand's reply", func(ev feeds.Event) bool { return ev.Author == "lumio" })
	if ev.ReplyTo != target.ID || ev.Text != a.Text || ev.Feed != "twitch-main" || ev.Kind != feeds.KindMessage {
		t.Errorf("reply %+v", ev)
	}
	if !ev.HasBadge(feeds.BadgeBrand) || !ev.HasBadge(feeds.BadgeBroadcaster) {
		t.Errorf("brand badges %v", ev.Badges)
	}
	// Events injected at the same moment come out in order, so once a
	// later action shows, any duplicate of the reply would have too.
	if err := c.Do(context.Background(), feeds.Action{ID: "act-2", Kind: feeds.ActDelete, Target: target.ID}); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "the delete", func(ev feeds.Event) bool { return ev.Kind == feeds.KindDelete && ev.Target == target.ID })
	if n := s.count(func(ev feeds.Event) bool { return ev.Author == "lumio" }); n != 1 {
		t.Errorf("reply emitted %d times", n)
	}
}

func TestAnswerBack(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "mastodon", clk)
	var yes, no string
	for i := 0; yes == "" || no == ""; i++ {
		id := "reply-" + strconv.Itoa(i)
		if ok, _ := c.answerBack(id); ok && yes == "" {
			yes = id
		} else if !ok && no == "" {
			no = id
		}
	}
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	clk.Add(3 * time.Second)
	target := s.waitFor(t, "a message", func(ev feeds.Event) bool {
		_, regular := c.cast.index[ev.Author]
		return regular && ev.Kind == feeds.KindMessage && ev.ReplyTo == "" && !ev.HasBadge(feeds.BadgeVerified)
	})
	for _, id := range []string{yes, no} {
		err := c.Do(context.Background(), feeds.Action{ID: id, Kind: feeds.ActReply, Text: "Merci ! Oui, livraison en Belgique dès vendredi.",
			Target: target.ID, TargetAuthor: target.Author, TargetText: "vous livrez en Belgique ?"})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.waitFor(t, "both replies", func(ev feeds.Event) bool { return ev.ID == "brand-"+no })
	if n := s.count(func(ev feeds.Event) bool {
		return ev.Author == target.Author && strings.HasPrefix(ev.ReplyTo, "brand-")
	}); n != 0 {
		t.Fatalf("answered back before any time passed")
	}
	clk.Add(21 * time.Second)
	ev := s.waitFor(t, "the answer back", func(ev feeds.Event) bool { return ev.ReplyTo == "brand-"+yes })
	if ev.Author != target.Author || ev.AuthorName != target.AuthorName || ev.Kind != feeds.KindMessage {
		t.Errorf("answer back %+v, target %+v", ev, target)
	}
	if !looksFrench(ev.Text) {
		t.Errorf("answer back to a French message is not French: %q", ev.Text)
	}
	if !strings.HasPrefix(ev.Text, "@lumio ") {
		t.Errorf("answer back does not address the brand: %q", ev.Text)
	}
	// The reply that drew no answer stays unanswered.
	clk.Add(time.Second)
	s.waitFor(t, "later events", func(e feeds.Event) bool { return e.Time.After(ev.Time) })
	if n := s.count(func(ev feeds.Event) bool { return ev.ReplyTo == "brand-"+no }); n != 0 {
		t.Errorf("%d answers to %s", n, no)
	}
}

func TestDoQueuesWhileStopped(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "twitch", clk)
	// No Run yet: Do must not block.
	done := make(chan error, 1)
	go func() {
		done <- c.Do(context.Background(), feeds.Action{ID: "ban-1", Kind: feeds.ActBan, TargetAuthor: "halo_is_mid12", Target: "twitch-3", Operator: "sam"})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Do blocked without Run")
	}
	if err := c.Do(context.Background(), feeds.Action{ID: "to-1", Kind: feeds.ActTimeout, TargetAuthor: "pickle56", Duration: 90 * time.Second}); err != nil {
		t.Fatal(err)
	}
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	ban := s.waitFor(t, "the ban notice", func(ev feeds.Event) bool { return ev.ID == "mod-ban-1" })
	if ban.Kind != feeds.KindNotice || ban.Text != "halo_is_mid12 was banned by sam" {
		t.Errorf("ban notice %+v", ban)
	}
	del := s.waitFor(t, "the ban's delete", func(ev feeds.Event) bool { return ev.ID == "delete-ban-1" })
	if del.Kind != feeds.KindDelete || del.Target != "twitch-3" {
		t.Errorf("delete %+v", del)
	}
	to := s.waitFor(t, "the timeout notice", func(ev feeds.Event) bool { return ev.ID == "mod-to-1" })
	if to.Text != "pickle56 was timed out for 90s by a moderator" {
		t.Errorf("timeout notice %q", to.Text)
	}
}

func TestBannedTrollGoesQuiet(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "twitch", clk)
	troll := c.cast.people[c.cast.trolls[0]].handle
	if err := c.Do(context.Background(), feeds.Action{ID: "b", Kind: feeds.ActBan, TargetAuthor: troll}); err != nil {
		t.Fatal(err)
	}
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	s.waitFor(t, "the ban", func(ev feeds.Event) bool { return ev.ID == "mod-b" })
	for i := 0; i < 60; i++ {
		clk.Add(time.Second)
		c.poke() // the clock jumped; Run would notice within maxSleep
		at := clk.Now()
		s.waitFor(t, "the scenario to catch up", func(ev feeds.Event) bool { return !ev.Time.Before(at.Add(-time.Second)) })
	}
	if n := s.count(func(ev feeds.Event) bool { return ev.Author == troll && ev.Kind == feeds.KindMessage }); n != 0 {
		t.Errorf("banned %s still posted %d messages", troll, n)
	}
}

func TestDoErrors(t *testing.T) {
	ctx := context.Background()
	irc := newDemo(t, "irc", newClock())
	for _, k := range []feeds.ActionKind{feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban, "favourite"} {
		if err := irc.Do(ctx, feeds.Action{ID: "x", Kind: k, Target: "irc-1", TargetAuthor: "bob"}); !feeds.IsPermanent(err) {
			t.Errorf("irc %s: %v, want a permanent error", k, err)
		}
	}
	tw := newDemo(t, "twitch", newClock())
	long := make([]byte, 501)
	for i := range long {
		long[i] = 'a'
	}
	for _, a := range []feeds.Action{
		{ID: "1", Kind: feeds.ActReply, Text: "  "},
		{ID: "2", Kind: feeds.ActReply, Text: string(long)},
		{ID: "3", Kind: feeds.ActDelete},
		{ID: "4", Kind: feeds.ActBan},
		{ID: "5", Kind: feeds.ActUnban, TargetAuthor: "bob"},
	} {
		if err := tw.Do(ctx, a); !feeds.IsPermanent(err) {
			t.Errorf("%+v: %v, want a permanent error", a, err)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := tw.Do(canceled, feeds.Action{ID: "6", Kind: feeds.ActReply, Text: "hi"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Do on a canceled context: %v", err)
	}
}

func TestDoQueueBounded(t *testing.T) {
	c := newDemo(t, "bluesky", newClock())
	var err error
	for i := 0; i < maxQueue+1 && err == nil; i++ {
		err = c.Do(context.Background(), feeds.Action{ID: strconv.Itoa(i), Kind: feeds.ActDelete, Target: "x"})
	}
	if err == nil || feeds.IsPermanent(err) {
		t.Errorf("full queue: %v, want a retryable error", err)
	}
}

func TestCapabilities(t *testing.T) {
	want := map[string]struct {
		max  int
		acts []feeds.ActionKind
	}{
		"twitch":   {500, []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan}},
		"irc":      {400, []feeds.ActionKind{feeds.ActReply, feeds.ActPost}},
		"mastodon": {500, []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete}},
		"bluesky":  {300, []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete}},
	}
	for p, w := range want {
		c := newDemo(t, p, newClock())
		var _ feeds.Connector = c
		caps := c.Capabilities()
		if c.Platform() != p || caps.MaxText != w.max || !caps.Idempotent || len(caps.Actions) != len(w.acts) {
			t.Errorf("%s: %+v", p, caps)
		}
		for _, k := range w.acts {
			if !caps.Can(k) {
				t.Errorf("%s cannot %s", p, k)
			}
		}
		caps.Actions[0] = "mutated"
		if !c.Capabilities().Can(feeds.ActReply) {
			t.Errorf("%s: Capabilities shares its slice", p)
		}
	}
}

func TestOffsetOpensOnTheCrisis(t *testing.T) {
	clk := newClock()
	c, err := New(Config{Platform: "twitch", Rate: 20, Now: clk.Now, Offset: 3 * time.Minute, Brand: "@acme"})
	if err != nil {
		t.Fatal(err)
	}
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	clk.Add(5 * time.Second)
	ev := s.waitFor(t, "an event", func(feeds.Event) bool { return true })
	if ev.Feed != "twitch" || ev.Channel != "#acme" || ev.Time.Before(clk.Now().Add(-6*time.Second)) {
		t.Errorf("event %+v", ev)
	}
	if ph := c.phaser.Phase(c.pos(clk.Now())); ph != "crisis" {
		t.Errorf("phase %q", ph)
	}
}

// A restarted program replays the same seeded content; its ids must not
// collide with the previous run's, or the hub would drop them as repeats.
func TestIDsDifferAcrossInstances(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	a, _ := New(Config{Platform: "twitch", Feed: "t", Seed: 1, Now: func() time.Time { return t0 }})
	b, _ := New(Config{Platform: "twitch", Feed: "t", Seed: 1, Now: func() time.Time { return t0.Add(time.Minute) }})
	if a.session == b.session {
		t.Fatalf("two runs share the id prefix %q", a.session)
	}
}

// A post is the brand speaking first: it answers nobody, and nobody
// answers it back.
func TestPostAppearsAsTheBrands(t *testing.T) {
	clk := newClock()
	c := newDemo(t, "mastodon", clk)
	s := newStream()
	stop := running(t, c, s)
	defer stop()
	a := feeds.Action{ID: "post-1", Feed: "mastodon", Kind: feeds.ActPost, Text: "We're aware of reports about the case.",
		Target: "ignored", TargetAuthor: "ignored", Operator: "sam"}
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	ev := s.waitFor(t, "the brand's post", func(ev feeds.Event) bool { return ev.Author == "lumio" })
	if ev.ReplyTo != "" || ev.Text != a.Text || !ev.HasBadge(feeds.BadgeBrand) {
		t.Errorf("post %+v", ev)
	}
	if err := c.Do(context.Background(), feeds.Action{ID: "post-2", Kind: feeds.ActPost, Text: " "}); !feeds.IsPermanent(err) {
		t.Errorf("an empty post: %v", err)
	}
}
