package feed

import "charm.land/bubbles/v2/key"

// KeyMap is the feed pane's keys.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Oldest   key.Binding
	Newest   key.Binding
	MarkRead key.Binding
	AllRead  key.Binding
}

// DefaultKeyMap returns the feed pane's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Oldest:   key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "oldest")),
		Newest:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "newest")),
		MarkRead: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark read")),
		AllRead:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "all read")),
	}
}

// ShortHelp is the help bar's subset.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Newest, k.MarkRead, k.AllRead}
}

// FullHelp is every key, grouped.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Oldest, k.Newest},
		{k.MarkRead, k.AllRead},
	}
}
