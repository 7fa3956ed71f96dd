package wsfeed

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// request is what the fake reply endpoint received.
type request struct {
	method, uri string
	header      http.Header
	body        []byte
}

func endpoint(t *testing.T, answer func(w http.ResponseWriter)) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.RequestURI, r.Header.Clone(), b}
		answer(w)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func replyAction() feeds.Action {
	return feeds.Action{
		ID: "0000018b-0001", Kind: feeds.ActReply, Channel: "#launch day", Target: "m/42",
		Text: "Thanks \"Ana\"!\nSee https://lumio.example/halo?a=1&b=2 — 😀", Operator: "op",
		Created: time.Now(),
	}
}

func TestReplyRequest(t *testing.T) {
	t.Setenv("CHAT_TOKEN", "tok")
	srv, got := endpoint(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) })
	c, err := New("chat", Config{
		URL: "ws://127.0.0.1:1/", Fields: fields, AuthEnv: "CHAT_TOKEN", AuthScheme: "Bearer",
		ReplyURL:        srv.URL + "/rooms/{{channel}}/messages?thread={{reply_to}}",
		ReplyHeaders:    map[string]string{"Idempotency-Key": "{{id}}", "X-Client": "tribune"},
		ReplyBody:       `{"message": {"text": "{{text}}", "in_reply_to": "{{reply_to}}"}, "nonce": "{{id}}", "room": "{{channel}}"}`,
		ReplyAuth:       true,
		ReplyIdempotent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	caps := c.Capabilities()
	if !slices.Equal(caps.Actions, []feeds.ActionKind{feeds.ActReply}) || !caps.Idempotent {
		t.Errorf("capabilities %+v", caps)
	}
	a := replyAction()
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.method != http.MethodPost || r.uri != "/rooms/%23launch%20day/messages?thread=m%2F42" {
		t.Errorf("request %s %s", r.method, r.uri)
	}
	if r.header.Get("Idempotency-Key") != a.ID || r.header.Get("X-Client") != "tribune" ||
		r.header.Get("Authorization") != "Bearer tok" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", r.header)
	}
	var body struct {
		Message struct {
			Text      string `json:"text"`
			InReplyTo string `json:"in_reply_to"`
		} `json:"message"`
		Nonce string `json:"nonce"`
		Room  string `json:"room"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if body.Message.Text != a.Text || body.Message.InReplyTo != a.Target || body.Nonce != a.ID || body.Room != a.Channel {
		t.Errorf("body %s", r.body)
	}
}

func TestReplyDefaultsAndGET(t *testing.T) {
	srv, got := endpoint(t, func(w http.ResponseWriter) {})
	c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, AuthEnv: "", ReplyURL: srv.URL + "/send"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Capabilities().Idempotent {
		t.Error("idempotent without reply_idempotent")
	}
	a := replyAction()
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r := <-got
	var body map[string]string
	if err := json.Unmarshal(r.body, &body); err != nil || body["text"] != a.Text || body["reply_to"] != a.Target ||
		body["channel"] != a.Channel || body["id"] != a.ID || r.header.Get("Authorization") != "" {
		t.Errorf("default body %s (%v), headers %v", r.body, err, r.header)
	}

	c, err = New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, ReplyMethod: "GET", ReplyURL: srv.URL + "/bot/send?chat={{channel}}&text={{text}}"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r = <-got
	req := httptest.NewRequest(r.method, r.uri, nil)
	if r.method != http.MethodGet || req.URL.Query().Get("text") != a.Text || req.URL.Query().Get("chat") != a.Channel || len(r.body) != 0 {
		t.Errorf("GET %s body %q", r.uri, r.body)
	}
}

func TestReplyErrors(t *testing.T) {
	status := make(chan int, 1)
	srv, _ := endpoint(t, func(w http.ResponseWriter) {
		code := <-status
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "3")
		}
		w.WriteHeader(code)
	})
	c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, ReplyURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code               int
		permanent, notSent bool
		retry              time.Duration
	}{
		{http.StatusTooManyRequests, false, false, 3 * time.Second},
		{http.StatusBadRequest, true, false, 0},
		{http.StatusForbidden, true, false, 0},
		{http.StatusRequestTimeout, false, false, 0},
		{http.StatusInternalServerError, false, false, 0},
		{http.StatusBadGateway, false, false, 0},
	}
	for _, tt := range tests {
		status <- tt.code
		err := c.Do(context.Background(), replyAction())
		d, _ := feeds.RetryAfterOf(err)
		if err == nil || feeds.IsPermanent(err) != tt.permanent || feeds.IsNotSent(err) != tt.notSent || d != tt.retry {
			t.Errorf("%d: %v (permanent %v, not sent %v, retry %v)", tt.code, err, feeds.IsPermanent(err), feeds.IsNotSent(err), d)
		}
	}

	// Nothing listens, or the certificate is refused, or the action was
	// cancelled first: the request certainly never left.
	srv.Close()
	if err := c.Do(context.Background(), replyAction()); !feeds.IsNotSent(err) {
		t.Errorf("connection refused: %v, want NotSent", err)
	}
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	untrusted, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, ReplyURL: tlsSrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if err := untrusted.Do(context.Background(), replyAction()); !feeds.IsNotSent(err) {
		t.Errorf("untrusted certificate: %v, want NotSent", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := untrusted.Do(cancelled, replyAction()); !feeds.IsNotSent(err) {
		t.Errorf("cancelled: %v, want NotSent", err)
	}
	for _, a := range []feeds.Action{{Kind: feeds.ActDelete, Target: "1"}, {Kind: feeds.ActReply, Text: "  "}} {
		if err := c.Do(context.Background(), a); !feeds.IsPermanent(err) {
			t.Errorf("%+v: %v, want Permanent", a, err)
		}
	}
	// No reply configured: no actions, and Do refuses.
	ro, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if caps := ro.Capabilities(); len(caps.Actions) != 0 || caps.Idempotent {
		t.Errorf("read-only capabilities %+v", caps)
	}
	if err := ro.Do(context.Background(), replyAction()); !feeds.IsPermanent(err) {
		t.Errorf("read-only Do: %v", err)
	}
}

func TestReplyMaxText(t *testing.T) {
	c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, ReplyURL: "http://127.0.0.1:1/", ReplyMaxText: 5})
	if err != nil {
		t.Fatal(err)
	}
	a := replyAction()
	a.Text = "ééééééé"
	if err := c.Do(context.Background(), a); !feeds.IsPermanent(err) {
		t.Errorf("too long: %v", err)
	}
}

func TestEscapers(t *testing.T) {
	if got := jsonEscape("a\"b\\c\n<&>\u2028é"); got != `a\"b\\c\n<&>\u2028é` {
		t.Errorf("jsonEscape %q", got)
	}
	if got := urlEscape("a b/c?d=e&f~é"); got != "a%20b%2Fc%3Fd%3De%26f~%C3%A9" {
		t.Errorf("urlEscape %q", got)
	}
	if got := headerEscape("a\r\nb\tc"); got != "a  b c" {
		t.Errorf("headerEscape %q", got)
	}
}

func TestReplyDoesNotFollowRedirectsElsewhere(t *testing.T) {
	t.Setenv("CHAT_TOKEN", "s3cret")
	other, leaked := endpoint(t, func(w http.ResponseWriter) {})
	for _, header := range []string{"X-Api-Key", "Authorization"} {
		srv, _ := endpoint(t, func(w http.ResponseWriter) {
			w.Header().Set("Location", other.URL+"/collect?from=redirect")
			w.WriteHeader(http.StatusTemporaryRedirect) // would resend the body too
		})
		c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, AuthEnv: "CHAT_TOKEN", AuthHeader: header,
			ReplyURL: srv.URL + "/send", ReplyAuth: true})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Do(context.Background(), replyAction())
		select {
		case r := <-leaked:
			t.Errorf("%s: the other origin received %s %s with %v", header, r.method, r.uri, r.header)
		default:
		}
		if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "redirects to "+other.URL+"/…, another origin") {
			t.Errorf("%s: Do returned %v, want a permanent refusal naming the other origin", header, err)
		}
	}
}

func TestReplyRedirectWithinTheOriginIsFollowed(t *testing.T) {
	t.Setenv("CHAT_TOKEN", "s3cret")
	got := make(chan request, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusPermanentRedirect)
			return
		}
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.RequestURI, r.Header.Clone(), b}
	}))
	t.Cleanup(srv.Close)
	c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields, AuthEnv: "CHAT_TOKEN", AuthHeader: "X-Api-Key",
		ReplyURL: srv.URL + "/old", ReplyAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	a := replyAction()
	if err := c.Do(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.uri != "/new" || r.method != http.MethodPost || r.header.Get("X-Api-Key") != "s3cret" || !strings.Contains(string(r.body), a.ID) {
		t.Errorf("after the redirect: %s %s %v %s", r.method, r.uri, r.header, r.body)
	}
}

func TestErrorsHoldNoSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now
	secrets := []string{"alice", "hunter2", "k3y", "pathkey"}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q holds %q", what, err, s)
			}
		}
	}
	_, err = New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields,
		ReplyURL: "http://alice:hunter2@" + closed + "/pathkey/{{channel}}?key=k3y&text={{text}}"})
	check("reply_url with a password", err) // refused, without quoting it
	c, err := New("x", Config{URL: "ws://127.0.0.1:1/", Fields: fields,
		ReplyURL: "http://" + closed + "/pathkey/{{channel}}?key=k3y&text={{text}}"})
	if err != nil {
		t.Fatal(err)
	}
	a := replyAction()
	a.Channel = "k3y" // a field filled into the URL is cut as well
	err = c.Do(context.Background(), a)
	check("connection refused", err)
	if !feeds.IsNotSent(err) || !strings.Contains(err.Error(), "http://"+closed+"/…") {
		t.Errorf("Do returned %v, want NotSent naming the host", err)
	}

	ws, err := New("x", Config{URL: "ws://alice:hunter2@" + closed + "/pathkey?key=k3y", Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	check("websocket connection refused", ws.Run(context.Background(), feedstest.NewStream()))

	_, err = New("x", Config{URL: "ws://alice:hunter2@example.org/pathkey?key=k3y", Fields: fields, ReplyURL: "ftp://alice:hunter2@x/pathkey?key=k3y"})
	check("reply_url scheme", err)
	_, err = New("x", Config{URL: "http://alice:hunter2@example.org/pathkey?key=k3y", Fields: fields})
	check("url scheme", err)
	_, err = New("x", Config{URL: "ws://alice:hunter2@example.org:8o/pathkey?key=k3y", Fields: fields})
	check("url port", err)
}
