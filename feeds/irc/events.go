package irc

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// decode parses one received line, rejecting what is past the limits:
// tags over maxTagBytes, or the rest of the line (with its CRLF) over
// bodyMax. Tag values come back unescaped.
func decode(line []byte, bodyMax int) (ircmsg.Message, error) {
	tagLen := 0
	if len(line) > 0 && line[0] == '@' {
		for tagLen < len(line) && line[tagLen] != ' ' {
			tagLen++
		}
		tagLen++ // the space
	}
	if tagLen > maxTagBytes || len(line)-tagLen+2 > bodyMax {
		return ircmsg.Message{}, errLineTooLong
	}
	msg, err := ircmsg.ParseLineStrict(string(line), false, 0)
	if err != nil {
		return ircmsg.Message{}, err
	}
	return msg, nil
}

// mapper turns parsed lines into events. It keeps no connection state of
// its own beyond what it is given, so the fuzz target can drive it.
type mapper struct {
	k      *Connector
	self   string // our current nick
	status func(key, value string)
}

// events maps one line. Lines that are not events (PING, numerics, JOIN...)
// give none.
func (m *mapper) events(msg *ircmsg.Message) []feeds.Event {
	switch msg.Command {
	case "PRIVMSG":
		return m.privmsg(msg)
	case "NOTICE":
		return m.notice(msg)
	case "KICK":
		return m.kick(msg)
	case "TOPIC", "332":
		return m.topic(msg)
	case "PART":
		if !m.k.twitch { // Twitch's are membership noise, with no reason
			return m.part(msg)
		}
	case "QUIT":
		if !m.k.twitch {
			return m.quit(msg)
		}
	case "USERNOTICE", "CLEARMSG", "CLEARCHAT", "ROOMSTATE":
		if m.k.twitch {
			return m.twitchCommand(msg)
		}
	}
	if isErrorNumeric(msg.Command) {
		return m.errorNumeric(msg)
	}
	return nil
}

// base is an event with the fields every line has.
func (m *mapper) base(msg *ircmsg.Message, kind feeds.Kind, channel string) feeds.Event {
	return feeds.Event{
		Feed:     m.k.feed,
		Platform: m.k.Platform(),
		ID:       m.idOf(msg),
		Kind:     kind,
		Time:     m.timeOf(msg),
		Channel:  cleanTag(channel),
	}
}

// idOf is the server's id for the line: IRCv3 msgid, Twitch id.
func (m *mapper) idOf(msg *ircmsg.Message) string {
	for _, tag := range [...]string{"msgid", "id"} {
		if ok, v := msg.GetTag(tag); ok && v != "" && len(v) <= 200 && !isLocalID(v) {
			return cleanTag(v)
		}
	}
	return m.k.newID()
}

// timeOf is when the server says the line was sent (IRCv3 server-time, or
// Twitch's tmi-sent-ts in milliseconds), else now.
func (m *mapper) timeOf(msg *ircmsg.Message) time.Time {
	if ok, v := msg.GetTag("time"); ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	if ok, v := msg.GetTag("tmi-sent-ts"); ok {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 && ms < 1<<53 {
			return time.UnixMilli(ms)
		}
	}
	return m.k.now()
}

func (m *mapper) isSelf(nick string) bool { return sameName(nick, m.self) }

func (m *mapper) privmsg(msg *ircmsg.Message) []feeds.Event {
	if len(msg.Params) < 2 {
		return nil
	}
	nick := msg.Nick()
	if nick == "" || !strings.Contains(msg.Source, "!") && strings.Contains(nick, ".") {
		return nil // from a server, not a person
	}
	target, text := msg.Params[0], msg.Params[1]
	kind := feeds.KindMessage
	if body, ok := ctcp(text); ok {
		verb, arg, _ := strings.Cut(body, " ")
		if !strings.EqualFold(verb, "ACTION") {
			return nil // VERSION, PING...: not for the timeline, never answered
		}
		kind, text = feeds.KindAction, arg
	}
	channel, direct := target, !isChannel(target)
	if direct {
		// A private message: its "channel" is the other side (the
		// sender, or whom we wrote to when it is our own echoed), so
		// that a reply goes back to them.
		channel = nick
		if m.isSelf(nick) {
			channel = target
		}
	}
	ev := m.base(msg, kind, channel)
	ev.Direct = direct
	ev.Author = cleanTag(nick)
	ev.Text = cleanText(text)
	ev.Badges = m.badges(msg)
	if m.isSelf(nick) {
		ev.Badges = append(ev.Badges, feeds.BadgeBrand)
	}
	if ok, v := msg.GetTag("display-name"); ok && v != "" {
		ev.AuthorName = cleanTag(v)
	}
	for _, tag := range [...]string{"reply-parent-msg-id", "+reply", "+draft/reply"} {
		if ok, v := msg.GetTag(tag); ok && v != "" {
			ev.ReplyTo = cleanTag(v)
			break
		}
	}
	if m.k.twitch && m.k.configured(target) {
		// Only Twitch's CLEARCHAT needs the record, and only for the
		// channels we follow.
		m.k.recent.add(target, nick, ev.ID)
	}
	m.noteUserID(msg, nick)
	return []feeds.Event{ev}
}

func (m *mapper) notice(msg *ircmsg.Message) []feeds.Event {
	if len(msg.Params) < 2 {
		return nil
	}
	target, text := msg.Params[0], msg.Params[1]
	if _, ok := ctcp(text); ok {
		return nil // a CTCP reply
	}
	channel := ""
	if isChannel(target) {
		channel = target
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	if strings.Contains(msg.Source, "!") {
		ev.Author = cleanTag(msg.Nick())
	}
	ev.Text = cleanText(text)
	return []feeds.Event{ev}
}

func (m *mapper) kick(msg *ircmsg.Message) []feeds.Event {
	if len(msg.Params) < 2 {
		return nil
	}
	channel, who := msg.Params[0], msg.Params[1]
	by := msg.Nick()
	var b strings.Builder
	if m.isSelf(who) {
		b.WriteString("we were kicked from " + channel)
	} else {
		b.WriteString(who + " was kicked")
	}
	if by != "" {
		b.WriteString(" by " + by)
	}
	if len(msg.Params) > 2 && msg.Params[2] != "" && !sameName(msg.Params[2], by) {
		b.WriteString(": " + msg.Params[2])
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	ev.Author = cleanTag(who)
	ev.Text = cleanText(b.String())
	return []feeds.Event{ev}
}

// topic shows a topic set (TOPIC) or the topic found on joining (332).
func (m *mapper) topic(msg *ircmsg.Message) []feeds.Event {
	var channel, text string
	switch {
	case msg.Command == "TOPIC" && len(msg.Params) >= 2:
		channel = msg.Params[0]
		by := msg.Nick()
		if msg.Params[1] == "" {
			text = by + " cleared the topic"
		} else {
			text = by + " set the topic: " + msg.Params[1]
		}
	case msg.Command == "332" && len(msg.Params) >= 3:
		channel, text = msg.Params[1], "topic: "+msg.Params[2]
	default:
		return nil
	}
	if !isChannel(channel) {
		return nil
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	if msg.Command == "TOPIC" {
		ev.Author = cleanTag(msg.Nick())
	}
	ev.Text = cleanText(text)
	return []feeds.Event{ev}
}

// part shows someone leaving a channel, with their reason.
func (m *mapper) part(msg *ircmsg.Message) []feeds.Event {
	who := msg.Nick()
	if len(msg.Params) < 1 || who == "" || !isChannel(msg.Params[0]) {
		return nil
	}
	channel := msg.Params[0]
	text := who + " left " + channel
	if m.isSelf(who) {
		text = "we left " + channel
	}
	if len(msg.Params) > 1 && msg.Params[1] != "" {
		text += ": " + msg.Params[1]
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	ev.Author = cleanTag(who)
	ev.Text = cleanText(text)
	return []feeds.Event{ev}
}

// quit shows someone leaving the network, with their reason. IRC does
// not say which of our channels they were in: the notice has none.
func (m *mapper) quit(msg *ircmsg.Message) []feeds.Event {
	who := msg.Nick()
	if who == "" || m.isSelf(who) {
		return nil
	}
	text := who + " quit"
	if len(msg.Params) > 0 && msg.Params[0] != "" {
		text += ": " + msg.Params[0]
	}
	ev := m.base(msg, feeds.KindNotice, "")
	ev.Author = cleanTag(who)
	ev.Text = cleanText(text)
	return []feeds.Event{ev}
}

// isErrorNumeric reports whether command is an error reply (400-599).
func isErrorNumeric(command string) bool {
	return len(command) == 3 && command >= "400" && command <= "599" &&
		strings.Trim(command, "0123456789") == ""
}

// errorNumeric shows an error the server sent about a channel (cannot
// send, not an operator, banned...). Errors about anything else are the
// session's business.
func (m *mapper) errorNumeric(msg *ircmsg.Message) []feeds.Event {
	if len(msg.Params) < 3 || !isChannel(msg.Params[1]) {
		return nil
	}
	ev := m.base(msg, feeds.KindNotice, msg.Params[1])
	ev.Text = cleanText(msg.Params[1] + ": " + msg.Params[len(msg.Params)-1])
	return []feeds.Event{ev}
}

// ctcp returns the body of a CTCP message ("\x01ACTION waves\x01").
func ctcp(text string) (string, bool) {
	if len(text) < 2 || text[0] != '\x01' {
		return "", false
	}
	return strings.TrimSuffix(text[1:], "\x01"), true
}

// cleanText makes a message body plain, valid UTF-8: mIRC formatting
// codes are removed with their colour numbers, and as IRC has no declared
// encoding, text that is not UTF-8 is read as Latin-1 (most often what it
// is, and what IRC clients fall back to), each byte as its rune. (The
// hub's sanitizer does the rest.)
func cleanText(s string) string {
	s = stripFormatting(s)
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n <= 1 {
			b.WriteRune(rune(s[0]))
			n = 1
		} else {
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// cleanTag makes a short field (an id, a nick, a tag value) valid UTF-8.
func cleanTag(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// errNotEvent is returned by mapLine for a line it rejected.
var errNotEvent = errors.New("not an event")

// mapLine decodes a line and maps it: what Run does with every line after
// registration, minus the session's own handling. A line that does not
// decode gives no event.
func (m *mapper) mapLine(line []byte) ([]feeds.Event, error) {
	msg, err := decode(line, m.k.bodyMax())
	if err != nil {
		return nil, errors.Join(errNotEvent, err)
	}
	return m.events(&msg), nil
}

// bodyMax is the limit on the untagged part of a line for this dialect.
func (k *Connector) bodyMax() int {
	if k.twitch {
		return twitchBodyMax
	}
	return ircBodyMax
}
