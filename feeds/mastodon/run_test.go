package mastodon

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// patience bounds a broken test's wait; it asserts nothing about speed.
const patience = 30 * time.Second

func (f *fakeServer) accept(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case fc := <-f.conns:
		return fc
	case <-time.After(patience):
		t.Fatal("the connector did not open the stream")
	}
	return nil
}

// supervise runs c like the supervisor: again after each failure, until
// ctx ends; each run's error is sent on the channel.
func supervise(ctx context.Context, c *Connector, s feeds.Stream) <-chan error {
	errs := make(chan error, 16)
	go func() {
		defer close(errs)
		for ctx.Err() == nil {
			errs <- c.Run(ctx, s)
		}
	}()
	return errs
}

func messageIDs(evs []feeds.Event) []string {
	var ids []string
	for _, ev := range evs {
		if ev.Kind == feeds.KindMessage {
			ids = append(ids, ev.ID)
		}
	}
	return ids
}

func TestRunStreams(t *testing.T) {
	f := newFakeServer(t)
	c := testConnector(t, f.srv.URL, "hashtag:lumio", "user", "list:42")
	s := feedstest.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	errs := supervise(ctx, c, s)

	fc := f.accept(t)
	if q := fc.r.URL.Query(); q.Get("stream") != "hashtag" || q.Get("tag") != "lumio" || q.Get("access_token") != "" {
		t.Errorf("stream opened with %q", fc.r.URL.RawQuery)
	}
	for _, want := range []map[string]string{{"type": "subscribe", "stream": "user"}, {"type": "subscribe", "stream": "list", "list": "42"}} {
		select {
		case got := <-fc.subscribed:
			if len(got) != len(want) || got["stream"] != want["stream"] || got["list"] != want["list"] || got["type"] != "subscribe" {
				t.Errorf("subscribed with %v, want %v", got, want)
			}
		case <-time.After(patience):
			t.Fatal("no subscribe message")
		}
	}
	st := f.newStatus("hello #lumio")
	fc.send(t, updateFrame(st))
	evs := s.WaitEvents(t, 1, patience)
	if evs[0].ID != st.ID || evs[0].Text != "hello #lumio" || evs[0].Channel != "#lumio" {
		t.Errorf("event = %+v", evs[0])
	}
	s.WaitFor(t, patience, "connected", func(s *feedstest.Stream) bool { return s.Connections() == 1 })
	if got := s.StatusOf("streams"); got != "#lumio · home · list:42" {
		t.Errorf("streams status = %q", got)
	}
	// The instance's limit was read.
	if got := c.Capabilities().MaxText; got != 300 {
		t.Errorf("MaxText = %d, want the instance's 300", got)
	}
	cancel()
	for err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
}

// The server drops the stream mid-way; what was posted meanwhile is read
// back from the timeline, page by page, and what the new stream repeats is
// not shown twice.
func TestRunResumesWithBackfill(t *testing.T) {
	f := newFakeServer(t)
	f.pageSize = 2 // forces pages
	c := testConnector(t, f.srv.URL, "hashtag:lumio")
	s := feedstest.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := supervise(ctx, c, s)

	var all []status
	fc := f.accept(t)
	for i := 1; i <= 3; i++ {
		st := f.newStatus("live " + string(rune('0'+i)))
		all = append(all, st)
		fc.send(t, updateFrame(st))
	}
	s.WaitEvents(t, 3, patience)
	// Posted while the stream is down: only in the timeline.
	for i := 4; i <= 6; i++ {
		all = append(all, f.newStatus("missed "+string(rune('0'+i))))
	}
	fc.drop()
	select {
	case err := <-errs:
		if err == nil || errors.Is(err, context.Canceled) {
			t.Fatalf("a dropped stream ended Run with %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Run did not end when the stream dropped")
	}
	fc = f.accept(t)
	// The new stream repeats the last missed post, then goes on.
	fc.send(t, updateFrame(all[5]))
	s.WaitFor(t, patience, "the gap notice", func(s *feedstest.Stream) bool {
		for _, ev := range s.Events() {
			if ev.Kind == feeds.KindNotice {
				return true
			}
		}
		return false
	})
	st := f.newStatus("live 7")
	all = append(all, st)
	fc.send(t, updateFrame(st))

	s.WaitFor(t, patience, "seven posts", func(s *feedstest.Stream) bool { return len(messageIDs(s.Events())) >= 7 })
	evs := s.Events()
	var want []string
	for _, st := range all {
		want = append(want, st.ID)
	}
	if got := messageIDs(evs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("posts\n got %v\nwant %v", got, want)
	}
	var notices []feeds.Event
	for i, ev := range evs {
		if ev.Kind == feeds.KindNotice {
			notices = append(notices, ev)
			if i < 3 {
				t.Errorf("gap notice at %d, before the posts that preceded the gap", i)
			}
		}
	}
	if len(notices) != 1 || !strings.HasPrefix(notices[0].Text, "gap ") || !strings.Contains(notices[0].Text, "filled from the timeline (3 posts)") || notices[0].Channel != "#lumio" {
		t.Errorf("gap notices = %+v", notices)
	}
	// The gap was read page by page from the last id seen.
	var mins []string
	for _, r := range f.requests("GET", "/api/v1/timelines/tag/lumio") {
		mins = append(mins, r.query.Get("min_id"))
	}
	if !strings.Contains(strings.Join(mins, ","), all[2].ID+","+all[4].ID) {
		t.Errorf("timeline read with min_id %v; want pages from %s then %s", mins, all[2].ID, all[4].ID)
	}
	cancel()
	for range errs {
	}
}

// A gap longer than the backfill bound is marked as not filled whole.
func TestBackfillBound(t *testing.T) {
	f := newFakeServer(t)
	f.pageSize = 2
	c := testConnector(t, f.srv.URL, "hashtag:lumio")
	c.backfill = 3
	s := feedstest.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := supervise(ctx, c, s)
	fc := f.accept(t)
	fc.send(t, updateFrame(f.newStatus("first")))
	s.WaitEvents(t, 1, patience)
	for range 6 {
		f.newStatus("missed")
	}
	fc.drop()
	<-errs
	f.accept(t)
	s.WaitFor(t, patience, "a gap notice", func(s *feedstest.Stream) bool {
		for _, ev := range s.Events() {
			if ev.Kind == feeds.KindNotice {
				return true
			}
		}
		return false
	})
	for _, ev := range s.Events() {
		if ev.Kind == feeds.KindNotice && !strings.Contains(ev.Text, "partly filled") {
			t.Errorf("notice %q; want it to say the gap was partly filled", ev.Text)
		}
	}
	if n := len(messageIDs(s.Events())); n != 1+4 { // two pages of two
		t.Errorf("%d posts after a bounded backfill, want 5", n)
	}
}

func TestRunRefusedToken(t *testing.T) {
	f := newFakeServer(t)
	t.Setenv("BAD_TOKEN", "nope")
	c, err := New("social", Config{Instance: f.srv.URL, TokenEnv: "BAD_TOKEN", Streams: []string{"user"}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(context.Background(), feedstest.NewStream())
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "The access token is invalid") || strings.Contains(err.Error(), "nope") {
		t.Errorf("Run with a refused token: %v; want a permanent error with the server's reason and without the token", err)
	}
}
