package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is the keys the root handles whatever pane has focus.
type keyMap struct {
	Next      key.Binding
	Prev      key.Binding
	Reply     key.Binding
	Help      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Reply:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reply")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// bindings adapts a list of keys to help.KeyMap.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }

// helpKeys is what the help bar and the full help show for the focused
// pane and mode.
func (m *Model) helpKeys() bindings {
	k := m.keys
	global := []key.Binding{k.Next, k.Help, k.Quit}
	switch {
	case m.mode == modeCompose:
		ck := m.composer.Keys
		return bindings{
			short: append(ck.ShortHelp(), k.Next, k.ForceQuit),
			full:  append(ck.FullHelp(), []key.Binding{k.Next, k.Prev, k.ForceQuit}),
		}
	case m.focus == paneFeed:
		fk := m.feed.Keys
		return bindings{
			short: append(append(fk.ShortHelp(), k.Reply), global...),
			full:  append(fk.FullHelp(), []key.Binding{k.Reply}, []key.Binding{k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit}),
		}
	default:
		return bindings{
			short: global,
			full:  [][]key.Binding{{k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit}},
		}
	}
}
