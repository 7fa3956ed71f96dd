// Package columns is the Feed pane as one column or several side by side:
// every message in the first ("all"), and a query's messages in each of
// the others ("questions", "mentions", "mod queue"). Each column is a
// feed.Model of its own, with its own selection, scroll and window; the
// one with the keyboard is the active one, whose selection replies and
// moderation act on.
package columns

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
	"github.com/tribune/tribune/tui/feed"
)

// MaxColumns is how many columns there can be: one key, 1–9, each.
const MaxColumns = 9

// Spec is a column as it is saved: its name and its query ("" for every
// message).
type Spec struct {
	Name  string `json:"name"`
	Query string `json:"query,omitempty"`
}

// Match says whether an event belongs in a column.
type Match func(*feeds.Event) bool

type column struct {
	Spec
	match Match // nil: every message
	feed  *feed.Model
}

// Model is the Feed pane's columns.
type Model struct {
	styles *themes.Styles
	window int
	loc    *time.Location
	cols   []*column
	active int
	// all holds every message in memory, shown or not: the source a new
	// column fills from, and the read state and unread count. It is the
	// first column's feed while that one shows every message.
	all *feed.Model
	// mute hides events from every column (muted feeds and platforms).
	mute Match

	// What every column shows alike, kept to set up a column opened later.
	watch      *watch.Matcher
	typing     map[[2]string][]string
	upto       uint64
	marked     map[uint64]bool
	lastSeq    uint64
	feedsN     int
	live       int
	held       bool
	targetFeed string
	targetID   string
	answered   map[[2]string]string
	search     feed.Searcher

	width, height int
	focused       bool

	Keys KeyMap
}

// KeyMap is the keys the columns take before the active column does.
type KeyMap struct {
	Jump key.Binding // 1–9: that column
}

// New returns the pane with one column, every message.
func New(styles *themes.Styles, window int, loc *time.Location) *Model {
	m := &Model{styles: styles, window: window, loc: loc, marked: map[uint64]bool{},
		Keys: KeyMap{Jump: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "column"))}}
	m.all = feed.New(styles, window, loc)
	m.cols = []*column{{Spec: Spec{Name: "all"}, feed: m.all}}
	return m
}

// Specs are the columns as they are saved.
func (m *Model) Specs() []Spec {
	out := make([]Spec, len(m.cols))
	for i, c := range m.cols {
		out[i] = c.Spec
	}
	return out
}

// Active is the index of the column with the keyboard.
func (m *Model) Active() int { return m.active }

// Len is how many columns there are.
func (m *Model) Len() int { return len(m.cols) }

// Open adds a column showing what match keeps, filled from the events of
// the first column, makes it active and returns its index.
func (m *Model) Open(s Spec, match Match) (int, error) {
	if len(m.cols) >= MaxColumns {
		return 0, fmt.Errorf("there are already %d columns; close one first (:close)", MaxColumns)
	}
	c := &column{Spec: s, match: match}
	m.fill(c)
	m.cols = append(m.cols, c)
	m.active = len(m.cols) - 1
	m.layout()
	return m.active, nil
}

// SetQuery changes the active column's query (a filter); a nil match
// shows every message again.
func (m *Model) SetQuery(s Spec, match Match) {
	c := m.cols[m.active]
	c.Spec, c.match = s, match
	m.fill(c)
	m.layout()
}

// SetMute hides the events match keeps from every column; nil hides none.
func (m *Model) SetMute(match Match) {
	m.mute = match
	for _, c := range m.cols {
		m.fill(c)
	}
	m.layout()
}

// Close removes the active column; the last one stays.
func (m *Model) Close() bool {
	if len(m.cols) == 1 {
		return false
	}
	m.cols = append(m.cols[:m.active], m.cols[m.active+1:]...)
	m.active = min(m.active, len(m.cols)-1)
	m.layout()
	return true
}

// Jump gives column i (from 0) the keyboard.
func (m *Model) Jump(i int) bool {
	if i < 0 || i >= len(m.cols) {
		return false
	}
	m.cols[m.active].feed.Blur()
	m.active = i
	if m.focused {
		m.cols[i].feed.Focus()
	}
	return true
}

// fill gives c a new feed holding what it keeps of the events in memory,
// with the state every column shares, and the message the operator had
// picked still selected when the new feed shows it.
func (m *Model) fill(c *column) {
	old := c.feed
	if c.match == nil && m.mute == nil {
		if old != nil && old != m.all && !old.Following() {
			if ev, ok := old.Selected(); ok {
				m.all.SelectSeq(ev.Seq)
			}
		}
		c.feed = m.all
		if m.focused && c == m.cols[m.active] {
			m.all.Focus()
		}
		return
	}
	src := m.all.Events()
	f := feed.New(m.styles, m.window, m.loc)
	f.Partial = true
	f.Empty = "Nothing in memory matches yet; new messages that do will show here."
	if c.Query != "" {
		f.Empty = "Nothing in memory matches " + c.Query + " yet; new messages that do will show here (/ and n search the store)."
	}
	f.SetWatch(m.watch)
	f.SetTyping(m.typing)
	f.SetFeeds(m.feedsN)
	f.SetLive(m.live)
	f.SetHeld(m.held)
	f.SetRead(m.upto, m.marked, m.lastSeq)
	f.SetTarget(m.targetFeed, m.targetID)
	f.SetSearch(m.search)
	f.Add(m.keep(c, src))
	for k, op := range m.answered {
		f.MarkAnsweredBy(k[0], k[1], op)
	}
	if old != nil && !old.Following() {
		if ev, ok := old.Selected(); ok {
			f.SelectSeq(ev.Seq)
		}
	}
	if m.focused && c == m.cols[m.active] {
		f.Focus()
	}
	c.feed = f
}

// keep is what of evs column c shows; evs itself when that is all of it.
func (m *Model) keep(c *column, evs []feeds.Event) []feeds.Event {
	if c.match == nil && m.mute == nil {
		return evs
	}
	var out []feeds.Event
	for i := range evs {
		ev := &evs[i]
		if m.mute != nil && m.mute(ev) {
			continue
		}
		if c.match == nil || c.match(ev) {
			out = append(out, *ev)
		}
	}
	return out
}

// others are the columns' feeds other than all.
func (m *Model) others() []*column {
	var out []*column
	for _, c := range m.cols {
		if c.feed != m.all {
			out = append(out, c)
		}
	}
	return out
}

// each runs fn on every feed: all, and the columns' own.
func (m *Model) each(fn func(*feed.Model)) {
	fn(m.all)
	for _, c := range m.others() {
		fn(c.feed)
	}
}

// Add hands new events to every column that shows them.
func (m *Model) Add(evs []feeds.Event) {
	for _, ev := range evs {
		m.lastSeq = max(m.lastSeq, ev.Seq)
	}
	m.all.Add(evs)
	for _, c := range m.others() {
		c.feed.Add(m.keep(c, evs))
	}
}

// Apply records changes to events shown (moderation deletes).
func (m *Model) Apply(updates []feeds.Event) {
	m.each(func(f *feed.Model) { f.Apply(updates) })
}

// SetRead replaces the read state of every column.
func (m *Model) SetRead(upto uint64, marked map[uint64]bool, lastSeq uint64) {
	m.upto, m.lastSeq = upto, max(m.lastSeq, lastSeq)
	m.marked = make(map[uint64]bool, len(marked))
	for s, ok := range marked {
		if ok {
			m.marked[s] = true
		}
	}
	m.each(func(f *feed.Model) { f.SetRead(upto, marked, lastSeq) })
}

// MarkRead applies read marks made in one column to all of them.
func (m *Model) MarkRead(mr feed.MarkedRead) {
	if mr.Upto > 0 {
		m.upto = max(m.upto, mr.Upto)
		m.marked = map[uint64]bool{}
	}
	for _, s := range mr.Seqs {
		if s > m.upto {
			m.marked[s] = true
		}
	}
	if mr.Upto > 0 {
		m.each(func(f *feed.Model) { f.SetRead(m.upto, m.marked, m.lastSeq) })
		return
	}
	m.each(func(f *feed.Model) { f.Mark(mr.Seqs) })
	// Marks on messages gone from memory only matter to the unread count,
	// which the feed of every message keeps: a column opened later needs
	// those it can show.
	if oldest := m.all.Oldest(); len(m.marked) > 2*m.window && oldest > 0 {
		for s := range m.marked {
			if s < oldest {
				delete(m.marked, s)
			}
		}
	}
}

// ReadMarks is the read state.
func (m *Model) ReadMarks() (upto uint64, marked []uint64) { return m.all.ReadMarks() }

// Unread counts the messages not read, in memory or not.
func (m *Model) Unread() int { return m.all.Unread() }

// MarkAnsweredBy marks feed/id answered in every column.
func (m *Model) MarkAnsweredBy(feedID, id, operator string) {
	if m.answered == nil {
		m.answered = make(map[[2]string]string)
	}
	k := [2]string{feedID, id}
	if prev, ok := m.answered[k]; !ok || prev == "" {
		m.answered[k] = operator
	}
	if len(m.answered) > 4*m.window { // bounded: old answers leave the windows anyway
		clear(m.answered)
	}
	m.each(func(f *feed.Model) { f.MarkAnsweredBy(feedID, id, operator) })
}

// SetWatch sets the words to highlight in every column.
func (m *Model) SetWatch(w *watch.Matcher) {
	m.watch = w
	m.each(func(f *feed.Model) { f.SetWatch(w) })
}

// Restyle draws every column again, after the theme's styles changed.
func (m *Model) Restyle() { m.each((*feed.Model).Restyle) }

// SetSearch highlights what s finds in every column, so n and N walk the
// column jumped to as well; nil highlights nothing.
func (m *Model) SetSearch(s feed.Searcher) {
	m.search = s
	m.each(func(f *feed.Model) { f.SetSearch(s) })
}

// SetTyping says who answers which message, in every column.
func (m *Model) SetTyping(t map[[2]string][]string) {
	m.typing = t
	m.each(func(f *feed.Model) { f.SetTyping(t) })
}

// SetTarget marks the message being answered, in every column.
func (m *Model) SetTarget(feedID, id string) {
	m.targetFeed, m.targetID = feedID, id
	m.each(func(f *feed.Model) { f.SetTarget(feedID, id) })
}

// SetFeeds sets how many feeds there are, for the title.
func (m *Model) SetFeeds(n int) {
	m.feedsN = n
	m.each(func(f *feed.Model) { f.SetFeeds(n) })
}

// SetLive sets how many feeds are connected, for the title.
func (m *Model) SetLive(n int) {
	m.live = n
	m.each(func(f *feed.Model) { f.SetLive(n) })
}

// SetHeld says whether the outbox is held, for the title.
func (m *Model) SetHeld(on bool) {
	m.held = on
	m.each(func(f *feed.Model) { f.SetHeld(on) })
}

// Selected is the active column's selected event.
func (m *Model) Selected() (feeds.Event, bool) { return m.cols[m.active].feed.Selected() }

// Index is the column that shows f, the active one first when several
// do; -1 when none does any more (closed, or rebuilt by a filter).
func (m *Model) Index(f *feed.Model) int {
	if f == nil {
		return -1
	}
	if m.cols[m.active].feed == f {
		return m.active
	}
	for i, c := range m.cols {
		if c.feed == f {
			return i
		}
	}
	return -1
}

// Lookup finds the event feed/id in memory: in the active column, the
// window of every message, or another column's history.
func (m *Model) Lookup(feedID, id string) (feeds.Event, bool) {
	if ev, ok := m.cols[m.active].feed.Lookup(feedID, id); ok {
		return ev, true
	}
	if ev, ok := m.all.Lookup(feedID, id); ok {
		return ev, true
	}
	for _, c := range m.others() {
		if ev, ok := c.feed.Lookup(feedID, id); ok {
			return ev, true
		}
	}
	return feeds.Event{}, false
}

// Feed is the active column's feed.
func (m *Model) Feed() *feed.Model { return m.cols[m.active].feed }

// LastAdded is how many new events the busiest column took last.
func (m *Model) LastAdded() int {
	n := 0
	for _, c := range m.cols {
		n = max(n, c.feed.LastAdded())
	}
	return n
}

// Rows is how many rows a column shows.
func (m *Model) Rows() int { return m.cols[m.active].feed.Rows() }

// SelectAt selects the row drawn at x, y of the pane, activating its
// column.
func (m *Model) SelectAt(x, y int) bool {
	i, ok := m.columnAt(x)
	if !ok {
		return false
	}
	m.Jump(i)
	if len(m.cols) > 1 {
		y-- // the columns' heading
	}
	return m.cols[i].feed.SelectAt(y)
}

// columnAt is the column drawn at x.
func (m *Model) columnAt(x int) (int, bool) {
	at := 0
	for i := range m.cols {
		w := m.colWidth(i)
		if x >= at && x < at+w {
			return i, true
		}
		at += w + 1
	}
	return 0, false
}

// colWidth is column i's width: the pane's, split evenly with a rule
// between two columns.
func (m *Model) colWidth(i int) int {
	n := len(m.cols)
	if n == 1 {
		return m.width
	}
	w := (m.width - (n - 1)) / n
	if i == n-1 {
		w = m.width - (n-1)*(w+1)
	}
	return max(w, 0)
}

func (m *Model) layout() {
	h := m.height
	if len(m.cols) > 1 {
		h--
	}
	for i, c := range m.cols {
		c.feed.SetSize(m.colWidth(i), max(h, 0))
	}
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// Focus gives the active column the keyboard.
func (m *Model) Focus() tea.Cmd {
	m.focused = true
	return m.cols[m.active].feed.Focus()
}

// Blur takes it away.
func (m *Model) Blur() {
	m.focused = false
	m.cols[m.active].feed.Blur()
}

// Title is the active column's.
func (m *Model) Title() string {
	t := m.cols[m.active].feed.Title()
	if len(m.cols) > 1 || m.cols[0].match != nil || m.mute != nil {
		t += " · " + m.describe(m.active)
	}
	return t
}

func (m *Model) describe(i int) string {
	c := m.cols[i]
	s := fmt.Sprintf("%d %s", i+1, c.Name)
	if c.Query != "" && c.Query != c.Name {
		s += " (" + c.Query + ")"
	}
	return s
}

// ShortHelp is the active column's keys.
func (m *Model) ShortHelp() []key.Binding { return m.cols[0].feed.ShortHelp() }

// FullHelp is a column's keys and the jump between columns.
func (m *Model) FullHelp() [][]key.Binding {
	return append(m.cols[0].feed.FullHelp(), []key.Binding{m.Keys.Jump})
}

// Update takes 1–9 and gives every other key to the active column.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && len(m.cols) > 1 && key.Matches(k, m.Keys.Jump) {
		m.Jump(int(k.Code - '1'))
		return nil
	}
	return m.cols[m.active].feed.Update(msg)
}

// UpdateColumn gives msg to column i alone (a wheel turned over it).
func (m *Model) UpdateColumn(i int, msg tea.Msg) tea.Cmd {
	if i < 0 || i >= len(m.cols) {
		return nil
	}
	return m.cols[i].feed.Update(msg)
}

// ColumnAt is the column at x, for the wheel.
func (m *Model) ColumnAt(x int) int {
	i, _ := m.columnAt(x)
	return i
}

// ExactLines says the lines drawn are exactly the pane's size and safe.
func (m *Model) ExactLines() bool {
	for _, c := range m.cols {
		if !c.feed.ExactLines() {
			return false
		}
	}
	return true
}

// View draws the columns side by side under a line naming each, the
// active one marked; one column is drawn as it is.
func (m *Model) View() string {
	if len(m.cols) == 1 {
		return m.cols[0].feed.View()
	}
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	rule := m.styles.Muted.Render("│")
	views := make([][]string, len(m.cols))
	var head strings.Builder
	for i, c := range m.cols {
		w := m.colWidth(i)
		name := cells.Truncate(cells.Safe(m.describe(i)), w, "…")
		st := m.styles.Muted
		if i == m.active {
			st = m.styles.HelpKey.Underline(m.focused)
		}
		if i > 0 {
			head.WriteString(rule)
		}
		head.WriteString(cells.Fit(st.Render(name), w))
		lines := strings.Split(c.feed.View(), "\n")
		if !c.feed.ExactLines() {
			for j := range lines {
				lines[j] = cells.Fit(lines[j], w)
			}
		}
		views[i] = lines
	}
	out := make([]string, 0, m.height)
	out = append(out, head.String())
	for y := 0; y < m.height-1; y++ {
		var b strings.Builder
		for i, v := range views {
			if i > 0 {
				b.WriteString(rule)
			}
			if y < len(v) {
				b.WriteString(v[y])
			} else {
				b.WriteString(strings.Repeat(" ", m.colWidth(i)))
			}
		}
		out = append(out, b.String())
	}
	return strings.Join(out, "\n")
}
