// Package composer is the Reply pane: a reply being written to one message,
// with the target's context and the platform's length limit.
package composer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// hardLimit bounds what the text area accepts at all; the platform's
// limit is shown by the counter and enforced on send.
const hardLimit = 10000

// Model is the composer pane.
type Model struct {
	styles *themes.Styles
	Keys   KeyMap
	ta     textarea.Model

	open   bool
	target feeds.Action // the reply being written, without its text
	// editing is the outbox item whose text this is, when the composer
	// edits a queued item instead of writing a new reply.
	editing string
	limit   int   // the platform's limit in characters
	rev     int64 // revision of the text on screen

	// Status is a one-line report under the text (queued, sent, failed).
	Status    string
	StatusErr bool
	// Drafts is how many drafts the operator keeps: said while the
	// composer is closed, so that none is forgotten.
	Drafts int

	width, height int
	focused       bool
}

// New returns a closed composer.
func New(styles *themes.Styles) *Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = ""
	ta.CharLimit = hardLimit
	ta.Placeholder = "Write a reply…"
	m := &Model{styles: styles, Keys: DefaultKeyMap(), ta: ta}
	m.Restyle()
	return m
}

// Restyle takes the theme's styles again, after they changed: the text
// area keeps a copy of its own.
func (m *Model) Restyle() {
	st := m.styles
	plain := textarea.StyleState{
		Base:        st.Text,
		Text:        st.Text,
		Placeholder: st.Muted,
		CursorLine:  st.Text,
		EndOfBuffer: st.Muted,
		Prompt:      st.Muted,
	}
	m.ta.SetStyles(textarea.Styles{Focused: plain, Blurred: plain, Cursor: textarea.CursorStyle{Blink: true}})
}

// Open starts (or resumes) a reply. text is the saved draft, if any.
func (m *Model) Open(target feeds.Action, limit int, text string, rev int64) {
	m.open, m.target, m.limit, m.rev, m.editing = true, target, limit, rev, ""
	m.target.Text = ""
	m.ta.SetValue(text)
	m.ta.CursorEnd()
	m.Status, m.StatusErr = "", false
}

// OpenEdit opens an outbox item's text for editing: a queued one, or a
// failed one to fix before it is resent.
func (m *Model) OpenEdit(o feeds.Action, limit int, failed bool) {
	m.Open(o, limit, o.Text, 0)
	m.editing = o.ID
	m.Status = "Editing a queued item: ctrl+s saves the new text, esc leaves it as it was."
	if failed {
		m.Status = "Editing a failed item: ctrl+s saves the new text, then R in the outbox sends it again."
	}
}

// Target is the feed and id of the message being answered, when open.
func (m *Model) Target() (feed, id string) {
	if !m.open {
		return "", ""
	}
	return m.target.Feed, m.target.Target
}

// Editing is the outbox item being edited, or "".
func (m *Model) Editing() string { return m.editing }

// Close hides the composer; the caller keeps the draft.
func (m *Model) Close() {
	m.open, m.editing = false, ""
	m.ta.Blur()
	m.ta.Reset()
}

// IsOpen reports whether a reply is being written.
func (m *Model) IsOpen() bool { return m.open }

// Reply returns the reply as it stands: the target action with the text.
func (m *Model) Reply() feeds.Action {
	a := m.target
	a.Text = strings.TrimSpace(m.ta.Value())
	return a
}

// Rev is the revision of the text on screen.
func (m *Model) Rev() int64 { return m.rev }

// SetLimit changes the platform's limit while the composer is open on
// feed: a Mastodon instance says its own once connected.
func (m *Model) SetLimit(feed string, limit int) {
	if m.open && m.target.Feed == feed {
		m.limit = limit
	}
}

// Left is how many characters remain under the platform's limit.
func (m *Model) Left() int {
	return m.limit - utf8.RuneCountInString(strings.TrimSpace(m.ta.Value()))
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.ta.SetWidth(max(w, 1))
	m.ta.SetHeight(max(h-3, 1))
}

// Focus gives the pane the keyboard: the text area when a reply is open.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	if m.open {
		return m.ta.Focus()
	}
	return nil
}

// Blur takes the keyboard away.
func (m *Model) Blur() {
	m.focused = false
	m.ta.Blur()
}

// Typing reports whether keys are text here: a reply is open and focused.
func (m *Model) Typing() bool { return m.open && m.focused }

// Title names the pane and, when a reply is open, where it goes.
func (m *Model) Title() string {
	switch {
	case !m.open:
		return "Reply"
	case m.target.Kind != feeds.ActPost:
		return "Reply → " + m.target.Feed
	case m.target.Feed == AllFeeds:
		return "Post → every feed"
	}
	return "Post → " + m.target.Feed
}

// AllFeeds is the Feed of a post written for every feed that can take
// one: the dashboard queues one post per feed.
const AllFeeds = "*"

// ShortHelp is the help bar's subset of the composer's keys.
func (m *Model) ShortHelp() []key.Binding { return m.Keys.ShortHelp() }

// FullHelp is every key of the composer.
func (m *Model) FullHelp() [][]key.Binding { return m.Keys.FullHelp() }

// Update runs the text area's own messages (its cursor's blink). Keys and
// pastes go through Type, which keeps the draft's revision.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		return nil
	}
	if !m.open {
		return nil
	}
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	return cmd
}

// Type types a key or a paste into the text area. rev is the revision to
// give the text if this changed it; Type reports whether it did.
func (m *Model) Type(msg tea.Msg, rev int64) (tea.Cmd, bool) {
	if !m.open {
		return nil, false
	}
	before := m.ta.Value()
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	if m.ta.Value() == before {
		return cmd, false
	}
	m.rev = rev
	m.Status, m.StatusErr = "", false
	return cmd, true
}

// View draws the pane.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	if !m.open {
		lines = append(lines, m.styles.Muted.Render(cells.Truncate("Select a message and press r to reply.", m.width, "…")))
		switch {
		case m.Drafts == 1:
			lines = append(lines, m.styles.Muted.Render(cells.Truncate("1 draft kept: press : to open it.", m.width, "…")))
		case m.Drafts > 1:
			lines = append(lines, m.styles.Muted.Render(cells.Truncate(fmt.Sprintf("%d drafts kept: press : to pick one.", m.Drafts), m.width, "…")))
		}
		for len(lines) < m.height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, m.statusLine())
		return strings.Join(lines[:min(len(lines), m.height)], "\n")
	}
	lines = append(lines, m.contextLine())
	lines = append(lines, strings.Split(m.ta.View(), "\n")...)
	lines = append(lines, m.counterLine(), m.statusLine())
	return strings.Join(lines[:min(len(lines), m.height)], "\n")
}

func (m *Model) contextLine() string {
	t := m.target
	if t.Kind == feeds.ActPost {
		where := "on " + t.Feed
		if t.Feed == AllFeeds {
			where = "on every feed that takes posts"
		}
		return m.styles.Bold.Render(cells.Truncate(cells.Safe("A new post from the brand, "+where+":"), m.width, "…"))
	}
	who := t.TargetAuthor
	if who == "" {
		who = "?"
	}
	head := cells.Safe(fmt.Sprintf("↳ @%s on %s: ", who, t.Feed))
	excerpt := cells.Safe(strings.Join(strings.Fields(t.TargetText), " "))
	room := max(m.width-cells.Width(head), 0)
	return m.styles.Bold.Render(cells.Truncate(head, m.width, "…")) +
		m.styles.Muted.Render(cells.Truncate(excerpt, room, "…"))
}

func (m *Model) counterLine() string {
	left := m.Left()
	st := m.styles.Muted
	switch {
	case left < 0:
		st = m.styles.Error
	case left < m.limit/10:
		st = m.styles.Warn
	}
	txt := fmt.Sprintf("%d left", left)
	if left < 0 {
		txt = fmt.Sprintf("%d over the limit of %d", -left, m.limit)
	}
	return st.Render(cells.Truncate(txt, m.width, "…"))
}

func (m *Model) statusLine() string {
	if m.Status == "" {
		return ""
	}
	st := m.styles.OK
	if m.StatusErr {
		st = m.styles.Error
	}
	return st.Render(cells.Truncate(m.Status, m.width, "…"))
}

// Value is the text as typed, untrimmed (what a draft keeps).
func (m *Model) Value() string { return m.ta.Value() }
