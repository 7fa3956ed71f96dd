package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/tui/pane"
)

// wheelStep is how many rows a turn of the wheel moves.
const wheelStep = 3

// at is the pane under the pointer and where inside it, past the alert
// banner when one is shown.
func (m *Model) at(ms tea.Mouse) (id pane.ID, x, y int, ok bool) {
	y = ms.Y
	if m.alert != nil {
		y-- // the banner's line
	}
	return m.panes.At(ms.X, y)
}

// click focuses the pane clicked and, in the Feed, selects the row.
// Nothing happens while a prompt or the command line waits for an answer.
func (m *Model) click(ms tea.Mouse) tea.Cmd {
	if ms.Button != tea.MouseLeft || m.mode != modeNormal || m.panes.Overlay() != "" {
		return nil
	}
	id, x, y, ok := m.at(ms)
	if !ok {
		return nil
	}
	var cmd tea.Cmd
	if id != m.panes.Focused() {
		cmd = m.panes.Focus(id)
	}
	if id == paneFeed && m.feed.SelectAt(x, y) {
		m.refreshCounts()
	}
	return cmd
}

// wheel scrolls the pane under the pointer (or the open view) as the
// arrow keys would, without moving the keyboard's focus.
func (m *Model) wheel(ms tea.Mouse) tea.Cmd {
	if m.mode != modeNormal {
		return nil
	}
	var code rune
	switch ms.Button {
	case tea.MouseWheelUp:
		code = tea.KeyUp
	case tea.MouseWheelDown:
		code = tea.KeyDown
	default:
		return nil
	}
	id, x, _, ok := m.at(ms)
	if !ok || id == paneReply || id == panePalette {
		return nil // the composer's arrows move in its text
	}
	var cmds []tea.Cmd
	for range wheelStep {
		if id == paneFeed {
			cmds = append(cmds, m.feed.UpdateColumn(m.feed.ColumnAt(x), tea.KeyPressMsg{Code: code}))
		} else {
			cmds = append(cmds, m.panes.UpdatePane(id, tea.KeyPressMsg{Code: code}))
		}
	}
	if id == paneFeed {
		m.refreshCounts()
	}
	return tea.Batch(cmds...)
}
