package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/canned"
	"github.com/tribune/tribune/feeds"
)

// A search kept in one column is the one n walks in the column jumped to:
// its hits there are found in memory, not only in the store.
func TestSearchFollowsTheColumnJumpedTo(t *testing.T) {
	_, m := loaded(t)
	run(m.columnCmd("sky: on:bluesky"))
	hit(m, "1")
	hit(m, "/")
	typeKeys(m, "android")
	hit(m, "enter")
	hit(m, "2")
	if ev, _ := m.feed.Selected(); ev.ID != "b2" {
		t.Fatalf("column 2 starts on %s, want b2", ev.ID)
	}
	hit(m, "n")
	if ev, _ := m.feed.Selected(); ev.ID != "b1" {
		t.Errorf("n in column 2 went to %s (status %q), want b1, the older hit in memory", ev.ID, m.status)
	}
}

// A mute rebuilds the columns but keeps the message the operator picked
// selected when it still shows: d or r then acts on what they chose.
func TestMuteKeepsTheSelection(t *testing.T) {
	_, m := loaded(t)
	for range 20 {
		if ev, _ := m.feed.Selected(); ev.ID == "m1" {
			break
		}
		hit(m, "k")
	}
	if ev, _ := m.feed.Selected(); ev.ID != "m1" {
		t.Fatalf("k did not reach m1: %s", ev.ID)
	}
	run(m.muteCmd("irc"))
	if ev, _ := m.feed.Selected(); ev.ID != "m1" {
		t.Errorf("after :mute irc the selection is %s, want m1", ev.ID)
	}
	run(m.filterCmd("on:mastodon OR on:twitch"))
	if ev, _ := m.feed.Selected(); ev.ID != "m1" {
		t.Errorf("after :filter the selection is %s, want m1", ev.ID)
	}
}

// Unmuting keeps the selection too.
func TestUnmuteKeepsTheSelection(t *testing.T) {
	_, m := loaded(t)
	run(m.muteCmd("irc"))
	for range 20 {
		if ev, _ := m.feed.Selected(); ev.ID == "b1" {
			break
		}
		hit(m, "k")
	}
	run(m.unmuteCmd(""))
	if ev, _ := m.feed.Selected(); ev.ID != "b1" {
		t.Errorf("after :unmute the selection is %s, want b1", ev.ID)
	}
}

// The wheel turned past the top of a column that does not have the
// keyboard reads that column's history into it, not into the active one.
func TestWheelHistoryGoesToTheColumnScrolled(t *testing.T) {
	m := withHistory(t, 30, func(i int) string { return fmt.Sprintf("old message %d", i) })
	drive(m, m.columnCmd("sky: on:bluesky")) // active: column 2
	if id, _, _, ok := m.at(tea.Mouse{X: 10, Y: 5}); !ok || id != paneFeed || m.feed.ColumnAt(9) != 0 {
		t.Fatalf("x 10 is not in column 1 of the feed: %q", id)
	}
	for range 10 {
		_, cmd := m.Update(tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelUp})
		drive(m, cmd)
	}
	for _, ev := range m.feed.Feed().Events() {
		if ev.Platform != "bluesky" {
			t.Errorf("column 2 (on:bluesky) holds %s on %s", ev.ID, ev.Platform)
		}
	}
	hit(m, "1")
	var ids []string
	for _, ev := range m.feed.Feed().Events() {
		ids = append(ids, ev.ID)
	}
	if got := strings.Join(ids, " "); !strings.Contains(got, "o10") {
		t.Errorf("column 1 holds %q after the wheel went past its top; want older stored ones", got)
	}
}

// A canned reply is filled in from the message answered even when the
// column with the keyboard does not show it.
func TestCannedNameFromAnotherColumn(t *testing.T) {
	_, m := loaded(t)
	tpl, err := canned.Parse("thanks", "Merci {name} !")
	if err != nil {
		t.Fatal(err)
	}
	m.svc.Canned = []*canned.Template{tpl}
	run(m.columnCmd("sky: on:bluesky"))
	hit(m, "1")
	for range 20 {
		if ev, _ := m.feed.Selected(); ev.ID == "m1" {
			break
		}
		hit(m, "k")
	}
	hit(m, "r") // Ana Ribeiro's message, in column 1 only
	m.panes.Focus(paneFeed)
	hit(m, "2") // a look at the other column while writing
	m.panes.Focus(paneReply)
	hit(m, "ctrl+t")
	hit(m, "enter")
	if got := m.composer.Value(); got != "Merci Ana Ribeiro !" {
		t.Errorf("composer %q, want the display name of the author answered", got)
	}
}

// A saved column left out on restore does not shift which column comes
// back active.
func TestRestoreKeepsTheActiveColumnPastABadOne(t *testing.T) {
	_, m := loaded(t)
	m.restoreColumns(`{"columns":[{"name":"all"},{"name":"bad","query":"frm:x"},{"name":"sky","query":"on:bluesky"},{"name":"tw","query":"on:twitch"}],"active":2}`)
	if s := m.feed.Specs()[m.feed.Active()]; s.Name != "sky" {
		t.Errorf("restored active column %q, want sky", s.Name)
	}
}

// Saved columns may come from another node of a cluster: their names
// reach the screen sanitized.
func TestRestoredColumnsAreSanitized(t *testing.T) {
	_, m := loaded(t)
	m.restoreColumns(`{"columns":[{"name":"all"},{"name":"q\u001b]52;c;aGk=\u0007s","query":"on:twitch"}],"active":1}`)
	if s := m.feed.Specs()[m.feed.Active()]; strings.ContainsAny(s.Name, "\x1b\x07") {
		t.Errorf("restored column name %q carries controls", s.Name)
	}
}

// D on the brand's own card deletes nothing: d refuses the brand's
// messages, and so does the delete of all recent ones.
func TestDeleteAllSparesTheBrand(t *testing.T) {
	h, m := loaded(t)
	own := feeds.Event{Seq: 11, Feed: "twitch", Platform: "twitch", ID: "t7", Kind: feeds.KindMessage, Author: "lumio",
		Badges: []string{feeds.BadgeBrand}, Text: "Merci à tous !", Time: clock}
	if err := h.db.AppendEvents([]feeds.Event{own}); err != nil {
		t.Fatal(err)
	}
	m.feed.Add([]feeds.Event{own})
	hit(m, "G")
	if ev, _ := m.feed.Selected(); ev.ID != "t7" {
		t.Fatalf("selected %s", ev.ID)
	}
	hit(m, "d")
	if m.mode == modeConfirm {
		t.Fatalf("d on the brand's message asks %q", m.ask.prompt)
	}
	drive(m, hit(m, "u"))
	if m.panes.Overlay() != paneCard {
		t.Fatalf("u: overlay %q", m.panes.Overlay())
	}
	hit(m, "D")
	if m.mode == modeConfirm {
		t.Errorf("D on the brand's card asks %q", m.ask.prompt)
	}
}
