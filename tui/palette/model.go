// Package palette is the command palette: every command and key of the
// dashboard, found by typing part of its name, shown with its key.
package palette

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Entry is one thing the palette can run.
type Entry struct {
	// Name is what is matched and shown: "reply", "hold the outbox".
	Name string
	// Key is the key that does the same, shown beside it; "" for a
	// command that has none.
	Key string
	// Command is the command line's name for it ("note"), if it is one.
	Command string
	// Arg says the command takes an argument (note TEXT).
	Arg string
	// Press is the key the root presses for it, when it is a key.
	Press string
	// Text is what it types, for a canned reply, or a draft's text:
	// shown after the name.
	Text string
	// Draft is the key of the draft it opens, for a draft.
	Draft string
}

// Model is the palette overlay.
type Model struct {
	st      *themes.Styles
	input   textinput.Model
	entries []Entry
	names   []string // matched against: each entry's name, command and key
	found   []int    // entries matching the input, best first
	sel     int

	Up, Down, Run, Close key.Binding

	width, height int
}

// New returns an empty palette drawn with st.
func New(st *themes.Styles) *Model {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "type part of a command or key: reply, hold, note…"
	in.SetStyles(st.Input(in.Styles()))
	in.CharLimit = 500 // a note typed here
	return &Model{
		st:    st,
		input: in,
		Up:    key.NewBinding(key.WithKeys("up", "ctrl+k"), key.WithHelp("↑", "previous")),
		Down:  key.NewBinding(key.WithKeys("down", "ctrl+j", "ctrl+n"), key.WithHelp("↓", "next")),
		Run:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Close: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// Open empties the input and lists es, in that order until something is
// typed.
func (m *Model) Open(es []Entry) tea.Cmd {
	m.entries = es
	m.names = make([]string, len(es))
	for i, e := range es {
		m.names[i] = strings.TrimSpace(e.Name + " " + e.Command + " " + e.Key)
	}
	m.input.Reset()
	m.filter()
	return m.input.Focus()
}

// Value is what is typed.
func (m *Model) Value() string { return m.input.Value() }

// Selected is the entry enter would run, if any matches.
func (m *Model) Selected() (Entry, bool) {
	if m.sel < len(m.found) {
		return m.entries[m.found[m.sel]], true
	}
	return Entry{}, false
}

// Update moves the selection or edits the input; the root runs and closes.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch k := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(k, m.Up):
			m.sel = max(m.sel-1, 0)
			return nil
		case key.Matches(k, m.Down):
			m.sel = min(m.sel+1, max(len(m.found)-1, 0))
			return nil
		}
	case tea.PasteMsg:
	default:
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg) // the cursor's blink
		return cmd
	}
	before := m.input.Value()
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if m.input.Value() != before {
		m.filter()
	}
	return cmd
}

// filter finds the entries matching what is typed up to its first space:
// after it come a command's arguments.
func (m *Model) filter() {
	m.sel = 0
	m.found = m.found[:0]
	q, _, _ := strings.Cut(strings.TrimSpace(m.input.Value()), " ")
	if q == "" {
		for i := range m.entries {
			m.found = append(m.found, i)
		}
		return
	}
	// A command typed in full comes first, whatever else it resembles.
	for i, e := range m.entries {
		if e.Command != "" && strings.EqualFold(e.Command, q) {
			m.found = append(m.found, i)
		}
	}
	exact := len(m.found)
	for _, f := range fuzzy.Find(q, m.names) {
		// Letters strewn over a long description are not a match: the
		// typed letters must fall within a stretch of about their length.
		if n := len(f.MatchedIndexes); n > 0 && f.MatchedIndexes[n-1]-f.MatchedIndexes[0] >= 3*len(q) {
			continue
		}
		if exact == 0 || !strings.EqualFold(m.entries[f.Index].Command, q) {
			m.found = append(m.found, f.Index)
		}
	}
}

// Restyle takes the theme's styles again, after they changed.
func (m *Model) Restyle() { m.input.SetStyles(m.st.Input(m.input.Styles())) }

// SetSize sets the inner size the palette draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(max(w-3, 1))
}

// Focus gives the palette the keyboard.
func (m *Model) Focus() tea.Cmd { return m.input.Focus() }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.input.Blur() }

// Title names the overlay.
func (m *Model) Title() string { return "Commands" }

// ShortHelp is how to pick, run and close.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.Up, m.Down, m.Run, m.Close} }

// FullHelp is how to pick, run and close.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the input and, under it, the matching entries that fit, the
// selected one marked, each with its key.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := []string{cells.Fit(m.input.View(), m.width)}
	if len(m.found) == 0 {
		lines = append(lines, cells.Fit(m.st.Muted.Render("Nothing matches; esc closes."), m.width))
	}
	keyW := 0
	for _, i := range m.found {
		keyW = max(keyW, cells.Width(m.entries[i].Key))
	}
	keyW = min(keyW, m.width/3)
	rows := m.height - 1
	first := max(0, m.sel-rows+1)
	for n, i := range m.found[first:] {
		if n == rows {
			break
		}
		e := m.entries[i]
		mark, name := "  ", m.st.Text.Render(e.Name)
		if first+n == m.sel {
			mark, name = m.st.HelpKey.Render("▸ "), m.st.Selected.Render(e.Name)
		}
		k := cells.Fit(m.st.HelpKey.Render(e.Key), keyW)
		extra := ""
		switch {
		case e.Command != "":
			extra = m.st.Muted.Render("  :" + e.Command + argSuffix(e.Arg))
		case e.Text != "":
			extra = m.st.Muted.Render("  " + cells.Safe(strings.Join(strings.Fields(e.Text), " ")))
		}
		lines = append(lines, cells.Fit(mark+k+"  "+name+extra, m.width))
	}
	for len(lines) < m.height {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	return strings.Join(lines, "\n")
}

func argSuffix(a string) string {
	if a == "" {
		return ""
	}
	return " " + a
}
