package wsfeed

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
	"github.com/tribune/tribune/feeds/fieldmap"
)

// wait bounds a broken test; it asserts nothing about speed.
const wait = 10 * time.Second

var fields = fieldmap.Mapping{ID: "id", Author: "user.login", Text: "body.text", Channel: "room", Time: "ts"}

// wsServer serves one WebSocket handler per connection.
func wsServer(t *testing.T, handle func(c *websocket.Conn, r *http.Request)) (*httptest.Server, string) {
	t.Helper()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		handle(c, r)
	}))
	t.Cleanup(srv.Close)
	return srv, "ws" + strings.TrimPrefix(srv.URL, "http")
}

// run starts c.Run and returns its result channel; the run is cancelled
// and awaited when the test ends.
func run(t *testing.T, c *Connector, s feeds.Stream) (<-chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		errc <- c.Run(ctx, s)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("Run did not return after cancel")
		}
	})
	return errc, cancel
}

func result(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(wait):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestRunSubscribesAndMapsFrames(t *testing.T) {
	t.Setenv("WS_TOKEN", "s3cret")
	got := make(chan string, 1)
	var hdr http.Header
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		hdr = r.Header.Clone()
		_, sub, err := c.ReadMessage()
		if err != nil {
			return
		}
		got <- string(sub)
		for _, f := range []string{
			`{"id":"1","user":{"login":"ana"},"body":{"text":"hello"},"room":"#launch","ts":1732206348}`,
			`[{"id":2,"body":{"text":"two"}},{"id":"3","body":{"text":"three"}}]`,
			`{"type":"heartbeat"}`,
			`{not json`,
		} {
			c.WriteMessage(websocket.TextMessage, []byte(f))
		}
		c.WriteMessage(websocket.BinaryMessage, []byte(`{"id":"4","body":{"text":"binary"}}`))
		c.ReadMessage() // until the client goes
	})
	c, err := New("chat", Config{
		URL: url, Platform: "inhouse", Fields: fields,
		Headers: map[string]string{"Origin": "http://localhost", "User-Agent": "tribune-test"},
		AuthEnv: "WS_TOKEN", AuthScheme: "Bearer",
		Subscribe: `{"op":"subscribe","room":"#launch"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	run(t, c, s)

	select {
	case sub := <-got:
		if sub != `{"op":"subscribe","room":"#launch"}` {
			t.Errorf("subscribe message %q", sub)
		}
	case <-time.After(wait):
		t.Fatal("no subscribe message")
	}
	evs := s.WaitEvents(t, 4, wait)
	if hdr.Get("Authorization") != "Bearer s3cret" || hdr.Get("Origin") != "http://localhost" || hdr.Get("User-Agent") != "tribune-test" {
		t.Errorf("handshake headers %v", hdr)
	}
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.ID)
		if ev.Feed != "chat" || ev.Platform != "inhouse" {
			t.Errorf("feed/platform %q/%q", ev.Feed, ev.Platform)
		}
	}
	if strings.Join(ids, ",") != "1,2,3,4" {
		t.Errorf("ids %v", ids)
	}
	if e := evs[0]; e.Author != "ana" || e.Text != "hello" || e.Channel != "#launch" || !e.Time.Equal(time.Unix(1732206348, 0)) {
		t.Errorf("first event %+v", e)
	}
	s.WaitFor(t, wait, "2 unmatched frames", func(s *feedstest.Stream) bool {
		return s.StatusOf(fieldmap.StatusUnmatched) == "2 frames"
	})
	if s.Connections() != 1 {
		t.Errorf("%d connections", s.Connections())
	}
}

func TestStalledStreamIsDropped(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		<-release // neither writes nor reads, so our pings go unanswered
	})
	c, err := New("x", Config{URL: url, Fields: fields, IdleTimeout: fieldmap.Duration(200 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	errc, _ := run(t, c, s)
	err = result(t, errc)
	if err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stalled") {
		t.Errorf("Run returned %v, want a stalled-stream error", err)
	}
	// It never answered anything: it was never live.
	if feeds.IsPermanent(err) || s.Connections() != 0 {
		t.Errorf("permanent %v, connections %d", feeds.IsPermanent(err), s.Connections())
	}
}

func TestAcceptThenCloseIsNotConnected(t *testing.T) {
	// A server that takes the handshake and refuses at once must not look
	// connected, or the supervisor would start its backoff afresh each time.
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "unauthorized"))
		for { // until the client answers the close
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	c, err := New("x", Config{URL: url, Fields: fields, Subscribe: `{"op":"subscribe"}`})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	errc, _ := run(t, c, s)
	err = result(t, errc)
	if err == nil || !strings.Contains(err.Error(), "unauthorized") || s.Connections() != 0 {
		t.Errorf("Run returned %v after %d connections, want the close and none", err, s.Connections())
	}
}

func TestLiveServerIsConnected(t *testing.T) {
	for name, handle := range map[string]func(c *websocket.Conn, r *http.Request){
		// Answers our first ping (gorilla answers while reading), sends
		// nothing.
		"quiet, answers pings": func(c *websocket.Conn, r *http.Request) { c.ReadMessage() },
		// Sends a frame, never reads, so never answers a ping.
		"a frame, no pongs": func(c *websocket.Conn, r *http.Request) {
			c.WriteMessage(websocket.TextMessage, []byte(`{"id":"1","body":{"text":"hi"}}`))
			<-r.Context().Done()
		},
		// Pings us first.
		"its own ping": func(c *websocket.Conn, r *http.Request) {
			c.WriteControl(websocket.PingMessage, []byte("x"), time.Now().Add(time.Second))
			<-r.Context().Done()
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, url := wsServer(t, handle)
			c, err := New("x", Config{URL: url, Fields: fields})
			if err != nil {
				t.Fatal(err)
			}
			s := feedstest.NewStream()
			run(t, c, s)
			s.WaitFor(t, wait, "connected", func(s *feedstest.Stream) bool { return s.Connections() == 1 })
		})
	}
}

func TestQuietStreamAnswersPingsAndStays(t *testing.T) {
	var mu sync.Mutex
	pings := 0
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.SetPingHandler(func(data string) error {
			mu.Lock()
			pings++
			mu.Unlock()
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		c.ReadMessage() // answers pings until the client goes
	})
	idle := 2 * time.Second
	c, err := New("x", Config{URL: url, Fields: fields, IdleTimeout: fieldmap.Duration(idle)})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	errc, _ := run(t, c, s)
	// Three pings go out a second apart: past the idle timeout, the pongs
	// alone have kept the silent stream.
	deadline := time.Now().Add(wait)
	for {
		mu.Lock()
		n := pings
		mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pings received", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("a quiet stream that answers pings was dropped: %v", err)
	default:
	}
}

func TestHandshakeErrors(t *testing.T) {
	tests := []struct {
		code      int
		retry     string
		permanent bool
		wait      time.Duration
	}{
		{http.StatusUnauthorized, "", true, 0},
		{http.StatusNotFound, "", true, 0},
		{http.StatusTooManyRequests, "7", false, 7 * time.Second},
		{http.StatusServiceUnavailable, "", false, 0},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.retry != "" {
				w.Header().Set("Retry-After", tt.retry)
			}
			w.WriteHeader(tt.code)
		}))
		c, err := New("x", Config{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Run(context.Background(), feedstest.NewStream())
		srv.Close()
		d, isRetry := feeds.RetryAfterOf(err)
		if err == nil || feeds.IsPermanent(err) != tt.permanent || d != tt.wait || isRetry != (tt.wait > 0) {
			t.Errorf("%d: Run returned %v (permanent %v, retry %v)", tt.code, err, feeds.IsPermanent(err), d)
		}
	}
}

func TestHandshakeFollowsNoRedirect(t *testing.T) {
	t.Setenv("WS_TOKEN", "s3cret")
	asked := make(chan http.Header, 1)
	_, otherURL := wsServer(t, func(c *websocket.Conn, r *http.Request) { asked <- r.Header.Clone() })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(otherURL, "ws", "http", 1), http.StatusFound)
	}))
	defer srv.Close()
	c, err := New("x", Config{URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Fields: fields, AuthEnv: "WS_TOKEN", AuthHeader: "X-Api-Key"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(context.Background(), feedstest.NewStream())
	select {
	case h := <-asked:
		t.Errorf("the redirect was followed, with %v", h)
	default:
	}
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Errorf("Run returned %v", err)
	}
}

func TestFrameTooLarge(t *testing.T) {
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte(`{"body":{"text":"`+strings.Repeat("x", 2048)+`"}}`))
		c.ReadMessage()
	})
	c, err := New("x", Config{URL: url, Fields: fields, MaxFrame: 1024})
	if err != nil {
		t.Fatal(err)
	}
	errc, _ := run(t, c, feedstest.NewStream())
	if err := result(t, errc); err == nil || !strings.Contains(err.Error(), "max_frame") {
		t.Errorf("Run returned %v", err)
	}
}

func TestRunEndsWithContext(t *testing.T) {
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) { c.ReadMessage() })
	c, err := New("x", Config{URL: url, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	errc, cancel := run(t, c, s)
	s.WaitFor(t, wait, "connected", func(s *feedstest.Stream) bool { return s.Connections() == 1 })
	cancel()
	if err := result(t, errc); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func TestConfigFromTOML(t *testing.T) {
	t.Setenv("CHAT_TOKEN", "tok")
	const doc = `
url = "wss://chat.example/stream"
platform = "chat"
headers = { Origin = "https://chat.example" }
auth_env = "CHAT_TOKEN"
auth_scheme = "Bearer"
subscribe = '{"op":"join"}'
idle_timeout = "45s"
max_frame = 65536
reply_url = "https://chat.example/api/rooms/{{channel}}/messages"
reply_body = '{"text": "{{text}}", "parent": "{{reply_to}}", "nonce": "{{id}}"}'
reply_auth = true
reply_idempotent = true
reply_max_text = 280

[fields]
id = "msg.id"
text = "msg.text"
kind = "type"
[fields.kinds]
message = "message"
deleted = "delete"
`
	var cfg Config
	md, err := toml.Decode(doc, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Fatalf("undecoded keys %v", und)
	}
	c, err := New("chat", cfg)
	if err != nil {
		t.Fatal(err)
	}
	caps := c.Capabilities()
	if c.idle != 45*time.Second || c.maxFrame != 65536 || c.header.Get("Authorization") != "Bearer tok" ||
		!caps.Can(feeds.ActReply) || !caps.Idempotent || caps.MaxText != 280 || c.Platform() != "chat" {
		t.Errorf("connector %+v, caps %+v", c, caps)
	}
}

func TestNewErrors(t *testing.T) {
	t.Setenv("EMPTY_TOKEN", "")
	t.Setenv("ODD_TOKEN", "a\x01b")
	t.Setenv("WS_OK", "ok")
	base := Config{URL: "ws://127.0.0.1:1/", Fields: fields}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no url", func(c *Config) { c.URL = "" }, "websocket: url is missing"},
		{"http url", func(c *Config) { c.URL = "http://x/" }, "must start with ws://"},
		{"no host", func(c *Config) { c.URL = "ws:///x" }, "has no host"},
		{"no text path", func(c *Config) { c.Fields = fieldmap.Mapping{ID: "id"} }, "websocket: fields.text is missing"},
		{"bad path", func(c *Config) { c.Fields.Author = "a..b" }, "fields.author"},
		{"bad header", func(c *Config) { c.Headers = map[string]string{"Bad Name": "x"} }, "headers"},
		{"handshake header", func(c *Config) { c.Headers = map[string]string{"Upgrade": "x"} }, "part of the handshake"},
		{"header newline", func(c *Config) { c.Headers = map[string]string{"X-A": "a\r\nb"} }, "control character"},
		{"empty secret", func(c *Config) { c.AuthEnv = "EMPTY_TOKEN" }, "websocket: auth: environment variable EMPTY_TOKEN is empty"},
		{"two secrets", func(c *Config) { c.AuthEnv, c.AuthFile = "A", "/f" }, "not both"},
		{"secret with a control character", func(c *Config) { c.AuthEnv = "ODD_TOKEN" }, "websocket: auth_header: the value of Authorization holds a control character"},
		{"bad auth header", func(c *Config) { c.AuthEnv, c.AuthHeader = "WS_OK", "X Token" }, `websocket: auth_header: "X Token" is not a header name`},
		{"negative max_frame", func(c *Config) { c.MaxFrame = -1 }, "websocket: max_frame must be positive"},
		{"negative idle", func(c *Config) { c.IdleTimeout = -1 }, "idle_timeout must be positive"},
		{"reply keys without url", func(c *Config) { c.ReplyIdempotent = true }, "reply_url is missing"},
		{"reply url scheme", func(c *Config) { c.ReplyURL = "ftp://x/" }, "reply_url"},
		{"unquoted placeholder", func(c *Config) { c.ReplyURL, c.ReplyBody = "http://x/", `{"text": {{text}}}` }, "inside quotes"},
		{"unknown placeholder", func(c *Config) { c.ReplyURL, c.ReplyBody = "http://x/", `{"t": "{{txt}}"}` }, "unknown placeholder {{txt}}"},
		{"open placeholder", func(c *Config) { c.ReplyURL = "http://x/{{id" }, "not closed"},
		{"GET with body", func(c *Config) { c.ReplyURL, c.ReplyMethod, c.ReplyBody = "http://x/", "get", `{}` }, "GET sends no body"},
		{"bad method", func(c *Config) { c.ReplyURL, c.ReplyMethod = "http://x/", "DELETE" }, "reply_method"},
		{"password in reply url", func(c *Config) { c.ReplyURL = "https://bot:hunter2@x/send" }, "reply_url holds a user or password"},
		{"user in reply url", func(c *Config) { c.ReplyURL = "https://bot@x/send" }, "reply_url holds a user or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			_, err := New("x", c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

// TestDeepFrameIsUnmatched: a frame nested past the bound (valid JSON, so
// gjson would recurse through all of it) is counted as unmatched with its
// reason, and the stream goes on.
func TestDeepFrameIsUnmatched(t *testing.T) {
	deep := strings.Repeat("[", 400000) + strings.Repeat("]", 400000)
	_, url := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte(deep))
		c.WriteMessage(websocket.TextMessage, []byte(`{"id":"1","body":{"text":"after"}}`))
		c.ReadMessage() // until the client goes
	})
	c, err := New("chat", Config{URL: url, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	run(t, c, s)
	if evs := s.WaitEvents(t, 1, wait); evs[0].Text != "after" {
		t.Errorf("event %+v", evs[0])
	}
	s.WaitFor(t, wait, "the deep frame counted as unmatched", func(s *feedstest.Stream) bool {
		return s.StatusOf(fieldmap.StatusUnmatched) == "1 frame" && strings.Contains(s.StatusOf(fieldmap.StatusWhy), "nested too deeply")
	})
}
