package irc

import (
	"strconv"
	"strings"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// twitchBadges maps Twitch badge names onto tribune's role badges. Others
// (bits, premium, turbo...) are decoration and are left out.
var twitchBadges = map[string]string{
	"broadcaster": feeds.BadgeBroadcaster,
	"moderator":   feeds.BadgeModerator,
	"vip":         feeds.BadgeVIP,
	"subscriber":  feeds.BadgeSubscriber,
	"founder":     feeds.BadgeSubscriber, // the first subscribers of a channel
	"partner":     feeds.BadgeVerified,
	"staff":       feeds.BadgeStaff,
	"admin":       feeds.BadgeStaff,
	"global_mod":  feeds.BadgeStaff,
}

// badges reads the Twitch badges tag ("moderator/1,subscriber/12").
func (m *mapper) badges(msg *ircmsg.Message) []string {
	if !m.k.twitch {
		return nil
	}
	ok, v := msg.GetTag("badges")
	if !ok || v == "" {
		return nil
	}
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		name, _, _ := strings.Cut(item, "/")
		if b, ok := twitchBadges[name]; ok && !contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// noteUserID remembers a Twitch login's user id, which Helix needs to act
// on the user.
func (m *mapper) noteUserID(msg *ircmsg.Message, login string) {
	if !m.k.twitch || login == "" {
		return
	}
	if ok, id := msg.GetTag("user-id"); ok && isTwitchID(id) {
		m.k.mu.Lock()
		m.k.users.Put(foldName(login), id)
		m.k.mu.Unlock()
	}
}

// isTwitchID accepts the numeric ids Twitch uses for users and rooms.
func isTwitchID(s string) bool {
	return s != "" && len(s) <= 20 && strings.Trim(s, "0123456789") == ""
}

func (m *mapper) twitchCommand(msg *ircmsg.Message) []feeds.Event {
	if len(msg.Params) < 1 || !isChannel(msg.Params[0]) {
		return nil
	}
	channel := msg.Params[0]
	switch msg.Command {
	case "USERNOTICE":
		return m.userNotice(msg, channel)
	case "CLEARMSG":
		ok, target := msg.GetTag("target-msg-id")
		if !ok || target == "" {
			return nil
		}
		ev := m.deletion(msg, channel, target)
		if ok, login := msg.GetTag("login"); ok {
			ev.Author = cleanTag(login)
		}
		return []feeds.Event{ev}
	case "CLEARCHAT":
		return m.clearChat(msg, channel)
	case "ROOMSTATE":
		m.roomState(msg, channel)
	}
	return nil
}

// deletion marks the event target deleted. Its id is derived from the
// target so that a CLEARMSG and a CLEARCHAT naming the same message are
// one deletion to the hub.
func (m *mapper) deletion(msg *ircmsg.Message, channel, target string) feeds.Event {
	ev := m.base(msg, feeds.KindDelete, channel)
	target = cleanTag(target)
	ev.ID = "del-" + target
	ev.Target = target
	return ev
}

// userNotice shows a sub, raid, announcement... with Twitch's own wording
// (system-msg) and the viewer's message, if any.
func (m *mapper) userNotice(msg *ircmsg.Message, channel string) []feeds.Event {
	_, kind := msg.GetTag("msg-id")
	_, system := msg.GetTag("system-msg")
	said := ""
	if len(msg.Params) > 1 {
		said = msg.Params[1]
	}
	text := strings.TrimSpace(system)
	switch {
	case text != "" && said != "":
		text += " — " + said
	case text == "" && kind == "announcement":
		text = "Announcement: " + said
	case text == "":
		text = said
	}
	if text == "" {
		text = kind
	}
	if text == "" {
		return nil
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	login := ""
	if ok, v := msg.GetTag("login"); ok && v != "" {
		login = v
	} else if strings.Contains(msg.Source, "!") {
		login = msg.Nick()
	}
	ev.Author = cleanTag(login)
	if ok, v := msg.GetTag("display-name"); ok && v != "" {
		ev.AuthorName = cleanTag(v)
	}
	ev.Badges = m.badges(msg)
	ev.Text = cleanText(text)
	m.noteUserID(msg, login)
	return []feeds.Event{ev}
}

// clearChat is a timeout or ban of one viewer (their recent messages are
// deleted, and a notice says what happened), or a cleared chat.
func (m *mapper) clearChat(msg *ircmsg.Message, channel string) []feeds.Event {
	if len(msg.Params) < 2 || msg.Params[1] == "" {
		ev := m.base(msg, feeds.KindNotice, channel)
		ev.Text = "chat cleared by a moderator"
		return []feeds.Event{ev}
	}
	who := msg.Params[1]
	var out []feeds.Event
	for _, id := range m.k.recent.take(channel, who) {
		ev := m.deletion(msg, channel, id)
		ev.Author = cleanTag(who)
		out = append(out, ev)
	}
	ev := m.base(msg, feeds.KindNotice, channel)
	ev.Author = cleanTag(who)
	ev.Text = cleanText(who + " banned")
	if ok, secs := msg.GetTag("ban-duration"); ok {
		if n, err := strconv.ParseUint(secs, 10, 32); err == nil {
			ev.Text = cleanText(who + " timed out for " + strconv.FormatUint(n, 10) + "s")
		}
	}
	// CLEARCHAT has no id tag: derive one so a replay is one notice.
	_, ts := msg.GetTag("tmi-sent-ts")
	_, uid := msg.GetTag("target-user-id")
	if ts != "" && ev.ID != "" && isLocalID(ev.ID) {
		ev.ID = cleanTag("clearchat-" + channel + "-" + who + "-" + uid + "-" + ts)
	}
	return append(out, ev)
}

// roomStateKeys are the ROOMSTATE tags shown in the Stats pane, with how
// to read each value ("" clears the status).
var roomStateKeys = []struct {
	tag, key string
	value    func(string) string
}{
	{"slow", "slow", func(v string) string { return unlessZero(v, v+"s") }},
	{"followers-only", "followers-only", func(v string) string {
		switch v {
		case "-1", "":
			return ""
		case "0":
			return "on"
		}
		return v + "m"
	}},
	{"emote-only", "emote-only", func(v string) string { return unlessZero(v, "on") }},
	{"subs-only", "subs-only", func(v string) string { return unlessZero(v, "on") }},
	{"r9k", "unique-chat", func(v string) string { return unlessZero(v, "on") }},
}

func unlessZero(v, on string) string {
	if v == "" || v == "0" {
		return ""
	}
	if strings.Trim(v, "0123456789") != "" {
		return "" // not a number: ignore rather than show junk
	}
	return on
}

// roomState reports the chat modes a ROOMSTATE carries. A full ROOMSTATE
// comes on join and a partial one (only what changed) on every change, so
// only the tags present are touched.
func (m *mapper) roomState(msg *ircmsg.Message, channel string) {
	if ok, id := msg.GetTag("room-id"); ok && isTwitchID(id) {
		m.k.setRoom(channel, id)
	}
	if m.status == nil {
		return
	}
	for _, rs := range roomStateKeys {
		ok, v := msg.GetTag(rs.tag)
		if !ok {
			continue
		}
		key := rs.key
		if len(m.k.channels) > 1 {
			key = foldName(channel) + " " + key
		}
		m.status(cleanTag(key), cleanTag(rs.value(v)))
	}
}

// setRoom records a channel's room id (its broadcaster's user id), for
// configured channels only, so the map stays as small as the config.
func (k *Connector) setRoom(channel, id string) {
	for _, ch := range k.channels {
		if sameName(ch, channel) {
			k.mu.Lock()
			k.rooms[foldName(ch)] = id
			k.mu.Unlock()
			return
		}
	}
}
