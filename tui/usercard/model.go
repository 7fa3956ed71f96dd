// Package usercard is the user card: one author as the store knows them
// (their recent messages across the feeds, when they were first seen, how
// much they wrote, what the team did to them), with a selection among
// their messages that replies and moderation act on.
package usercard

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Keys are the card's own; the root acts on them (reply, moderation) with
// the message selected here.
type Keys struct {
	Up, Down, Close key.Binding
	Reply           key.Binding
	Timeout, Ban    key.Binding
	Unban           key.Binding
	Delete          key.Binding
	DeleteAll       key.Binding
	// Mute, Block and Report act on the author with the brand's account,
	// where the platform has them (Mastodon, Bluesky).
	Mute, Block, Report key.Binding
}

// Model is the card overlay.
type Model struct {
	st      *themes.Styles
	loc     *time.Location
	card    store.AuthorCard
	name    string // the display name, from the message it was opened on
	loading bool
	err     error
	sel     int

	Keys Keys

	width, height int
}

// New returns an empty card drawn with st, times in loc.
func New(st *themes.Styles, loc *time.Location) *Model {
	if loc == nil {
		loc = time.UTC
	}
	return &Model{st: st, loc: loc, Keys: Keys{
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Close:     key.NewBinding(key.WithKeys("esc", "q", "u"), key.WithHelp("esc", "close")),
		Reply:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reply")),
		Timeout:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeout")),
		Ban:       key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "ban")),
		Unban:     key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "unban")),
		Delete:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete message")),
		DeleteAll: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete all recent")),
		Mute:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mute")),
		Block:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "block")),
		Report:    key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "report")),
	}}
}

// Loading shows the card of author (named name) while the store is read.
func (m *Model) Loading(platform, author, name string) {
	m.card = store.AuthorCard{Platform: platform, Author: author}
	m.name, m.loading, m.err, m.sel = name, true, nil, 0
}

// Set shows what the store read, or why it could not.
func (m *Model) Set(c store.AuthorCard, err error) {
	if err != nil {
		m.loading, m.err = false, err
		return
	}
	m.card, m.loading, m.err, m.sel = c, false, nil, 0
}

// Author is whose card this is: platform and handle.
func (m *Model) Author() (platform, author string) { return m.card.Platform, m.card.Author }

// Selected is the message selected on the card.
func (m *Model) Selected() (feeds.Event, bool) {
	if m.sel < len(m.card.Recent) {
		return m.card.Recent[m.sel], true
	}
	return feeds.Event{}, false
}

// Deletable are their recent messages not yet deleted, oldest first.
func (m *Model) Deletable() []feeds.Event {
	var out []feeds.Event
	for i := len(m.card.Recent) - 1; i >= 0; i-- {
		ev := m.card.Recent[i]
		if !ev.Deleted && (ev.Kind == feeds.KindMessage || ev.Kind == feeds.KindAction) {
			out = append(out, ev)
		}
	}
	return out
}

// Update moves the selection.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.sel = max(m.sel-1, 0)
	case key.Matches(k, m.Keys.Down):
		m.sel = min(m.sel+1, max(len(m.card.Recent)-1, 0))
	}
	return nil
}

// SetSize sets the inner size the card draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Focus gives the card the keyboard.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() {}

// Title names the card.
func (m *Model) Title() string {
	return cells.Safe(fmt.Sprintf("User · @%s on %s", m.card.Author, m.card.Platform))
}

// ShortHelp is the card's keys for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	k := m.Keys
	return []key.Binding{k.Close, k.Up, k.Down, k.Reply, k.Timeout, k.Ban, k.DeleteAll}
}

// FullHelp is every key of the card.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Reply}, {k.Delete, k.DeleteAll, k.Timeout, k.Ban, k.Unban}, {k.Mute, k.Block, k.Report, k.Close}}
}

// View draws the author's figures, what the team did to them, and their
// recent messages with the selection.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.st
	var lines []string
	add := func(s string) { lines = append(lines, cells.Fit(s, m.width)) }
	c := m.card
	who := "@" + c.Author
	if m.name != "" && !strings.EqualFold(m.name, c.Author) {
		who = m.name + " (@" + c.Author + ")"
	}
	add(st.Author.Render(cells.Safe(who)) + st.Muted.Render(" on "+cells.Safe(c.Platform)))
	switch {
	case m.err != nil:
		add(st.Error.Render(cells.Safe("Could not read their history: " + m.err.Error())))
	case m.loading:
		add(st.Muted.Render("Reading their history from the store…"))
	default:
		seen := "never stored"
		if !c.FirstSeen.IsZero() {
			seen = "first seen " + c.FirstSeen.In(m.loc).Format("2006-01-02 15:04") + " · last " + c.LastSeen.In(m.loc).Format("2006-01-02 15:04")
		}
		add(st.Text.Render(fmt.Sprintf("%s · %s · %d deleted", seen, plural(c.Messages, "message"), c.Deleted)))
		add("")
		add(st.HelpKey.Render("Moderation by the team"))
		acts := m.actions()
		if len(acts) == 0 {
			add(st.Muted.Render("  none"))
		}
		for i, e := range acts {
			if i == 5 {
				add(st.Muted.Render(fmt.Sprintf("  … %d more (A: the audit log)", len(acts)-5)))
				break
			}
			add(st.Text.Render(cells.Safe("  " + describe(e, m.loc))))
		}
		add("")
		add(st.HelpKey.Render(fmt.Sprintf("Recent messages (%d)", len(c.Recent))))
	}
	head := len(lines)
	rows := max(m.height-head, 0)
	top := max(m.sel-rows+1, 0) // drawing changes nothing: the selection sets the scroll
	for i := top; i < len(c.Recent) && len(lines) < m.height; i++ {
		ev := c.Recent[i]
		mark, txt := "  ", st.Text
		if i == m.sel {
			mark, txt = st.HelpKey.Render("▸ "), st.Selected
		}
		text := strings.Join(strings.Fields(ev.Text), " ")
		if ev.Deleted {
			text += " [deleted]"
		}
		line := fmt.Sprintf("%s %-8s %s", ev.Time.In(m.loc).Format("01-02 15:04"), ev.Feed, text)
		add(mark + txt.Render(cells.Safe(cells.Truncate(line, max(m.width-2, 1), "…"))))
	}
	for len(lines) < m.height {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	return strings.Join(lines[:m.height], "\n")
}

// actions are the moderation actions aimed at them, one line each: the
// latest entry of each action (sent, failed, queued…).
func (m *Model) actions() []outbox.AuditEntry {
	seen := map[string]bool{}
	var out []outbox.AuditEntry
	for _, e := range m.card.Moderation { // newest first
		if e.ActionID != "" && seen[e.ActionID] {
			continue
		}
		seen[e.ActionID] = true
		out = append(out, e)
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func describe(e outbox.AuditEntry, loc *time.Location) string {
	s := fmt.Sprintf("%s %s %s on %s", e.Time.In(loc).Format("01-02 15:04"), e.What, e.Kind, e.Feed)
	if e.Kind == feeds.ActTimeout && e.Duration > 0 {
		s += " (" + e.Duration.String() + ")"
	}
	if e.Operator != "" {
		s += " by " + e.Operator
	}
	if e.Reason != "" {
		s += " · " + e.Reason
	}
	return s
}
