package composer

import "charm.land/bubbles/v2/key"

// KeyMap is the composer's own keys; everything else is typed.
type KeyMap struct {
	Send    key.Binding
	Cancel  key.Binding
	Discard key.Binding
	Newline key.Binding
}

// DefaultKeyMap returns the composer's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Send:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close (keep draft)")),
		Discard: key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "discard draft (asks)")),
		Newline: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "new line")),
	}
}

// ShortHelp is the help bar's subset.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.Cancel, k.Discard}
}

// FullHelp is every key, grouped.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Send, k.Cancel, k.Discard, k.Newline}}
}
