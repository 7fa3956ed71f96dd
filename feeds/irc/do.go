package irc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// Do carries out one action through the current connection (replies, IRC
// moderation) or Twitch's API (Twitch moderation). It may run while Run
// does, from another goroutine.
func (k *Connector) Do(ctx context.Context, a feeds.Action) error {
	if !k.caps.Can(a.Kind) {
		return feeds.Permanent(fmt.Errorf("irc: this %s feed cannot %s", k.Platform(), a.Kind))
	}
	if err := ctx.Err(); err != nil {
		return feeds.NotSent(err)
	}
	switch {
	case a.Kind == feeds.ActReply:
		return k.reply(ctx, a)
	case a.Kind == feeds.ActPost:
		a.Target, a.TargetAuthor = "", "" // a post answers nobody: no reply tag, no name
		return k.reply(ctx, a)
	case k.twitch:
		return k.moderate(ctx, a)
	}
	return k.ircModerate(ctx, a)
}

// target is where an action goes: its channel (or, for a private message,
// the nick), defaulting to the only configured channel.
func (k *Connector) target(a feeds.Action) (string, error) {
	t := strings.TrimSpace(a.Channel)
	if t == "" && len(k.channels) == 1 {
		t = k.channels[0]
	}
	if t == "" {
		return "", feeds.Permanent(errors.New("irc: the action names no channel"))
	}
	if k.twitch {
		t = strings.ToLower(t)
		if !isChannel(t) {
			t = "#" + t
		}
	}
	if strings.ContainsAny(t, " ,\r\n\x00\x07") || (!isChannel(t) && !validNick(t)) {
		return "", feeds.Permanent(fmt.Errorf("irc: %q is not a channel or nick", t))
	}
	return t, nil
}

// outgoing makes operator text sendable: no NUL, no CTCP marker (it
// would turn the reply into a CTCP), and no CR; newlines are kept for
// the caller to decide on.
func outgoing(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch r {
		case 0, 1:
			return -1
		case '\r':
			return '\n'
		}
		return r
	}, s)
}

func (k *Connector) reply(ctx context.Context, a feeds.Action) error {
	text := outgoing(a.Text)
	if strings.TrimSpace(text) == "" {
		return feeds.Permanent(errors.New("irc: empty reply"))
	}
	if n := utf8.RuneCountInString(text); n > k.caps.MaxText {
		return feeds.Permanent(fmt.Errorf("irc: the reply is %d characters, %s allows %d", n, k.Platform(), k.caps.MaxText))
	}
	if k.twitch {
		text = strings.Join(strings.Fields(text), " ") // one line on Twitch
		if twitchCommand(text) {
			return feeds.Permanent(fmt.Errorf("irc: twitch would run a message starting with %q as a chat command, not post it: "+
				"use tribune's moderation actions, or reword it (only \"/me \" is sent, as an action)", text[:1]))
		}
	}
	target, err := k.target(a)
	if err != nil {
		return err
	}
	s, err := k.ready(ctx, target)
	if err != nil {
		return err
	}
	if k.twitch {
		return s.twitchReply(ctx, target, text, a.Target)
	}
	return s.ircReply(ctx, target, text, a)
}

// twitchCommand reports whether Twitch would take text for a chat command
// ("/ban x", ".color red"): a "/" or "." then a letter. Since 2023 Twitch
// runs almost none of them from IRC, and answers with a NOTICE that is not
// a refusal of the message, so such text is refused before it is sent.
// "/me " is the exception: Twitch posts it as an action.
func twitchCommand(text string) bool {
	if strings.HasPrefix(text, "/me ") || len(text) < 2 || (text[0] != '/' && text[0] != '.') {
		return false
	}
	c := text[1] | 0x20 // ASCII lower case
	return c >= 'a' && c <= 'z'
}

// ready returns the session to send to target through, once it has joined
// target when that is one of our channels: sent earlier, a reply would be
// refused (ERR_CANNOTSENDTOCHAN on a +n channel) although it was merely
// early. It returns NotSent when there is no session, ctx ends first, or
// the server would not let us join.
func (k *Connector) ready(ctx context.Context, target string) (*session, error) {
	s := k.current()
	if s == nil {
		return nil, feeds.NotSent(errNotConnected)
	}
	if err := s.waitJoined(ctx, target); err != nil {
		return nil, feeds.NotSent(err)
	}
	return s, nil
}

// twitchReply posts one message, threaded under parent. Twitch answers a
// PRIVMSG it accepts with a USERSTATE carrying the new message's id, and
// one it refuses with a NOTICE (slow mode, duplicate, banned...).
func (s *session) twitchReply(ctx context.Context, channel, text, parent string) error {
	msg := ircmsg.MakeMessage(nil, "", "PRIVMSG", channel, text)
	if parent != "" && !isLocalID(parent) && isChannel(channel) {
		msg.SetTag("reply-parent-msg-id", parent)
	} else {
		parent = ""
	}
	w := &waiter{
		// Twitch's answers name the channel and nothing else: the first
		// waiter for the channel takes them.
		take: func(m *ircmsg.Message, _ bool) (bool, bool, error) {
			if len(m.Params) == 0 || !sameName(m.Params[0], channel) {
				return false, false, nil
			}
			switch m.Command {
			case "USERSTATE":
				ok, id := m.GetTag("id")
				return ok && id != "", ok && id != "", nil
			case "NOTICE":
				if ok, id := m.GetTag("msg-id"); ok && strings.HasPrefix(id, "msg_") {
					return true, true, twitchRefusal(id, lastParam(m))
				}
			}
			return false, false, nil
		},
		emit: func(m *ircmsg.Message) []feeds.Event {
			ev := s.ownEvent(channel, text, parent)
			if _, id := m.GetTag("id"); id != "" {
				ev.ID = cleanTag(id)
			}
			if ok, name := m.GetTag("display-name"); ok && name != "" {
				ev.AuthorName = cleanTag(name)
			}
			ev.Badges = append(s.m.badges(m), feeds.BadgeBrand)
			return []feeds.Event{ev}
		},
	}
	return unconfirmed("the reply", s.sendAll(ctx, []ircmsg.Message{msg}, w))
}

// twitchRefusal maps a refusing NOTICE to Do's error. Slow mode and the
// rate limit are waits, after which the message may go; the rest
// (duplicate, banned, followers-only...) will not get better by retrying.
func twitchRefusal(id, text string) error {
	err := fmt.Errorf("twitch refused the message (%s): %s", id, cleanText(text))
	switch id {
	case "msg_slowmode":
		// "... You will be able to talk again in 5 seconds."
		return feeds.RetryAfter(secondsIn(text, 30*time.Second), err)
	case "msg_ratelimit":
		return feeds.RetryAfter(30*time.Second, err)
	}
	return feeds.Permanent(err)
}

// secondsIn finds "N second(s)" in text, else returns def.
func secondsIn(text string, def time.Duration) time.Duration {
	words := strings.Fields(text)
	for i := 1; i < len(words); i++ {
		if strings.HasPrefix(words[i], "second") {
			if n, err := strconv.Atoi(words[i-1]); err == nil && n > 0 && n <= 86400 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return def
}

// ircReply posts text as one or more PRIVMSGs, "nick: " first when it
// answers someone in a channel.
func (s *session) ircReply(ctx context.Context, target, text string, a feeds.Action) error {
	s.mu.Lock()
	self, prefixLen := s.nick, s.prefixLen
	tags, echo := s.caps["message-tags"], s.caps["echo-message"]
	s.mu.Unlock()

	if a.TargetAuthor != "" && isChannel(target) && !sameName(a.TargetAuthor, self) {
		text = a.TargetAuthor + ": " + text
	}
	room := textRoom(self, prefixLen, target)
	var lines []string
	for para := range strings.SplitSeq(text, "\n") {
		lines = append(lines, splitText(para, room)...)
	}
	if len(lines) == 0 {
		return feeds.Permanent(errors.New("irc: empty reply"))
	}
	replyTo := ""
	if a.Target != "" && !isLocalID(a.Target) {
		replyTo = a.Target
	}
	msgs := make([]ircmsg.Message, len(lines))
	for i, line := range lines {
		msgs[i] = ircmsg.MakeMessage(nil, "", "PRIVMSG", target, line)
		if tags && replyTo != "" && i == 0 {
			msgs[i].SetTag("+draft/reply", replyTo)
		}
	}

	// A PING goes behind the lines either way: its PONG says the server
	// is past them, so that what it says about them (echoes, refusals)
	// is all in before the reply settles.
	var echoes []string
	if echo {
		echoes = lines // the echoes become events like any other message
	}
	w, ping := s.newBatch("the reply", target, len(lines), echoes)
	if !echo {
		w.emit = func(*ircmsg.Message) []feeds.Event {
			evs := make([]feeds.Event, len(lines))
			for i, line := range lines {
				evs[i] = s.ownEvent(target, line, "")
			}
			evs[0].ReplyTo = a.Target
			return evs
		}
	}
	return unconfirmed("the reply", s.sendAll(ctx, append(msgs, ping), w))
}

// textRoom is how many bytes of text fit in one PRIVMSG to target, once
// the server has put our ":nick!user@host " in front of it for the other
// clients: 512 bytes, CRLF included. Until our JOIN shows our real prefix,
// assume the longest usual one (10-byte user, 63-byte host).
func textRoom(nick string, prefixLen int, target string) int {
	if prefixLen == 0 {
		prefixLen = len(nick) + 1 + 10 + 1 + 63
	}
	const margin = 8 // servers that rewrite the host (cloaks) after we looked
	room := ircBodyMax - len("\r\n") - len(":") - prefixLen - len(" PRIVMSG ") - len(target) - len(" :") - margin
	return max(room, 64)
}

// splitText cuts s into pieces of at most max bytes, at the last space
// when there is one in the second half of the piece, else at a rune
// boundary: never inside a UTF-8 sequence.
func splitText(s string, max int) []string {
	var out []string
	s = strings.TrimRight(s, " ")
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if sp := strings.LastIndexByte(s[:cut], ' '); sp > max/2 {
			cut = sp
		}
		if cut == 0 { // max is smaller than one rune
			_, cut = utf8.DecodeRuneInString(s)
		}
		if part := strings.TrimRight(s[:cut], " "); part != "" {
			out = append(out, part)
		}
		s = strings.TrimLeft(s[cut:], " ")
	}
	if strings.TrimSpace(s) != "" {
		out = append(out, s)
	}
	return out
}

// ircModerate bans (MODE +b nick!*@* and KICK) or unbans (MODE -b) with
// the operator rights the account has in the channel. A PING behind the
// commands confirms them; ERR_CHANOPRIVSNEEDED and kin refuse them.
func (k *Connector) ircModerate(ctx context.Context, a feeds.Action) error {
	channel, err := k.target(a)
	if err != nil {
		return err
	}
	if !isChannel(channel) {
		return feeds.Permanent(fmt.Errorf("irc: %s needs a channel, not %q", a.Kind, channel))
	}
	nick := strings.TrimSpace(a.TargetAuthor)
	if !validNick(nick) {
		return feeds.Permanent(fmt.Errorf("irc: %s needs a valid nick, not %q", a.Kind, nick))
	}
	s, err := k.ready(ctx, channel)
	if err != nil {
		return err
	}
	mask := nick + "!*@*"
	var msgs []ircmsg.Message
	switch a.Kind {
	case feeds.ActBan:
		s.mu.Lock()
		self, prefixLen := s.nick, s.prefixLen
		s.mu.Unlock()
		reason := strings.Join(strings.Fields(outgoing(why(a))), " ")
		reason = cutBytes(reason, kickRoom(self, prefixLen, channel, nick))
		if reason == "" {
			reason = "banned"
		}
		msgs = append(msgs,
			ircmsg.MakeMessage(nil, "", "MODE", channel, "+b", mask),
			ircmsg.MakeMessage(nil, "", "KICK", channel, nick, reason))
	case feeds.ActUnban:
		msgs = append(msgs, ircmsg.MakeMessage(nil, "", "MODE", channel, "-b", mask))
	default:
		return feeds.Permanent(fmt.Errorf("irc: cannot %s on IRC", a.Kind))
	}
	what := "the " + string(a.Kind)
	w, ping := s.newBatch(what, channel, len(msgs), nil)
	return unconfirmed(what, s.sendAll(ctx, append(msgs, ping), w))
}

// kickRoom is how many bytes of reason fit in a KICK of nick from channel
// once the server has put our prefix in front of it for the other clients
// (see textRoom).
func kickRoom(self string, prefixLen int, channel, nick string) int {
	if prefixLen == 0 {
		prefixLen = len(self) + 1 + 10 + 1 + 63
	}
	const margin = 8
	room := ircBodyMax - len("\r\n") - len(":") - prefixLen - len(" KICK ") - len(channel) - len(" ") - len(nick) - len(" :") - margin
	return max(room, 0)
}

// cutBytes shortens s to at most n bytes, at a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRight(s[:n], " ")
}
