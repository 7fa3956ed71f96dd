package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/sanitize"
	"github.com/tribune/tribune/search"
	"github.com/tribune/tribune/store"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/columns"
	"github.com/tribune/tribune/tui/feed"
)

// This file is finding things: the `/` search with n and N, the queries
// of the columns and filters, muted feeds, and the history read from the
// store past the window.

// historyPage is how many stored events k past the window or g brings in.
const historyPage = 200

// searchPage is how many older hits n asks the store for at once.
const searchPage = 20

// found is a parsed search as the feed asks it.
type found struct {
	q     *search.Query
	facts search.Facts
}

func (f found) Find(ev *feeds.Event) bool       { return f.q.Match(ev, f.facts) }
func (f found) Highlights(text string) [][2]int { return f.q.Highlights(text) }

// searchState is the `/` search of a session.
type searchState struct {
	line  textinput.Model
	q     *search.Query // nil: no search
	err   error         // the query as typed cannot be read
	count int           // events found in the active column's window
	busy  bool          // the store is being asked for older hits
}

func newSearchLine(st *themes.Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = `words, "a phrase", from:NAME on:twitch is:question -word … (? help)`
	ti.SetStyles(st.Input(ti.Styles()))
	ti.CharLimit = 500
	return ti
}

// parse reads a query typed by the operator, in their time zone.
func (m *Model) parse(text string) (*search.Query, error) {
	return search.Parse(text, m.sess.Location, m.svc.Now())
}

// matcher is what a column or a filter keeps of q.
func (m *Model) matcher(q *search.Query) columns.Match {
	if q == nil || q.Empty() {
		return nil
	}
	facts := m.svc.Facts
	return func(ev *feeds.Event) bool { return q.Match(ev, facts) }
}

// openSearch starts typing a search, from the last one.
func (m *Model) openSearch() tea.Cmd {
	m.mode = modeSearch
	m.search.line.CursorEnd()
	return m.search.line.Focus()
}

// searchKey handles a key while the search line has the keyboard: the
// feed follows as the query is typed; enter keeps it for n and N, esc
// drops it.
func (m *Model) searchKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.CloseLine):
		m.search.line.Blur()
		m.search.line.Reset()
		m.mode = modeNormal
		m.setSearch("")
		return nil
	case key.Matches(k, m.keys.Run):
		m.search.line.Blur()
		m.mode = modeNormal
		switch {
		case m.search.err != nil:
			m.setStatus("search: "+m.search.err.Error(), true)
		case m.search.q != nil && m.search.count == 0:
			return m.searchOlder()
		case m.search.q != nil:
			m.setStatus(m.searchSummary(), false)
		}
		return nil
	}
	before := m.search.line.Value()
	var cmd tea.Cmd
	m.search.line, cmd = m.search.line.Update(k)
	if v := m.search.line.Value(); v != before {
		m.setSearch(v)
	}
	return cmd
}

// setSearch applies the query typed: its hits highlighted in the active
// column and the newest selected; a query that cannot be read says why
// and where, and highlights nothing.
func (m *Model) setSearch(text string) {
	f := m.feed.Feed()
	m.search.q, m.search.err, m.search.count = nil, nil, 0
	q, err := m.parse(text)
	switch {
	case err != nil:
		m.search.err = err
		m.feed.SetSearch(nil)
		return
	case q.Empty():
		m.feed.SetSearch(nil)
		return
	}
	m.search.q = q
	fd := found{q, m.svc.Facts}
	m.feed.SetSearch(fd)
	for _, ev := range f.Events() {
		if fd.Find(&ev) {
			m.search.count++
		}
	}
	f.NewestHit()
}

// searchFooter is the search line with what it found or why it cannot.
func (m *Model) searchFooter() string {
	line := m.search.line.View()
	var note string
	switch {
	case m.search.err != nil:
		note = m.styles.Error.Render("✗ " + m.searchErrText())
	case m.search.q != nil:
		note = m.styles.Muted.Render(m.searchSummary() + " · enter keeps · esc clears")
	}
	if note == "" {
		return line
	}
	return line + "  " + note
}

// searchErrText says what is wrong with the query and which word.
func (m *Model) searchErrText() string {
	var e *search.Error
	if errors.As(m.search.err, &e) {
		return fmt.Sprintf("%s (column %d)", e.Msg, e.Offset+1)
	}
	return m.search.err.Error()
}

func (m *Model) searchSummary() string {
	noun := "messages"
	if m.search.count == 1 {
		noun = "message"
	}
	return fmt.Sprintf("%d %s here · n older (then the store) · N newer", m.search.count, noun)
}

// nextHit moves to the next hit, older (n) or newer (N); past the oldest
// in memory, n asks the store.
func (m *Model) nextHit(dir int) tea.Cmd {
	if m.search.q == nil {
		m.setStatus("No search: / to search.", false)
		return nil
	}
	f := m.feed.Feed()
	if f.NextHit(dir, false) {
		return nil
	}
	if dir > 0 {
		m.setStatus("No newer match.", false)
		return nil
	}
	return m.searchOlder()
}

// searchOlderMsg is a page of older hits read from the store for the
// feed of the column searched.
type searchOlderMsg struct {
	q   *search.Query
	f   *feed.Model
	evs []feeds.Event
	err error
}

// searchOlder asks the store for the hits older than the active column's
// window, off the UI's goroutine.
func (m *Model) searchOlder() tea.Cmd {
	if m.search.busy {
		return nil
	}
	m.search.busy = true
	m.setStatus("Searching the stored history…", false)
	q, st, ctx := m.search.q, m.svc.Store, m.ctx
	filter := q.Filter(m.svc.Facts)
	if col := m.columnMatch(m.feed.Active()); col != nil { // what the column shows, too
		found := filter.Keep
		filter.Keep = func(ev *feeds.Event) bool { return col(ev) && (found == nil || found(ev)) }
	}
	f := m.feed.Feed()
	before := f.Oldest()
	return func() tea.Msg {
		from := store.Cursor{}
		if before > 0 {
			from = store.CursorBefore(before)
		}
		evs, _, err := st.Search(ctx, filter, from, searchPage)
		return searchOlderMsg{q: q, f: f, evs: evs, err: err}
	}
}

func (m *Model) applySearchOlder(msg searchOlderMsg) {
	m.search.busy = false
	if msg.q != m.search.q || m.feed.Index(msg.f) < 0 {
		return // the search or the column changed meanwhile
	}
	switch {
	case msg.err != nil && !errors.Is(msg.err, context.Canceled):
		m.setStatus("search: "+msg.err.Error(), true)
	case len(msg.evs) == 0:
		m.setStatus("No older match in the stored history.", false)
	default:
		f := msg.f
		f.ShowOlder(msg.evs, false)
		m.search.count += len(msg.evs)
		f.NextHit(-1, false)
		m.setStatus(fmt.Sprintf("%d older from the store · n for more", len(msg.evs)), false)
	}
}

// olderMsg is a page of history read from the store.
type olderMsg struct {
	want feed.WantOlder
	evs  []feeds.Event
	err  error
}

// loadOlder reads the page of history a column asked for (the active one,
// or one the wheel turned over): the stored events before its oldest or,
// for a column with a query, those of them it shows (searched for, so k
// always finds the next one).
func (m *Model) loadOlder(w feed.WantOlder) tea.Cmd {
	i := m.feed.Index(w.From)
	if i < 0 {
		return nil // the column is gone
	}
	st, ctx, match := m.svc.Store, m.ctx, m.columnMatch(i)
	var pre func(*store.Raw) bool
	if s := m.feed.Specs()[i]; s.Query != "" {
		if q, err := m.parse(s.Query); err == nil {
			pre = q.Prefilter
		}
	}
	return func() tea.Msg {
		var evs []feeds.Event
		var err error
		switch {
		case w.Oldest:
			evs, err = st.Oldest(historyPage)
		case match == nil:
			evs, err = st.Before(w.Before, historyPage)
		default:
			evs, _, err = st.Search(ctx, store.Filter{Prefilter: pre, Keep: match}, store.CursorBefore(w.Before), historyPage)
		}
		return olderMsg{want: w, evs: evs, err: err}
	}
}

func (m *Model) applyOlder(msg olderMsg) {
	if msg.err != nil {
		m.setStatus("history: "+msg.err.Error(), true)
		return
	}
	i := m.feed.Index(msg.want.From)
	if i < 0 {
		return // the column is gone, or shows another query now
	}
	f := msg.want.From
	var keep []feeds.Event
	match := m.columnMatch(i)
	for _, ev := range msg.evs {
		if match == nil || match(&ev) {
			keep = append(keep, ev)
		}
	}
	switch {
	case len(keep) == 0 && msg.want.Oldest:
		m.setStatus("None of the oldest stored messages is in this column; G goes back to the newest.", false)
		return
	case len(keep) == 0:
		m.setStatus("This is the oldest stored message here.", false)
		return
	}
	f.ShowOlder(keep, msg.want.Oldest)
	if msg.want.Oldest {
		m.setStatus("The oldest stored messages; G goes back to the newest.", false)
	}
}

// columnMatch is what column i keeps, muted feeds left out.
func (m *Model) columnMatch(i int) columns.Match {
	var q *search.Query
	if s := m.feed.Specs()[i]; s.Query != "" {
		q, _ = m.parse(s.Query)
	}
	keep, mute := m.matcher(q), m.muteMatch()
	if mute == nil {
		return keep
	}
	return func(ev *feeds.Event) bool { return !mute(ev) && (keep == nil || keep(ev)) }
}

// The column and filter commands.

// filterCmd applies a query to the active column: "filter QUERY";
// "filter" alone shows every message again.
func (m *Model) filterCmd(arg string) tea.Cmd {
	q, err := m.parse(arg)
	if err != nil {
		m.setStatus("filter: "+queryError(err), true)
		return nil
	}
	name := arg
	if q.Empty() {
		name = "all"
		if m.feed.Active() > 0 {
			name = m.feed.Specs()[m.feed.Active()].Name
		}
	}
	m.feed.SetQuery(columns.Spec{Name: name, Query: strings.TrimSpace(arg)}, m.matcher(q))
	return m.saveColumns()
}

// columnCmd opens a column: "column NAME: QUERY", or "column QUERY"
// named by its query.
func (m *Model) columnCmd(arg string) tea.Cmd {
	name, query, named := strings.Cut(arg, ": ")
	if !named {
		name, query = arg, arg
	}
	name, query = strings.TrimSpace(name), strings.TrimSpace(query)
	q, err := m.parse(query)
	if err != nil {
		m.setStatus("column: "+queryError(err), true)
		return nil
	}
	if q.Empty() {
		m.setStatus("column: give it a query, e.g. :column questions: is:question is:unanswered", true)
		return nil
	}
	if _, err := m.feed.Open(columns.Spec{Name: name, Query: query}, m.matcher(q)); err != nil {
		m.setStatus("column: "+err.Error(), true)
		return nil
	}
	return tea.Batch(m.panes.Focus(paneFeed), m.saveColumns())
}

// closeColumnCmd closes the active column.
func (m *Model) closeColumnCmd(string) tea.Cmd {
	if !m.feed.Close() {
		m.setStatus("The last column stays; :filter changes what it shows.", true)
		return nil
	}
	return m.saveColumns()
}

// muteCmd hides a feed or a platform everywhere: "mute twitch".
func (m *Model) muteCmd(arg string) tea.Cmd {
	name := strings.ToLower(strings.TrimSpace(arg))
	if name == "" {
		m.setStatus("mute: name a feed or a platform, e.g. :mute twitch", true)
		return nil
	}
	for _, x := range m.mutes {
		if x == name {
			return nil
		}
	}
	m.mutes = append(m.mutes, name)
	m.feed.SetMute(m.muteMatch())
	m.setStatus("Muted "+name+" in every column; :unmute "+name+" shows it again.", false)
	return m.saveColumns()
}

// unmuteCmd shows a muted feed or platform again; alone, all of them.
func (m *Model) unmuteCmd(arg string) tea.Cmd {
	name := strings.ToLower(strings.TrimSpace(arg))
	kept := m.mutes[:0]
	for _, x := range m.mutes {
		if name != "" && x != name {
			kept = append(kept, x)
		}
	}
	m.mutes = kept
	m.feed.SetMute(m.muteMatch())
	return m.saveColumns()
}

// muteMatch is what the muted feeds and platforms hide; nil: nothing.
func (m *Model) muteMatch() columns.Match {
	if len(m.mutes) == 0 {
		return nil
	}
	mutes := append([]string(nil), m.mutes...)
	return func(ev *feeds.Event) bool {
		for _, x := range mutes {
			if strings.EqualFold(ev.Feed, x) || strings.EqualFold(ev.Platform, x) {
				return true
			}
		}
		return false
	}
}

func queryError(err error) string {
	var e *search.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s (column %d)", e.Msg, e.Offset+1)
	}
	return err.Error()
}

// columnsPrefs is how the columns and mutes are saved for the operator.
type columnsPrefs struct {
	Columns []columns.Spec `json:"columns"`
	Active  int            `json:"active"`
	Mute    []string       `json:"mute,omitempty"`
}

// prefColumns is the preference key the columns are saved under.
const prefColumns = "columns"

// saveColumns keeps the columns and mutes for the operator's next session.
func (m *Model) saveColumns() tea.Cmd {
	b, err := json.Marshal(columnsPrefs{Columns: m.feed.Specs(), Active: m.feed.Active(), Mute: m.mutes})
	if err != nil {
		return nil
	}
	st, op := m.svc.Store, m.sess.Operator
	return m.persist(func() tea.Msg {
		if err := st.SetPref(op, prefColumns, string(b)); err != nil {
			return errMsg{err}
		}
		return nil
	})
}

// restoreColumns opens the columns saved; one whose query no longer reads
// is said, not dropped silently. In a cluster they may come from another
// node: what is shown of them is sanitized.
func (m *Model) restoreColumns(saved string) {
	if saved == "" {
		return
	}
	var p columnsPrefs
	if err := json.Unmarshal([]byte(saved), &p); err != nil {
		m.setStatus("Your saved columns could not be read; starting with one.", true)
		return
	}
	for i, s := range p.Columns {
		p.Columns[i] = columns.Spec{Name: sanitize.Line(s.Name, 0), Query: sanitize.Line(s.Query, 0)}
	}
	for i, x := range p.Mute {
		p.Mute[i] = sanitize.Line(x, 0)
	}
	m.mutes = p.Mute
	if len(m.mutes) > 0 {
		m.feed.SetMute(m.muteMatch())
	}
	var bad []string
	active := 0 // where the saved active column lands, past any left out
	for i, s := range p.Columns {
		q, err := m.parse(s.Query)
		if err != nil {
			bad = append(bad, s.Name)
			continue
		}
		at := 0
		if i == 0 {
			m.feed.SetQuery(s, m.matcher(q))
		} else if at, err = m.feed.Open(s, m.matcher(q)); err != nil {
			break
		}
		if i == p.Active {
			active = at
		}
	}
	m.feed.Jump(active)
	if len(bad) > 0 {
		m.setStatus("Saved columns left out (their query no longer reads): "+strings.Join(bad, ", "), true)
	}
}
