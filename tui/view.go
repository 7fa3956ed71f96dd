package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/tui/cells"
)

// Smallest terminal the layout is drawn for.
const (
	minWidth  = 40
	minHeight = 10
)

// View draws the whole screen. It changes nothing.
func (m *Model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	if !m.sess.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// screen is the whole screen as text: the panes, then the footer.
func (m *Model) screen() string {
	if m.width == 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		// Said in the room there is: wrapped to the width, cut to the height.
		msg := fmt.Sprintf("tribune needs a terminal of at least %dx%d (this one is %dx%d).", minWidth, minHeight, m.width, m.height)
		lines := strings.Split(cells.Wrap(msg, max(m.width, 1)), "\n")
		return strings.Join(lines[:min(len(lines), max(m.height, 1))], "\n")
	}
	top := ""
	if m.alert != nil {
		top = m.banner() + "\n"
	}
	panes, foot := m.panes.View(), m.footer()
	// The same screen as the last is the same string: no 40 KB copy, and
	// the renderer compares it in no time.
	c := &m.drawn
	if top != c.top || panes != c.panes || foot != c.foot || c.screen == "" {
		c.top, c.panes, c.foot = top, panes, foot
		c.screen = top + panes + "\n" + cells.Truncate(cells.Safe(foot), m.width, "")
	}
	return c.screen
}

// drawnCache is what the last frame was made of, to draw the next one
// from what did not change.
type drawnCache struct {
	top, panes, foot, screen string
	bar                      helpBarCache
}

// footer is the command line or a prompt when one is open, else the status
// line when there is one, else the help bar.
func (m *Model) footer() string {
	switch {
	case m.mode == modeCommand:
		return m.cmdline.View()
	case m.mode == modeSearch:
		return cells.Truncate(m.searchFooter(), m.width, "…")
	case m.mode == modeConfirm && m.ask != nil:
		return cells.Truncate(cells.Safe(m.confirmPrompt()), m.width, "…")
	case m.status != "":
		st := m.styles.OK
		if m.statusErr {
			st = m.styles.Error
		}
		return st.Render(cells.Truncate(cells.Safe(m.status), m.width, "…"))
	}
	return m.helpBar()
}

// helpBar is the focused pane's keys that fit the width, dropped from the
// end of the pane's own so that reply, ? help and quit always show.
func (m *Model) helpBar() string {
	keep := func(b key.Binding) bool {
		h := b.Help().Key
		return h == m.keys.Help.Help().Key || h == m.keys.Quit.Help().Key || h == m.keys.ForceQuit.Help().Key ||
			h == m.keys.Reply.Help().Key
	}
	// Measured from the bindings' texts, not by drawing the bar again and
	// again: this runs every frame.
	var short []key.Binding
	var widths []int
	total, sep := 0, cells.Width(m.help.ShortSeparator)
	for _, b := range m.helpKeys().ShortHelp() {
		if !b.Enabled() {
			continue
		}
		w := cells.Width(b.Help().Key) + 1 + cells.Width(b.Help().Desc)
		if len(short) > 0 {
			total += sep
		}
		short, widths, total = append(short, b), append(widths, w), total+w
	}
	for total > m.width {
		i := len(short) - 1
		for i >= 0 && keep(short[i]) {
			i--
		}
		if i < 0 {
			break
		}
		total -= widths[i] + sep
		short = append(short[:i:i], short[i+1:]...)
		widths = append(widths[:i:i], widths[i+1:]...)
	}
	// Drawn again only when the keys shown change: mostly never between
	// two frames.
	var key strings.Builder
	key.WriteString(strconv.Itoa(m.width))
	for _, b := range short {
		key.WriteString("\x00" + b.Help().Key + "\x01" + b.Help().Desc)
	}
	bar := &m.drawn.bar
	if k := key.String(); k != bar.key {
		bar.key, bar.text = k, cells.Truncate(m.help.ShortHelpView(short), m.width, "…")
	}
	return bar.text
}

// helpBarCache is the help bar last drawn, and the keys and width it was
// drawn for.
type helpBarCache struct{ key, text string }
