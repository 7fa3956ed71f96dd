package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/helpview"
)

// commands are what the footer's command line (":") runs: the keys' actions
// by name, for when a key is not at hand or not remembered.
// arg names what a command takes after its name ("" for nothing).
var commands = map[string]struct {
	help, arg string
	run       func(m *Model, arg string) tea.Cmd
}{
	"hold":    {"hold the whole outbox", "", func(m *Model, _ string) tea.Cmd { return m.holdOutbox(true) }},
	"release": {"release the outbox", "", func(m *Model, _ string) tea.Cmd { return m.holdOutbox(false) }},
	"outbox":  {"show the outbox", "", func(m *Model, _ string) tea.Cmd { return m.openOutbox() }},
	"audit":   {"show the audit log", "", func(m *Model, _ string) tea.Cmd { return m.openAudit() }},
	"crisis":  {"show the Crisis view", "", func(m *Model, _ string) tea.Cmd { return m.openCrisis() }},
	"note":    {"add a note to the incident's timeline: note TEXT", "TEXT", (*Model).note},
	"reload":  {"read the config again: watch-words, brand, alerts, statements (admin)", "", (*Model).reload},
	"theme":   {"your theme, now and in your next sessions: theme dark|light|colorblind", "dark|light|colorblind", (*Model).saveTheme},
	"help":    {"show every key", "", func(m *Model, _ string) tea.Cmd { return m.openHelp() }},
	"filter":  {"show only what a query finds in this column: filter QUERY (alone: everything)", "QUERY", (*Model).filterCmd},
	"column":  {"open a column: column NAME: QUERY", "NAME: QUERY", (*Model).columnCmd},
	"close":   {"close this column", "", (*Model).closeColumnCmd},
	"mute":    {"hide a feed or platform everywhere: mute NAME", "NAME", (*Model).muteCmd},
	"unmute":  {"show a muted feed or platform again: unmute [NAME]", "[NAME]", (*Model).unmuteCmd},
	"quit":    {"quit", "", func(*Model, string) tea.Cmd { return tea.Quit }},
}

func commandNames() string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func newCmdline(st *themes.Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ":"
	ti.Placeholder = commandNames()
	ti.SetStyles(st.Input(ti.Styles()))
	ti.CharLimit = 500 // a note
	return ti
}

func (m *Model) closeLine() {
	m.cmdline.Blur()
	m.mode = modeNormal
}

// commandKey handles a key while the command line has the keyboard.
func (m *Model) commandKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.CloseLine):
		m.closeLine()
		return nil
	case key.Matches(k, m.keys.Run):
		name, arg, _ := strings.Cut(strings.TrimSpace(m.cmdline.Value()), " ")
		name = strings.ToLower(name)
		m.closeLine()
		if name == "" {
			return nil
		}
		c, ok := commands[name]
		if !ok {
			m.setStatus(fmt.Sprintf("Unknown command %q; commands: %s.", name, commandNames()), true)
			return nil
		}
		return c.run(m, strings.TrimSpace(arg))
	}
	var cmd tea.Cmd
	m.cmdline, cmd = m.cmdline.Update(k)
	return cmd
}

// saveTheme puts the operator's theme on screen at once, and keeps it for
// their next sessions.
func (m *Model) saveTheme(name string) tea.Cmd {
	p, err := themes.Builtin(name)
	if err != nil {
		m.setStatus(fmt.Sprintf("theme: %v", err), true)
		return nil
	}
	m.sess.Theme = p
	*m.styles = *themes.New(p)
	m.restyle()
	st, op := m.svc.Store, m.sess.Operator
	return m.persist(func() tea.Msg {
		if err := st.SetPref(op, "theme", name); err != nil {
			return opDoneMsg{err: fmt.Errorf("theme %s is on screen, but not saved for your next session: %w", name, err)}
		}
		return opDoneMsg{done: "Theme " + name + " saved for " + op + ": yours from now on, on any terminal."}
	})
}

// restyle has what keeps a copy of the theme's styles, or draws from a
// cache, take them again: every pane shares m.styles, which just changed.
func (m *Model) restyle() {
	m.help.Styles = helpview.Styled(m.styles).Styles
	m.helpView.Restyle(m.styles)
	m.composer.Restyle()
	m.palette.Restyle()
	m.feed.Restyle()
	m.stats.Restyle()
	m.cmdline.SetStyles(m.styles.Input(m.cmdline.Styles()))
	m.search.line.SetStyles(m.styles.Input(m.search.line.Styles()))
	m.drawn = drawnCache{}
}

// reload asks the services to read the config again.
func (m *Model) reload(string) tea.Cmd {
	fn, op := m.svc.Reload, m.sess.Operator
	if fn == nil {
		m.setStatus("reload: this dashboard cannot read its config again.", true)
		return nil
	}
	return m.persist(func() tea.Msg {
		if err := fn(op); err != nil {
			return opDoneMsg{err: fmt.Errorf("reload: %w", err)}
		}
		return opDoneMsg{done: "Config read again: watch-words, brand, alert thresholds and statements apply now; feeds are not restarted."}
	})
}
