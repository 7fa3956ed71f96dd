package mastodon

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds"
)

// What one connector read, another takes: its streams' last ids, and the
// time the gap starts. What is not a cursor of a configured stream is
// ignored.
func TestCursorHandsOver(t *testing.T) {
	f := newFakeServer(t)
	first := testConnector(t, f.srv.URL, "hashtag:lumio", "user")
	if got := first.Cursor(); got != "" {
		t.Errorf("Cursor before any read = %q, want \"\"", got)
	}
	first.now = func() time.Time { return time.Date(2026, 11, 30, 12, 1, 3, 0, time.UTC) }
	first.advance("hashtag:lumio", "110000000000000007", "")
	first.advance("user", "42", "17")
	c := first.Cursor()
	if want := "at=2026-11-30T12:01:03Z hashtag:lumio=110000000000000007 user=42/17"; c != want {
		t.Fatalf("Cursor = %q, want %q", c, want)
	}
	next := testConnector(t, f.srv.URL, "hashtag:lumio", "user")
	next.advance("user", "43", "") // read further here: kept
	next.Resume(c)
	for _, bad := range []string{
		"at=2026-11-30T12:01:03Z list:9=5",                 // not a stream of this feed
		"at=2026-11-30T12:01:03Z hashtag:lumio=9%0a9",      // not an id
		"at=soon hashtag:lumio=110000000000000099",         // no time
		"hashtag:lumio=110000000000000099",                 // no time
		"at=2026-11-30T12:01:03Z hashtag:lumio=1/\x1b[2J0", // not an id
	} {
		next.Resume(bad)
	}
	want := map[string]cursor{
		"hashtag:lumio": {status: "110000000000000007", primed: true},
		"user":          {status: "43", notification: "17"},
	}
	for k, w := range want {
		if got := next.cursors[k]; got == nil || *got != w {
			t.Errorf("cursor of %s = %+v, want %+v", k, got, w)
		}
	}
	if len(next.cursors) != 2 {
		t.Errorf("cursors %v, want the two streams only", next.cursors)
	}
	if !next.dropped.Equal(time.Date(2026, 11, 30, 12, 1, 3, 0, time.UTC)) {
		t.Errorf("the gap starts at %v, want the cursor's time", next.dropped)
	}
}

// The ingest node running a Mastodon feed dies; the other takes the feed
// over from the stored cursor and reads back from the timeline what was
// posted while nobody read the stream. Every post is in the event stream
// once, and a notice says the gap was filled.
func TestFailoverBackfills(t *testing.T) {
	srv, err := cluster.Serve(&server.Options{Host: "127.0.0.1", Port: -1, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	f := newFakeServer(t)
	const feed = "social"
	dial := func(node string) *cluster.Conn {
		t.Helper()
		c, err := cluster.Dial(context.Background(), srv.ClientURL(), node, cluster.Options{LeaseTTL: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.NC.Close)
		return c
	}
	start := func(node string) (*cluster.Conn, func()) {
		t.Helper()
		c := dial(node)
		in, err := c.NewIngest([]cluster.Feed{{ID: feed, Conn: testConnector(t, f.srv.URL, "hashtag:lumio")}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); in.Run(ctx, func(e string) { t.Logf("%s: %s", node, e) }) }()
		// Killed as a crash would: the connection first, so that the
		// node gives nothing up.
		kill := sync.OnceFunc(func() { c.NC.Close(); cancel(); <-done })
		t.Cleanup(kill)
		return c, kill
	}
	stored := followEvents(t, dial("watcher"))
	a, killA := start("ingest-a")

	var posts []status
	fc := f.accept(t)
	for range 3 {
		st := f.newStatus("live")
		posts = append(posts, st)
		fc.send(t, updateFrame(st))
	}
	stored.wait(t, "the live posts", func(evs map[string]feeds.Event) bool { return hasAll(evs, posts) })
	waitCursorHas(t, a, feed, posts[2].ID)
	start("ingest-b") // waits for the lease a holds

	// Posted after the stream sent its last frame to a: only in the
	// timeline, then a dies.
	for range 3 {
		posts = append(posts, f.newStatus("missed"))
	}
	killA()
	fc = f.accept(t) // b runs the feed
	var notice string
	stored.wait(t, "the missed posts and the gap notice", func(evs map[string]feeds.Event) bool {
		for _, ev := range evs {
			if ev.Kind == feeds.KindNotice {
				notice = ev.Text
			}
		}
		return notice != "" && hasAll(evs, posts)
	})
	st := f.newStatus("live again")
	posts = append(posts, st)
	fc.send(t, updateFrame(st))
	stored.wait(t, "every post", func(evs map[string]feeds.Event) bool { return hasAll(evs, posts) })
	if !strings.HasPrefix(notice, "gap ") || !strings.Contains(notice, "filled from the timeline (3 posts)") {
		t.Errorf("gap notice %q, want one saying the 3 missed posts were read back", notice)
	}
	stored.mu.Lock()
	defer stored.mu.Unlock()
	for id, n := range stored.n {
		if n != 1 {
			t.Errorf("event %s is %d times in the stream", id, n)
		}
	}
	var mins []string
	for _, r := range f.requests("GET", "/api/v1/timelines/tag/lumio") {
		if m := r.query.Get("min_id"); m != "" {
			mins = append(mins, m)
		}
	}
	if len(mins) == 0 || mins[0] != posts[2].ID {
		t.Errorf("the timeline was read back with min_id %v, want from %s, the stored cursor", mins, posts[2].ID)
	}
}

func hasAll(evs map[string]feeds.Event, posts []status) bool {
	for _, p := range posts {
		if _, ok := evs[p.ID]; !ok {
			return false
		}
	}
	return true
}

// streamed is what the event stream holds, by event id.
type streamed struct {
	mu      sync.Mutex
	evs     map[string]feeds.Event
	n       map[string]int
	changed chan struct{}
}

// followEvents reads the cluster's event stream as it grows.
func followEvents(t *testing.T, c *cluster.Conn) *streamed {
	t.Helper()
	cons, err := c.JS.OrderedConsumer(context.Background(), cluster.EventStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := cons.Messages()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(it.Stop)
	s := &streamed{evs: map[string]feeds.Event{}, n: map[string]int{}, changed: make(chan struct{}, 1)}
	go func() {
		for {
			m, err := it.Next()
			if err != nil {
				return
			}
			var ev feeds.Event
			if json.Unmarshal(m.Data(), &ev) != nil {
				continue
			}
			s.mu.Lock()
			s.evs[ev.ID] = ev
			s.n[ev.ID]++
			s.mu.Unlock()
			select {
			case s.changed <- struct{}{}:
			default:
			}
		}
	}()
	return s
}

// wait waits until ok holds of what the stream holds.
func (s *streamed) wait(t *testing.T, what string, ok func(map[string]feeds.Event) bool) {
	t.Helper()
	for {
		s.mu.Lock()
		done := ok(s.evs)
		n := len(s.evs)
		s.mu.Unlock()
		if done {
			return
		}
		select {
		case <-s.changed:
		case <-time.After(patience):
			t.Fatalf("the event stream never held %s (it holds %d events)", what, n)
		}
	}
}

// waitCursorHas waits until feed's stored cursor holds id.
func waitCursorHas(t *testing.T, c *cluster.Conn, feed, id string) {
	t.Helper()
	kv, err := c.JS.KeyValue(context.Background(), cluster.CursorBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(context.Background(), cluster.Token(feed))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				t.Fatal("the cursor watch ended")
			}
			if e != nil && strings.Contains(string(e.Value()), "="+id) {
				return
			}
		case <-time.After(patience):
			t.Fatalf("the stored cursor never reached %s", id)
		}
	}
}
