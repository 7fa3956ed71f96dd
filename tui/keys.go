package tui

import (
	"slices"

	"charm.land/bubbles/v2/key"

	"github.com/tribune/tribune/tui/helpview"
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
	Crisis         key.Binding
	Command        key.Binding
	// Canned offers the canned replies while writing one.
	Canned key.Binding
	// Card opens the selected author's card.
	Card key.Binding
	// Search, and its next and previous hits.
	Search  key.Binding
	NextHit key.Binding
	PrevHit key.Binding
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
		Crisis:         key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "crisis mode")),
		Command:        key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":/ctrl+p", "commands")),
		Search:         key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Card:           key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "user card")),
		Canned:         key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "canned reply")),
		NextHit:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "older match")),
		PrevHit:        key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "newer match")),
		Delete:         key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete message")),
		Timeout:        key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeout author")),
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
	all := []key.Binding{k.Outbox, k.OutboxAnywhere, k.Audit, k.Crisis, k.Hold, k.Dismiss, k.Command}
	switch {
	case m.panes.Overlay() == panePalette:
		return bindings{short: m.palette.ShortHelp(), full: m.palette.FullHelp()}
	case m.panes.Overlay() == paneCard:
		return bindings{short: m.card.ShortHelp(), full: m.card.FullHelp()}
	case m.panes.Overlay() == paneCrisis:
		return bindings{short: append(m.crisis.ShortHelp(), k.Hold), full: append(m.crisis.FullHelp(), all)}
	case m.panes.Overlay() == paneOutbox:
		return bindings{short: m.box.ShortHelp(), full: m.box.FullHelp()}
	case m.panes.Overlay() == paneAudit:
		return bindings{short: append(m.audit.ShortHelp(), k.ForceQuit), full: append(m.audit.FullHelp(), []key.Binding{k.ForceQuit})}
	case m.composer.Typing():
		return bindings{
			short: append(m.composer.ShortHelp(), k.Canned, k.Next, k.ForceQuit),
			full:  append(m.composer.FullHelp(), []key.Binding{k.Canned, k.Next, k.Prev, k.OutboxAnywhere, k.ForceQuit}),
		}
	case m.panes.Focused() == paneFeed:
		return bindings{
			short: append(append(m.feed.ShortHelp(), k.Reply), global...),
			full: append(m.feed.FullHelp(), append([]key.Binding{k.Reply, k.Search, k.NextHit, k.PrevHit, k.Card}, all...),
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
// view under a heading, those of the one it is opened over first, then
// the dashboard's, whether or not they apply at this moment.
func (m *Model) allKeys() (_ []helpview.Group, here int) {
	k := m.keys
	flat := func(gs [][]key.Binding) []key.Binding { return slices.Concat(gs...) }
	as := func(b key.Binding, keys, desc string) key.Binding {
		b.SetHelp(keys, desc)
		return b
	}
	lengths := key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "timeout 1m 10m 1h 24h"))
	moderation := helpview.Group{Heading: "Moderation", Keys: []key.Binding{
		k.Delete, k.Timeout, k.Ban,
		as(k.Confirm, "y", "confirm a delete"),
		as(k.Run, "enter", "ban or timeout, with the reason typed"),
		lengths,
		as(k.Length, "tab", "next timeout length"),
		as(k.CloseLine, "esc", "cancel"),
	}}
	views := map[pane.ID][]helpview.Group{
		paneFeed:   {{Heading: "Feed", Keys: append(flat(m.feed.FullHelp()), k.Reply, k.Search, k.NextHit, k.PrevHit, k.Card)}, moderation},
		paneReply:  {{Heading: "Reply", Keys: append(flat(m.composer.FullHelp()), k.Canned)}},
		paneStats:  {{Heading: "Stats", Keys: flat(m.stats.FullHelp())}},
		paneOutbox: {{Heading: "Outbox", Keys: flat(m.box.FullHelp())}},
		paneAudit:  {{Heading: "Audit log", Keys: flat(m.audit.FullHelp())}},
		paneCrisis: {{Heading: "Crisis", Keys: flat(m.crisis.FullHelp())}},
		paneCard:   {{Heading: "User card", Keys: flat(m.card.FullHelp())}},
	}
	dashboard := []helpview.Group{
		{Heading: "Views", Keys: []key.Binding{k.Outbox, k.OutboxAnywhere, k.Audit, k.Crisis, k.Hold, k.Dismiss, k.Command}},
		{Heading: "Anywhere", Keys: []key.Binding{k.Next, k.Prev, k.Help, k.Quit, k.ForceQuit}},
	}
	first := m.panes.Overlay()
	if first == "" || first == paneHelp || first == panePalette {
		first = m.panes.Focused()
	}
	all := append(slices.Clone(views[first]), dashboard...)
	here = len(all) // the keys that work where help or the palette was opened
	for _, id := range []pane.ID{paneFeed, paneReply, paneStats, paneOutbox, paneAudit, paneCrisis, paneCard} {
		if id != first {
			all = append(all, views[id]...)
		}
	}
	all = append(all, helpview.Group{Heading: "Help", Keys: m.helpView.FullHelp()[0]})
	for _, g := range all {
		for i := range g.Keys {
			g.Keys[i].SetEnabled(true) // copies: listed, whatever applies now
		}
	}
	return all, here
}
