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
