package tui

import (
	"testing"
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
