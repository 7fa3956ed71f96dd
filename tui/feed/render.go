package feed

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Column widths of a row: selection gutter, unread mark, time, feed badge.
const (
	gutterW    = 2
	timeW      = 8
	maxFeedW   = 10
	maxAuthorW = 24
	minTextW   = 20
)

// badgeGlyphs maps role badges to the glyph shown before an author.
var badgeGlyphs = []struct{ badge, glyph string }{
	{feeds.BadgeBrand, "✓"},
	{feeds.BadgeBroadcaster, "★"},
	{feeds.BadgeStaff, "!"},
	{feeds.BadgeModerator, "◆"},
	{feeds.BadgeVIP, "♦"},
	{feeds.BadgeVerified, "✓"},
	{feeds.BadgeSubscriber, "+"},
}

// View draws the visible rows, and only those.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if len(m.events) == 0 {
		if m.Empty != "" {
			return m.styles.Muted.Render(cells.Safe(m.Empty))
		}
		return m.styles.Muted.Render("Waiting for messages…")
	}
	m.frame++
	defer m.pruneRows()
	h := m.height
	var bar string
	if !m.follow && m.newCount > 0 {
		noun := "messages"
		if m.newCount == 1 {
			noun = "message"
		}
		bar = cells.Fit(m.styles.NewBar.Render(cells.Truncate(fmt.Sprintf("▼ %d new %s · G to jump", m.newCount, noun), m.width, "…")), m.width)
		h--
	}
	var lines []string
	if m.follow {
		lines = m.linesUpTo(len(m.events)-1, h)
	} else {
		lines = m.linesFrom(m.visibleTop(h), h)
	}
	if len(lines) < h {
		blank := strings.Repeat(" ", m.width)
		for len(lines) < h {
			lines = append(lines, blank)
		}
	}
	if h >= 0 && bar != "" {
		lines = append(lines, bar)
	}
	// The same rows as the last frame make the same string: the frame
	// around it then sees the body unchanged at a glance.
	if !slices.Equal(lines, m.shown) {
		m.shown, m.view = lines, strings.Join(lines, "\n")
	}
	return m.view
}

// ExactLines says the rows drawn are exactly the pane's size, and safe:
// the frame need not measure them again (see pane.Exact).
func (m *Model) ExactLines() bool { return m.width > 0 && m.height > 0 && len(m.events) > 0 }

// linesUpTo returns the last h lines of the events ending at index last.
func (m *Model) linesUpTo(last, h int) []string {
	var blocks [][]string
	n := 0
	for i := last; i >= 0 && n < h; i-- {
		b := m.rowLines(i)
		blocks = append(blocks, b)
		n += len(b)
	}
	lines := make([]string, 0, n)
	for i := len(blocks) - 1; i >= 0; i-- {
		lines = append(lines, blocks[i]...)
	}
	return lines[max(len(lines)-h, 0):]
}

// linesFrom returns up to h lines starting with the event at index first.
func (m *Model) linesFrom(first, h int) []string {
	var lines []string
	for i := first; i < len(m.events) && len(lines) < h; i++ {
		lines = append(lines, m.rowLines(i)...)
	}
	return lines[:min(len(lines), h)]
}

// selectionInView reports whether the selected event shows, whole, in the
// follow view. It walks only the rows of the view.
func (m *Model) selectionInView() bool {
	if m.sel < 0 || len(m.events)-m.sel > m.height {
		return false // more events below it than rows: not without wrapping any
	}
	n := 0
	for i := len(m.events) - 1; i >= m.sel; i-- {
		n += m.rowHeight(i)
		if n > m.height {
			return false
		}
	}
	return true
}

// firstVisibleFollowing is the index of the top event of the follow view.
func (m *Model) firstVisibleFollowing() int {
	n := 0
	for i := len(m.events) - 1; i >= 0; i-- {
		n += m.rowHeight(i)
		if n >= m.height {
			return i
		}
	}
	return 0
}

// bodyHeight is the rows events get: the pane less the "N new" bar.
func (m *Model) bodyHeight() int {
	if !m.follow && m.newCount > 0 {
		return m.height - 1
	}
	return m.height
}

// scroll keeps the selected event on screen after a change.
func (m *Model) scroll() {
	if !m.follow {
		m.top = m.visibleTop(m.bodyHeight())
	}
}

// visibleTop is the first event to draw so the selected one is on screen
// in h rows: top as it stands when it already is.
func (m *Model) visibleTop(h int) int {
	if m.sel < 0 {
		return 0
	}
	if m.sel < m.top {
		return m.sel
	}
	n := 0
	for i := m.top; i <= m.sel; i++ {
		n += m.rowHeight(i)
	}
	if n <= h {
		return m.top
	}
	n = m.rowHeight(m.sel)
	top := m.sel
	for top > 0 && n+m.rowHeight(top-1) <= h {
		top--
		n += m.rowHeight(top)
	}
	return top
}

func (m *Model) rowHeight(i int) int {
	return len(m.wrapBody(i))
}

// bodyKey is what a row's wrapped body depends on besides its event, whose
// fields never change once in the window, but for Deleted.
type bodyKey struct {
	width, feedW int
	gen          uint64 // bumped by what changes every row (watch-words)
	answered     bool
	answeredBy   string
	typing       string // who else is answering it
	deleted      bool
	parent       bool // the message it replies to is in the window
}

// rowKey is what a drawn row depends on: its body's inputs and the marks
// drawn in its prefix.
type rowKey struct {
	body           bodyKey
	sel, read, tgt bool
}

// row is an event's wrapped body and drawn lines, kept between frames so a
// frame draws only rows that are new or changed: a row is drawn again only
// when its key differs.
type row struct {
	bkey  bodyKey
	body  []string
	key   rowKey
	lines []string // nil until drawn with key
	frame uint64   // the last frame that used it
}

// cached returns the cache entry of event i with its body up to date.
func (m *Model) cached(i int) *row {
	ev := &m.events[i]
	bk := bodyKey{width: m.width, feedW: m.feedW, gen: m.gen, deleted: ev.Deleted}
	bk.answeredBy, bk.answered = m.answered[ev.Seq]
	if ops := m.typing[[2]string{ev.Feed, ev.ID}]; len(ops) > 0 {
		bk.typing = strings.Join(ops, ", ")
	}
	if ev.ReplyTo != "" {
		_, bk.parent = m.Lookup(ev.Feed, ev.ReplyTo)
	}
	r := m.rows[ev.Seq]
	if r == nil {
		if m.rows == nil {
			m.rows = make(map[uint64]*row)
		}
		r = &row{}
		m.rows[ev.Seq] = r
	}
	if r.body == nil || r.bkey != bk {
		r.bkey, r.body, r.lines = bk, m.wrapText(ev), nil
	}
	r.frame = m.frame
	return r
}

// rowLines returns event i drawn, from the cache when nothing it depends
// on changed.
func (m *Model) rowLines(i int) []string {
	r := m.cached(i)
	ev := &m.events[i]
	k := rowKey{body: r.bkey, sel: i == m.sel, read: m.IsRead(ev.Seq),
		tgt: m.targetID != "" && m.targetID == ev.ID && m.targetFeed == ev.Feed}
	if r.lines == nil || r.key != k {
		r.key, r.lines = k, m.render(i, r.body)
	}
	return r.lines
}

// pruneRows drops the cached rows the last frame did not use once there
// are many more than a screen's worth: scrolled out of view, they are
// rarely drawn again.
func (m *Model) pruneRows() {
	if len(m.rows) <= 4*m.height+64 {
		return
	}
	for seq, r := range m.rows {
		if r.frame != m.frame {
			delete(m.rows, seq)
		}
	}
}

// layout decides which columns fit the width.
type layout struct {
	showTime, showFeed bool
	feedW, prefixW     int
}

func (m *Model) layout() layout {
	l := layout{showTime: true, showFeed: true, feedW: m.feedW}
	l.prefixW = gutterW + timeW + 1 + l.feedW + 1
	if m.width-l.prefixW < minTextW {
		l.showTime = false
		l.prefixW = gutterW + l.feedW + 1
	}
	if m.width-l.prefixW < minTextW {
		l.showFeed = false
		l.prefixW = gutterW
	}
	return l
}

type glyph struct{ badge, glyph string }

// head is the styled-apart start of a row's body: badge glyphs and author.
func (m *Model) head(ev *feeds.Event) (glyphs []glyph, author string) {
	if ev.Kind == feeds.KindNotice {
		return nil, ""
	}
	for _, bg := range badgeGlyphs {
		if ev.HasBadge(bg.badge) {
			glyphs = append(glyphs, glyph(bg))
		}
	}
	return glyphs, cells.Truncate(cells.Safe(ev.DisplayAuthor()), maxAuthorW, "…")
}

// bodyText is the plain body of a row, before wrapping.
func (m *Model) bodyText(ev *feeds.Event) string {
	glyphs, author := m.head(ev)
	var b strings.Builder
	for _, g := range glyphs {
		b.WriteString(g.glyph)
	}
	switch ev.Kind {
	case feeds.KindAction:
		b.WriteString("* " + author + " ")
	case feeds.KindNotice:
		b.WriteString("— ")
	default:
		b.WriteString(author + ": ")
	}
	if ev.Direct {
		b.WriteString("[direct] ")
	}
	if ev.RepostOf != "" {
		b.WriteString("boosted @" + cells.Truncate(cells.Safe(ev.RepostOf), maxAuthorW, "…") + ": ")
	}
	if ev.Warning != "" {
		b.WriteString("[CW: " + cells.Truncate(cells.Safe(ev.Warning), 80, "…") + "] ")
	}
	if ev.ReplyTo != "" {
		b.WriteString("↳ ")
		if parent, ok := m.Lookup(ev.Feed, ev.ReplyTo); ok && !mentions(ev.Text, parent) {
			b.WriteString("@" + cells.Truncate(cells.Safe(parent.DisplayAuthor()), maxAuthorW, "…") + " ")
		}
	}
	b.WriteString(cells.Safe(ev.Text)) // the display copy; the event keeps its text
	if ev.Deleted {
		b.WriteString(" [deleted]")
	}
	if who, ok := m.answered[ev.Seq]; ok {
		if who != "" {
			b.WriteString(" [answered by " + cells.Truncate(cells.Safe(who), maxAuthorW, "…") + "]")
		} else {
			b.WriteString(" [answered]")
		}
	}
	if ops := m.typing[[2]string{ev.Feed, ev.ID}]; len(ops) > 0 {
		b.WriteString(" ✎ " + cells.Safe(strings.Join(ops, ", ")))
	}
	return b.String()
}

// mentions reports whether text already starts by naming the author of
// parent, as platforms often put it: then the row does not name them twice.
func mentions(text string, parent feeds.Event) bool {
	for _, name := range []string{parent.Author, parent.AuthorName} {
		if name != "" && len(text) > len(name) && text[0] == '@' && strings.EqualFold(text[1:1+len(name)], name) {
			return true
		}
	}
	return false
}

// wrapBody is event i's body wrapped to the text column, cached.
func (m *Model) wrapBody(i int) []string { return m.cached(i).body }

func (m *Model) wrapText(ev *feeds.Event) []string {
	l := m.layout()
	w := max(m.width-l.prefixW, 1)
	return strings.Split(cells.Wrap(m.bodyText(ev), w), "\n")
}

// paint is a style as spans: [0] on a row, [1] on the selected row.
type paint [2]themes.Span

func paintOf(st *themes.Styles, s lipgloss.Style) paint {
	return paint{themes.SpanOf(s), themes.SpanOf(s.Inherit(st.Selected))}
}

// paints are the styles a row draws with, as spans, made once: a frame
// draws thousands of short runs, and lipgloss's Render would lay each out.
type paints struct {
	gutter, text, unread, time, author, brand, deleted, notice paint
	watch, mention, found                                      paint
	platforms, badges                                          map[string]paint
	other                                                      paint
}

func newPaints(st *themes.Styles) *paints {
	p := &paints{
		gutter: paintOf(st, st.BorderFocused), text: paintOf(st, st.Text), unread: paintOf(st, st.Unread),
		time: paintOf(st, st.Time), author: paintOf(st, st.Author), brand: paintOf(st, st.Brand),
		deleted: paintOf(st, st.Deleted), notice: paintOf(st, st.Notice),
		watch: paintOf(st, st.Warn.Bold(true).Underline(true)), mention: paintOf(st, st.Brand.Bold(true).Reverse(true)),
		found:     paintOf(st, st.HelpKey.Reverse(true)),
		platforms: make(map[string]paint), badges: make(map[string]paint),
		other: paintOf(st, st.Platform("")),
	}
	for name := range st.Palette.Platforms {
		p.platforms[name] = paintOf(st, st.Platform(name))
	}
	for _, bg := range badgeGlyphs {
		p.badges[bg.badge] = paintOf(st, st.Badge(bg.badge))
	}
	return p
}

func (p *paints) platform(name string) paint {
	if pt, ok := p.platforms[name]; ok {
		return pt
	}
	return p.other
}

// render draws event i, whose wrapped body is body, as one or more lines
// of exactly the pane's width.
func (m *Model) render(i int, body []string) []string {
	ev := &m.events[i]
	sel := 0
	if i == m.sel {
		sel = 1
	}
	p := m.paints
	l := m.layout()

	var pre strings.Builder
	switch {
	case sel == 1:
		pre.WriteString(p.gutter[sel].Render("▌"))
	case m.targetID != "" && m.targetID == ev.ID && m.targetFeed == ev.Feed:
		pre.WriteString(p.gutter[sel].Render("↳")) // being replied to
	default:
		pre.WriteString(" ")
	}
	if m.IsRead(ev.Seq) {
		pre.WriteString(p.text[sel].Render(" "))
	} else {
		pre.WriteString(p.unread[sel].Render("•"))
	}
	if l.showTime {
		pre.WriteString(p.time[sel].Render(ev.Time.In(m.loc).Format("15:04:05") + " "))
	}
	if l.showFeed {
		name := cells.Truncate(cells.Safe(ev.Feed), l.feedW, "…")
		name += strings.Repeat(" ", l.feedW-cells.Width(name))
		pre.WriteString(p.platform(ev.Platform)[sel].Render(name + " "))
	}
	indent := p.text[sel].Render(strings.Repeat(" ", l.prefixW))
	if sel == 1 {
		indent = p.gutter[sel].Render("▌") + p.text[sel].Render(strings.Repeat(" ", l.prefixW-1))
	}

	textPaint := p.text
	switch {
	case ev.Deleted:
		textPaint = p.deleted
	case ev.Kind == feeds.KindNotice:
		textPaint = p.notice
	}
	out := make([]string, len(body))
	for j, line := range body {
		var b strings.Builder
		used := l.prefixW
		if j == 0 {
			b.WriteString(pre.String())
			var w int
			line, w = m.styleHead(&b, ev, line, sel)
			used += w
		} else {
			b.WriteString(indent)
		}
		m.writeText(&b, line, textPaint[sel], sel, ev)
		pad := m.width - used - cells.Width(line)
		if pad > 0 {
			b.WriteString(p.text[sel].Render(strings.Repeat(" ", pad)))
		}
		out[j] = b.String()
		if pad < 0 { // wider than the pane: only in a pane too narrow for a column
			out[j] = cells.Fit(out[j], m.width)
		}
	}
	return out
}

// writeText writes a line of a row's text in paint, with what the search
// found and the watch-words and brand's handles it names highlighted
// (those not in a deleted message or a notice, nor in the brand's own).
func (m *Model) writeText(b *strings.Builder, line string, paint themes.Span, sel int, ev *feeds.Event) {
	m.hits = m.hits[:0]
	if m.search != nil {
		for _, sp := range m.search.Highlights(line) {
			m.hits = append(m.hits, watch.Hit{Start: sp[0], End: sp[1], Entry: foundEntry})
		}
	}
	if m.watch != nil && !ev.Deleted && ev.Kind != feeds.KindNotice && !ev.HasBadge(feeds.BadgeBrand) {
		m.hits = m.watch.Match(m.hits, line)
	}
	if len(m.hits) == 0 {
		b.WriteString(paint.Render(line))
		return
	}
	// Leftmost first, the longest of those starting together, what the
	// search found before a watch-word at the same place.
	slices.SortStableFunc(m.hits, func(a, b watch.Hit) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	at := 0
	var entries []watch.Entry
	if m.watch != nil {
		entries = m.watch.Entries()
	}
	for _, h := range m.hits {
		if h.Start < at || h.End > len(line) {
			continue // overlapping hits: the first one wins
		}
		b.WriteString(paint.Render(line[at:h.Start]))
		hp := m.paints.watch[sel]
		switch {
		case h.Entry == foundEntry:
			hp = m.paints.found[sel]
		case entries[h.Entry].Mention:
			hp = m.paints.mention[sel]
		}
		b.WriteString(hp.Render(line[h.Start:h.End]))
		at = h.End
	}
	b.WriteString(paint.Render(line[at:]))
}

// foundEntry marks a hit of the search among the watch-words' hits.
const foundEntry = -1

// styleHead writes the badge glyphs and author that start the first line,
// styled, and returns the rest of the line and the width it wrote.
func (m *Model) styleHead(b *strings.Builder, ev *feeds.Event, line string, sel int) (string, int) {
	if ev.Deleted {
		return line, 0
	}
	glyphs, author := m.head(ev)
	w := 0
	for _, g := range glyphs {
		if !strings.HasPrefix(line, g.glyph) {
			return line, w
		}
		b.WriteString(m.paints.badges[g.badge][sel].Render(g.glyph))
		line = line[len(g.glyph):]
		w += cells.Width(g.glyph)
	}
	if ev.Kind == feeds.KindAction || ev.Kind == feeds.KindNotice || !strings.HasPrefix(line, author) {
		return line, w
	}
	as := m.paints.author
	if ev.HasBadge(feeds.BadgeBrand) {
		as = m.paints.brand
	}
	b.WriteString(as[sel].Render(author))
	return line[len(author):], w + cells.Width(author)
}
