package columns

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/feed"
)

var t0 = time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)

func events(n int) []feeds.Event {
	var out []feeds.Event
	for i := 1; i <= n; i++ {
		p := "twitch"
		if i%2 == 0 {
			p = "bluesky"
		}
		out = append(out, feeds.Event{Seq: uint64(i), Feed: p, Platform: p, ID: p + string(rune('a'+i)), Kind: feeds.KindMessage,
			Author: "user" + string(rune('a'+i)), Text: "message number " + string(rune('a'+i)), Time: t0.Add(time.Duration(i) * time.Second)})
	}
	return out
}

func on(p string) Match { return func(ev *feeds.Event) bool { return ev.Platform == p } }

func newModel(t *testing.T) *Model {
	t.Helper()
	p, _ := themes.Builtin("dark")
	m := New(themes.New(p), 100, time.UTC)
	m.SetSize(90, 12)
	m.Focus()
	return m
}

// A column keeps what its query matches, from what is in memory when it
// opens and from what arrives after; 1–9 and clicks pick the column the
// keyboard, replies and moderation act on.
func TestColumns(t *testing.T) {
	m := newModel(t)
	evs := events(6)
	m.Add(evs[:4])
	if _, err := m.Open(Spec{Name: "bsky", Query: "on:bluesky"}, on("bluesky")); err != nil {
		t.Fatal(err)
	}
	m.Add(evs[4:])
	if got := len(m.cols[1].feed.Events()); got != 3 {
		t.Errorf("the bluesky column holds %d events, want 3", got)
	}
	if got := len(m.all.Events()); got != 6 {
		t.Errorf("all holds %d, want 6", got)
	}
	if ev, _ := m.Selected(); ev.Platform != "bluesky" {
		t.Errorf("the new column is active, its selection is %+v", ev)
	}
	v := ansi.Strip(m.View())
	if lines := strings.Split(v, "\n"); len(lines) != 12 || !strings.Contains(lines[0], "1 all") || !strings.Contains(lines[0], "2 bsky (on:bluesky)") {
		t.Fatalf("view:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w != 90 {
			t.Errorf("line %q is %d wide", l, w)
		}
	}
	m.Update(tea.KeyPressMsg{Code: '1', Text: "1"})
	if m.Active() != 0 {
		t.Errorf("1 left column %d active", m.Active())
	}
	if !m.SelectAt(60, 1) || m.Active() != 1 {
		t.Errorf("a click in the second column: active %d", m.Active())
	}

	// Read marks made in one column hold in all.
	m.MarkRead(feed.MarkedRead{Seqs: []uint64{2}})
	if !m.cols[1].feed.IsRead(2) || !m.all.IsRead(2) || m.Unread() != 5 {
		t.Errorf("a mark in one column: read in the other %v, in all %v, unread %d", m.cols[1].feed.IsRead(2), m.all.IsRead(2), m.Unread())
	}
	m.MarkRead(feed.MarkedRead{Upto: 6})
	if m.Unread() != 0 || !m.cols[1].feed.IsRead(6) {
		t.Errorf("after all read: unread %d", m.Unread())
	}

	// A filter on the first column, and a mute, refill from memory.
	m.Jump(0)
	m.SetQuery(Spec{Name: "twitch", Query: "on:twitch"}, on("twitch"))
	if got := len(m.cols[0].feed.Events()); got != 3 {
		t.Errorf("the filtered first column holds %d", got)
	}
	m.SetMute(on("bluesky"))
	if got := len(m.cols[1].feed.Events()); got != 0 {
		t.Errorf("muted bluesky still shows %d in its column", got)
	}
	m.SetMute(nil)
	if got := len(m.cols[1].feed.Events()); got != 3 {
		t.Errorf("unmuted: %d", got)
	}

	m.Jump(1)
	if !m.Close() || m.Len() != 1 || m.Close() {
		t.Errorf("close: %d columns left", m.Len())
	}
	if specs := m.Specs(); len(specs) != 1 || specs[0].Query != "on:twitch" {
		t.Errorf("specs %+v", specs)
	}
	for i := 0; i < MaxColumns-1; i++ {
		if _, err := m.Open(Spec{Name: "x"}, on("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Open(Spec{Name: "x"}, on("x")); err == nil {
		t.Error("a tenth column opened")
	}
}
