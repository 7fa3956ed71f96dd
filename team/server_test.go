package team

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/presence"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui"
)

// quiet is a feed that connects and says nothing: the tests ingest what
// they need.
type quiet struct{}

func (quiet) Platform() string { return "twitch" }
func (quiet) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply, feeds.ActBan}}
}
func (quiet) Run(ctx context.Context, s feeds.Stream) error {
	s.Connected()
	<-ctx.Done()
	return ctx.Err()
}
func (quiet) Do(context.Context, feeds.Action) error { return nil }

// syncBuffer is a log both the server and the test touch.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	t        *testing.T
	dir      string
	db       *store.DB
	hub      *hub.Hub
	srv      *Server
	addr     string
	log      *syncBuffer
	keys     map[string]gossh.Signer
	cancel   context.CancelFunc
	served   chan error
	services tui.Services
}

func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// operatorsFile writes the operators file for names → roles, with the
// fixture's keys.
func (f *fixture) operatorsFile(roles map[string]Role) {
	f.t.Helper()
	var b strings.Builder
	b.WriteString("# test team\n")
	for n, r := range roles {
		fmt.Fprintf(&b, "%s %s %s", n, r, gossh.MarshalAuthorizedKey(f.keys[n].PublicKey()))
	}
	if err := os.WriteFile(filepath.Join(f.dir, "operators"), []byte(b.String()), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

func newFixture(t *testing.T, roles map[string]Role, extra ...string) *fixture {
	return newFixtureWith(t, roles, nil, extra...)
}

// newFixtureWith is newFixture with the server's options changed by mut.
func newFixtureWith(t *testing.T, roles map[string]Role, mut func(*Options), extra ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), log: &syncBuffer{}, keys: make(map[string]gossh.Signer)}
	for n := range roles {
		f.keys[n] = newKey(t)
	}
	for _, n := range extra {
		f.keys[n] = newKey(t)
	}
	f.operatorsFile(roles)
	db, err := store.Open(filepath.Join(f.dir, "tribune.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.hub = hub.New(hub.Options{Store: db})
	if err := f.hub.Add("twitch", quiet{}); err != nil {
		t.Fatal(err)
	}
	f.startWith(mut)
	t.Cleanup(f.stop)
	return f
}

// start runs the services and the server on a fresh loopback port.
func (f *fixture) start() { f.startWith(nil) }

// startWith is start with options changed by mut.
func (f *fixture) startWith(mut func(*Options)) {
	t := f.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	palette, _ := themes.Builtin("dark")
	o := Options{HostKeyPath: filepath.Join(f.dir, "host_ed25519"), OperatorsPath: filepath.Join(f.dir, "operators"),
		Log: slog.New(slog.NewTextHandler(f.log, nil)), Theme: palette, MaxPerAddr: 3}
	if mut != nil {
		mut(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(f.db, f.hub, dispatch.Options{Authorize: srv.Authorize})
	f.services = tui.Services{Hub: f.hub, Store: f.db, Stats: stats.New(nil), Dispatcher: d, Work: new(sync.WaitGroup), Team: presence.NewTeam()}
	srv.opts.Services = f.services
	f.srv = srv
	go f.hub.Run(ctx)
	go d.Run(ctx)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	f.served = make(chan error, 1)
	go func() { f.served <- srv.Serve(ctx, l) }()
}

func (f *fixture) stop() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	<-f.served
	f.cancel = nil
	f.db.Close()
}

func clientConfig(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{User: "tribune", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second}
}

// screen is a PTY session's output, as a person would read it.
type screen struct {
	t    *testing.T
	sess *gossh.Session
	in   io.WriteCloser
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.out.String())
}

// waitFor waits until the output shows want; the deadline only bounds a
// broken run.
func (s *screen) waitFor(want string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.text(), want) {
		select {
		case <-s.done:
			if strings.Contains(s.text(), want) {
				return
			}
			s.t.Fatalf("the session ended without showing %q:\n%s", want, tail(s.text()))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("never saw %q:\n%s", want, tail(s.text()))
		}
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

func (s *screen) send(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, keys); err != nil {
		s.t.Fatal(err)
	}
}

// ended waits for the session to end.
func (s *screen) ended() {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.t.Fatalf("the session did not end:\n%s", tail(s.text()))
	}
}

// open logs in as name with a PTY of w×h and starts the dashboard.
func (f *fixture) open(name string, w, h int, env ...string) (*screen, *gossh.Client) {
	f.t.Helper()
	c, err := gossh.Dial("tcp", f.addr, clientConfig(gossh.PublicKeys(f.keys[name])))
	if err != nil {
		f.t.Fatalf("%s: %v", name, err)
	}
	f.t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(env); i += 2 {
		sess.Setenv(env[i], env[i+1])
	}
	s := &screen{t: f.t, sess: sess, done: make(chan struct{})}
	sess.Stdout = s
	sess.Stderr = s
	if s.in, err = sess.StdinPipe(); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() { sess.Wait(); close(s.done) }()
	return s, c
}

func TestListedKeyGetsTheDashboard(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin})
	s, _ := f.open("alice", 100, 30)
	s.waitFor("Feed · ")
	// The feed goes live after the first frame: the renderer then redraws
	// only what changed, so look for the stats' state, not the title.
	s.waitFor("● live")
	s.waitFor("Stats")
	s.send("?")
	s.waitFor("Help")
	s.send("q") // out of help
	s.send("q") // quit
	s.ended()
	if log := f.log.String(); !strings.Contains(log, "connected operator=alice role=admin") || !strings.Contains(log, "disconnected operator=alice") {
		t.Errorf("log:\n%s", log)
	}
}

func TestWhatIsRefused(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin}, "mallory")
	cases := map[string][]gossh.AuthMethod{
		"an unknown key": {gossh.PublicKeys(f.keys["mallory"])},
		"a password":     {gossh.Password("hunter2")},
		"keyboard-interactive": {gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		})},
		"no authentication": nil,
	}
	for what, auth := range cases {
		if c, err := gossh.Dial("tcp", f.addr, clientConfig(auth...)); err == nil {
			c.Close()
			t.Errorf("%s got in", what)
		}
	}
	if log := f.log.String(); !strings.Contains(log, "fingerprint="+gossh.FingerprintSHA256(f.keys["mallory"].PublicKey())) {
		t.Errorf("the unknown key's refusal is not logged with its fingerprint:\n%s", log)
	}

	// A listed key without a terminal gets one clear line.
	c, err := gossh.Dial("tcp", f.addr, clientConfig(gossh.PublicKeys(f.keys["alice"])))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("no PTY: %v, %q", err, out)
	}
}

// offerOnly offers a public key it cannot sign with.
type offerOnly struct{ pub gossh.PublicKey }

func (o offerOnly) PublicKey() gossh.PublicKey { return o.pub }
func (o offerOnly) Sign(io.Reader, []byte) (*gossh.Signature, error) {
	// Not a signature this key can make: the server, having accepted the
	// key as offered, refuses this attempt (a bad signature of the right
	// kind would end the connection), and the client goes on to the next.
	return &gossh.Signature{Format: gossh.KeyAlgoRSASHA256, Blob: make([]byte, 256)}, nil
}

// A client that offers a listed key it does not hold, then authenticates
// with another, is the other key's operator (soft-serve CVE-2023-43809,
// x/crypto CVE-2024-45337).
func TestOfferedKeyIsNotIdentity(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin, "vic": Viewer})
	c, err := gossh.Dial("tcp", f.addr, clientConfig(gossh.PublicKeys(offerOnly{f.keys["alice"].PublicKey()}, f.keys["vic"])))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s := &screen{t: t, sess: sess, done: make(chan struct{})}
	sess.Stdout, sess.Stderr = s, s
	s.in, _ = sess.StdinPipe()
	sess.RequestPty("xterm", 30, 100, gossh.TerminalModes{})
	sess.Shell()
	go func() { sess.Wait(); close(s.done) }()
	s.waitFor("Feed")
	s.send("H") // hold the outbox: an admin may, a viewer may not
	s.waitFor("not allowed for this role")
	log := f.log.String()
	if !strings.Contains(log, "connected operator=vic role=viewer") || strings.Contains(log, "connected operator=alice") {
		t.Errorf("identity:\n%s", log)
	}
}

func TestHostKeyIsKeptAcrossRestarts(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin})
	fingerprint := func() string {
		var got string
		cfg := clientConfig(gossh.PublicKeys(f.keys["alice"]))
		cfg.HostKeyCallback = func(_ string, _ net.Addr, k gossh.PublicKey) error {
			got = gossh.FingerprintSHA256(k)
			return nil
		}
		c, err := gossh.Dial("tcp", f.addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		return got
	}
	first := fingerprint()
	fi, err := os.Stat(filepath.Join(f.dir, "host_ed25519"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	f.stop()
	db, err := store.Open(filepath.Join(f.dir, "tribune.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.hub = hub.New(hub.Options{Store: db})
	f.hub.Add("twitch", quiet{})
	f.start()
	if again := fingerprint(); again != first || first == "" {
		t.Errorf("host key %s, then %s after a restart", first, again)
	}
}

// A dropped connection keeps the draft; the operator finds it again from
// another connection.
func TestDraftSurvivesADroppedConnection(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Responder})
	if err := f.hub.Commit(context.Background(), []feeds.Event{{Feed: "twitch", Platform: "twitch", ID: "m1",
		Author: "kiki", Text: "@lumio when does it ship?", Time: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	s, c := f.open("alice", 100, 30)
	s.waitFor("kiki: @lumio when does it ship?")
	s.send("k") // select the newest row
	s.send("r")
	s.waitFor("→ twitch") // the title: only what changed is redrawn
	s.send("tonight at 8, promise")
	// Typed: every change is on disk at once (the screen draws it in
	// pieces, so the store is where to look).
	for deadline := time.Now().Add(60 * time.Second); ; {
		ds, err := f.db.Drafts("alice")
		if err == nil && len(ds) == 1 && ds[0].Action.Text == "tonight at 8, promise" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the draft never reached the store: %+v, %v", ds, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.Close() // the laptop's lid
	s.ended()
	s2, _ := f.open("alice", 120, 40)
	s2.waitFor("kiki: @lumio when does it ship?")
	s2.send("k")
	s2.send("r")
	s2.waitFor("tonight at 8, promise")
}

// SIGHUP's reload closes the sessions of a key that was removed, keeps the
// others, and a bad file keeps the operators as they were.
func TestReloadClosesRemovedKeys(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin, "bob": Moderator})
	a, _ := f.open("alice", 100, 30)
	b, _ := f.open("bob", 100, 30)
	a.waitFor("Feed")
	b.waitFor("Feed")
	if err := os.WriteFile(filepath.Join(f.dir, "operators"), []byte("bob overlord ssh-ed25519 AAAA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Reload(); err == nil {
		t.Error("a bad operators file was taken")
	}
	if err := f.srv.Authorize("bob", string(feeds.ActBan)); err != nil {
		t.Errorf("after a bad reload bob lost his role: %v", err)
	}
	f.operatorsFile(map[string]Role{"alice": Admin})
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	b.ended()
	b.waitFor("session closed: your key was removed from the team")
	select {
	case <-a.done:
		t.Error("alice's session was closed too")
	default:
	}
	if err := f.srv.Authorize("bob", string(feeds.ActReply)); !errors.Is(err, ErrForbidden) {
		t.Errorf("bob, removed, may still reply: %v", err)
	}
	if c, err := gossh.Dial("tcp", f.addr, clientConfig(gossh.PublicKeys(f.keys["bob"]))); err == nil {
		c.Close()
		t.Error("bob's removed key still gets in")
	}
}

// A viewer's reply is refused by the services, not only by the screen.
func TestViewerSendRefusedByTheServices(t *testing.T) {
	f := newFixture(t, map[string]Role{"vic": Viewer, "rita": Responder})
	a := feeds.Action{ID: feeds.NewActionID(time.Now()), Feed: "twitch", Kind: feeds.ActReply, Text: "hi", Operator: "vic", Created: time.Now()}
	err := f.services.Dispatcher.Enqueue(outboxItem(a))
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("a viewer's reply: %v", err)
	}
	a.Operator, a.ID = "rita", feeds.NewActionID(time.Now())
	if err := f.services.Dispatcher.Enqueue(outboxItem(a)); err != nil {
		t.Errorf("a responder's reply: %v", err)
	}
	a.Kind, a.ID = feeds.ActBan, feeds.NewActionID(time.Now())
	if err := f.services.Dispatcher.Enqueue(outboxItem(a)); !errors.Is(err, ErrForbidden) {
		t.Errorf("a responder's ban: %v", err)
	}
}

func TestIdleSessionsAreClosed(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin})
	f.srv.opts.IdleTimeout = 200 * time.Millisecond
	s, _ := f.open("alice", 100, 30)
	s.waitFor("Feed")
	s.ended()
	s.waitFor("session closed: nothing typed for 200ms")
	if !strings.Contains(f.log.String(), "why=idle") {
		t.Errorf("log:\n%s", f.log.String())
	}
}

func TestSessionsPerAddressAreCapped(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin})
	for range 3 {
		s, _ := f.open("alice", 80, 24)
		s.waitFor("Feed")
	}
	s, _ := f.open("alice", 80, 24)
	s.waitFor("3 sessions from your address already")
	s.ended()
}

func outboxItem(a feeds.Action) outbox.Outgoing {
	return outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: a.Created}
}

// Each client gets the colours its terminal says it has.
func TestColoursFollowTheClientsTerminal(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Admin})
	raw := func(term string, env ...string) string {
		c, err := gossh.Dial("tcp", f.addr, clientConfig(gossh.PublicKeys(f.keys["alice"])))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sess, _ := c.NewSession()
		for i := 0; i+1 < len(env); i += 2 {
			sess.Setenv(env[i], env[i+1])
		}
		s := &screen{t: t, sess: sess, done: make(chan struct{})}
		sess.Stdout, sess.Stderr = s, s
		s.in, _ = sess.StdinPipe()
		sess.RequestPty(term, 30, 100, gossh.TerminalModes{})
		sess.Shell()
		go func() { sess.Wait(); close(s.done) }()
		s.waitFor("Stats")
		s.send("q")
		s.ended()
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.out.String()
	}
	true24 := raw("xterm-256color", "COLORTERM", "truecolor")
	c256 := raw("xterm-256color")
	c16 := raw("xterm")
	none := raw("xterm-256color", "NO_COLOR", "1")
	switch {
	case !strings.Contains(true24, "38;2;"):
		t.Error("a true-colour client got no 24-bit colour")
	case strings.Contains(c256, "38;2;") || !strings.Contains(c256, "38;5;"):
		t.Error("a 256-colour client did not get 256 colours only")
	case strings.Contains(c16, "38;2;") || strings.Contains(c16, "38;5;"):
		t.Error("a 16-colour client got 256 or 24-bit colours")
	case strings.Contains(none, "38;2;") || strings.Contains(none, "38;5;"):
		t.Error("NO_COLOR sent colours")
	}
}

// Two operators over SSH see each other's claims: bob sees alice answering
// the message she opened the composer on.
func TestSessionsSeeEachOthersClaims(t *testing.T) {
	f := newFixture(t, map[string]Role{"alice": Responder, "bob": Responder})
	if err := f.hub.Commit(context.Background(), []feeds.Event{{Feed: "twitch", Platform: "twitch", ID: "m1",
		Author: "kiki", Text: "@lumio is it safe to charge overnight?", Time: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	a, _ := f.open("alice", 120, 30)
	b, _ := f.open("bob", 120, 30)
	a.waitFor("kiki: @lumio is it safe")
	b.waitFor("kiki: @lumio is it safe")
	b.waitFor("alice") // the team line: alice is connected
	a.send("k")
	a.send("r")
	a.waitFor("→ twitch") // the title: only what changed is redrawn
	b.waitFor("✎ alice")
	b.send("k")
	b.send("r")
	b.waitFor("alice is answering this message already")
}
