package irc

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/feedstest"
)

// These tests hold the invariant the confirmation code exists for: a send
// refused by the server is reported refused (nothing was posted), one the
// server took is reported sent, and anything in between is uncertain, never
// a refusal: the operator would resend it and post it twice.

// ircSession starts a connector on a fake server, registered with caps and
// joined to #halo.
func ircSession(t *testing.T, caps string) (*Connector, *peer, *feedstest.Stream) {
	t.Helper()
	srv := newFakeServer(t)
	st := feedstest.NewStream()
	k := testConnector(t, ircConfig(srv.addr()))
	start(t, k, st)
	p := srv.accept(t)
	p.welcome("lumio", caps, "#halo")
	waitConnected(t, st, 1)
	return k, p, st
}

// A ban without operator rights is refused twice (MODE +b and KICK each get
// 482). The second 482 belongs to the ban even when it comes after the next
// reply was sent: the reply, which the server accepted, must not be
// reported refused.
func TestStaleRefusalIsNotBlamedOnTheNextReply(t *testing.T) {
	k, p, st := ircSession(t, "multi-prefix")

	ban := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll"})
	p.expectLine("MODE #halo +b troll!*@*")
	p.expectLine("KICK #halo troll banned")
	banPing := p.expect("PING")
	p.send(":irc.test 482 lumio #halo :You're not channel operator") // the MODE's

	// A lagging server: the reply goes out before the ban is answered.
	reply := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Channel: "#halo", Text: "calm down please"})
	p.expectLine("PRIVMSG #halo :calm down please")
	replyPing := p.expect("PING")
	p.send(
		":irc.test 482 lumio #halo :You're not channel operator", // the KICK's
		":irc.test PONG irc.test :"+banPing.Params[0],
		// The PRIVMSG was accepted: servers say nothing.
		":irc.test PONG irc.test :"+replyPing.Params[0],
	)
	if err := result(t, ban); classify(err) != "permanent" || !strings.Contains(err.Error(), "not channel operator") {
		t.Errorf("ban refused on both lines: %v (%s), want permanent", err, classify(err))
	}
	if err := result(t, reply); err != nil {
		t.Fatalf("the reply the server accepted: %v (%s), want success", err, classify(err))
	}
	st.WaitFor(t, wait, "our reply in the feed", func(s *feedstest.Stream) bool {
		for _, ev := range s.Events() {
			if ev.Text == "calm down please" && ev.HasBadge(feeds.BadgeBrand) {
				return true
			}
		}
		return false
	})
}

// The same with echo-message: the refusal left over from the ban must not
// be taken for the reply's, and the reply puts a PING behind its line so
// that what the server says about it is settled before the next action.
func TestStaleRefusalIsNotBlamedOnTheNextEchoedReply(t *testing.T) {
	k, p, _ := ircSession(t, "echo-message")

	ban := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll"})
	p.expect("MODE")
	p.expect("KICK")
	banPing := p.expect("PING")
	p.send(":irc.test 482 lumio #halo :You're not channel operator")

	reply := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Channel: "#halo", Text: "calm down please"})
	p.expectLine("PRIVMSG #halo :calm down please")
	p.send(
		":irc.test 482 lumio #halo :You're not channel operator",
		":irc.test PONG irc.test :"+banPing.Params[0],
		":lumio!l@h PRIVMSG #halo :calm down please",
	)
	replyPing := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + replyPing.Params[0])
	if err := result(t, ban); classify(err) != "permanent" {
		t.Errorf("ban: %v (%s), want permanent", err, classify(err))
	}
	if err := result(t, reply); err != nil {
		t.Fatalf("the reply the server echoed: %v (%s), want success", err, classify(err))
	}
}

// An echoed reply waits for its own PING's answer: a refusal that comes
// after the echo (of a second line, here) is still this reply's.
func TestEchoedReplyWaitsForItsPong(t *testing.T) {
	k, p, _ := ircSession(t, "echo-message")
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "one\ntwo"})
	p.expectLine("PRIVMSG #halo one")
	p.expectLine("PRIVMSG #halo two")
	ping := p.expect("PING")
	p.send(":lumio!l@h PRIVMSG #halo one")
	select {
	case err := <-res:
		t.Fatalf("Do returned %v before the server got past its lines", err)
	case <-time.After(20 * time.Millisecond):
	}
	p.send(":irc.test 404 lumio #halo :Cannot send to channel", ":irc.test PONG irc.test :"+ping.Params[0])
	err := result(t, res)
	if classify(err) != "uncertain" || !strings.Contains(err.Error(), "part") {
		t.Fatalf("line 1 posted, line 2 refused: %v (%s), want a plain error saying part was posted", err, classify(err))
	}
}

// A reply split in two lines where the server takes the first and refuses
// the second is on the channel: it is not a refusal.
func TestSplitReplyPartlyRefusedIsNotPermanent(t *testing.T) {
	for _, caps := range []string{"multi-prefix", "echo-message"} {
		t.Run(caps, func(t *testing.T) {
			k, p, st := ircSession(t, caps)
			res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "first line\nsecond line"})
			p.expectLine("PRIVMSG #halo :first line")
			p.expectLine("PRIVMSG #halo :second line")
			ping := p.expect("PING")
			if caps == "echo-message" {
				p.send(":lumio!l@h PRIVMSG #halo :first line")
			}
			p.send(":irc.test 404 lumio #halo :Cannot send to channel (+m)", ":irc.test PONG irc.test :"+ping.Params[0])
			err := result(t, res)
			if classify(err) != "uncertain" || !strings.Contains(err.Error(), "part") {
				t.Fatalf("Do returned %v (%s), want a plain error saying part was posted", err, classify(err))
			}
			// Both lines refused: nothing was posted, a refusal.
			res = doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "first line\nsecond line"})
			p.expect("PRIVMSG")
			p.expect("PRIVMSG")
			ping = p.expect("PING")
			p.send(":irc.test 404 lumio #halo :Cannot send to channel (+m)",
				":irc.test 404 lumio #halo :Cannot send to channel (+m)",
				":irc.test PONG irc.test :"+ping.Params[0])
			if err := result(t, res); classify(err) != "permanent" {
				t.Fatalf("all refused: %v (%s), want permanent", err, classify(err))
			}
			_ = st
		})
	}
}

// A ban refused on one of its two commands did part of its work.
func TestBanPartlyRefusedIsNotPermanent(t *testing.T) {
	k, p, _ := ircSession(t, "")
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll"})
	p.expect("MODE")
	p.expect("KICK")
	ping := p.expect("PING")
	p.send(":irc.test 478 lumio #halo troll!*@* :Channel ban list is full",
		":lumio!l@h KICK #halo troll :banned",
		":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); classify(err) != "uncertain" {
		t.Fatalf("ban list full, kick done: %v (%s), want a plain error", err, classify(err))
	}
}

// ERR_INPUTTOOLONG names no channel; it still refuses the line.
func TestInputTooLongIsARefusal(t *testing.T) {
	k, p, _ := ircSession(t, "")
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: "hello"})
	p.expect("PRIVMSG")
	ping := p.expect("PING")
	p.send(":irc.test 417 lumio :Input line was too long", ":irc.test PONG irc.test :"+ping.Params[0])
	if err := result(t, res); classify(err) != "permanent" {
		t.Fatalf("417: %v (%s), want permanent", err, classify(err))
	}
}

// A ban reason is cut so that the KICK, as the server relays it with our
// prefix, fits in 512 bytes, on a rune boundary.
func TestKickReasonFitsTheLine(t *testing.T) {
	k, p, _ := ircSession(t, "")
	reason := strings.Repeat("spam spam é 🎧 ", 60)
	res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActBan, Channel: "#halo", TargetAuthor: "troll", Text: reason})
	p.expect("MODE")
	kick := p.expect("KICK")
	got := kick.Params[len(kick.Params)-1]
	relayed := ":lumio!lumio@127.0.0.1 KICK #halo troll :" + got + "\r\n"
	if len(relayed) > 512 {
		t.Errorf("the relayed KICK is %d bytes", len(relayed))
	}
	if got == "" || !strings.HasPrefix(strings.Join(strings.Fields(reason), " "), got) || !utf8.ValidString(got) {
		t.Errorf("reason %q is not a clean cut of the operator's", got)
	}
	ping := p.expect("PING")
	p.send(":irc.test PONG irc.test :" + ping.Params[0])
	if err := result(t, res); err != nil {
		t.Fatal(err)
	}
}

// Twitch confirms a message with a USERSTATE that names no message of ours:
// confirmations are matched by order. A send Twitch never answers (it may
// drop one silently) must not stay in line and take the next message's
// confirmation, which would give our messages each other's ids (and a
// delete would then remove the wrong one): the session ends, and the next
// one starts with an empty line.
func TestTwitchUnansweredSendEndsTheSession(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, twitchConfig(t, srv.addr()))
	st := feedstest.NewStream()
	r := start(t, k, st)
	p := srv.accept(t)
	p.twitchWelcome()
	p.send(":lumio!lumio@lumio.tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := result(t, doAsync(ctx, k, feeds.Action{Kind: feeds.ActReply, Text: "never answered"}))
	if classify(err) != "uncertain" {
		t.Fatalf("unanswered: %v (%s), want uncertain", err, classify(err))
	}
	p.expectLine("PRIVMSG #dallas :never answered")
	if err := r.ended(t); err == nil || feeds.IsPermanent(err) {
		t.Fatalf("Run returned %v, want a plain error so the supervisor reconnects", err)
	}
	p.closed()
	if err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: "meanwhile"}); !feeds.IsNotSent(err) {
		t.Fatalf("between sessions: %v, want NotSent", err)
	}

	// The next session: each confirmation goes to its own message.
	st2 := feedstest.NewStream()
	start(t, k, st2)
	p = srv.accept(t)
	p.twitchWelcome()
	p.send(":lumio!lumio@lumio.tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st2, 1)
	for _, c := range []struct{ text, id string }{{"first real reply", "id-a"}, {"second real reply", "id-b"}} {
		res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: c.text})
		p.expectLine("PRIVMSG #dallas :" + c.text)
		p.send("@display-name=Lumio;id=" + c.id + " :tmi.twitch.tv USERSTATE #dallas")
		if err := result(t, res); err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
	}
	for _, ev := range st2.Events() {
		if (ev.ID == "id-a") != (ev.Text == "first real reply") || (ev.ID == "id-b") != (ev.Text == "second real reply") {
			t.Errorf("event %s carries %q", ev.ID, ev.Text)
		}
	}
}

// Twitch runs text that starts with "/" or "." as a chat command, which is
// answered (if at all) by a NOTICE that is not a refusal of a message. Such
// text is refused before anything is sent; "/me" stays an action.
func TestTwitchCommandTextIsRefused(t *testing.T) {
	srv := newFakeServer(t)
	k := testConnector(t, twitchConfig(t, srv.addr()))
	st := feedstest.NewStream()
	start(t, k, st)
	p := srv.accept(t)
	p.twitchWelcome()
	p.send(":lumio!lumio@lumio.tmi.twitch.tv JOIN #dallas")
	waitConnected(t, st, 1)

	for _, text := range []string{"/ban troll", ".color red", "  /unknowncmd", "/me", ".me waves", "/w someone hi"} {
		err := k.Do(context.Background(), feeds.Action{Kind: feeds.ActReply, Text: text})
		if classify(err) != "permanent" || !strings.Contains(err.Error(), "command") {
			t.Errorf("%q: %v (%s), want a permanent refusal that says why", text, err, classify(err))
		}
	}
	for _, text := range []string{"/me waves", "... ok then", "/ not a command"} {
		res := doAsync(context.Background(), k, feeds.Action{Kind: feeds.ActReply, Text: text})
		// Nothing of the refused texts was sent: this is the next line.
		if got := p.expect("PRIVMSG"); got.Params[1] != text {
			t.Fatalf("sent %q, want %q", got.Params[1], text)
		}
		p.send("@id=ok-" + text[:1] + " :tmi.twitch.tv USERSTATE #dallas")
		if err := result(t, res); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	if evs := eventsOf(st.Events(), feeds.KindAction); len(evs) != 1 || evs[0].Text != "waves" {
		t.Errorf("actions %+v", evs)
	}
}
