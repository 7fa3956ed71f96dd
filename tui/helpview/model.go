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

	width, height int
}

// New returns the overlay, drawing with the help bar's styles.
func New(h help.Model) *Model {
	return &Model{help: h, Close: key.NewBinding(key.WithKeys("esc", "?", "q"), key.WithHelp("esc/?", "close help"))}
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

// SetKeys sets the keys the overlay lists.
func (m *Model) SetKeys(k help.KeyMap) { m.keys = k }

// SetSize sets the inner size the overlay draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update does nothing: the root closes the overlay.
func (m *Model) Update(tea.Msg) tea.Cmd { return nil }

// Focus gives the overlay the keyboard.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() {}

// Title names the overlay.
func (m *Model) Title() string { return "Help" }

// ShortHelp is how to close the overlay.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.Close} }

// FullHelp is how to close the overlay.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{{m.Close}} }

// View lays the key groups out in columns as wide as fit, wrapping to a
// new row of columns rather than cutting a group off at the edge.
func (m *Model) View() string {
	if m.keys == nil || m.width <= 0 {
		return ""
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
	return strings.Join(rows, "\n\n")
}
