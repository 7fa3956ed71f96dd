// Package helpview is the help overlay: every key, in groups under
// headings ("Feed", "Moderation", …), those of the pane the operator will
// return to first, laid out in as many columns as the width holds.
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

// Group is keys listed together under a heading.
type Group struct {
	Heading string
	Keys    []key.Binding
}

// Model is the help overlay.
type Model struct {
	help   help.Model
	groups []Group
	Close  key.Binding
	Up     key.Binding
	Down   key.Binding
	top    int // first line shown, when the keys do not fit

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

// Restyle takes the theme's styles again, after they changed.
func (m *Model) Restyle(st *themes.Styles) { m.help.Styles = Styled(st).Styles }

// SetKeys sets the groups of keys the overlay lists, from the top.
func (m *Model) SetKeys(gs []Group) { m.groups, m.top = gs, 0 }

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

// lines lays the groups out in columns as wide as fit, each under its
// heading, wrapping to a new row of columns rather than cutting a group
// off at the edge. A group wider than the overlay has its descriptions
// cut, never its keys.
func (m *Model) lines() []string {
	if len(m.groups) == 0 || m.width <= 0 {
		return nil
	}
	const gap = 3 // between columns
	heading := m.help.Styles.FullKey.Underline(true)
	var rows, row []string
	used := 0
	for _, g := range m.groups {
		if len(g.Keys) == 0 {
			continue
		}
		col := heading.Render(g.Heading) + "\n" + m.help.FullHelpView([][]key.Binding{g.Keys})
		if cells.BlockWidth(col) > m.width {
			var cut []string
			for line := range strings.SplitSeq(col, "\n") {
				cut = append(cut, cells.Truncate(line, m.width, "…"))
			}
			col = strings.Join(cut, "\n")
		}
		w := cells.BlockWidth(col)
		if used > 0 && used+gap+w > m.width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		if used > 0 {
			row = append(row, strings.Repeat(" ", gap))
			used += gap
		}
		row = append(row, col)
		used += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Split(strings.Join(rows, "\n\n"), "\n")
}
