// Package crisisview is the Crisis view: the incident open (or how to open
// one), what the outbox holds back, the holding statements one key away,
// and the incident's timeline, newest first.
//
// The view draws; the dashboard acts. Its keys are read by the root, which
// asks the services (the dispatcher) to open or close the incident, hold,
// note and star, and opens the composer on a statement.
package crisisview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
	"github.com/tribune/tribune/tui/outboxview"
)

// KeyMap is the Crisis view's keys.
type KeyMap struct {
	Open, Close, Statement, Post, Note, Star, HoldReplies, Leave key.Binding
}

// DefaultKeyMap is the Crisis view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open an incident")),
		Close:       key.NewBinding(key.WithKeys("esc", "C", "q"), key.WithHelp("esc/C", "back to the dashboard")),
		Statement:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "post a holding statement")),
		Post:        key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "a new post")),
		Note:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "add a note")),
		Star:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "star the selected message")),
		HoldReplies: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hold replies and posts")),
		Leave:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "close the incident")),
	}
}

// Model is the Crisis view.
type Model struct {
	styles     *themes.Styles
	Keys       KeyMap
	loc        *time.Location
	incident   outbox.Incident
	hold       outbox.Hold
	statements []string
	timeline   *outboxview.AuditView
	now        time.Time

	width, height int
}

// New returns the Crisis view, with the holding statements the config
// gives, showing times in loc.
func New(styles *themes.Styles, loc *time.Location, statements []string) *Model {
	if loc == nil {
		loc = time.UTC
	}
	return &Model{styles: styles, loc: loc, Keys: DefaultKeyMap(), statements: statements,
		timeline: outboxview.NewAudit(styles, loc)}
}

// Title names the view and says whether an incident is open.
func (m *Model) Title() string {
	if m.incident.Open {
		return "Crisis · incident open"
	}
	return "Crisis · no incident open"
}

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Focus gives the view the keyboard.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes it away.
func (m *Model) Blur() {}

// ShortHelp is the keys that do something now.
func (m *Model) ShortHelp() []key.Binding {
	k := m.Keys
	if !m.incident.Open {
		return []key.Binding{k.Open, k.Statement, k.Post, k.Close}
	}
	return []key.Binding{k.Statement, k.Post, k.Note, k.Star, k.HoldReplies, k.Leave, k.Close}
}

// FullHelp is every key of the view.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Open, k.Leave, k.Close}, {k.Statement, k.Post}, {k.Note, k.Star, k.HoldReplies},
		m.timeline.FullHelp()[0][:2]}
}

// SetStatements replaces the holding statements (after a config reload).
func (m *Model) SetStatements(s []string) { m.statements = s }

// SetIncident sets the incident as the services tell it.
func (m *Model) SetIncident(inc outbox.Incident) { m.incident = inc }

// Incident is the incident as last told.
func (m *Model) Incident() outbox.Incident { return m.incident }

// SetHold sets where the outbox brake stands.
func (m *Model) SetHold(h outbox.Hold) { m.hold = h }

// SetTimeline sets the incident's timeline: the audit entries since it
// opened, oldest first.
func (m *Model) SetTimeline(es []outbox.AuditEntry, now time.Time) {
	m.timeline.SetEntries(es)
	m.now = now
}

// Statement returns the holding statement of key "1"…"9".
func (m *Model) Statement(k string) (string, bool) {
	i := int(k[0] - '1')
	if len(k) != 1 || i < 0 || i >= len(m.statements) {
		return "", false
	}
	return m.statements[i], true
}

// Update scrolls the timeline.
func (m *Model) Update(msg tea.Msg) tea.Cmd { return m.timeline.Update(msg) }

// View draws the incident, the holds, the statements and the timeline.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	add := func(s string) { lines = append(lines, cells.Truncate(cells.Safe(s), m.width, "…")) }
	inc := m.incident
	if inc.Open {
		add(m.styles.Error.Render(fmt.Sprintf("⚠ INCIDENT open since %s (%s) by %s", inc.Since.In(m.loc).Format("15:04"),
			since(m.now, inc.Since), inc.By)))
		if inc.Why != "" {
			add(m.styles.Text.Render("  why: " + outboxview.OneLine(inc.Why)))
		}
	} else {
		add(m.styles.Bold.Render("No incident is open.") + m.styles.Muted.Render(" enter opens one: from then on, every action, hold, note and star is its timeline."))
	}
	held := "nothing is held"
	if m.hold.On {
		held = "holding " + m.hold.Scope() + " (since " + m.hold.Since.In(m.loc).Format("15:04") + ", " + m.hold.By + ")"
	}
	add(m.styles.Bold.Render("Outbox: ") + m.styles.Warn.Render(held) +
		m.styles.Muted.Render("   h: hold replies and posts (moderation still goes) · H: hold everything"))
	add("")
	if len(m.statements) == 0 {
		add(m.styles.Muted.Render("No holding statements: list them in the config, [pulse] statements = [\"…\"]. p writes a new post."))
	} else {
		add(m.styles.Bold.Render("Holding statements") + m.styles.Muted.Render(" — 1-9 opens one in the composer, for the selected message's feed or every feed; p writes a new post"))
		for i, s := range m.statements[:min(len(m.statements), 9)] {
			add(m.styles.Bold.Render(fmt.Sprintf(" %d ", i+1)) + m.styles.Text.Render(outboxview.OneLine(s)))
		}
	}
	add("")
	if inc.Open {
		add(m.styles.Bold.Render("Timeline, newest first") + m.styles.Muted.Render(" — n: a note · s: star the selected message · x: close the incident"))
	} else {
		add(m.styles.Bold.Render("Recent actions, newest first"))
	}
	m.timeline.SetSize(m.width, max(m.height-len(lines), 0))
	if tl := m.timeline.View(); tl != "" && m.height > len(lines) {
		lines = append(lines, strings.Split(tl, "\n")...)
	}
	return strings.Join(lines[:min(len(lines), m.height)], "\n")
}

func since(now, t time.Time) string {
	if now.IsZero() || now.Before(t) {
		return "just now"
	}
	d := now.Sub(t).Round(time.Minute)
	if d < time.Minute {
		return "just now"
	}
	return d.String()[:len(d.String())-2] // "12m0s" → "12m"
}
