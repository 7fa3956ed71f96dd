package irc

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// wait bounds every wait in these tests. It only catches a broken test; it
// asserts nothing about speed.
const wait = 10 * time.Second

// TestMain fails the package when a session goroutine outlives its Run.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if stack := leakedSessions(); stack != "" {
			fmt.Fprintf(os.Stderr, "goroutines of a finished Run are still running:\n%s\n", stack)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedSessions() string {
	var stack string
	for range 50 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		stack = ""
		for g := range strings.SplitSeq(string(buf), "\n\n") {
			if strings.Contains(g, "feeds/irc.(*session)") || strings.Contains(g, "feeds/irc.(*Connector).Run") {
				stack += g + "\n\n"
			}
		}
		if stack == "" {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	return stack
}

// fakeServer is a scripted IRC server on loopback: the test accepts a
// connection and plays the server's side line by line.
type fakeServer struct {
	ln    net.Listener
	conns chan net.Conn
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln)
}

func newFakeTLSServer(t *testing.T, conf *tls.Config) *fakeServer {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, ln)
}

func serve(t *testing.T, ln net.Listener) *fakeServer {
	f := &fakeServer{ln: ln, conns: make(chan net.Conn, 16)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		close(f.conns)
		for c := range f.conns {
			c.Close()
		}
	})
	return f
}

func (f *fakeServer) addr() string { return f.ln.Addr().String() }

// accept waits for the connector to connect.
func (f *fakeServer) accept(t *testing.T) *peer {
	t.Helper()
	select {
	case c := <-f.conns:
		return newPeer(t, c)
	case <-time.After(wait):
		t.Fatal("the connector did not connect")
	}
	return nil
}

// peer is the server's end of one connection.
type peer struct {
	t     *testing.T
	c     net.Conn
	lines chan string
}

func newPeer(t *testing.T, c net.Conn) *peer {
	p := &peer{t: t, c: c, lines: make(chan string, 1024)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(p.lines)
		r := bufio.NewReaderSize(c, 1<<16)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			p.lines <- strings.TrimRight(line, "\r\n")
		}
	}()
	t.Cleanup(func() {
		c.Close()
		wg.Wait()
	})
	return p
}

// send writes lines to the connector.
func (p *peer) send(lines ...string) {
	p.t.Helper()
	for _, l := range lines {
		if _, err := p.c.Write([]byte(l + "\r\n")); err != nil {
			p.t.Fatalf("server write: %v", err)
		}
	}
}

// next returns the next line the connector sent.
func (p *peer) next() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatal("the connector closed the connection")
		}
		return l
	case <-time.After(wait):
		p.t.Fatal("the connector sent nothing")
	}
	return ""
}

// expect skips lines until one with the command cmd, and returns it.
func (p *peer) expect(cmd string) ircmsg.Message {
	p.t.Helper()
	for {
		l := p.next()
		m, err := ircmsg.ParseLine(l)
		if err != nil {
			p.t.Fatalf("the connector sent a bad line %q: %v", l, err)
		}
		if m.Command == cmd {
			return m
		}
	}
}

// expectLine is expect for an exact line.
func (p *peer) expectLine(want string) {
	p.t.Helper()
	if got := p.next(); got != want {
		p.t.Fatalf("the connector sent %q, want %q", got, want)
	}
}

// closed waits until the connector closes the connection.
func (p *peer) closed() {
	p.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-p.lines:
			if !ok {
				return
			}
		case <-deadline:
			p.t.Fatal("the connector did not close the connection")
		}
	}
}

// welcome plays a plain IRCv3 server's side of registration, offering caps
// and acknowledging what is asked, then joins the connector to its
// channels. It returns the capabilities the connector asked for.
func (p *peer) welcome(nick string, caps string, channels ...string) string {
	p.t.Helper()
	ls := p.expect("CAP")
	if strings.Join(ls.Params, " ") != "LS 302" {
		p.t.Fatalf("the connector opened with CAP %v, want LS 302", ls.Params)
	}
	p.expect("NICK")
	p.expect("USER")
	p.send(":irc.test CAP * LS :" + caps)
	asked := ""
	if caps != "" {
		req := p.expect("CAP")
		asked = req.Params[len(req.Params)-1]
		p.send(":irc.test CAP * ACK :" + asked)
	}
	p.expect("CAP") // END
	p.join(nick, channels...)
	return asked
}

// join sends the welcome numeric and answers the JOIN.
func (p *peer) join(nick string, channels ...string) {
	p.t.Helper()
	p.send(":irc.test 001 " + nick + " :Welcome")
	j := p.expect("JOIN")
	if got := j.Params[0]; got != strings.Join(channels, ",") {
		p.t.Fatalf("the connector joined %q, want %q", got, strings.Join(channels, ","))
	}
	for _, ch := range channels {
		p.send(":" + nick + "!" + nick + "@127.0.0.1 JOIN " + ch)
	}
}

// testConnector is New with the timing knobs short enough for tests.
func testConnector(t *testing.T, c Config) *Connector {
	t.Helper()
	k, err := New("test-feed", c)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// running is a Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// start runs k.Run until the test ends.
func start(t *testing.T, k *Connector, s feeds.Stream) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- k.Run(ctx, s) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(wait):
			t.Error("Run did not return after its context ended")
		}
	})
	return r
}

// ended waits for Run to return on its own and returns its error.
func (r *running) ended(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		return err
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	return nil
}

// stop ends Run and returns its error.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	return r.ended(t)
}

// waitConnected waits until the connector said it is connected.
func waitConnected(t *testing.T, s *feedstest.Stream, n int) {
	t.Helper()
	s.WaitFor(t, wait, "Connected", func(s *feedstest.Stream) bool { return s.Connections() >= n })
}

// doAsync runs Do in the background and returns its outcome channel.
func doAsync(ctx context.Context, k *Connector, a feeds.Action) <-chan error {
	out := make(chan error, 1)
	go func() { out <- k.Do(ctx, a) }()
	return out
}

func result(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(wait):
		t.Fatal("Do did not return")
	}
	return nil
}

// eventsOf returns the events of kind k.
func eventsOf(evs []feeds.Event, k feeds.Kind) []feeds.Event {
	var out []feeds.Event
	for _, ev := range evs {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// classify names how the dispatcher will read err.
func classify(err error) string {
	switch {
	case err == nil:
		return "ok"
	case feeds.IsPermanent(err):
		return "permanent"
	case feeds.IsNotSent(err):
		return "not-sent"
	}
	if _, ok := feeds.RetryAfterOf(err); ok {
		return "retry-after"
	}
	return "uncertain"
}

var errTest = errors.New("test")
