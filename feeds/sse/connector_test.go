package sse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/hub"
)

// wait bounds a broken test; it asserts nothing about speed.
const wait = 10 * time.Second

var fields = fieldmap.Mapping{Author: "user", Text: "text"}

// server answers the n-th request (from 0) with handle, and records each
// request's Last-Event-ID.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	lastID []string
}

func newServer(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := len(s.lastID)
		s.lastID = append(s.lastID, r.Header.Get("Last-Event-ID"))
		s.mu.Unlock()
		handle(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lastID...)
}

// send writes a piece of stream and flushes it.
func send(w http.ResponseWriter, chunk string) {
	fmt.Fprint(w, chunk)
	w.(http.Flusher).Flush()
}

func streamHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.WriteHeader(http.StatusOK)
}

func newConn(t *testing.T, c Config) *Connector {
	t.Helper()
	conn, err := New("updates", c)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// runOnce runs c until it returns.
func runOnce(t *testing.T, c *Connector, s feeds.Stream) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := c.Run(ctx, s)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("Run did not return")
	}
	return err
}

func TestStreamMapsAndFilters(t *testing.T) {
	t.Setenv("SSE_TOKEN", "k")
	var hdr http.Header
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		hdr = r.Header.Clone()
		streamHeaders(w)
		send(w, ": hello\n\n")
		send(w, "id: 1\ndata: {\"user\":\"ana\",\n")
		send(w, "data:  \"text\":\"multi-line\"}\n\n")
		send(w, "event: update\nid: 2\ndata: {\"user\":\"bo\",\"text\":\"named\"}\n\n")
		send(w, "id: 3\r\ndata: [{\"user\":\"cy\",\"text\":\"a\"},{\"user\":\"di\",\"text\":\"b\"}]\r\n\r\n")
		send(w, "data: {\"user\":\"no text\"}\n\ndata: not json\n\n")
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields, AuthEnv: "SSE_TOKEN", AuthHeader: "X-Api-Key",
		Headers: map[string]string{"User-Agent": "tribune-test"}})
	s := feedstest.NewStream()
	err := runOnce(t, c, s)
	if err == nil || !strings.Contains(err.Error(), "ended the stream") || feeds.IsPermanent(err) {
		t.Errorf("Run returned %v", err)
	}
	got := map[string]string{}
	for _, ev := range s.Events() {
		got[ev.ID] = ev.Author + ":" + ev.Text
		if ev.Feed != "updates" || ev.Platform != "sse" {
			t.Errorf("feed/platform %q/%q", ev.Feed, ev.Platform)
		}
	}
	want := map[string]string{"1": "ana:multi-line", "3": "cy:a", "3#2": "di:b"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v (the named event is filtered out)", got, want)
	}
	if u := c.unmatched.Count(); u != 2 {
		t.Errorf("%d unmatched events, want 2", u)
	}
	if hdr.Get("X-Api-Key") != "k" || hdr.Get("User-Agent") != "tribune-test" || hdr.Get("Accept") != "text/event-stream" {
		t.Errorf("request headers %v", hdr)
	}
	if s.Connections() != 1 {
		t.Errorf("%d connections", s.Connections())
	}
}

func TestEventTypes(t *testing.T) {
	stream := "data: {\"text\":\"plain\"}\n\nevent: update\ndata: {\"text\":\"update\"}\n\nevent: other\ndata: {\"text\":\"other\"}\n\n"
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, stream)
	})
	for _, tt := range []struct {
		keep []string
		want string
	}{
		{nil, "plain"},
		{[]string{"update"}, "update"},
		{[]string{"update", "message"}, "plain,update"},
		{[]string{"*"}, "plain,update,other"},
	} {
		s := feedstest.NewStream()
		runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, Events: tt.keep}), s)
		var texts []string
		for _, ev := range s.Events() {
			texts = append(texts, ev.Text)
		}
		if strings.Join(texts, ",") != tt.want {
			t.Errorf("events %v: got %v, want %s", tt.keep, texts, tt.want)
		}
	}
}

func TestResumeWithLastEventID(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		switch n {
		case 0:
			send(w, "id: 41\ndata: {\"text\":\"a\"}\n\nid: 42\ndata: {\"text\":\"b\"}\n\n")
		case 1:
			// The id stays 42 for an event without one, and a filtered
			// event still moves it.
			send(w, "data: {\"text\":\"c\"}\n\nevent: ping\nid: 43\ndata: {}\n\n")
		}
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields})
	s := feedstest.NewStream()
	for range 3 {
		runOnce(t, c, s) // each ends when the server closes: a reconnect
	}
	if got := srv.ids(); strings.Join(got, ",") != ",42,43" {
		t.Errorf("Last-Event-ID headers %q, want \"\", 42, 43", got)
	}
	var ids []string
	for _, ev := range s.Events() {
		ids = append(ids, ev.ID)
	}
	// "c" carried no id of its own: it has none, and the hub numbers it.
	if strings.Join(ids, ",") != "41,42," {
		t.Errorf("event ids %q, want 41, 42 and none", ids)
	}
}

func TestRetryHonoured(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 0:
			streamHeaders(w)
			send(w, "retry: 2500\n: hello\n\n")
		case 1:
			http.Error(w, "down", http.StatusInternalServerError)
		case 2:
			streamHeaders(w)
			send(w, "data: {\"text\":\"x\"}\n\n") // and no retry: this time
		default:
			streamHeaders(w) // and nothing at all
		}
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields})
	for i, want := range []time.Duration{
		2500 * time.Millisecond, // a live stream ended: wait as asked
		0,                       // the server failed: the supervisor's backoff
		2500 * time.Millisecond, // a live stream that did not repeat retry:
		0,                       // headers, then nothing: never live
	} {
		err := runOnce(t, c, feedstest.NewStream())
		if d, ok := feeds.RetryAfterOf(err); ok != (want > 0) || d != want {
			t.Errorf("run %d: %v (retry %v), want a wait of %v", i, err, d, want)
		}
	}
}

func TestRetryIsBounded(t *testing.T) {
	for retry, want := range map[string]time.Duration{
		"1":          time.Second,
		"999":        time.Second,
		"1500":       1500 * time.Millisecond,
		"300000":     5 * time.Minute,
		"4294967295": 5 * time.Minute, // 49 days as sent
	} {
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			streamHeaders(w)
			send(w, "retry: "+retry+"\ndata: {\"text\":\"x\"}\n\n")
		})
		err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields}), feedstest.NewStream())
		if d, _ := feeds.RetryAfterOf(err); d != want {
			t.Errorf("retry: %s: waits %v (%v), want %v", retry, d, err, want)
		}
	}
}

func TestRetryDoesNotPaceFailures(t *testing.T) {
	// A server asks for 1 ms and hangs up before the stream proves live,
	// then goes away: neither end, nor the refused connections after it,
	// may pace reconnecting; the supervisor's backoff does.
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "retry: 1\n\n")
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields})
	s := feedstest.NewStream()
	err := runOnce(t, c, s)
	if _, ok := feeds.RetryAfterOf(err); ok || s.Connections() != 0 {
		t.Errorf("a stream that never proved live: %v, %d connections", err, s.Connections())
	}
	srv.Close()
	err = runOnce(t, c, s)
	if _, ok := feeds.RetryAfterOf(err); ok || err == nil || feeds.IsPermanent(err) || !strings.Contains(err.Error(), "connecting") {
		t.Errorf("the server gone: %v, want a plain error", err)
	}
}

func TestConnectedOnlyOnceLive(t *testing.T) {
	for _, tt := range []struct {
		name, stream string
		connected    int
	}{
		{"headers, then hung up", "", 0},
		{"fields but no event", "retry: 1\nid: 7\nevent: x\n\n", 0},
		{"a comment", ": hello\n", 1},
		{"an event of a type not kept", "event: other\ndata: {}\n\n", 1},
		{"an event too big", "data: " + strings.Repeat("x", 200) + "\n\n", 1},
		{"two events", "data: {\"text\":\"a\"}\n\n: ping\ndata: {\"text\":\"b\"}\n\n", 1},
	} {
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			streamHeaders(w)
			send(w, tt.stream)
		})
		s := feedstest.NewStream()
		err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, MaxEvent: 100}), s)
		if s.Connections() != tt.connected {
			t.Errorf("%s: %d connections (%v), want %d", tt.name, s.Connections(), err, tt.connected)
		}
	}
}

// TestEventsWithoutIDReachTheHub runs the connector in a real hub: events
// after one with an id, which inherit its last event ID, are new events,
// not repeats of it.
func TestEventsWithoutIDReachTheHub(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "id: 1\ndata: {\"user\":\"a\",\"text\":\"first\"}\n\n")
		send(w, "data: {\"user\":\"b\",\"text\":\"second\"}\n\n")
		send(w, "data: {\"user\":\"c\",\"text\":\"third\"}\n\n")
		send(w, "id: 1\ndata: {\"user\":\"a\",\"text\":\"first again\"}\n\n") // a real repeat
		send(w, "id: end\ndata: {\"user\":\"d\",\"text\":\"last\"}\n\n")
		<-r.Context().Done()
	})
	got := make(chan feeds.Event, 16)
	h := hub.New(hub.Options{Observe: func(evs []feeds.Event) {
		for _, ev := range evs {
			got <- ev
		}
	}})
	if err := h.Add("updates", newConn(t, Config{URL: srv.URL, Fields: fields})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	var texts []string
	for {
		select {
		case ev := <-got:
			texts = append(texts, ev.Text)
			if ev.ID != "end" {
				continue
			}
		case <-time.After(wait):
			t.Fatalf("the last event did not arrive; have %q", texts)
		}
		break
	}
	if strings.Join(texts, ",") != "first,second,third,last" {
		t.Errorf("the hub kept %q, want first, second, third and last", texts)
	}
}

func TestStatuses(t *testing.T) {
	tests := []struct {
		code      int
		ctype     string
		header    string
		permanent bool
		retry     time.Duration
	}{
		{http.StatusNoContent, "", "", true, 0},
		{http.StatusUnauthorized, "", "", true, 0},
		{http.StatusNotFound, "", "", true, 0},
		{http.StatusRequestTimeout, "", "", false, 0},
		{http.StatusTooManyRequests, "", "5", false, 5 * time.Second},
		{http.StatusTooManyRequests, "", "", false, 0},
		{http.StatusServiceUnavailable, "", "3", false, 3 * time.Second},
		{http.StatusBadGateway, "", "", false, 0},
		{http.StatusOK, "text/html", "", true, 0},
	}
	for _, tt := range tests {
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if tt.header != "" {
				w.Header().Set("Retry-After", tt.header)
			}
			if tt.ctype != "" {
				w.Header().Set("Content-Type", tt.ctype)
			}
			w.WriteHeader(tt.code)
		})
		s := feedstest.NewStream()
		err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields}), s)
		d, _ := feeds.RetryAfterOf(err)
		if err == nil || feeds.IsPermanent(err) != tt.permanent || d != tt.retry || s.Connections() != 0 {
			t.Errorf("%d %s: %v (permanent %v, retry %v, connections %d)", tt.code, tt.ctype, err, feeds.IsPermanent(err), d, s.Connections())
		}
	}
}

func TestStalledStream(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "data: {\"text\":\"one\"}\n\n")
		select { // then nothing
		case <-release:
		case <-r.Context().Done():
		}
	})
	s := feedstest.NewStream()
	err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, IdleTimeout: fieldmap.Duration(200 * time.Millisecond)}), s)
	if err == nil || !strings.Contains(err.Error(), "stalled") || feeds.IsPermanent(err) || len(s.Events()) != 1 {
		t.Errorf("Run returned %v with %d events", err, len(s.Events()))
	}
}

func TestKeepAlivesKeepTheStream(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		// Comments every 100 ms for 1.5 s, three times the idle timeout.
		for range 15 {
			send(w, ": keep-alive\n")
			time.Sleep(100 * time.Millisecond)
		}
		send(w, "data: {\"text\":\"still here\"}\n\n")
	})
	s := feedstest.NewStream()
	err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, IdleTimeout: fieldmap.Duration(500 * time.Millisecond)}), s)
	if evs := s.Events(); len(evs) != 1 || strings.Contains(err.Error(), "stalled") {
		t.Errorf("Run returned %v with %d events", err, len(evs))
	}
}

// A server that drips bytes without ever ending a line is as stalled as
// one that sends nothing: only whole lines push the idle deadline back.
func TestDripIsStalled(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "data: {\"text\":\"one\"}\n\n")
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				send(w, "x") // a line that never ends
			case <-r.Context().Done():
				return
			}
		}
	})
	s := feedstest.NewStream()
	err := runOnce(t, newConn(t, Config{URL: srv.URL, Fields: fields, IdleTimeout: fieldmap.Duration(300 * time.Millisecond)}), s)
	if err == nil || !strings.Contains(err.Error(), "stalled") || len(s.Events()) != 1 {
		t.Errorf("Run returned %v with %d events", err, len(s.Events()))
	}
}

func TestOversizedEventIsSkipped(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "data: {\"text\":\""+strings.Repeat("x", 500)+"\"}\n\ndata: {\"text\":\"small\"}\n\n")
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields, MaxEvent: 100})
	s := feedstest.NewStream()
	runOnce(t, c, s)
	if evs := s.Events(); len(evs) != 1 || evs[0].Text != "small" || c.unmatched.Count() != 1 {
		t.Errorf("events %+v, unmatched %d", evs, c.unmatched.Count())
	}
}

func TestRunEndsWithContext(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, ":\n")
		<-r.Context().Done()
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields})
	s := feedstest.NewStream()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx, s) }()
	s.WaitFor(t, wait, "connected", func(s *feedstest.Stream) bool { return s.Connections() == 1 })
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
}

func TestReadOnly(t *testing.T) {
	c := newConn(t, Config{URL: "http://127.0.0.1:1/", Fields: fields})
	if caps := c.Capabilities(); len(caps.Actions) != 0 {
		t.Errorf("capabilities %+v", caps)
	}
	if err := c.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: "x"}); !feeds.IsPermanent(err) {
		t.Errorf("Do: %v", err)
	}
}

func TestConfig(t *testing.T) {
	t.Setenv("SSE_OK", "ok")
	var cfg Config
	md, err := toml.Decode(`
url = "https://stream.example/v2/stream/recentchange"
platform = "wiki"
headers = { User-Agent = "tribune/1 (ops@example.org)" }
events = ["message", "update"]
idle_timeout = "90s"
max_event = 65536
[fields]
id = "meta.id"
text = "comment"
`, &cfg)
	if err != nil || len(md.Undecoded()) > 0 {
		t.Fatalf("%v, undecoded %v", err, md.Undecoded())
	}
	c := newConn(t, cfg)
	if c.idle != 90*time.Second || c.maxEvent != 65536 || c.Platform() != "wiki" || strings.Join(c.keep, ",") != "message,update" {
		t.Errorf("connector %+v", c)
	}

	for _, tt := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.URL = "" }, "sse: url is missing"},
		{func(c *Config) { c.URL = "ws://x/" }, "must start with http://"},
		{func(c *Config) { c.MaxEvent = -1 }, "sse: max_event must be positive"},
		{func(c *Config) { c.IdleTimeout = -1 }, "sse: idle_timeout must be positive"},
		{func(c *Config) { c.Headers = map[string]string{"X": "a\nb"} }, "sse: headers"},
		{func(c *Config) { c.AuthEnv = "TRIBUNE_SURELY_UNSET" }, "sse: auth: environment variable TRIBUNE_SURELY_UNSET is not set"},
		{func(c *Config) { c.Fields.Text = "" }, "sse: fields.text is missing"},
		{func(c *Config) { c.AuthEnv, c.AuthHeader = "SSE_OK", "X Key" }, `sse: auth_header "X Key"`},
	} {
		c := Config{URL: "http://127.0.0.1:1/", Fields: fields}
		tt.edit(&c)
		if _, err := New("x", c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New: %v, want %q", err, tt.want)
		}
	}
}

// TestDeepEventIsUnmatched: an event nested past the bound is counted as
// unmatched, not validated by recursion, and the stream goes on.
func TestDeepEventIsUnmatched(t *testing.T) {
	deep := strings.Repeat("[", 400000) + strings.Repeat("]", 400000)
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "data: "+deep+"\n\ndata: {\"text\":\"after\"}\n\n")
	})
	c := newConn(t, Config{URL: srv.URL, Fields: fields})
	s := feedstest.NewStream()
	runOnce(t, c, s)
	if evs := s.Events(); len(evs) != 1 || evs[0].Text != "after" || c.unmatched.Count() != 1 {
		t.Errorf("events %+v, unmatched %d", evs, c.unmatched.Count())
	}
	s.WaitFor(t, wait, "the reason shown", func(s *feedstest.Stream) bool {
		return strings.Contains(s.StatusOf(fieldmap.StatusWhy), "nested too deeply")
	})
}

// What one connector read, another resumes from: how an ingest node of a
// cluster takes a feed over.
func TestCursorHandsOver(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		streamHeaders(w)
		send(w, "id: 7\ndata: {\"text\":\"a\"}\n\n")
	})
	first := newConn(t, Config{URL: srv.URL, Fields: fields})
	runOnce(t, first, feedstest.NewStream())
	next := newConn(t, Config{URL: srv.URL, Fields: fields})
	next.Resume(first.Cursor())
	next.Resume("bad\nid") // not a header value: ignored
	runOnce(t, next, feedstest.NewStream())
	if got := srv.ids(); strings.Join(got, ",") != ",7" {
		t.Errorf("Last-Event-ID headers %q, want \"\" then 7", got)
	}
}
