package webhook

import (
	"bufio"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

var fields = fieldmap.Mapping{ID: "id", Author: "from.name", Text: "message", Channel: "form"}

// statusStream is a feeds.Stream that reports where the inbox listens.
type statusStream interface {
	feeds.Stream
	StatusOf(string) string
}

// start runs an inbox on a free loopback port and returns its URL; it is
// stopped when the test ends.
func start(t *testing.T, c Config, s statusStream) (url string, stop func() error) {
	t.Helper()
	return startConn(t, c, s, nil)
}

// startConn is start with edit, when not nil, applied to the connector
// before it runs.
func startConn(t *testing.T, c Config, s statusStream, edit func(*Connector)) (url string, stop func() error) {
	t.Helper()
	c.Listen = "127.0.0.1:0"
	if c.Fields.Text == "" {
		c.Fields = fields
	}
	conn, err := New("forms", c)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(conn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- conn.Run(ctx, s) }()
	stopped := false
	stop = func() error {
		cancel()
		if stopped {
			return nil
		}
		stopped = true
		select {
		case err := <-errc:
			return err
		case <-time.After(wait):
			t.Error("Run did not return")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	deadline := time.Now().Add(wait)
	for s.StatusOf(StatusListen) == "" {
		if time.Now().After(deadline) {
			t.Fatal("the inbox did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "http://" + s.StatusOf(StatusListen) + cmp.Or(c.Path, "/"), stop
}

type answer struct {
	code int
	body string
	hdr  http.Header
}

func post(t *testing.T, url, ctype, body string, hdr map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	a, err := send(req)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// postAsync posts from another goroutine, where t.Fatal may not be called.
func postAsync(url, body string, answers chan<- answer) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	a, err := send(req)
	if err != nil {
		a = answer{code: -1, body: err.Error()}
	}
	answers <- a
}

func send(req *http.Request) (answer, error) {
	resp, err := (&http.Client{Timeout: wait}).Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Header}, nil
}

func TestAcceptsAndStores(t *testing.T) {
	s := feedstest.NewStream()
	url, _ := start(t, Config{Platform: "forms"}, s)

	a := post(t, url, "application/json", `{"id":"f1","from":{"name":"Ana"},"message":"Love the launch!","form":"feedback"}`, nil)
	if a.code != http.StatusOK || !strings.Contains(a.body, "stored 1 events") {
		t.Fatalf("answer %+v", a)
	}
	a = post(t, url, "application/vnd.api+json; charset=utf-8", `[{"id":2,"message":"two"},{"id":"3","message":"three"},{"id":"4"}]`, nil)
	if a.code != http.StatusOK || !strings.Contains(a.body, "stored 2 events; 1 did not match: item 3: text: nothing at") {
		t.Fatalf("answer %+v", a)
	}
	evs := s.Events()
	if len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	if e := evs[0]; e.ID != "f1" || e.Author != "Ana" || e.Text != "Love the launch!" || e.Channel != "feedback" ||
		e.Feed != "forms" || e.Platform != "forms" {
		t.Errorf("event %+v", e)
	}
	if evs[1].ID != "2" || evs[2].ID != "3" {
		t.Errorf("ids %q %q", evs[1].ID, evs[2].ID)
	}
	if s.Connections() != 1 || s.StatusOf(fieldmap.StatusUnmatched) != "1 request" {
		t.Errorf("connections %d, unmatched %q", s.Connections(), s.StatusOf(fieldmap.StatusUnmatched))
	}
}

func TestRefusesBadRequests(t *testing.T) {
	s := feedstest.NewStream()
	url, _ := start(t, Config{MaxBody: 256, Path: "/hook"}, s)
	good := `{"id":"1","message":"hi"}`
	tests := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   string
		code   int
		says   string
	}{
		{"GET", http.MethodGet, "/hook", "application/json", "", http.StatusMethodNotAllowed, "only POST"},
		{"PUT", http.MethodPut, "/hook", "application/json", good, http.StatusMethodNotAllowed, "only POST"},
		{"other path", http.MethodPost, "/other", "application/json", good, http.StatusNotFound, ""},
		{"text", http.MethodPost, "/hook", "text/plain", good, http.StatusUnsupportedMediaType, "must be JSON"},
		{"form", http.MethodPost, "/hook", "application/x-www-form-urlencoded", "a=1", http.StatusUnsupportedMediaType, "must be JSON"},
		{"no content type", http.MethodPost, "/hook", "", good, http.StatusUnsupportedMediaType, "must be JSON"},
		{"too large", http.MethodPost, "/hook", "application/json", `{"message":"` + strings.Repeat("x", 300) + `"}`, http.StatusRequestEntityTooLarge, "larger than 256 bytes"},
		{"malformed", http.MethodPost, "/hook", "application/json", `{"message":`, http.StatusBadRequest, "not valid JSON"},
		{"nothing mapped", http.MethodPost, "/hook", "application/json", `{"id":"1","msg":"hi"}`, http.StatusUnprocessableEntity, `text: nothing at "message"`},
		{"wrong type", http.MethodPost, "/hook", "application/json", `{"id":"1","message":{"t":1}}`, http.StatusUnprocessableEntity, `"message" is an object`},
		{"no events", http.MethodPost, "/hook", "application/json", `[]`, http.StatusUnprocessableEntity, "holds no events"},
	}
	base := strings.TrimSuffix(url, "/hook")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			a := do(t, req)
			if a.code != tt.code || !strings.Contains(a.body, tt.says) {
				t.Errorf("answer %d %q, want %d saying %q", a.code, a.body, tt.code, tt.says)
			}
			if tt.code == http.StatusMethodNotAllowed && a.hdr.Get("Allow") != "POST" {
				t.Errorf("Allow %q", a.hdr.Get("Allow"))
			}
		})
	}
	if n := len(s.Events()); n != 0 {
		t.Errorf("%d events stored from bad requests", n)
	}
}

func sign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func TestSignature(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte("shh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := feedstest.NewStream()
	url, _ := start(t, Config{SecretFile: file, SignatureHeader: "X-Hub-Signature-256"}, s)
	body := `{"id":"1","message":"signed"}`
	tests := []struct {
		name string
		sig  string
		code int
	}{
		{"valid", sign("shh", body), http.StatusOK},
		{"upper-case hex", "sha256=" + strings.ToUpper(strings.TrimPrefix(sign("shh", body), "sha256=")), http.StatusOK},
		{"missing", "", http.StatusUnauthorized},
		{"wrong secret", sign("shh!", body), http.StatusUnauthorized},
		{"another body", sign("shh", body+" "), http.StatusUnauthorized},
		{"no prefix", strings.TrimPrefix(sign("shh", body), "sha256="), http.StatusUnauthorized},
		{"not hex", "sha256=zz", http.StatusUnauthorized},
		{"truncated", sign("shh", body)[:20], http.StatusUnauthorized},
	}
	for _, tt := range tests {
		hdr := map[string]string{}
		if tt.sig != "" {
			hdr["X-Hub-Signature-256"] = tt.sig
		}
		if a := post(t, url, "application/json", body, hdr); a.code != tt.code {
			t.Errorf("%s: answer %d %q, want %d", tt.name, a.code, a.body, tt.code)
		}
	}
	// The default header name, and a signature in the wrong header.
	s2 := feedstest.NewStream()
	url2, _ := start(t, Config{SecretFile: file}, s2)
	if a := post(t, url2, "application/json", body, map[string]string{"X-Signature-256": sign("shh", body)}); a.code != http.StatusOK {
		t.Errorf("default header: %d %q", a.code, a.body)
	}
	if a := post(t, url2, "application/json", body, map[string]string{"X-Hub-Signature-256": sign("shh", body)}); a.code != http.StatusUnauthorized {
		t.Errorf("wrong header: %d", a.code)
	}
	if n := len(s.Events()) + len(s2.Events()); n != 3 {
		t.Errorf("%d events stored, want 3", n)
	}
}

func TestStoreFailureIs503(t *testing.T) {
	s := feedstest.NewStream()
	s.CommitErr = errors.New("writing /home/cm/.local/share/tribune/tribune.db: disk full")
	url, _ := start(t, Config{}, s)
	a := post(t, url, "application/json", `{"id":"1","message":"hi"}`, nil)
	if a.code != http.StatusServiceUnavailable || strings.Contains(a.body, "disk full") || a.hdr.Get("Retry-After") == "" {
		t.Errorf("answer %+v", a)
	}
}

// blockingStream holds Commit until released, or until its ctx ends; it
// sends the ctx of each Commit to entered, and says on left when one
// returns.
type blockingStream struct {
	*feedstest.Stream
	entered chan context.Context
	release chan struct{}
	left    chan struct{}
}

func newBlockingStream() *blockingStream {
	return &blockingStream{feedstest.NewStream(), make(chan context.Context, 1), make(chan struct{}), make(chan struct{}, 1)}
}

func (b *blockingStream) Commit(ctx context.Context, evs []feeds.Event) error {
	b.entered <- ctx
	defer func() { b.left <- struct{}{} }()
	select {
	case <-b.release:
		return b.Stream.Commit(ctx, evs)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestAnswersOnlyAfterCommit(t *testing.T) {
	s := newBlockingStream()
	url, stop := start(t, Config{}, s)
	answers := make(chan answer, 2)
	go postAsync(url, `{"id":"1","message":"a"}`, answers)
	<-s.entered
	select {
	case a := <-answers:
		t.Fatalf("answered %d before the events were stored", a.code)
	default:
	}
	s.release <- struct{}{}
	if a := <-answers; a.code != http.StatusOK || len(s.Events()) != 1 {
		t.Fatalf("answer %+v, %d events", a, len(s.Events()))
	}
	<-s.left

	// Stopping while a commit waits: the sender hears 503 and retries.
	go postAsync(url, `{"id":"2","message":"b"}`, answers)
	<-s.entered
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
	if a := <-answers; a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "may or may not be stored") {
		t.Errorf("answer during shutdown %+v", a)
	}
	if _, err := http.Post(url, "application/json", strings.NewReader(`{}`)); err == nil {
		t.Error("still listening after Run returned")
	}
}

func TestCommitWaitsAsLongAsTheRequest(t *testing.T) {
	// Events handed to the hub are stored even if the wait for them ends:
	// a timer of the inbox's own would answer 503 for stored events. The
	// wait ends only with the request: the sender hanging up, or Run.
	s := newBlockingStream()
	url, _ := start(t, Config{}, s)
	answers := make(chan answer, 1)
	go postAsync(url, `{"id":"1","message":"a"}`, answers)
	ctx := <-s.entered
	if d, ok := ctx.Deadline(); ok {
		t.Errorf("Commit is given up at %v, before the request ends", d)
	}
	s.release <- struct{}{}
	if a := <-answers; a.code != http.StatusOK {
		t.Fatalf("answer %+v", a)
	}
	<-s.left

	// The sender hangs up: the wait ends.
	reqCtx, hangUp := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(reqCtx, http.MethodPost, url, strings.NewReader(`{"id":"2","message":"b"}`))
	req.Header.Set("Content-Type", "application/json")
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	ctx = <-s.entered
	hangUp()
	select {
	case <-s.left:
	case <-time.After(wait):
		t.Fatal("Commit still waits after the sender hung up")
	}
	if ctx.Err() == nil {
		t.Error("Commit returned with its ctx alive")
	}
}

func TestSlowCommitIsStillAnswered(t *testing.T) {
	// The server's read and write timeouts do not cut a wait for the
	// store short, nor the answer after it.
	s := newBlockingStream()
	timeout := 100 * time.Millisecond
	url, _ := startConn(t, Config{}, s, func(c *Connector) { c.ioTimeout = timeout })
	answers := make(chan answer, 1)
	go postAsync(url, `{"id":"1","message":"slow"}`, answers)
	<-s.entered
	time.Sleep(3 * timeout) // past both deadlines of the request
	s.release <- struct{}{}
	if a := <-answers; a.code != http.StatusOK || !strings.Contains(a.body, "stored 1 events") {
		t.Errorf("answer %+v after a slow commit, want 200", a)
	}
}

func TestServeErrorEndsHandlers(t *testing.T) {
	// Serve fails (the listener breaks) while a request waits on the
	// store: Run returns only once that handler is done with the stream.
	s := newBlockingStream()
	t.Cleanup(func() { close(s.release) })
	conn, err := New("forms", Config{Listen: "127.0.0.1:0", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	lns := make(chan net.Listener, 1)
	conn.listenOn = func(ctx context.Context, network, address string) (net.Listener, error) {
		ln, err := new(net.ListenConfig).Listen(ctx, network, address)
		if err == nil {
			lns <- ln
		}
		return ln, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- conn.Run(ctx, s) }()
	ln := <-lns
	answers := make(chan answer, 1)
	go postAsync("http://"+ln.Addr().String()+"/", `{"id":"1","message":"a"}`, answers)
	<-s.entered
	ln.Close()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "webhook: serving") {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	select {
	case <-s.left:
	default:
		t.Fatal("Run returned while a handler still waited on the stream")
	}
	if a := <-answers; a.code == http.StatusOK {
		t.Errorf("answer %+v from a server that failed", a)
	}
}

func TestReadOnly(t *testing.T) {
	c, err := New("x", Config{Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if caps := c.Capabilities(); len(caps.Actions) != 0 {
		t.Errorf("capabilities %+v", caps)
	}
	if err := c.Do(context.Background(), feeds.Action{Kind: feeds.ActReply}); !feeds.IsPermanent(err) {
		t.Errorf("Do: %v", err)
	}
	if c.listen != "127.0.0.1:8787" || c.path != "/" || c.maxBody != 1<<20 || c.sigHeader != "X-Signature-256" || c.Platform() != "webhook" {
		t.Errorf("defaults %+v", c)
	}
}

func TestConfig(t *testing.T) {
	t.Setenv("HOOK_SECRET", "s")
	var cfg Config
	md, err := toml.Decode(`
listen = "127.0.0.1:9000"
path = "/tribune"
platform = "typeform"
secret_env = "HOOK_SECRET"
signature_header = "Typeform-Signature"
max_body = 65536
[fields]
events = "form_response.answers"
text = "text"
`, &cfg)
	if err != nil || len(md.Undecoded()) > 0 {
		t.Fatalf("%v, undecoded %v", err, md.Undecoded())
	}
	c, err := New("x", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.listen != "127.0.0.1:9000" || c.path != "/tribune" || string(c.secret) != "s" || c.sigHeader != "Typeform-Signature" || c.maxBody != 65536 {
		t.Errorf("connector %+v", c)
	}
	for _, tt := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.MaxBody = -1 }, "webhook: max_body must be positive"},
		{func(c *Config) { c.Listen = "8787" }, "webhook: listen \"8787\" is not host:port"},
		{func(c *Config) { c.Path = "hook" }, "webhook: path \"hook\" must start with /"},
		{func(c *Config) { c.SignatureHeader = "X-Sig" }, "webhook: signature_header is set but no secret"},
		{func(c *Config) { c.SecretFile = "/nonexistent/secret" }, "webhook: secret: reading secret"},
		{func(c *Config) { c.Fields.Text = "a..b" }, "webhook: fields.text"},
	} {
		c := Config{Fields: fields}
		tt.edit(&c)
		if _, err := New("x", c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New: %v, want %q", err, tt.want)
		}
	}
}

// TestRefusesHostileJSON: the 8 MiB of "[" that overflowed the stack, and
// a valid document nested as deep, are refused before gjson recurses; so
// is a body of more values than any batch holds.
func TestRefusesHostileJSON(t *testing.T) {
	s := feedstest.NewStream()
	url, _ := start(t, Config{MaxBody: 9 << 20}, s)
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for name, body := range map[string]string{"8 MiB of [": strings.Repeat("[", 8<<20), "valid and deep": deep} {
		a := post(t, url, "application/json", body, nil)
		if a.code != http.StatusBadRequest || !strings.Contains(a.body, "nested too deeply") {
			t.Errorf("%s: answer %d %q", name, a.code, a.body)
		}
	}
	many := "[" + strings.Repeat("0,", 1<<20) + "0]"
	a := post(t, url, "application/json", many, nil)
	if a.code != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "too many values") {
		t.Errorf("a million values: answer %d %q", a.code, a.body)
	}
	if n := len(s.Events()); n != 0 {
		t.Errorf("%d events stored", n)
	}
}

// rawRequest sends a request's head, and part of its body, over a raw
// connection and returns it; the answer is read with answerOf.
func rawRequest(t *testing.T, url string, length int, hdr, body string) net.Conn {
	t.Helper()
	host := strings.TrimPrefix(url, "http://")
	host, path, _ := strings.Cut(host, "/")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s", path, host, length, hdr, body)
	return conn
}

// answerOf reads the status line of the answer on conn; the deadline
// bounds a broken test (today's inbox waits 30 s for a body).
func answerOf(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return strings.TrimSpace(line)
}

// TestRefusesEarly: what the head shows to be invalid is answered before
// the body is sent, so an unsigned sender cannot make the inbox hold it.
func TestRefusesEarly(t *testing.T) {
	t.Setenv("HOOK_SECRET", "shh")
	s := feedstest.NewStream()
	url, _ := start(t, Config{SecretEnv: "HOOK_SECRET"}, s)
	if a := answerOf(t, rawRequest(t, url, 1000, "", "")); !strings.Contains(a, "401") {
		t.Errorf("no signature header: %q", a)
	}
	sig := "X-Signature-256: sha256=00\r\n"
	if a := answerOf(t, rawRequest(t, url, 2<<20, sig, "")); !strings.Contains(a, "413") {
		t.Errorf("a declared length over max_body: %q", a)
	}
}

// TestLimitsWhatIsHeld: requests past the bound on bytes (or requests) in
// flight are refused at once with 503, and the room comes back when the
// requests end.
func TestLimitsWhatIsHeld(t *testing.T) {
	s := feedstest.NewStream()
	var c *Connector
	body := `{"id":"x","message":"` + strings.Repeat("x", 900) + `"}`
	url, _ := startConn(t, Config{MaxBody: 1000}, s, func(conn *Connector) {
		conn.limit = newLimiter(3, int64(2*len(body)))
		c = conn
	})
	// Two senders send half their body and pause.
	slow := []net.Conn{
		rawRequest(t, url, len(body), "", body[:400]),
		rawRequest(t, url, len(body), "", body[:400]),
	}
	deadline := time.Now().Add(wait)
	for {
		if _, n := c.limit.held(); n == int64(2*len(body)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow requests were never admitted")
		}
		time.Sleep(time.Millisecond)
	}
	a := post(t, url, "application/json", `{"id":"1","message":"hi"}`, nil)
	if a.code != http.StatusServiceUnavailable || a.hdr.Get("Retry-After") == "" || !strings.Contains(a.body, "too many requests") {
		t.Errorf("over the byte bound: %d %q", a.code, a.body)
	}
	// The slow senders finish: they are stored, and the room is back.
	for _, conn := range slow {
		io.WriteString(conn, body[400:])
		if a := answerOf(t, conn); !strings.Contains(a, "200") {
			t.Errorf("slow sender: %q", a)
		}
	}
	if a := post(t, url, "application/json", `{"id":"1","message":"hi"}`, nil); a.code != http.StatusOK {
		t.Errorf("after: %d %q", a.code, a.body)
	}
	if r, n := c.limit.held(); r != 0 || n != 0 {
		t.Errorf("still held: %d requests, %d bytes", r, n)
	}
	// The bound on requests: one at a time.
	var one *Connector
	url, _ = startConn(t, Config{MaxBody: 1000}, feedstest.NewStream(), func(conn *Connector) {
		conn.limit = newLimiter(1, 1<<20)
		one = conn
	})
	hold := rawRequest(t, url, len(body), "", body[:10])
	deadline = time.Now().Add(wait)
	for r, _ := one.limit.held(); r != 1; r, _ = one.limit.held() {
		if time.Now().After(deadline) {
			t.Fatal("the held request was never admitted")
		}
		time.Sleep(time.Millisecond)
	}
	if a := post(t, url, "application/json", `{"id":"2","message":"hi"}`, nil); a.code != http.StatusServiceUnavailable {
		t.Errorf("over the request bound: %d %q", a.code, a.body)
	}
	hold.Close()
}

// TestRepeatedBatchSaysSo: through the hub, a batch posted again is
// answered with how many events were new and how many repeats.
func TestRepeatedBatchSaysSo(t *testing.T) {
	h := hub.New(hub.Options{})
	conn, err := New("forms", Config{Listen: "127.0.0.1:0", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Add("forms", conn); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	url := ""
	for deadline := time.Now().Add(wait); url == ""; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the inbox did not start")
		}
		for _, hl := range h.Health() {
			for _, st := range hl.Status {
				if st.Key == StatusListen {
					url = "http://" + st.Value + "/"
				}
			}
		}
	}
	batch := `[{"id":"1","message":"a"},{"id":"2","message":"b"},{"id":"3","message":"c"}]`
	a := post(t, url, "application/json", batch, nil)
	if a.code != http.StatusOK || !strings.Contains(a.body, "stored 3 new events, 0 repeats") {
		t.Errorf("first: %d %q", a.code, a.body)
	}
	a = post(t, url, "application/json", batch, nil)
	if a.code != http.StatusOK || !strings.Contains(a.body, "stored 0 new events, 3 repeats") {
		t.Errorf("again: %d %q", a.code, a.body)
	}
	a = post(t, url, "application/json", `[{"id":"3","message":"c"},{"id":"4","message":"d"}]`, nil)
	if a.code != http.StatusOK || !strings.Contains(a.body, "stored 1 new event, 1 repeat already stored") {
		t.Errorf("mixed: %d %q", a.code, a.body)
	}
}
