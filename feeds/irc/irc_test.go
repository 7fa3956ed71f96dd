package irc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

func ircConfig(addr string) Config {
	return Config{Server: addr, Transport: "tcp", Nick: "lumio", Channels: []string{"#halo"}}
}

func TestRegistrationNegotiatesCapsAndMapsEvents(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	st := feedstest.NewStream()
	start(t, k, st)

	p := srv.accept(t)
	asked := p.welcome("lumio", "batch echo-message message-tags multi-prefix server-time", "#halo")
	if want := "message-tags server-time echo-message"; asked != want {
		t.Errorf("CAP REQ %q, want %q", asked, want)
	}
	waitConnected(t, st, 1)

	p.send(
		`@msgid=abc123;time=2026-11-23T10:00:00.500Z;+draft/reply=parent\s1 :alice!a@host PRIVMSG #halo :is it waterproof?`,
		":bob!b@host PRIVMSG #halo :\x01ACTION waves\x01",
		":bob!b@host PRIVMSG #halo :\x01VERSION\x01",
		":carol!c@host NOTICE #halo :heads up",
		":lumio!l@host PRIVMSG #halo :we said this elsewhere",
		":dave!d@host PRIVMSG lumio :psst, private",
		":alice!a@host PRIVMSG #halo :caf\xe9 cr\xe8me", // Latin-1
	)
	evs := st.WaitEvents(t, 6, wait)
	if len(evs) != 6 {
		t.Fatalf("got %d events, want 6 (CTCP VERSION is not one): %+v", len(evs), evs)
	}
	first := evs[0]
	if first.ID != "abc123" || first.Author != "alice" || first.Channel != "#halo" ||
		first.Text != "is it waterproof?" || first.Kind != feeds.KindMessage || first.ReplyTo != "parent 1" ||
		first.Platform != "irc" || first.Feed != "test-feed" {
		t.Errorf("first event %+v", first)
	}
	if want := time.Date(2026, 11, 23, 10, 0, 0, 5e8, time.UTC); !first.Time.Equal(want) {
		t.Errorf("time %v, want the server time %v", first.Time, want)
	}
	if evs[1].Kind != feeds.KindAction || evs[1].Text != "waves" || evs[1].Author != "bob" {
		t.Errorf("action %+v", evs[1])
	}
	if evs[2].Kind != feeds.KindNotice || evs[2].Text != "heads up" || evs[2].Author != "carol" {
		t.Errorf("notice %+v", evs[2])
	}
	if !evs[3].HasBadge(feeds.BadgeBrand) || evs[0].HasBadge(feeds.BadgeBrand) {
		t.Errorf("only our own message carries the brand badge: %+v / %+v", evs[3], evs[0])
	}
	if evs[4].Channel != "dave" || evs[4].Text != "psst, private" {
		t.Errorf("a private message's channel is its sender, so a reply goes back: %+v", evs[4])
	}
	if evs[5].Text != "café crème" {
		t.Errorf("Latin-1 text read as %q", evs[5].Text)
	}
	ids := map[string]bool{}
	for _, ev := range evs[1:] {
		if !isLocalID(ev.ID) || ids[ev.ID] {
			t.Errorf("event without msgid got id %q, want a new local one", ev.ID)
		}
		ids[ev.ID] = true
	}
}

func TestServerWithoutCapsAndNickInUse(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	st := feedstest.NewStream()
	start(t, k, st)

	p := srv.accept(t)
	p.expect("NICK")
	p.expect("USER")
	p.send(":irc.test 421 * CAP :Unknown command", ":irc.test 433 * lumio :Nickname is already in use")
	if n := p.expect("NICK"); n.Params[0] != "lumio_" {
		t.Fatalf("second nick %q", n.Params[0])
	}
	p.join("lumio_", "#halo")
	waitConnected(t, st, 1)
	p.send(":lumio_!l@h PRIVMSG #halo :mine")
	if ev := st.WaitEvents(t, 1, wait)[0]; !ev.HasBadge(feeds.BadgeBrand) {
		t.Errorf("the nick the server gave us is ours: %+v", ev)
	}
}

func TestSASLPlain(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_PW", "s3cret")
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.SASLUser, cfg.PasswordEnv = "lumio-account", "TRIBUNE_TEST_PW"
	k := testConnector(t, cfg)
	st := feedstest.NewStream()
	start(t, k, st)

	p := srv.accept(t)
	p.expect("CAP")
	p.expect("NICK")
	p.expect("USER")
	p.send(":irc.test CAP * LS * :message-tags server-time", ":irc.test CAP * LS :sasl=PLAIN,EXTERNAL")
	req := p.expect("CAP")
	if got := req.Params[len(req.Params)-1]; got != "message-tags server-time sasl" {
		t.Fatalf("CAP REQ %q", got)
	}
	p.send(":irc.test CAP * ACK :message-tags server-time sasl")
	p.expectLine("AUTHENTICATE PLAIN")
	p.send("AUTHENTICATE +")
	auth := p.expect("AUTHENTICATE")
	raw, err := base64.StdEncoding.DecodeString(auth.Params[0])
	if err != nil || string(raw) != "\x00lumio-account\x00s3cret" {
		t.Fatalf("AUTHENTICATE %q decodes to %q (%v)", auth.Params[0], raw, err)
	}
	p.send(":irc.test 900 lumio lumio!l@h lumio-account :You are now logged in", ":irc.test 903 lumio :SASL authentication successful")
	p.expectLine("CAP END")
	p.join("lumio", "#halo")
	waitConnected(t, st, 1)
}

func TestSASLFailureIsPermanent(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_PW", "wrong")
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.SASLUser, cfg.PasswordEnv = "lumio", "TRIBUNE_TEST_PW"
	k := testConnector(t, cfg)
	r := start(t, k, feedstest.NewStream())

	p := srv.accept(t)
	p.expect("USER")
	p.send(":irc.test CAP * LS :sasl")
	p.expect("CAP")
	p.send(":irc.test CAP * ACK :sasl")
	p.expectLine("AUTHENTICATE PLAIN")
	p.send("AUTHENTICATE +")
	p.expect("AUTHENTICATE")
	p.send(":irc.test 904 lumio :SASL authentication failed")
	err := r.ended(t)
	if !feeds.IsPermanent(err) || !strings.Contains(err.Error(), "SASL") {
		t.Fatalf("Run returned %v, want a permanent SASL error so the supervisor stops", err)
	}
	p.closed()
}

func TestSASLNotOfferedIsPermanent(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_PW", "pw")
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.SASLUser, cfg.PasswordEnv = "lumio", "TRIBUNE_TEST_PW"
	r := start(t, testConnector(t, cfg), feedstest.NewStream())
	p := srv.accept(t)
	p.expect("USER")
	p.send(":irc.test CAP * LS :message-tags")
	if err := r.ended(t); !feeds.IsPermanent(err) {
		t.Fatalf("Run returned %v, want permanent", err)
	}
}

func TestServerPasswordWithoutSASL(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_PW", "serverpw")
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.PasswordEnv = "TRIBUNE_TEST_PW"
	start(t, testConnector(t, cfg), feedstest.NewStream())
	p := srv.accept(t)
	p.expectLine("CAP LS 302")
	p.expectLine("PASS serverpw")
	p.expectLine("NICK lumio")
}

func TestPingIsAnswered(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	start(t, testConnector(t, ircConfig(srv.addr())), st)
	p := srv.accept(t)
	p.send("PING :before-registration")
	p.welcome("lumio", "", "#halo")
	p.send("PING :irc.test")
	if pong := p.expect("PONG"); pong.Params[0] != "irc.test" {
		t.Fatalf("PONG %v", pong.Params)
	}
	waitConnected(t, st, 1)
}

func TestIdleConnectionIsPingedThenDropped(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, ircConfig(srv.addr()))
	k.pingAfter, k.pongWait = 50*time.Millisecond, 50*time.Millisecond
	st := feedstest.NewStream()
	r := start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")

	// Answered: the connection lives on, and is pinged again when idle.
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	p.expect("PING")
	// Not answered: Run gives up with an error, and the supervisor will
	// reconnect.
	err := r.ended(t)
	if err == nil || classify(err) != "uncertain" || !strings.Contains(err.Error(), "not answered") {
		t.Fatalf("Run returned %v, want a retryable silence error", err)
	}
	p.closed()
}

func TestOverlongLinesAreDroppedNotFatal(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	k.statusEvery = 10 * time.Millisecond // the count is shown spaced out
	r := start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "message-tags", "#halo")
	waitConnected(t, st, 1)

	p.send(
		":a!a@h PRIVMSG #halo :"+strings.Repeat("x", 600),                       // body over 512
		"@t="+strings.Repeat("y", 9000)+" :a!a@h PRIVMSG #halo :tags over 8191", // tags over 8191
		strings.Repeat("z", 20000),                                              // past any buffer
		"@bad=\xff\xfe :a!a@h PRIVMSG #halo :tag value not UTF-8",
		":a!a@h PRIVMSG #halo :"+strings.Repeat("w", 400), // long but legal
		"@t="+strings.Repeat("v", 8000)+" :a!a@h PRIVMSG #halo :big tags, legal",
	)
	evs := st.WaitEvents(t, 2, wait)
	st.WaitFor(t, wait, "4 dropped lines", func(s *feedstest.Stream) bool { return s.StatusOf("dropped lines") == "4" })
	if len(evs) != 2 || len(evs[0].Text) != 400 || evs[1].Text != "big tags, legal" {
		t.Fatalf("events %d: %+v", len(evs), evs)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run ended on an overlong line: %v", err)
	default:
	}
}

func TestRunEndsWithContextAndSaysQuit(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	r := start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	waitConnected(t, st, 1)
	if err := r.stop(t); err != context.Canceled {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	p.expect("QUIT")
	p.closed()
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: "hi"}); !feeds.IsNotSent(err) {
		t.Fatalf("Do after Run returned %v, want NotSent", err)
	}
}

func TestErrorLineEndsRun(t *testing.T) {
	srv := newFakeServer(t)
	r := start(t, testConnector(t, ircConfig(srv.addr())), feedstest.NewStream())
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	p.send("ERROR :Closing link: (lumio@127.0.0.1) [Server shutting down]")
	if err := r.ended(t); classify(err) != "uncertain" || !strings.Contains(err.Error(), "shutting down") {
		t.Fatalf("Run returned %v", err)
	}
}

func TestJoinRefusalStillConnects(t *testing.T) {
	srv := newFakeServer(t)
	cfg := ircConfig(srv.addr())
	cfg.Channels = []string{"halo", "#secret"}
	st := feedstest.NewStream()
	start(t, testConnector(t, cfg), st)
	p := srv.accept(t)
	p.expect("USER")
	p.send(":irc.test CAP * LS :", ":irc.test 001 lumio :Welcome")
	if j := p.expect("JOIN"); j.Params[0] != "#halo,#secret" {
		t.Fatalf("JOIN %v", j.Params)
	}
	p.send(":lumio!l@h JOIN #halo")
	if st.Connections() != 0 {
		t.Fatal("connected before every channel was answered")
	}
	p.send(":irc.test 474 lumio #secret :Cannot join channel (+b)")
	waitConnected(t, st, 1)
	ev := st.WaitEvents(t, 1, wait)[0]
	if ev.Kind != feeds.KindNotice || ev.Channel != "#secret" || !strings.Contains(ev.Text, "Cannot join") {
		t.Fatalf("event %+v", ev)
	}
}

func TestReplyConfirmedByEcho(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message message-tags server-time", "#halo")
	waitConnected(t, st, 1)

	res := doAsync(context.Background(), k, feeds.Action{
		Kind: feeds.ActReply, Channel: "#halo", Text: "yes, IPX4", Target: "abc123", TargetAuthor: "alice",
	})
	got := p.expect("PRIVMSG")
	if got.Params[0] != "#halo" || got.Params[1] != "alice: yes, IPX4" {
		t.Fatalf("PRIVMSG %v", got.Params)
	}
	if ok, v := got.GetTag("+draft/reply"); !ok || v != "abc123" {
		t.Errorf("reply tag %q (%v)", v, ok)
	}
	ping := p.expect("PING")
	select {
	case err := <-res:
		t.Fatalf("Do returned %v before the echo", err)
	case <-time.After(20 * time.Millisecond):
	}
	p.send("@msgid=echo1;+draft/reply=abc123 :lumio!l@h PRIVMSG #halo :alice: yes, IPX4", ":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatalf("Do: %v", err)
	}
	ev := st.Events()[0] // emitted before Do returned
	if ev.ID != "echo1" || !ev.HasBadge(feeds.BadgeBrand) || ev.ReplyTo != "abc123" {
		t.Fatalf("echo event %+v", ev)
	}
}

func TestReplyWithoutEchoIsUncertain(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message", "#halo")
	waitConnected(t, st, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := result(t, doAsync(ctx, k, feeds.Action{Kind: feeds.ActReply, Text: "anyone?"}))
	if classify(err) != "uncertain" {
		t.Fatalf("Do returned %v (%s), want a plain error: the reply may have been posted", err, classify(err))
	}
	p.expect("PRIVMSG")
	ping := p.expect("PING")
	// A late echo still shows in the feed, and is not taken for the
	// next reply's.
	p.send(":lumio!l@h PRIVMSG #halo :anyone?")
	st.WaitEvents(t, 1, wait)
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "anyone?"})
	p.expect("PRIVMSG")
	ping2 := p.expect("PING")
	p.send(":irc.test PONG irc.test :"+ping.Params[0], ":lumio!l@h PRIVMSG #halo :anyone?", ":irc.test PONG irc.test :"+ping2.Params[0])
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
}

func TestReplyRefusedIsPermanent(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message", "#halo")
	waitConnected(t, st, 1)

	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "hello"})
	p.expect("PRIVMSG")
	ping := p.expect("PING")
	p.send(":irc.test 404 lumio #halo :Cannot send to channel", ":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); classify(err) != "permanent" {
		t.Fatalf("Do returned %v, want permanent", err)
	}
}

func TestReplyConfirmedByPingWithoutEcho(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "multi-prefix", "#halo")
	waitConnected(t, st, 1)

	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "hi all", Target: "~local-1"})
	if got := p.expect("PRIVMSG"); got.Params[1] != "hi all" || got.HasTag("+draft/reply") {
		t.Fatalf("PRIVMSG %+v", got)
	}
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
	ev := st.WaitEvents(t, 1, wait)[0]
	if ev.Text != "hi all" || !ev.HasBadge(feeds.BadgeBrand) || ev.Author != "lumio" || ev.ReplyTo != "~local-1" {
		t.Fatalf("own event %+v", ev)
	}
}

func TestLongReplyIsSplitWithinTheLineLimit(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message", "#halo")
	waitConnected(t, st, 1)

	// 990 characters, most of them 2 to 4 bytes long.
	text := strings.Repeat("héllo wörld ünïcode 🎧 ", 45)
	text = string([]rune(text)[:990])
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: text, TargetAuthor: "alice"})
	prefix := ":lumio!lumio@127.0.0.1 " // what the server puts in front for others
	var parts []string
	for len(strings.Join(parts, " ")) < len("alice: "+strings.TrimSpace(text)) {
		m := p.expect("PRIVMSG")
		if n := len(prefix + "PRIVMSG #halo :" + m.Params[1] + "\r\n"); n > 512 {
			t.Errorf("relayed line is %d bytes", n)
		}
		if !utf8.ValidString(m.Params[1]) {
			t.Errorf("part %q is not valid UTF-8", m.Params[1])
		}
		parts = append(parts, m.Params[1])
		p.send(prefix + "PRIVMSG #halo :" + m.Params[1])
	}
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
	if len(parts) < 2 || strings.Join(parts, " ") != "alice: "+strings.TrimSpace(text) {
		t.Fatalf("%d parts do not rebuild the text", len(parts))
	}
}

func TestDoNotConnectedIsNotSent(t *testing.T) {
	k := testConnector(t, ircConfig("127.0.0.1:1"))
	for _, a := range []feeds.Action{
		{Kind: feeds.ActReply, Text: "hi"},
		{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll"},
	} {
		if err := k.Do(context.Background(), a); !feeds.IsNotSent(err) {
			t.Errorf("%s: %v, want NotSent", a.Kind, err)
		}
	}
	for _, a := range []feeds.Action{
		{Kind: feeds.ActDelete, Target: "x"},
		{Kind: feeds.ActTimeout, TargetAuthor: "x"},
		{Kind: feeds.ActReply, Text: "  "},
		{Kind: feeds.ActReply, Text: strings.Repeat("x", 1001)},
		{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "bad nick"},
	} {
		if err := k.Do(context.Background(), a); !feeds.IsPermanent(err) {
			t.Errorf("%+v: %v, want permanent", a, err)
		}
	}
}

// brokenConn fails every write before sending anything.
type brokenConn struct{ lineConn }

func (brokenConn) WriteLine([]byte, time.Time) (bool, error) { return false, errTest }
func (brokenConn) Close() error                              { return nil }

func TestWriteFailureBeforeAnyByteIsNotSent(t *testing.T) {
	k := testConnector(t, ircConfig("127.0.0.1:1"))
	s := newSession(k, brokenConn{}, feedstest.NewStream())
	s.joined["#halo"] = true
	k.publish(s)
	err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: "hi"})
	if !feeds.IsNotSent(err) {
		t.Fatalf("Do returned %v, want NotSent", err)
	}
	if len(s.waiters) != 0 {
		t.Fatalf("%d waiters left behind", len(s.waiters))
	}
}

func TestBanAndUnbanOnIRC(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	waitConnected(t, st, 1)

	// Not an operator: both lines refused, permanently.
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll"})
	p.expectLine("MODE #halo +b troll!*@*")
	p.expectLine("KICK #halo troll banned")
	ping := p.expect("PING")
	p.send(":irc.test 482 lumio #halo :You're not channel operator",
		":irc.test 482 lumio #halo :You're not channel operator",
		":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); classify(err) != "permanent" || !strings.Contains(err.Error(), "not channel operator") {
		t.Fatalf("ban: %v", err)
	}

	res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll", Reason: "spam links"})
	p.expectLine("MODE #halo +b troll!*@*")
	p.expectLine("KICK #halo troll :spam links")
	ping = p.expect("PING")
	p.send(":lumio!l@h MODE #halo +b troll!*@*", ":lumio!l@h KICK #halo troll :spam links", ":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatalf("ban: %v", err)
	}
	evs := st.WaitEvents(t, 3, wait)
	if evs[0].Kind != feeds.KindNotice || !strings.Contains(evs[0].Text, "not channel operator") {
		t.Errorf("the refusal shows in the feed too: %+v", evs[0])
	}
	kick := evs[2]
	if kick.Kind != feeds.KindNotice || kick.Author != "troll" || kick.Text != "troll was kicked by lumio: spam links" {
		t.Fatalf("kick event %+v", kick)
	}

	res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActUnban, Channel: "#halo", TargetAuthor: "troll"})
	p.expectLine("MODE #halo -b troll!*@*")
	ping = p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatalf("unban: %v", err)
	}
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ééééé", 5, []string{"éé", "éé", "é"}}, // never half a rune
		{"🎧🎧🎧", 5, []string{"🎧", "🎧", "🎧"}},     // 4-byte runes
		{"a 🎧🎧", 6, []string{"a 🎧", "🎧"}},
		{"a 🎧🎧", 5, []string{"a", "🎧", "🎧"}}, // no space in the second half: cut at a rune
		{"   ", 5, nil},
		{"x", 1, []string{"x"}},
		{"€", 2, []string{"€"}}, // one rune larger than max still goes out whole
	}
	for _, c := range cases {
		got := splitText(c.in, c.max)
		if !slices.Equal(got, c.want) {
			t.Errorf("splitText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func FuzzSplitText(f *testing.F) {
	f.Add("the quick brown 🦊 jumps over the lazy dög", 7)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 4 || max > 600 || !utf8.ValidString(s) {
			return
		}
		parts := splitText(s, max)
		for _, p := range parts {
			if len(p) > max || !utf8.ValidString(p) || p == "" {
				t.Fatalf("part %q of %q (max %d)", p, s, max)
			}
		}
		// Only whitespace may be lost (at cuts), never a character.
		if strings.Join(strings.Fields(strings.Join(parts, "")), "") != strings.Join(strings.Fields(s), "") {
			t.Fatalf("parts %q lose text of %q", parts, s)
		}
	})
}

func TestTLSTransport(t *testing.T) {
	// httptest's certificate is for 127.0.0.1: borrow it for an IRC port.
	hs := httptest.NewTLSServer(nil)
	defer hs.Close()
	srv := newFakeTLSServer(t, &tls.Config{Certificates: hs.TLS.Certificates})
	cfg := ircConfig(srv.addr())
	cfg.Transport = "tls"
	k := testConnector(t, cfg)
	pool := x509.NewCertPool()
	pool.AddCert(hs.Certificate())
	k.tlsConfig = &tls.Config{RootCAs: pool}
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "", "#halo")
	waitConnected(t, st, 1)
	p.send(":alice!a@h PRIVMSG #halo :over TLS")
	if ev := st.WaitEvents(t, 1, wait)[0]; ev.Text != "over TLS" {
		t.Fatalf("event %+v", ev)
	}
}

func TestTLSRefusesAnUntrustedCertificate(t *testing.T) {
	hs := httptest.NewTLSServer(nil)
	defer hs.Close()
	srv := newFakeTLSServer(t, &tls.Config{Certificates: hs.TLS.Certificates})
	cfg := ircConfig(srv.addr())
	cfg.Transport = "tls"
	r := start(t, testConnector(t, cfg), feedstest.NewStream())
	srv.accept(t) // the server side of the handshake runs as the peer reads
	if err := r.ended(t); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("Run returned %v, want a TLS error", err)
	}
}

func TestCapDelStopsWaitingForEchoes(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message", "#halo")
	waitConnected(t, st, 1)
	p.send(":irc.test CAP lumio DEL :echo-message")
	p.send("PING :sync") // once answered, the DEL has been handled
	p.expect("PONG")

	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "no echo now"})
	p.expect("PRIVMSG")
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if ev := st.WaitEvents(t, 1, wait)[0]; ev.Text != "no echo now" || !ev.HasBadge(feeds.BadgeBrand) {
		t.Fatalf("own event %+v", ev)
	}
}

// A post is the brand's own line in the channel: no reply tag, no name.
func TestPostIsAPlainLine(t *testing.T) {
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", "echo-message message-tags server-time", "#halo")
	waitConnected(t, st, 1)
	res := doAsync(context.Background(), k, feeds.Action{
		Kind: feeds.ActPost, Channel: "#halo", Text: "We're looking into the case reports.", Target: "x", TargetAuthor: "alice",
	})
	got := p.expect("PRIVMSG")
	if got.Params[0] != "#halo" || got.Params[1] != "We're looking into the case reports." {
		t.Fatalf("PRIVMSG %v", got.Params)
	}
	if ok, _ := got.GetTag("+draft/reply"); ok {
		t.Error("a post carries a reply tag")
	}
	ping := p.expect("PING")
	p.send("@msgid=echo2 :lumio!l@h PRIVMSG #halo :We're looking into the case reports.", ":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatalf("Do: %v", err)
	}
}
