package irc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// A RECONNECT is followed at once only by a session that was fully up; one
// that comes earlier (a server that answers every connection with it) is a
// plain failure, which the supervisor meets with its growing backoff.
func TestTwitchReconnectBeforeReadyIsAFailure(t *testing.T) {
	for _, when := range []string{"registering", "joining"} {
		t.Run(when, func(t *testing.T) {
			srv := newFakeServer(t)
			k := testConnector(t, twitchConfig(t, srv.addr()))
			st := feedstest.NewStream()
			r := start(t, k, st)
			p := srv.accept(t)
			if when == "joining" {
				p.twitchWelcome() // 001, then JOIN sent and not answered
			} else {
				p.expect("NICK")
			}
			p.send(":tmi.twitch.tv RECONNECT")
			err := r.ended(t)
			if _, ok := feeds.RetryAfterOf(err); ok || err == nil || feeds.IsPermanent(err) {
				t.Fatalf("Run returned %v (%s), want a plain error", err, classify(err))
			}
			if !strings.Contains(err.Error(), "reconnect") {
				t.Errorf("error %q should say twitch asked to reconnect", err)
			}
		})
	}
}

// A reply is not sent to a channel the session has not joined yet: on a +n
// channel the server would refuse it (404), and the refusal would fail the
// reply for good although it was merely early.
func TestReplyWaitsForTheJoin(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.expect("USER")
	p.send(":irc.test CAP * LS :", ":irc.test 001 lumio :Welcome")
	p.expect("CAP") // END
	p.expectLine("JOIN #halo")

	// Given up before the JOIN is answered: nothing left.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Text: "too early"}); !feeds.IsNotSent(err) {
		t.Fatalf("before the join: %v (%s), want NotSent", err, classify(err))
	}
	p.send("PING :sync")
	p.expectLine("PONG sync") // and not the PRIVMSG

	// Waiting: it goes once the channel is joined.
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "on time"})
	p.send(":lumio!lumio@127.0.0.1 JOIN #halo")
	p.expectLine("PRIVMSG #halo :on time")
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
}

// A channel the server would not let us join gets nothing sent to it.
func TestReplyToARefusedChannelIsNotSent(t *testing.T) {
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.Channels = []string{"#halo", "#secret"}
	k := testConnector(t, cfg)
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.expect("USER")
	p.send(":irc.test CAP * LS :", ":irc.test 001 lumio :Welcome")
	p.expect("CAP") // END
	p.expectLine("JOIN #halo,#secret")
	p.send(":lumio!l@h JOIN #halo", ":irc.test 474 lumio #secret :Cannot join channel (+b)")
	waitConnected(t, st, 1)
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Channel: "#secret", Text: "hi"}); !feeds.IsNotSent(err) {
		t.Fatalf("%v (%s), want NotSent", err, classify(err))
	}
	p.send("PING :sync")
	p.expectLine("PONG sync")
}

// partialConn fails its first write after some of the line left, as a
// write that timed out mid-line does, and records the rest.
type partialConn struct {
	mu     sync.Mutex
	writes []string
	closed bool
}

func (c *partialConn) ReadLine() ([]byte, error) { select {} }

func (c *partialConn) WriteLine(line []byte, _ time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false, errors.New("use of closed connection")
	}
	c.writes = append(c.writes, string(line))
	if len(c.writes) == 1 {
		return true, os.ErrDeadlineExceeded
	}
	return true, nil
}

func (c *partialConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

// A write that failed after some bytes left leaves half a line on the
// wire: the next write would be glued onto it. The connection is closed,
// the send in flight is uncertain, and the next one is not sent.
func TestPartialWriteClosesTheConnection(t *testing.T) {
	k := testConnector(t, ircConfig("127.0.0.1:1"))
	conn := &partialConn{}
	s := newSession(k, conn, feedstest.NewStream())
	s.joined["#halo"] = true
	k.publish(s)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Text: "hi"})
	if classify(err) != "uncertain" {
		t.Fatalf("a write cut mid-line: %v (%s), want uncertain", err, classify(err))
	}
	err = k.Do(ctx, feeds.Action{Kind: feeds.ActReply, Text: "next"})
	if !feeds.IsNotSent(err) {
		t.Fatalf("after a failed write: %v (%s), want NotSent", err, classify(err))
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if !conn.closed || len(conn.writes) != 1 {
		t.Fatalf("closed %v, writes %q: want the connection closed after the first", conn.closed, conn.writes)
	}
}

// Overlong lines are counted in the Stats pane, but a flood of them does
// not republish the feed's health once per line.
func TestDroppedLinesStatusIsThrottled(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	k.statusEvery = time.Hour // nothing but the first shows during the test
	st := &statusLog{Stream: feedstest.NewStream()}
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	waitConnected(t, st.Stream, 1)
	long := ":bob!b@h PRIVMSG #halo :" + strings.Repeat("x", 600)
	for range 50 {
		p.send(long)
	}
	p.send("PING :sync")
	p.expectLine("PONG sync")
	if got := st.history(); !slices.Equal(got, []string{"dropped lines=1"}) {
		t.Fatalf("status updates %q, want only the first", got)
	}

	// The latest count shows once the interval is up.
	srv2 := newFakeServer(t)
	k2 := testConnector(t, ircConfig(srv2.addr()))
	k2.statusEvery = 10 * time.Millisecond
	st2 := feedstest.NewStream()
	start(t, k2, st2)
	p2 := srv2.accept(t)
	p2.welcome("lumio", "", "#halo")
	waitConnected(t, st2, 1)
	for range 50 {
		p2.send(long)
	}
	st2.WaitFor(t, wait, "50 dropped lines", func(s *feedstest.Stream) bool { return s.StatusOf("dropped lines") == "50" })
}

// The record of who said what (for Twitch's CLEARCHAT, which names no
// message) is kept only where it is used: on Twitch, for our channels.
func TestRecentIDsOnlyForTwitchChannels(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	st := feedstest.NewStream()
	r := start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	waitConnected(t, st, 1)
	p.send(":alice!a@h PRIVMSG #halo :hi", ":bob!b@h PRIVMSG #elsewhere :hi")
	st.WaitEvents(t, 2, wait)
	r.stop(t)
	if n := len(k.recent.channels); n != 0 {
		t.Errorf("plain IRC keeps a record for %d channels", n)
	}

	srv = newFakeServer(t)
	k = testConnector(t, twitchConfig(t, srv.addr()))
	st = feedstest.NewStream()
	r = start(t, k, st)
	p = srv.accept(t)
	p.twitchWelcome()
	p.send(":lumio!lumio@lumio.tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st, 1)
	p.send("@id=m1 :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #dallas :hi",
		"@id=m2 :ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #notours :hi")
	st.WaitEvents(t, 2, wait)
	r.stop(t)
	if _, ok := k.recent.channels["#notours"]; ok || len(k.recent.channels) != 1 {
		t.Errorf("twitch keeps a record for %d channels, want #dallas only", len(k.recent.channels))
	}
}

// Twitch may put many lines in one WebSocket frame; a frame past 64 KiB
// must not kill the connection.
func TestLargeWebSocketFrame(t *testing.T) {
	url, conns := newWSServer(t)
	k := testConnector(t, Config{Server: url, Nick: "lumio", Channels: []string{"#halo"}})
	st := feedstest.NewStream()
	start(t, k, st)
	var p *wsPeer
	select {
	case p = <-conns:
	case <-time.After(wait):
		t.Fatal("no WebSocket connection")
	}
	defer p.c.Close()
	p.next() // CAP LS
	p.next() // NICK
	p.next() // USER
	p.send(":irc.test CAP * LS :")
	p.next() // CAP END
	p.send(":irc.test 001 lumio :Welcome")
	p.next() // JOIN
	p.send(":lumio!l@h JOIN #halo")
	waitConnected(t, st, 1)
	const n = 400
	var b strings.Builder
	for i := range n {
		b.WriteString("@msgid=m" + strconv.Itoa(i) + " :alice!a@h PRIVMSG #halo :" + strings.Repeat("y", 300) + "\r\n")
	}
	if b.Len() <= 64<<10 {
		t.Fatalf("frame of %d bytes is too small for the test", b.Len())
	}
	p.send(b.String())
	evs := st.WaitEvents(t, n, wait)
	if evs[n-1].ID != "m"+strconv.Itoa(n-1) {
		t.Fatalf("last event %+v", evs[n-1])
	}
}

// Secrets that a URL may carry (user, password, a token in the query)
// never reach an error, which the Stats pane shows and logs keep.
func TestURLSecretsStayOutOfErrors(t *testing.T) {
	const secret = "hunter2"
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: %q shows a secret", what, err)
		}
	}
	// The server dial fails (nothing listens on port 1).
	k := testConnector(t, Config{Server: "ws://127.0.0.1:1/irc?token=" + secret, Nick: "lumio", Channels: []string{"#halo"}})
	err := k.Run(context.Background(), feedstest.NewStream())
	check("dial", err)
	if !strings.Contains(err.Error(), "ws://127.0.0.1:1/irc") {
		t.Errorf("dial: %q should still name the server", err)
	}
	// Servers the config refuses.
	_, err = New("x", Config{Server: "ws://bob:" + secret + "@/irc?token=" + secret, Channels: []string{"#halo"}, Nick: "lumio"})
	check("config", err)
	_, err = New("x", Config{Server: "wss://bob:" + secret + "@irc.example/?token=" + secret, Channels: []string{"#halo"}, Nick: "lumio"})
	check("config user", err)
	_, err = New("x", Config{Server: "bob:" + secret + "@irc.example:6697", Transport: "tls", Channels: []string{"#halo"}, Nick: "lumio"})
	check("config tcp", err)
	t.Setenv("TRIBUNE_TEST_HELIX", "helix-token")
	cfg := twitchConfig(t, "127.0.0.1:1")
	cfg.ClientID, cfg.HelixTokenEnv, cfg.HelixURL = "app-client-id", "TRIBUNE_TEST_HELIX", "ftp://bob:"+secret+"@api.example/helix?key="+secret
	_, err = New("x", cfg)
	check("helix config", err)
	// Helix unreachable: Go's own error names the whole request URL.
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	cfg.HelixURL = strings.Replace(hs.URL, "http://", "http://bob:"+secret+"@", 1) + "/helix"
	k = testConnector(t, cfg)
	k.setRoom("#dallas", "1234")
	err = k.Do(context.Background(), feeds.Action{Kind: feeds.ActBan, TargetAuthor: "newbie"})
	check("helix", err)
	if strings.Contains(err.Error(), "login=") {
		t.Errorf("helix: %q shows the query", err)
	}
}
