package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/tribune/tribune/tui/pane"
)

// keyMap is the keys the root handles whatever pane has focus.
type keyMap struct {
	Next      key.Binding
	Prev      key.Binding
	Reply     key.Binding
	Help      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
	// OutboxAnywhere opens the Outbox view even while typing.
	OutboxAnywhere key.Binding
	Outbox         key.Binding
	Audit          key.Binding
	Hold           key.Binding
	Dismiss        key.Binding
	Command        key.Binding
	// Moderation of the selected message, each confirmed with y.
	Delete  key.Binding
	Timeout key.Binding
	Ban     key.Binding
	// Confirm answers a moderation prompt; any other key cancels it.
	Confirm key.Binding
	// Length picks a timeout's next length once a reason is being typed.
	Length key.Binding
	// The command line's keys.
	Run       key.Binding
	CloseLine key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Reply:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reply")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),

		OutboxAnywhere: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "outbox (from anywhere)")),
		Outbox:         key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "outbox")),
		Audit:          key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "audit log")),
		Hold:           key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "hold outbox")),
		Dismiss:        key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "dismiss the alert")),
		Command:        key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Delete:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete message")),
		Timeout:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeout author 10m")),
		Ban:            key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "ban author")),
		Confirm:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Length:         key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "timeout length")),
		Run:            key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		CloseLine:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// bindings adapts a list of keys to help.KeyMap.
type bindings struct {
	short []key.Binding
	full  [][]key.Binding
}

func (b bindings) ShortHelp() []key.Binding  { return b.short }
func (b bindings) FullHelp() [][]key.Binding { return b.full }

// helpKeys is what the help bar and the help overlay show: the keys of
// the pane that has (or will get back) the keyboard, then the dashboard's.
func (m *Model) helpKeys() bindings {
	k := m.keys
	global := []key.Binding{k.Next, k.Help, k.Quit}
	all := []key.Binding{k.Outbox, k.OutboxAnywhere, k.Audit, k.Hold, k.Dismiss, k.Command}
	switch {
	case m.panes.Overlay() == paneOutbox:
		return bindings{short: m.box.ShortHelp(), full: m.box.FullHelp()}
	case m.panes.Overlay() == paneAudit:
		return bindings{short: append(m.audit.ShortHelp(), k.ForceQuit), full: append(m.audit.FullHelp(), []key.Binding{k.ForceQuit})}
	case m.composer.Typing():
		return bindings{
			short: append(m.composer.ShortHelp(), k.Next, k.ForceQuit),
			full:  append(m.composer.FullHelp(), []key.Binding{k.Next, k.Prev, k.OutboxAnywhere, k.ForceQuit}),
		}
	case m.panes.Focused() == paneFeed:
		return bindings{
			short: append(append(m.feed.ShortHelp(), k.Reply), global...),
			full: append(m.feed.FullHelp(), append([]key.Binding{k.Reply}, all...),
				[]key.Binding{k.Delete, k.Timeout, k.Ban}, []key.Binding{k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit}),
		}
	}
	var own []key.Binding
	if m.panes.Focused() == paneStats {
		own = m.stats.ShortHelp()
	}
	return bindings{
		short: append(append(own, k.Outbox, k.Hold), global...),
		full:  [][]key.Binding{own, all, {k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit}},
	}
}

// allKeys is what the help overlay lists: every key of every pane and
// view, those of the one it is opened over first, then the dashboard's,
// whether or not they apply at this moment.
func (m *Model) allKeys() bindings {
	k := m.keys
	feedKeys := append(m.feed.FullHelp(), []key.Binding{k.Reply, k.Delete, k.Timeout, k.Ban})
	dashboard := [][]key.Binding{
		{k.Outbox, k.OutboxAnywhere, k.Audit, k.Hold, k.Command},
		{k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit},
	}
	views := map[pane.ID][][]key.Binding{
		paneFeed:   feedKeys,
		paneReply:  m.composer.FullHelp(),
		paneStats:  m.stats.FullHelp(),
		paneOutbox: m.box.FullHelp(),
		paneAudit:  m.audit.FullHelp(),
	}
	first := m.panes.Overlay()
	if first == "" || first == paneHelp {
		first = m.panes.Focused()
	}
	full := append(append([][]key.Binding(nil), views[first]...), dashboard...)
	for _, id := range []pane.ID{paneFeed, paneReply, paneStats, paneOutbox, paneAudit} {
		if id != first {
			full = append(full, views[id]...)
		}
	}
	for _, group := range full {
		for i := range group {
			group[i].SetEnabled(true) // copies: listed, whatever applies now
		}
	}
	return bindings{full: full}
}
