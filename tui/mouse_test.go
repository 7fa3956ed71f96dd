package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// A click focuses the pane under it and, in the Feed, selects the row
// clicked; the wheel scrolls the pane under the pointer.
func TestMouse(t *testing.T) {
	_, m := loaded(t)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	screen := strings.Split(ansi.Strip(m.screen()), "\n")
	row := -1
	for y, l := range screen {
		if y > 0 && y < 40 && (strings.Contains(l, "•") || strings.Contains(l, "◦")) {
			row = y
			break
		}
	}
	if row < 0 {
		t.Fatalf("no feed row on screen:\n%s", strings.Join(screen, "\n"))
	}
	m.Update(tea.MouseClickMsg{X: 120, Y: 3, Button: tea.MouseLeft})
	if m.panes.Focused() != paneStats {
		t.Fatalf("a click on the stats focused %q", m.panes.Focused())
	}
	m.Update(tea.MouseClickMsg{X: 30, Y: row, Button: tea.MouseLeft})
	ev, ok := m.feed.Selected()
	if m.panes.Focused() != paneFeed || !ok || !strings.Contains(screen[row], ev.AuthorName) {
		t.Fatalf("a click on %q: focus %q, selected %+v", screen[row], m.panes.Focused(), ev)
	}
	m.Update(tea.MouseWheelMsg{X: 30, Y: row, Button: tea.MouseWheelDown})
	if next, _ := m.feed.Selected(); next.Seq == ev.Seq {
		t.Errorf("the wheel did not move the feed from %s", ev.ID)
	}
	m.Update(tea.MouseClickMsg{X: 0, Y: 0, Button: tea.MouseLeft}) // a border
	if m.panes.Focused() != paneFeed {
		t.Errorf("a click on a border moved the focus to %q", m.panes.Focused())
	}
	if v := m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Errorf("mouse mode %v", v.MouseMode)
	}
	m.sess.NoMouse = true
	if v := m.View(); v.MouseMode != tea.MouseModeNone {
		t.Errorf("--no-mouse: mouse mode %v", v.MouseMode)
	}
}
