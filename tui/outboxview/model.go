// Package outboxview is the Outbox and Audit views: every reply and moderation
// action with where it is in its life cycle, and the log of what was done.
// Both are lists the root shows over the panes; they change nothing
// themselves: the root turns their keys into dispatcher calls.
package outboxview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Keep bounds the items the view holds: the newest, which is what an
// operator acts on; the rest stay in the store and the audit log.
const Keep = 500

// KeyMap is the Outbox view's keys.
type KeyMap struct {
	Up, Down, Edit, Cancel, Resend, Hold, Close key.Binding
}

// DefaultKeyMap returns the Outbox view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Edit:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit queued or failed")),
		Cancel: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel")),
		Resend: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resend")),
		Hold:   key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "hold/release all")),
		Close:  key.NewBinding(key.WithKeys("esc", "o", "q"), key.WithHelp("esc", "close")),
	}
}

// Model is the Outbox view. It owns the session's picture of the outbox:
// every item not yet done, and the newest items for the list.
type Model struct {
	styles  *themes.Styles
	Keys    KeyMap
	items   []outbox.Outgoing // newest first
	pending map[string]outbox.Outgoing
	cursor  int
	hold    outbox.Hold
	loc     *time.Location

	width, height int
}

// New returns an empty Outbox view showing times in loc.
func New(styles *themes.Styles, loc *time.Location) *Model {
	if loc == nil {
		loc = time.UTC
	}
	return &Model{styles: styles, Keys: DefaultKeyMap(), pending: make(map[string]outbox.Outgoing), loc: loc}
}

// SetSize sets the inner size the view draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Focus gives the view the keyboard.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() {}

// ShortHelp lists the keys for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	k := m.Keys
	return []key.Binding{k.Up, k.Down, k.Edit, k.Cancel, k.Resend, k.Hold, k.Close}
}

// FullHelp is every key, in one group.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Counts is how many items wait in each state.
type Counts struct {
	Queued, Sending, Failed, Uncertain int
}

// Counts counts the items not done.
func (m *Model) Counts() Counts {
	var c Counts
	for _, it := range m.pending {
		switch it.State {
		case outbox.StateQueued:
			c.Queued++
		case outbox.StateSending:
			c.Sending++
		case outbox.StateFailed:
			c.Failed++
		case outbox.StateUncertain:
			c.Uncertain++
		}
	}
	return c
}

// Title says how much waits and whether the outbox is held.
func (m *Model) Title() string {
	c := m.Counts()
	t := fmt.Sprintf("Outbox · %d queued", c.Queued+c.Sending)
	if c.Failed > 0 {
		t += fmt.Sprintf(" · %d failed", c.Failed)
	}
	if c.Uncertain > 0 {
		t += fmt.Sprintf(" · %d uncertain", c.Uncertain)
	}
	if m.hold.On {
		t += " · HELD"
	}
	return t
}

// SetPending sets the items not done, as loaded from the store.
func (m *Model) SetPending(items []outbox.Outgoing) {
	for _, o := range items {
		m.track(o)
	}
}

func (m *Model) track(o outbox.Outgoing) {
	if o.State.Done() {
		delete(m.pending, o.Action.ID)
	} else {
		m.pending[o.Action.ID] = o
	}
}

// SetItems replaces the items (any order), but for the team's from other
// front-ends, which are not in this one's store; the selection stays on
// the same item when it is still there.
func (m *Model) SetItems(items []outbox.Outgoing) {
	sel, ok := m.Selected()
	given := make(map[string]bool, len(items))
	for _, it := range items {
		given[it.Action.ID] = true
	}
	kept := slices.Clone(items)
	for _, it := range m.items {
		if it.Elsewhere && !given[it.Action.ID] {
			kept = append(kept, it)
		}
	}
	m.items = kept
	slices.SortFunc(m.items, func(a, b outbox.Outgoing) int { return strings.Compare(b.Action.ID, a.Action.ID) })
	if len(m.items) > Keep {
		m.items = m.items[:Keep]
	}
	m.cursor = 0
	if ok {
		m.selectID(sel.Action.ID)
	}
	m.updateKeys()
}

// Apply records a change to one item, adding it when it is new.
func (m *Model) Apply(o outbox.Outgoing) {
	m.track(o)
	for i := range m.items {
		if m.items[i].Action.ID == o.Action.ID {
			m.items[i] = o
			m.updateKeys()
			return
		}
	}
	m.SetItems(append(m.items, o))
}

func (m *Model) selectID(id string) {
	for i, it := range m.items {
		if it.Action.ID == id {
			m.cursor = i
			return
		}
	}
}

// SelectNewest puts the cursor on the newest item, as when the view opens.
func (m *Model) SelectNewest() {
	m.cursor = 0
	m.updateKeys()
}

// SetHold sets the brake shown at the top.
func (m *Model) SetHold(h outbox.Hold) { m.hold = h }

// Hold is where the brake stands.
func (m *Model) Hold() outbox.Hold { return m.hold }

// Selected returns the item under the cursor.
func (m *Model) Selected() (outbox.Outgoing, bool) {
	if m.cursor < 0 || m.cursor >= len(m.items) {
		return outbox.Outgoing{}, false
	}
	return m.items[m.cursor], true
}

// Update moves the cursor; the root handles the other keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, m.Keys.Down):
		m.cursor = min(m.cursor+1, max(len(m.items)-1, 0))
	}
	m.updateKeys()
	return nil
}

// updateKeys offers only what the selected item allows.
func (m *Model) updateKeys() {
	o, ok := m.Selected()
	m.Keys.Edit.SetEnabled(ok && (o.State == outbox.StateQueued || o.State == outbox.StateFailed))
	m.Keys.Cancel.SetEnabled(ok && o.State != outbox.StateSending && !o.State.Done())
	m.Keys.Resend.SetEnabled(ok && (o.State == outbox.StateFailed || o.State == outbox.StateUncertain))
}

// detailLines is the room under the list for the selected item in full.
const detailLines = 4

// View draws the list, newest first, and the selected item in full.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var lines []string
	if m.hold.On {
		what := "nothing leaves"
		if !m.hold.Whole() {
			what = m.hold.Scope() + " wait; the rest goes out"
		}
		lines = append(lines, m.styles.Error.Render(fmt.Sprintf("⏸ OUTBOX HELD by %s since %s: %s until released (H)",
			m.hold.By, m.hold.Since.In(m.loc).Format("15:04:05"), what)))
	}
	if len(m.items) == 0 {
		lines = append(lines, m.styles.Muted.Render("Nothing sent or queued yet. Replies and moderation actions appear here."))
		return m.finish(lines)
	}
	listH := max(m.height-len(lines)-detailLines-1, 1)
	top := max(0, min(m.cursor-listH/2, len(m.items)-listH))
	for i := top; i < len(m.items) && i < top+listH; i++ {
		lines = append(lines, m.row(m.items[i], i == m.cursor))
	}
	for len(lines) < m.height-detailLines {
		lines = append(lines, "")
	}
	if o, ok := m.Selected(); ok {
		lines = append(lines, m.detail(o)...)
	}
	return m.finish(lines)
}

func (m *Model) finish(lines []string) string {
	lines = lines[:min(len(lines), m.height)]
	for i, l := range lines {
		lines[i] = cells.Truncate(cells.Safe(l), m.width, "…")
	}
	return strings.Join(lines, "\n")
}

// stateText is a state with a glyph that reads without colour.
func (m *Model) stateText(s outbox.State) string {
	switch s {
	case outbox.StateQueued:
		return m.styles.Muted.Render("◷ queued   ")
	case outbox.StateSending:
		return m.styles.Warn.Render("… sending  ")
	case outbox.StateSent:
		return m.styles.OK.Render("✓ sent     ")
	case outbox.StateFailed:
		return m.styles.Error.Render("✗ failed   ")
	case outbox.StateUncertain:
		return m.styles.Warn.Render("? uncertain")
	case outbox.StateCancelled:
		return m.styles.Muted.Render("– cancelled")
	}
	return string(s)
}

// What names an action in a few words: "reply to @fan on twitch".
func What(a feeds.Action) string {
	who := ""
	if a.TargetAuthor != "" {
		who = " @" + a.TargetAuthor
	}
	switch a.Kind {
	case feeds.ActReply:
		if who == "" {
			return "post on " + a.Feed
		}
		return "reply to" + who + " on " + a.Feed
	case feeds.ActTimeout:
		return fmt.Sprintf("timeout%s %s on %s", who, a.Duration, a.Feed)
	}
	return string(a.Kind) + who + " on " + a.Feed
}

func (m *Model) row(o outbox.Outgoing, selected bool) string {
	a := o.Action
	when := a.Created.In(m.loc).Format("15:04:05")
	tries := ""
	if o.Attempts > 1 {
		tries = fmt.Sprintf(" ×%d", o.Attempts)
	}
	if o.Elsewhere {
		tries += " · another front-end"
	}
	line := m.styles.Time.Render(when) + " " + m.stateText(o.State) + " " +
		m.styles.Author.Render(What(a)) + m.styles.Muted.Render(tries) + "  " + m.styles.Text.Render(said(a))
	// The gutter marks the selection without colour, as in the feed.
	line = cells.Safe(line)
	if selected {
		return m.styles.Selected.Render("▌" + ansi.Strip(line) + strings.Repeat(" ", max(m.width-1-cells.Width(line), 0)))
	}
	return " " + line
}

func (m *Model) detail(o outbox.Outgoing) []string {
	a := o.Action
	out := []string{m.styles.Muted.Render(strings.Repeat("─", m.width))}
	ctx := fmt.Sprintf("%s · by %s · %d attempt(s) · updated %s", What(a), a.Operator, o.Attempts, o.Updated.In(m.loc).Format("15:04:05"))
	if a.TargetText != "" {
		ctx += " · to «" + OneLine(a.TargetText) + "»"
	}
	out = append(out, m.styles.Muted.Render(ctx))
	out = append(out, m.styles.Text.Render(said(a)))
	if o.Err != "" {
		out = append(out, m.styles.Error.Render("last error: "+OneLine(o.Err)))
	} else {
		out = append(out, "")
	}
	return out
}

// said is what an item says: a reply its text, a ban or a timeout the
// reason the operator gave.
func said(a feeds.Action) string {
	if r := OneLine(a.Reason); r != "" {
		return "reason: " + r
	}
	return OneLine(a.Text)
}

// oneLine folds a text onto one line for a list row.
// OneLine is s on one line, its runs of white space made single spaces.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// AuditKeyMap is the Audit view's keys.
type AuditKeyMap struct {
	Up, Down, PageUp, PageDown, Close key.Binding
}

// AuditView is the Audit view: the newest entries of the audit log.
type AuditView struct {
	styles  *themes.Styles
	Keys    AuditKeyMap
	entries []outbox.AuditEntry // newest first
	top     int
	loc     *time.Location

	width, height int
}

// NewAudit returns an empty Audit view showing times in loc.
func NewAudit(styles *themes.Styles, loc *time.Location) *AuditView {
	if loc == nil {
		loc = time.UTC
	}
	return &AuditView{styles: styles, loc: loc, Keys: AuditKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Close:    key.NewBinding(key.WithKeys("esc", "A", "q"), key.WithHelp("esc/A", "close")),
	}}
}

// Title names the view.
func (v *AuditView) Title() string { return "Audit log · newest first" }

// Focus gives the view the keyboard.
func (v *AuditView) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (v *AuditView) Blur() {}

// ShortHelp lists the keys for the help bar.
func (v *AuditView) ShortHelp() []key.Binding {
	k := v.Keys
	scroll := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓ pgup/pgdn", "scroll"))
	return []key.Binding{scroll, k.Close}
}

// FullHelp is every key, in one group.
func (v *AuditView) FullHelp() [][]key.Binding {
	k := v.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Close}}
}

// SetSize sets the inner size the view draws in.
func (v *AuditView) SetSize(w, h int) { v.width, v.height = w, h }

// SetEntries replaces the entries, given oldest first as the store reads
// them.
func (v *AuditView) SetEntries(es []outbox.AuditEntry) {
	v.entries = slices.Clone(es)
	slices.Reverse(v.entries)
	v.top = min(v.top, max(len(v.entries)-1, 0))
}

// Update scrolls.
func (v *AuditView) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	last := max(len(v.entries)-1, 0)
	switch {
	case key.Matches(k, v.Keys.Up):
		v.top = max(v.top-1, 0)
	case key.Matches(k, v.Keys.Down):
		v.top = min(v.top+1, last)
	case key.Matches(k, v.Keys.PageUp):
		v.top = max(v.top-v.height, 0)
	case key.Matches(k, v.Keys.PageDown):
		v.top = min(v.top+v.height, last)
	}
	return nil
}

// View draws one entry per line, newest first.
func (v *AuditView) View() string {
	if v.width <= 0 || v.height <= 0 {
		return ""
	}
	if len(v.entries) == 0 {
		return v.styles.Muted.Render("No action taken yet. Every reply, moderation action, edit, cancel and hold is logged here.")
	}
	var lines []string
	for i := v.top; i < len(v.entries) && len(lines) < v.height; i++ {
		lines = append(lines, cells.Truncate(cells.Safe(v.row(v.entries[i])), v.width, "…"))
	}
	return strings.Join(lines, "\n")
}

func (v *AuditView) row(e outbox.AuditEntry) string {
	who := e.By
	if who == "" {
		who = "·"
	}
	what := e.What
	st := v.styles.Text
	switch e.What {
	case outbox.AuditFailed:
		st = v.styles.Error
	case outbox.AuditUncertain, outbox.AuditLimited, outbox.AuditHeld, outbox.AuditRetry:
		st = v.styles.Warn
	case outbox.AuditSent:
		st = v.styles.OK
	case outbox.AuditAlert, outbox.AuditIncidentOpened, outbox.AuditRefused:
		st = v.styles.Error
	}
	line := v.styles.Time.Render(e.Time.In(v.loc).Format("01-02 15:04:05")) + " " +
		v.styles.Author.Render(pad(who, 10)) + " " + st.Render(pad(what, 15))
	switch {
	case e.What == outbox.AuditStarred:
		line += " " + v.styles.Text.Render("★ @"+e.TargetAuthor+" on "+e.Feed) + "  " + v.styles.Muted.Render("«"+OneLine(e.TargetText)+"»")
	case e.ActionID == "" && e.Text != "":
		// An alert, a note, what a hold covered, why an incident opened.
		where := ""
		if e.Feed != "" {
			where = e.Feed + ": "
		}
		line += " " + v.styles.Text.Render(where+OneLine(e.Text))
	}
	if e.ActionID != "" {
		a := feeds.Action{Kind: e.Kind, Feed: e.Feed, TargetAuthor: e.TargetAuthor, Duration: e.Duration}
		line += " " + v.styles.Text.Render(What(a))
		if why := OneLine(e.Reason); why != "" {
			line += "  " + v.styles.Text.Render("reason: "+why)
		}
		// A reply shows its text; moderation, the message it was about.
		if quoted := OneLine(e.Text); quoted != "" {
			line += "  " + v.styles.Muted.Render("«"+quoted+"»")
		} else if about := OneLine(e.TargetText); about != "" {
			line += "  " + v.styles.Muted.Render("on «"+about+"»")
		}
	}
	if e.Result != "" {
		line += "  " + v.styles.Error.Render(OneLine(e.Result))
	}
	return line
}

func pad(s string, w int) string {
	s = cells.Truncate(cells.Safe(s), w, "…")
	return s + strings.Repeat(" ", max(w-cells.Width(s), 0))
}
