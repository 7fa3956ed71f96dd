// Package helpview is the help overlay: every key of the pane the operator
// will return to, and the dashboard's own, in columns.
package helpview

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Model is the help overlay.
type Model struct {
	help  help.Model
	keys  help.KeyMap
	Close key.Binding
	Up    key.Binding
	Down  key.Binding
	top   int // first line shown, when the keys do not fit

	width, height int
}

// New returns the overlay, drawing with the help bar's styles.
func New(h help.Model) *Model {
	return &Model{
		help:  h,
		Close: key.NewBinding(key.WithKeys("esc", "?", "q"), key.WithHelp("esc/?", "close help")),
		Up:    key.NewBinding(key.WithKeys("up", "k", "pgup"), key.WithHelp("↑/k", "scroll up")),
		Down:  key.NewBinding(key.WithKeys("down", "j", "pgdown", "space"), key.WithHelp("↓/j", "scroll down")),
	}
}

// Styled returns a help model styled by the theme, for the help bar and
// this overlay alike.
func Styled(st *themes.Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: st.HelpKey, ShortDesc: st.HelpDesc, ShortSeparator: st.HelpSep,
		FullKey: st.HelpKey, FullDesc: st.HelpDesc, FullSeparator: st.HelpSep,
		Ellipsis: st.HelpSep,
	}
	return h
}

// SetKeys sets the keys the overlay lists, from the top.
func (m *Model) SetKeys(k help.KeyMap) { m.keys, m.top = k, 0 }

// SetSize sets the inner size the overlay draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update scrolls what does not fit; the root closes the overlay.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	step := 1
	if s := k.String(); s == "pgup" || s == "pgdown" || s == "space" {
		step = max(m.height-1, 1)
	}
	last := max(len(m.lines())-m.height, 0)
	switch {
	case key.Matches(k, m.Up):
		m.top = max(m.top-step, 0)
	case key.Matches(k, m.Down):
		m.top = min(m.top+step, last)
	}
	return nil
}

// Focus gives the overlay the keyboard.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() {}

// Title names the overlay.
func (m *Model) Title() string { return "Help" }

// ShortHelp is how to scroll and close the overlay.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.Up, m.Down, m.Close} }

// FullHelp is how to scroll and close the overlay.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the lines that fit from the top line, with a mark when there
// is more below.
func (m *Model) View() string {
	lines := m.lines()
	if m.height <= 0 || len(lines) == 0 {
		return ""
	}
	top := min(m.top, max(len(lines)-m.height, 0))
	shown := lines[top:min(top+m.height, len(lines))]
	if top+m.height < len(lines) {
		shown = append(shown[:len(shown)-1:len(shown)-1], "▼ more: ↓/j")
	}
	return strings.Join(shown, "\n")
}

// lines lays the key groups out in columns as wide as fit, wrapping to a
// new row of columns rather than cutting a group off at the edge.
func (m *Model) lines() []string {
	if m.keys == nil || m.width <= 0 {
		return nil
	}
	var rows, row []string
	used := 0
	for _, group := range m.keys.FullHelp() {
		col := m.help.FullHelpView([][]key.Binding{group})
		w := cells.BlockWidth(col) + 4
		if used > 0 && used+w > m.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Split(strings.Join(rows, "\n\n"), "\n")
}
