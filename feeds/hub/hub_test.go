package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// memStore is an EventStore in memory that records what it was given.
type memStore struct {
	mu      sync.Mutex
	batches [][]feeds.Event
	byID    map[string]feeds.Event
	fail    error
}

func newMemStore() *memStore { return &memStore{byID: make(map[string]feeds.Event)} }

func (s *memStore) AppendEvents(evs []feeds.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.batches = append(s.batches, append([]feeds.Event(nil), evs...))
	for _, ev := range evs {
		s.byID[ev.Feed+"/"+ev.ID] = ev
	}
	return nil
}

func (s *memStore) MarkDeleted(feed, id string) (feeds.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, ok := s.byID[feed+"/"+id]
	if !ok {
		return feeds.Event{}, errors.New("not found")
	}
	ev.Deleted = true
	s.byID[feed+"/"+id] = ev
	return ev, nil
}

func (s *memStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.batches {
		n += len(b)
	}
	return n
}

// taken is what a test gathered from one Take or more, topic by topic.
type taken struct {
	Events, Updates []feeds.Event
	Outbox          []outbox.Outgoing
	Health          []Health
	Dropped         int
	Err             string
}

// gather adds what b carries to t.
func (t *taken) gather(b Batch) {
	t.Events = append(t.Events, Items(b, TopicEvents)...)
	t.Updates = append(t.Updates, Items(b, TopicUpdates)...)
	t.Outbox = append(t.Outbox, Items(b, TopicOutbox)...)
	t.Dropped += Dropped(b, TopicEvents)
	if hl, ok := Last(b, TopicHealth); ok {
		t.Health = hl
	}
	if e, ok := Last(b, TopicErrors); ok {
		t.Err = e
	}
}

// took is what one Take carried.
func took(b Batch) taken {
	var t taken
	t.gather(b)
	return t
}

// takeUntil drains a subscription until n events arrived or the guard
// timeout (a failure guard, not a timing assertion) passes.
func takeUntil(t *testing.T, sub *Subscription, n int) taken {
	t.Helper()
	var all taken
	guard := time.After(10 * time.Second)
	for len(all.Events) < n {
		select {
		case <-sub.Ready():
			all.gather(sub.Take())
		case <-guard:
			t.Fatalf("got %d events, want %d", len(all.Events), n)
		}
	}
	return all
}

// waitUntil polls cond until it holds, and fails the test with what once
// the guard timeout (a failure guard, not a timing assertion) has passed.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
		time.Sleep(time.Millisecond)
	}
}

func runHub(t *testing.T, h *Hub) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return cancel
}

func TestHubDropsDuplicatesAndAssignsSeq(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st, LastSeq: 41, Seen: []feeds.Event{{Feed: "a", ID: "old"}}})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	ctx := context.Background()
	for _, ev := range []feeds.Event{
		{Feed: "a", ID: "1", Text: "one"},
		{Feed: "a", ID: "1", Text: "one again"}, // duplicate
		{Feed: "b", ID: "1", Text: "same id, other feed"},
		{Feed: "a", ID: "old", Text: "seen before the restart"},
		{Feed: "a", ID: "2", Text: "two"},
	} {
		if err := h.Ingest(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	got := takeUntil(t, sub, 3)
	var texts []string
	for i, ev := range got.Events {
		texts = append(texts, ev.Text)
		if want := uint64(42 + i); ev.Seq != want {
			t.Errorf("event %d: seq %d, want %d", i, ev.Seq, want)
		}
	}
	if want := "one|same id, other feed|two"; strings.Join(texts, "|") != want {
		t.Errorf("events %q, want %q", strings.Join(texts, "|"), want)
	}
	if n := st.count(); n != 3 {
		t.Errorf("stored %d events, want 3", n)
	}
}

func TestHubSanitizesBeforeStoreAndSubscribers(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	hostile := feeds.Event{
		Feed: "a", ID: "x\x1b[2J", Author: "evil\x1b]0;pwned\x07", AuthorName: "\u202Eadmin",
		Channel: "#c\r\nPRIVMSG", Badges: []string{"mod\x07"},
		Text:    "hi\x1b]52;c;ZXZpbA==\x07 there\u009b2J",
		Warning: "cw\x1b[31m\nred", RepostOf: "bob\x1b]8;;http://x\x07",
	}
	if err := h.Ingest(context.Background(), hostile); err != nil {
		t.Fatal(err)
	}
	ev := takeUntil(t, sub, 1).Events[0]
	for name, v := range map[string]string{
		"id": ev.ID, "author": ev.Author, "author_name": ev.AuthorName, "channel": ev.Channel,
		"badge": ev.Badges[0], "text": ev.Text, "warning": ev.Warning, "repost_of": ev.RepostOf,
	} {
		for _, r := range v {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x202E {
				t.Errorf("%s %q still holds control %U", name, v, r)
			}
		}
	}
	if ev.Text != "hi there" {
		t.Errorf("text %q, want %q", ev.Text, "hi there")
	}
	st.mu.Lock()
	stored := st.batches[0][0]
	st.mu.Unlock()
	if stored.Text != ev.Text || stored.Author != ev.Author {
		t.Errorf("store got %q/%q, subscriber %q/%q: sanitizing must happen once, before both", stored.Author, stored.Text, ev.Author, ev.Text)
	}
}

// A subscriber that never reads must not stall ingest or other subscribers;
// its backlog is bounded and what it missed is counted.
func TestHubSlowSubscriberDoesNotStallIngest(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st, SubscriberBacklog: 100})
	stuck := h.Subscribe(context.Background())
	live := h.Subscribe(context.Background())
	runHub(t, h)

	const n = 5000
	go func() {
		for i := range n {
			h.Ingest(context.Background(), feeds.Event{Feed: "a", ID: fmt.Sprint(i)})
		}
	}()
	// The reading subscriber may also fall behind a flood (its backlog is
	// small here), but it is told exactly how much it missed.
	var got, dropped int
	guard := time.After(10 * time.Second)
	for got+dropped < n {
		select {
		case <-live.Ready():
			b := took(live.Take())
			got, dropped = got+len(b.Events), dropped+b.Dropped
		case <-guard:
			t.Fatalf("live subscriber: %d events + %d dropped, want %d", got, dropped, n)
		}
	}
	if st.count() != n {
		t.Fatalf("stored %d, want %d", st.count(), n)
	}
	// The hub hands a batch to one subscriber after the other: the live
	// one may have the last before the stuck one does.
	waitUntil(t, "the stuck subscriber was never handed the last events", func() bool {
		stuck.mu.Lock()
		defer stuck.mu.Unlock()
		last, _ := Last(stuck.pending, TopicEvents)
		return last.ID == fmt.Sprint(n-1)
	})
	b := took(stuck.Take())
	if len(b.Events) > 100 {
		t.Errorf("stuck subscriber holds %d events, backlog is 100", len(b.Events))
	}
	if len(b.Events)+b.Dropped != n {
		t.Errorf("stuck subscriber: %d held + %d dropped != %d", len(b.Events), b.Dropped, n)
	}
	if last := b.Events[len(b.Events)-1]; last.ID != fmt.Sprint(n-1) {
		t.Errorf("stuck subscriber kept %q last; it must keep the newest", last.ID)
	}
}

func TestHubUnsubscribesWhenContextEnds(t *testing.T) {
	h := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	h.Subscribe(ctx)
	cancel()
	waitUntil(t, "subscriber still registered after its context ended", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.subs) == 0
	})
}

func TestHubAppliesDeletes(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	ctx := context.Background()
	h.Ingest(ctx, feeds.Event{Feed: "a", ID: "m1", Text: "spam"})
	takeUntil(t, sub, 1)
	h.Ingest(ctx, feeds.Event{Feed: "a", ID: "d1", Kind: feeds.KindDelete, Target: "m1"})
	h.Ingest(ctx, feeds.Event{Feed: "a", ID: "m2", Text: "after"})
	got := takeUntil(t, sub, 1)
	if len(got.Updates) != 1 || got.Updates[0].ID != "m1" || !got.Updates[0].Deleted || got.Updates[0].Seq != 1 {
		t.Fatalf("updates %+v, want m1 (seq 1) deleted", got.Updates)
	}
	if got.Events[0].ID != "m2" || got.Events[0].Seq != 2 {
		t.Errorf("a delete marker must not take a seq or a row: got %+v", got.Events[0])
	}
}

func TestHubReportsStoreErrors(t *testing.T) {
	st := newMemStore()
	st.fail = errors.New("disk full")
	h := New(Options{Store: st})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	h.Ingest(context.Background(), feeds.Event{Feed: "a", ID: "1"})
	got := takeUntil(t, sub, 1)
	if !strings.Contains(got.Err, "disk full") {
		t.Errorf("batch error %q, want the store's error", got.Err)
	}
}

func TestSeenSetIsBounded(t *testing.T) {
	s := newSeenSet(10)
	for i := range 1000 {
		if !s.add(fmt.Sprint(i)) {
			t.Fatalf("id %d reported seen", i)
		}
	}
	if n := len(s.cur) + len(s.prev); n > 20 {
		t.Errorf("holds %d ids, bound is 20", n)
	}
	if s.add("999") {
		t.Error("a recent id was forgotten")
	}
}

// A stuck subscriber's deletions and outbox changes are bounded too.
func TestStuckSubscriberStaysBounded(t *testing.T) {
	h := New(Options{SubscriberBacklog: 100})
	stuck := h.Subscribe(context.Background())
	runHub(t, h)
	for i := range 1000 {
		Publish(h, TopicOutbox, outbox.Outgoing{Action: feeds.Action{ID: fmt.Sprint(i % 10)}, State: outbox.StateSending, Attempts: i})
		h.Ingest(context.Background(), feeds.Event{Feed: "a", Kind: feeds.KindDelete, Target: fmt.Sprint(i)})
	}
	// Wait for the last delete to land (ingest is asynchronous), on
	// content rather than on a pause that a busy machine outlasts.
	deadline := time.Now().Add(10 * time.Second)
	var b taken
	for {
		stuck.mu.Lock()
		ups := Items(stuck.pending, TopicUpdates)
		stuck.mu.Unlock()
		if len(ups) > 0 && ups[len(ups)-1].ID == "999" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the last delete never reached the subscriber")
		}
		time.Sleep(5 * time.Millisecond)
	}
	b = took(stuck.Take())
	if len(b.Updates) > 100 || len(b.Outbox) > 100 {
		t.Fatalf("stuck subscriber holds %d updates and %d outbox changes, backlog 100", len(b.Updates), len(b.Outbox))
	}
	latest := make(map[string]int)
	for _, o := range b.Outbox {
		latest[o.Action.ID] = o.Attempts
	}
	for id, attempts := range latest {
		if want := 990 + int(id[0]-'0'); attempts != want {
			t.Errorf("item %s: kept attempts %d, want its latest %d", id, attempts, want)
		}
	}
	if last := b.Updates[len(b.Updates)-1]; last.ID != "999" {
		t.Errorf("last update %q, want the newest", last.ID)
	}
}

// TestCommitNewCountsRepeats: a batch committed again stores nothing and
// says so; the new events of a mixed batch are counted; a failed store
// counts none.
func TestCommitNewCountsRepeats(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st})
	runHub(t, h)
	ctx := context.Background()
	batch := func(ids ...string) []feeds.Event {
		var evs []feeds.Event
		for _, id := range ids {
			evs = append(evs, feeds.Event{Feed: "hook", ID: id, Text: "t"})
		}
		return evs
	}
	for _, c := range []struct {
		ids  []string
		want int
	}{
		{[]string{"1", "2", "3"}, 3},
		{[]string{"1", "2", "3"}, 0},
		{[]string{"3", "4", "4", ""}, 2}, // an event without id is always new
	} {
		if n, err := h.CommitNew(ctx, batch(c.ids...)); n != c.want || err != nil {
			t.Errorf("CommitNew(%v) = %d, %v; want %d new", c.ids, n, err, c.want)
		}
	}
	st.mu.Lock()
	st.fail = errors.New("disk full")
	st.mu.Unlock()
	if n, err := h.CommitNew(ctx, batch("5")); n != 0 || err == nil {
		t.Errorf("failed store: %d new, %v", n, err)
	}
}

// failingStore fails every batch holding an event of feed bad.
type failingStore struct {
	*memStore
	bad string
}

func (s failingStore) AppendEvents(evs []feeds.Event) error {
	for _, ev := range evs {
		if ev.Feed == s.bad {
			return errors.New("refused " + s.bad)
		}
	}
	return s.memStore.AppendEvents(evs)
}

func (s *memStore) batchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, b := range s.batches {
		out = append(out, len(b))
	}
	return out
}

// Events from every feed, and a Commit's, arriving within CommitEvery share
// one transaction; the Commit returns once they are stored.
func TestHubGroupCommit(t *testing.T) {
	st := newMemStore()
	// The group closes when full: no clock in this test.
	h := New(Options{Store: st, MaxBatch: 9, CommitEvery: time.Hour})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	ctx := context.Background()
	for i := range 6 {
		h.Ingest(ctx, feeds.Event{Feed: fmt.Sprintf("f%d", i%3), ID: fmt.Sprint(i)})
	}
	err := h.Commit(ctx, []feeds.Event{{Feed: "hook", ID: "a"}, {Feed: "hook", ID: "b"}, {Feed: "hook", ID: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.batchSizes(); len(got) != 1 || got[0] != 9 {
		t.Fatalf("when Commit returned the store had batches %v, want one of 9", got)
	}
	got := takeUntil(t, sub, 9)
	for i, ev := range got.Events {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: arrival order is seq order", i, ev.Seq)
		}
	}
}

// A group that fails as a whole is stored part by part: a Commit's error
// is about its own events only.
func TestHubGroupCommitErrorsAnswerTheirOwnEvents(t *testing.T) {
	st := failingStore{newMemStore(), "bad"}
	h := New(Options{Store: st, MaxBatch: 4, CommitEvery: time.Hour})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	ctx := context.Background()
	h.Ingest(ctx, feeds.Event{Feed: "bad", ID: "1"})
	h.Ingest(ctx, feeds.Event{Feed: "bad", ID: "2"})
	if err := h.Commit(ctx, []feeds.Event{{Feed: "hook", ID: "a"}, {Feed: "hook", ID: "b"}}); err != nil {
		t.Fatalf("Commit of good events failed with the group: %v", err)
	}
	if st.count() != 2 {
		t.Errorf("stored %d events, want the Commit's 2", st.count())
	}
	got := takeUntil(t, sub, 4)
	if !strings.Contains(got.Err, "refused bad") {
		t.Errorf("error %q, want the store's refusal of the bad feed", got.Err)
	}
	errc := make(chan error, 1)
	go func() { errc <- h.Commit(ctx, []feeds.Event{{Feed: "bad", ID: "3"}}) }()
	for i := range 3 {
		h.Ingest(ctx, feeds.Event{Feed: "good", ID: fmt.Sprint(i)})
	}
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "refused bad") {
		t.Errorf("Commit of a refused event returned %v", err)
	}
}

// A lone event does not wait for company longer than CommitEvery.
func TestHubGroupClosesOnTime(t *testing.T) {
	st := newMemStore()
	h := New(Options{Store: st, CommitEvery: time.Millisecond})
	sub := h.Subscribe(context.Background())
	runHub(t, h)
	h.Ingest(context.Background(), feeds.Event{Feed: "a", ID: "1"})
	takeUntil(t, sub, 1)
	if st.count() != 1 {
		t.Errorf("stored %d events, want 1", st.count())
	}
}
