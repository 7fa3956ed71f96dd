package irc

import (
	"strings"
	"testing"

	"github.com/tribune/tribune/feeds"
)

func TestStripFormatting(t *testing.T) {
	cases := map[string]string{
		"\x0304,01red\x03 plain":       "red plain",
		"\x034red \x0312blue":          "red blue",
		"\x03,05comma kept":            ",05comma kept", // no foreground: a bare reset
		"\x034,hello":                  ",hello",        // the comma without a background is text
		"\x03123":                      "3",             // two digits at most
		"\x0304,0123":                  "23",
		"\x02bold\x02 \x1ditalic\x1d":  "bold italic",
		"\x1funder\x1e strike\x11mono": "under strikemono",
		"\x16reverse\x0f reset":        "reverse reset",
		"\x04FF8800orange\x04":         "orange",
		"\x04ff8800,000000on black":    "on black",
		"\x04FF88 short":               "FF88 short", // not six digits: not a colour
		"no codes, 04,01":              "no codes, 04,01",
		"café \x02crème\x02":           "café crème",
	}
	for in, want := range cases {
		if got := stripFormatting(in); got != want {
			t.Errorf("stripFormatting(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzStripFormatting(f *testing.F) {
	for _, s := range []string{"\x0304,01red", "\x04ff0000,00ff00x", "\x02\x1d\x1f\x1e\x11\x16\x0f", "\x03", "\x03,", "é\x03"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := stripFormatting(s)
		if strings.IndexFunc(got, isFormatting) >= 0 {
			t.Fatalf("formatting left in %q", got)
		}
		if len(got) > len(s) {
			t.Fatalf("grew: %q", got)
		}
		if stripFormatting(got) != got {
			t.Fatalf("not idempotent on %q", got)
		}
	})
}

// mapLines maps lines as the connector would after registration, as
// "lumio" on a plain IRC server.
func mapLines(t *testing.T, twitch bool, lines ...string) []feeds.Event {
	t.Helper()
	k, err := New("f", Config{Server: "127.0.0.1:1", Transport: "tcp", Nick: "lumio", Channels: []string{"#halo"}})
	if err != nil {
		t.Fatal(err)
	}
	k.twitch = twitch
	m := &mapper{k: k, self: "lumio", status: func(string, string) {}}
	var evs []feeds.Event
	for _, l := range lines {
		got, err := m.mapLine([]byte(l))
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		evs = append(evs, got...)
	}
	return evs
}

func TestFormattingIsStripped(t *testing.T) {
	evs := mapLines(t, false,
		":alice!a@h PRIVMSG #halo :\x0304,01red\x03 and \x02bold\x02",
		":op!o@h KICK #halo bob :\x1dspam\x1d",
		":carol!c@h NOTICE #halo :\x0312blue\x0f notice",
	)
	want := []string{"red and bold", "bob was kicked by op: spam", "blue notice"}
	for i, ev := range evs {
		if ev.Text != want[i] {
			t.Errorf("event %d: %q, want %q", i, ev.Text, want[i])
		}
	}
}

func TestDirectMessages(t *testing.T) {
	evs := mapLines(t, false,
		":dave!d@h PRIVMSG lumio :psst, private",
		":dave!d@h PRIVMSG #halo :in public",
		":lumio!l@h PRIVMSG dave :our answer, echoed",
	)
	if len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	if e := evs[0]; !e.Direct || e.Channel != "dave" || e.Author != "dave" {
		t.Errorf("query to us: %+v", e)
	}
	if evs[1].Direct {
		t.Errorf("channel message marked direct: %+v", evs[1])
	}
	if e := evs[2]; !e.Direct || e.Channel != "dave" {
		t.Errorf("our own echoed query belongs to the conversation with dave: %+v", e)
	}
}

func TestTopicPartQuitKickAreNotices(t *testing.T) {
	evs := mapLines(t, false,
		":alice!a@h TOPIC #halo :Launch day: \x02v2\x02 is out",
		":irc.test 332 lumio #halo :the old topic",
		":alice!a@h TOPIC #halo :",
		":bob!b@h PART #halo :see you",
		":bob!b@h PART #halo",
		":carol!c@h QUIT :Ping timeout: 240 seconds",
		":op!o@h KICK #halo dave :spamming links",
	)
	want := []struct{ channel, author, text string }{
		{"#halo", "alice", "alice set the topic: Launch day: v2 is out"},
		{"#halo", "", "topic: the old topic"},
		{"#halo", "alice", "alice cleared the topic"},
		{"#halo", "bob", "bob left #halo: see you"},
		{"#halo", "bob", "bob left #halo"},
		{"", "carol", "carol quit: Ping timeout: 240 seconds"},
		{"#halo", "dave", "dave was kicked by op: spamming links"},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		e := evs[i]
		if e.Kind != feeds.KindNotice || e.Channel != w.channel || e.Author != w.author || e.Text != w.text {
			t.Errorf("event %d: %+v, want %+v", i, e, w)
		}
	}
	// Twitch's membership PARTs are noise, and have no reason.
	if evs := mapLines(t, true, ":bob!bob@bob.tmi.twitch.tv PART #halo"); len(evs) != 0 {
		t.Errorf("twitch PART: %+v", evs)
	}
}
