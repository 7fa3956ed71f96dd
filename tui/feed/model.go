// Package feed is the Feed pane: one unified timeline of every feed, with a
// selection cursor, follow mode, unread marks and moderation state.
package feed

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// DefaultWindow is how many events the pane keeps in memory; older ones
// stay in the store.
const DefaultWindow = 5000

// MarkedRead asks the root to persist read marks made in the pane.
type MarkedRead struct {
	Seqs []uint64 // individual marks
	Upto uint64   // when non-zero: everything up to Upto is read
}

// Model is the feed pane.
type Model struct {
	styles *themes.Styles
	paints *paints
	Keys   KeyMap

	events []feeds.Event // ascending Seq
	// byID finds an event's Seq from its feed and platform id, for
	// moderation updates and reply context.
	byID   map[string]uint64
	window int
	feedW  int // width of the feed column: the widest feed name seen, capped

	sel      int  // index into events, -1 when empty
	top      int  // first visible event when not following
	follow   bool // the view sticks to the newest event
	newCount int  // events that arrived while not following

	// Read state, which this pane owns: everything up to upto is read,
	// and the marked events above it; lastSeq is the newest event known,
	// in the window or not.
	upto    uint64
	marked  map[uint64]bool
	lastSeq uint64

	targetFeed, targetID string // the message being replied to, if any
	// answered holds the Seq of the events in the window the team has
	// answered, on the platform or through the outbox, with who answered
	// when known; typing who is answering which message, by feed and id.
	answered map[uint64]string
	typing   map[[2]string][]string
	watch    *watch.Matcher // watch-words and the brand's handles; nil: none
	hits     []watch.Hit    // reused by each row's highlighting
	// Empty is said while there is no event to show.
	Empty string
	// Partial says the pane shows only some messages (a column's query,
	// mutes): R marks read those it shows, not everything up to the
	// newest.
	Partial bool
	// search is what `/` looks for, highlighted; nil: nothing.
	search Searcher
	// extra is how many events over the window the operator brought in
	// from the store (history, older search hits); following again gives
	// them back.
	extra int

	feeds int  // how many feeds the session has, for the title
	live  int  // how many of them are connected
	held  bool // the outbox is held, for the title
	loc   *time.Location

	width, height int
	focused       bool

	// rows caches drawn rows by Seq (see row); frame counts the frames
	// drawn, gen the changes that redraw every row.
	rows      map[uint64]*row
	frame     uint64
	gen       uint64
	lastAdded int // new events in the last Add
	// shown is the lines of the last View, view their join.
	shown []string
	view  string
}

// New returns an empty feed pane that follows new events and shows times
// in loc.
func New(styles *themes.Styles, window int, loc *time.Location) *Model {
	if window <= 0 {
		window = DefaultWindow
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Model{
		loc:    loc,
		paints: newPaints(styles),
		styles: styles,
		Keys:   DefaultKeyMap(),
		byID:   make(map[string]uint64),
		window: window,
		sel:    -1,
		follow: true,
		marked: make(map[uint64]bool),
	}
}

func idKey(feed, id string) string { return feed + "\x00" + id }

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus gives the pane the keyboard.
func (m *Model) Focus() tea.Cmd { m.focused = true; return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() { m.focused = false }

// SetFeeds sets how many feeds the session has, for the title.
func (m *Model) SetFeeds(n int) { m.feeds = n }

// SetLive sets how many of them are connected, for the title.
func (m *Model) SetLive(n int) { m.live = n }

// SetHeld says whether the outbox is held, for the title.
func (m *Model) SetHeld(on bool) { m.held = on }

// Title is the pane's name, how many feeds it merges and whether it
// follows the newest message.
func (m *Model) Title() string {
	noun := "feeds"
	if m.feeds == 1 {
		noun = "feed"
	}
	t := fmt.Sprintf("Feed · %d of %d %s live", m.live, m.feeds, noun)
	if m.held {
		t += " · ⏸ OUTBOX HELD"
	}
	switch {
	case m.follow && len(m.events) > 0 && !m.selectionInView():
		t += " · following · selection ↑ (k picks a row here)"
	case m.follow:
		t += " · following"
	case m.newCount > 0:
		t += fmt.Sprintf(" · paused, %d new", m.newCount)
	default:
		t += " · paused"
	}
	return t
}

// ShortHelp is the help bar's subset of the pane's keys.
func (m *Model) ShortHelp() []key.Binding { return m.Keys.ShortHelp() }

// FullHelp is every key of the pane, grouped.
func (m *Model) FullHelp() [][]key.Binding { return m.Keys.FullHelp() }

// SetRead replaces the read state (loaded from the store): everything up
// to upto is read, and the marked events above it; lastSeq is the newest
// event stored.
func (m *Model) SetRead(upto uint64, marked map[uint64]bool, lastSeq uint64) {
	m.lastSeq = max(m.lastSeq, lastSeq)
	m.upto = upto
	m.marked = make(map[uint64]bool, len(marked))
	for s, ok := range marked {
		if ok && s > upto {
			m.marked[s] = true
		}
	}
	for _, ev := range m.events {
		m.markOwn(&ev)
	}
}

// Mark marks the events with these Seqs read (made in another column).
func (m *Model) Mark(seqs []uint64) {
	for _, s := range seqs {
		if s > m.upto {
			m.marked[s] = true
		}
	}
}

// MarkAnswered marks the message feed/id, if it is in the window, as
// answered by the team.
func (m *Model) MarkAnswered(feed, id string) { m.MarkAnsweredBy(feed, id, "") }

// MarkAnsweredBy marks the message feed/id, if it is in the window, as
// answered by operator (empty: someone of the team).
func (m *Model) MarkAnsweredBy(feed, id, operator string) {
	if seq, ok := m.byID[idKey(feed, id)]; ok {
		if m.answered == nil {
			m.answered = make(map[uint64]string)
		}
		if prev, ok := m.answered[seq]; !ok || prev == "" {
			m.answered[seq] = operator
		}
	}
}

// SetTyping says who is answering which message ({feed, id} → operators).
func (m *Model) SetTyping(t map[[2]string][]string) { m.typing = t }

// Searcher is what the feed asks of a search: which events it finds
// and where in a text.
type Searcher interface {
	Find(ev *feeds.Event) bool
	Highlights(text string) [][2]int
}

// SetSearch highlights what s finds; nil highlights nothing.
func (m *Model) SetSearch(s Searcher) { m.search, m.gen = s, m.gen+1 }

// NextHit selects the nearest event the search finds from the selection,
// older (dir < 0) or newer; it reports false when there is none in the
// window that way.
func (m *Model) NextHit(dir int, from bool) bool {
	if m.search == nil || len(m.events) == 0 {
		return false
	}
	start := m.sel
	if start < 0 {
		start = len(m.events)
	}
	step := 1
	if dir < 0 {
		step = -1
	}
	i := start + step
	if from { // the selection itself counts
		i = start
	}
	for ; i >= 0 && i < len(m.events); i += step {
		if m.search.Find(&m.events[i]) {
			m.selectIndex(i)
			return true
		}
	}
	return false
}

// selectIndex selects event i, following if it is the newest.
func (m *Model) selectIndex(i int) {
	if i == len(m.events)-1 {
		m.jumpNewest()
		return
	}
	if m.follow {
		m.follow = false
		m.top = m.firstVisibleFollowing()
	}
	m.sel = i
	m.scroll()
}

// Following reports whether the view sticks to the newest event.
func (m *Model) Following() bool { return m.follow }

// SelectSeq selects the event with this Seq if it is in the window, as the
// operator would with j/k; it reports whether it is there.
func (m *Model) SelectSeq(seq uint64) bool {
	i := m.index(seq)
	if i < 0 {
		return false
	}
	m.selectIndex(i)
	return true
}

// NewestHit selects the newest event the search finds, if any.
func (m *Model) NewestHit() bool {
	if m.search == nil {
		return false
	}
	for i := len(m.events) - 1; i >= 0; i-- {
		if m.search.Find(&m.events[i]) {
			m.selectIndex(i)
			return true
		}
	}
	return false
}

// Oldest is the Seq of the oldest event in the window (0: none).
func (m *Model) Oldest() uint64 {
	if len(m.events) == 0 {
		return 0
	}
	return m.events[0].Seq
}

// AddOlder brings in events older than the window from the store (a page
// of history, an older search hit) and keeps them until the operator
// follows the newest again; at most maxExtra windows more are held.
func (m *Model) AddOlder(evs []feeds.Event) {
	m.extra = min(m.extra+len(evs), maxExtra*m.window)
	m.Add(evs)
}

// SetWatch sets the watch-words and brand handles to highlight.
func (m *Model) SetWatch(w *watch.Matcher) { m.watch, m.gen = w, m.gen+1 }

// Restyle draws every row again, after the theme's styles changed: the
// paints are made from them, and every row cached.
func (m *Model) Restyle() { m.paints, m.gen = newPaints(m.styles), m.gen+1 }

// markOwn marks the brand's own messages read: its words are not news to
// it.
func (m *Model) markOwn(ev *feeds.Event) {
	if !ev.HasBadge(feeds.BadgeBrand) {
		return
	}
	if ev.Seq > m.upto {
		m.marked[ev.Seq] = true
	}
	if ev.ReplyTo != "" {
		m.MarkAnswered(ev.Feed, ev.ReplyTo)
	}
}

// ReadMarks returns the read state as the pane holds it: every Seq up to
// upto, and the marked ones above it.
func (m *Model) ReadMarks() (upto uint64, marked []uint64) {
	for s := range m.marked {
		marked = append(marked, s)
	}
	return m.upto, marked
}

// IsRead reports whether the event with this Seq is read.
func (m *Model) IsRead(seq uint64) bool { return seq <= m.upto || m.marked[seq] }

// SetTarget marks the message a reply is being written to, which stays
// marked as it scrolls; an empty id marks none.
func (m *Model) SetTarget(feed, id string) { m.targetFeed, m.targetID = feed, id }

// Selected returns the selected event.
func (m *Model) Selected() (feeds.Event, bool) {
	if m.sel < 0 || m.sel >= len(m.events) {
		return feeds.Event{}, false
	}
	return m.events[m.sel], true
}

// Events is the window, oldest first; the caller must not change it.
func (m *Model) Events() []feeds.Event { return m.events }

// Lookup returns the event with this feed and id if it is in the window.
func (m *Model) Lookup(feed, id string) (feeds.Event, bool) {
	seq, ok := m.byID[idKey(feed, id)]
	if !ok {
		return feeds.Event{}, false
	}
	i := m.index(seq)
	if i < 0 {
		return feeds.Event{}, false
	}
	return m.events[i], true
}

// index returns the position of seq in the window, or -1.
func (m *Model) index(seq uint64) int { return indexIn(m.events, seq) }

func indexIn(evs []feeds.Event, seq uint64) int {
	i := sort.Search(len(evs), func(i int) bool { return evs[i].Seq >= seq })
	if i < len(evs) && evs[i].Seq == seq {
		return i
	}
	return -1
}

// Add merges events into the window. Events usually arrive in Seq order
// and are appended; older ones (a late history load) are merged in place.
func (m *Model) Add(evs []feeds.Event) {
	if len(evs) == 0 {
		return
	}
	var lastSeq uint64
	if n := len(m.events); n > 0 {
		lastSeq = m.events[n-1].Seq
	}
	var selSeq uint64
	if cur, ok := m.Selected(); ok {
		selSeq = cur.Seq
	}
	sorted := len(m.events) // m.events[:sorted] is in order; index searches it
	added, merged := 0, false
	var late map[uint64]bool // older events taken from this call
	for _, ev := range evs {
		if ev.Seq == 0 {
			continue
		}
		if ev.Seq <= lastSeq {
			if late[ev.Seq] || indexIn(m.events[:sorted], ev.Seq) >= 0 {
				continue
			}
			if late == nil {
				late = make(map[uint64]bool)
			}
			late[ev.Seq] = true
			merged = true
		} else {
			lastSeq = ev.Seq
			added++
		}
		m.lastSeq = max(m.lastSeq, ev.Seq)
		m.markOwn(&ev)
		m.events = append(m.events, ev)
		m.byID[idKey(ev.Feed, ev.ID)] = ev.Seq
		if m.feedW < maxFeedW {
			m.feedW = min(max(m.feedW, cells.Width(cells.Safe(ev.Feed))), maxFeedW)
		}
	}
	if merged {
		sort.Slice(m.events, func(i, j int) bool { return m.events[i].Seq < m.events[j].Seq })
	}
	m.evict()
	// The selection is the operator's: arrivals never move it to another
	// message. Only a window without one gets the newest.
	if selSeq != 0 {
		m.sel = max(m.index(selSeq), 0) // the oldest, if it was evicted
	} else {
		m.sel = len(m.events) - 1
	}
	if !m.follow {
		m.newCount += added
		if m.extra > 0 { // reading history: arrivals do not push it out
			m.extra = min(m.extra+added, maxExtra*m.window)
		}
	}
	m.lastAdded = added
	m.scroll()
}

// LastAdded is how many new events the last Add brought.
func (m *Model) LastAdded() int { return m.lastAdded }

// Rows is how many rows the pane shows.
func (m *Model) Rows() int { return m.height }

// evict drops the oldest events past the window, a tenth at a time so the
// copy is rare.
func (m *Model) evict() {
	if len(m.events) <= m.window+m.extra {
		return
	}
	drop := len(m.events) - m.window - m.extra + m.window/10
	if m.extra > 0 {
		drop = len(m.events) - m.window - m.extra
	}
	for _, ev := range m.events[:drop] {
		delete(m.rows, ev.Seq)
		delete(m.byID, idKey(ev.Feed, ev.ID))
		delete(m.marked, ev.Seq)
		delete(m.answered, ev.Seq)
	}
	// In place: a new array each time, regrown by the next appends, was
	// most of what a flood allocated.
	n := copy(m.events, m.events[drop:])
	clear(m.events[n:])
	m.events = m.events[:n]
	m.top = max(m.top-drop, 0)
	if m.sel >= 0 {
		m.sel = max(m.sel-drop, 0)
	}
}

// Apply records changes to events already shown (moderation deletes).
func (m *Model) Apply(updates []feeds.Event) {
	for _, up := range updates {
		seq, ok := m.byID[idKey(up.Feed, up.ID)]
		if !ok {
			continue
		}
		if i := m.index(seq); i >= 0 {
			m.events[i].Deleted = m.events[i].Deleted || up.Deleted
		}
	}
}

// Unread counts the events not read, in the window or not.
func (m *Model) Unread() int {
	n := int(m.lastSeq) - int(m.upto)
	for s := range m.marked {
		if s > m.upto && s <= m.lastSeq {
			n--
		}
	}
	return max(n, 0)
}

// Update handles the pane's keys. It returns a Cmd carrying MarkedRead when
// read state changed, for the root to persist.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if len(m.events) == 0 { // a column nothing in memory matched: the store may have some
		if key.Matches(k, m.Keys.Up, m.Keys.PageUp, m.Keys.Oldest) && m.lastSeq > 0 {
			return m.older(m.lastSeq+1, key.Matches(k, m.Keys.Oldest))
		}
		return nil
	}
	defer m.scroll()
	page := max(m.height/2, 1)
	switch {
	case key.Matches(k, m.Keys.Up) && m.sel == 0 && !m.follow:
		return m.older(m.events[0].Seq, false) // past the window: the store's
	case key.Matches(k, m.Keys.Up):
		m.move(-1)
	case key.Matches(k, m.Keys.Down):
		m.move(1)
	case key.Matches(k, m.Keys.PageUp):
		m.move(-page)
	case key.Matches(k, m.Keys.PageDown):
		m.move(page)
	case key.Matches(k, m.Keys.Oldest):
		m.follow, m.sel, m.top = false, 0, 0
		return m.older(m.events[0].Seq, true)
	case key.Matches(k, m.Keys.Newest):
		m.jumpNewest()
	case key.Matches(k, m.Keys.MarkRead):
		ev := m.events[m.sel]
		m.move(1)
		if m.IsRead(ev.Seq) {
			return nil
		}
		m.marked[ev.Seq] = true
		return markCmd(MarkedRead{Seqs: []uint64{ev.Seq}})
	case key.Matches(k, m.Keys.AllRead) && m.Partial:
		var seqs []uint64
		for _, ev := range m.events {
			if !m.IsRead(ev.Seq) {
				m.marked[ev.Seq] = true
				seqs = append(seqs, ev.Seq)
			}
		}
		if len(seqs) == 0 {
			return nil
		}
		return markCmd(MarkedRead{Seqs: seqs})
	case key.Matches(k, m.Keys.AllRead):
		upto := m.lastSeq
		m.upto, m.marked = upto, make(map[uint64]bool)
		return markCmd(MarkedRead{Upto: upto})
	}
	return nil
}

func markCmd(mr MarkedRead) tea.Cmd { return func() tea.Msg { return mr } }

// WantOlder asks the root for stored events older than the window:
// those just before Before, or the oldest stored (g).
type WantOlder struct {
	Before uint64
	Oldest bool
	// From is the feed that asks, which the page is for: not always the
	// one with the keyboard (a wheel turned over another column).
	From *Model
}

func (m *Model) older(before uint64, oldest bool) tea.Cmd {
	return func() tea.Msg { return WantOlder{Before: before, Oldest: oldest, From: m} }
}

// ShowOlder adds events read from the store for a WantOlder; after g the
// oldest is selected.
func (m *Model) ShowOlder(evs []feeds.Event, oldest bool) {
	if len(evs) == 0 {
		return
	}
	m.AddOlder(evs)
	if oldest {
		m.follow, m.sel, m.top = false, 0, 0
	}
}

// move shifts the selection; reaching the newest event resumes following.
// While following, a selection the flood has pushed out of view is not
// moved from: the first key picks the newest row in view instead (and up
// holds the view still, so the next keys pick among what is shown).
func (m *Model) move(d int) {
	n := len(m.events)
	if m.follow && !m.selectionInView() {
		m.sel = n - 1
		if d < 0 {
			m.follow = false
			m.top = m.firstVisibleFollowing()
		}
		return
	}
	if m.follow && d < 0 {
		m.follow = false
		m.top = m.firstVisibleFollowing()
	}
	m.sel = min(max(m.sel+d, 0), n-1)
	if m.sel == n-1 && d > 0 {
		m.jumpNewest()
	}
}

// SelectAt selects the event drawn on line y of the pane, as a click
// does: a row above the newest stops following, as k does. It reports
// whether a row is there.
func (m *Model) SelectAt(y int) bool {
	h := m.bodyHeight()
	if len(m.events) == 0 || y < 0 || y >= h {
		return false
	}
	var rows []int // event index of each line drawn
	if m.follow {
		for i := len(m.events) - 1; i >= 0 && len(rows) < h; i-- {
			for range m.rowHeight(i) {
				rows = append(rows, i)
			}
		}
		slices.Reverse(rows)
		rows = rows[max(len(rows)-h, 0):]
	} else {
		for i := m.visibleTop(h); i < len(m.events) && len(rows) < h; i++ {
			for range m.rowHeight(i) {
				rows = append(rows, i)
			}
		}
	}
	if y >= len(rows) {
		return false
	}
	m.selectIndex(rows[y])
	return true
}

func (m *Model) jumpNewest() {
	m.follow, m.newCount, m.extra = true, 0, 0
	m.sel = len(m.events) - 1
}

// maxExtra bounds the history brought in from the store, in windows: past
// it, the oldest brought in leave first (5,000 events take about 2 MB).
const maxExtra = 4
