package irc

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ergochat/irc-go/ircmsg"

	"github.com/tribune/tribune/feeds"
)

// FuzzParseLine drives a received line through decoding and event mapping,
// in both dialects: it must never panic, a line that does not decode must
// give no event, and every event must be well formed with valid UTF-8.
func FuzzParseLine(f *testing.F) {
	seeds := []string{
		`@msgid=abc;time=2026-11-23T10:00:00.500Z;+draft/reply=p\s1 :alice!a@h PRIVMSG #halo :hi`,
		":bob!b@h PRIVMSG #halo :\x01ACTION waves\x01",
		":bob!b@h NOTICE lumio :\x01VERSION x\x01",
		`@a=\\\:\s\r\n\x;b=\ :s PRIVMSG #c :x`,
		":irc.test 404 lumio #halo :Cannot send to channel",
		":op!o@h KICK #halo lumio :bye",
		":a!a@h PRIVMSG lumio :\x0304,01red\x04ff0000,00ff00x\x02\x1d\x1f\x1e\x11\x16\x0f",
		":a!a@h TOPIC #halo :\x0312new",
		":s 332 lumio #halo :old",
		":a!a@h PART #halo :bye",
		":a!a@h QUIT :gone",
		"@bad=\xff :x!y@z PRIVMSG #c :t",
		":x!y@z PRIVMSG #c :caf\xe9",
		"@ban-duration=x;tmi-sent-ts=99999999999999999999 :tmi.twitch.tv CLEARCHAT #c :u",
		"@slow=-5;followers-only=abc;room-id=1x :tmi.twitch.tv ROOMSTATE #c",
		"@target-msg-id= :tmi.twitch.tv CLEARMSG #c :",
		"@msg-id=announcement;system-msg= :tmi.twitch.tv USERNOTICE #c",
		"PRIVMSG",
		":",
		"@",
		"",
	}
	if fh, err := os.Open("testdata/twitch_chat.irc"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<16)
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
				seeds = append(seeds, strings.TrimRight(l, "\r"))
			}
		}
		fh.Close()
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, twitch bool) {
		k, err := New("fuzz", Config{Server: "127.0.0.1:1", Transport: "tcp", Nick: "lumio", Channels: []string{"#c", "#halo"}})
		if err != nil {
			t.Fatal(err)
		}
		k.twitch = twitch
		m := &mapper{k: k, self: "lumio", status: func(key, value string) {
			if !utf8.ValidString(key) || !utf8.ValidString(value) || key == "" {
				t.Fatalf("status %q=%q", key, value)
			}
		}}
		// Twice, so that the second pass runs with the state the first
		// left (recent ids, user ids).
		for range 2 {
			evs, err := m.mapLine([]byte(line))
			if err != nil {
				if len(evs) > 0 {
					t.Fatalf("a line that does not decode gave %d events", len(evs))
				}
				continue
			}
			if _, perr := ircmsg.ParseLineStrict(line, false, 0); perr != nil && len(evs) > 0 {
				t.Fatalf("the parser rejects %q, yet it gave events", line)
			}
			for _, ev := range evs {
				checkEvent(t, line, ev)
			}
		}
		if k.recent.channels != nil && len(k.recent.channels) > channelsWithRecord {
			t.Fatalf("recent ids track %d channels", len(k.recent.channels))
		}
	})
}

func checkEvent(t *testing.T, line string, ev feeds.Event) {
	t.Helper()
	for name, s := range map[string]string{
		"id": ev.ID, "channel": ev.Channel, "author": ev.Author, "author name": ev.AuthorName,
		"text": ev.Text, "reply to": ev.ReplyTo, "target": ev.Target,
	} {
		if !utf8.ValidString(s) {
			t.Fatalf("%q: %s %q is not valid UTF-8", line, name, s)
		}
	}
	for _, b := range ev.Badges {
		if b == "" || !utf8.ValidString(b) {
			t.Fatalf("%q: badge %q", line, b)
		}
	}
	if ev.ID == "" || ev.Time.IsZero() || ev.Feed != "fuzz" {
		t.Fatalf("%q: event %+v lacks an id, time or feed", line, ev)
	}
	if ev.Kind > feeds.KindDelete || (ev.Kind == feeds.KindDelete) != (ev.Target != "") {
		t.Fatalf("%q: kind %s with target %q", line, ev.Kind, ev.Target)
	}
}

func TestTagUnescaping(t *testing.T) {
	k := testConnector(t, Config{Server: "127.0.0.1:1", Transport: "tcp", Channels: []string{"#c"}, Dialect: "twitch"})
	m := &mapper{k: k, self: "lumio"}
	evs, err := m.mapLine([]byte(`@display-name=A\sB\:C\\D;id=x\sy;system-msg=line\none;msg-id=sub :tmi.twitch.tv USERNOTICE #c`))
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %+v", err, evs)
	}
	if ev := evs[0]; ev.AuthorName != `A B;C\D` || ev.ID != "x y" || ev.Text != "line\none" {
		t.Fatalf("unescaped %+v", ev)
	}
}
