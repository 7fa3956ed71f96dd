// Package statspane is the Stats pane: message rates with a sparkline of
// the last hour, totals and unique authors per feed and overall, unread
// count, outbox queue, and each feed's health.
package statspane

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/themes"
	"github.com/tribune/tribune/tui/cells"
)

// Outbox counts outbox items by state.
type Outbox struct {
	Queued, Sending, Failed, Uncertain int
}

// KeyMap is the stats pane's keys, while it has the keyboard.
type KeyMap struct {
	Up, Down key.Binding
}

// Model is the stats pane. With the keyboard it shows each feed's health
// in full: state and since when, reconnects, next try, the whole last
// error, standing conditions.
type Model struct {
	styles *themes.Styles
	Keys   KeyMap
	snap   stats.Snapshot
	health map[string]hub.Health
	unread int
	outbox Outbox
	hold   outbox.Hold
	now    time.Time

	focused  bool
	top      int // first line of the details shown
	loc      *time.Location
	team     string // who else is connected, when anyone is
	incident bool
	cluster  *cluster.Health // in a cluster front-end, once reported

	width, height int

	// drawn is the last View, good until something it shows changes:
	// head is all but its footer line, drawn again when stale; the
	// batches of a flood change only the footer's counts (footStale).
	drawn, head      string
	stale, footStale bool
}

// New returns an empty stats pane showing times in loc (nil: UTC).
func New(styles *themes.Styles, loc *time.Location) *Model {
	return &Model{styles: styles, loc: loc, health: make(map[string]hub.Health), Keys: KeyMap{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
	}}
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height, m.stale = w, h, true }

// Update scrolls the details.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return nil
	}
	last := max(len(m.details())-(m.height-1), 0)
	switch {
	case key.Matches(k, m.Keys.Up):
		m.top, m.stale = max(m.top-1, 0), true
	case key.Matches(k, m.Keys.Down):
		m.top, m.stale = min(m.top+1, last), true
	}
	return nil
}

// Focus gives the pane the keyboard: it shows the feeds in detail.
func (m *Model) Focus() tea.Cmd {
	m.focused, m.top, m.stale = true, 0, true
	return nil
}

// Blur takes the keyboard away: back to the rates.
func (m *Model) Blur() { m.focused, m.stale = false, true }

// Title names the pane, and says when it shows the feeds in detail.
func (m *Model) Title() string {
	if m.focused {
		return "Stats · alerts, questions, feeds"
	}
	return "Stats"
}

// ShortHelp is the keys of the details.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.Keys.Up, m.Keys.Down} }

// FullHelp is the keys of the details.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// SetIncident says whether an incident is open.
func (m *Model) SetIncident(open bool) {
	if open != m.incident {
		m.incident, m.footStale = open, true
	}
}

// SetTeam sets the line that says who is connected.
func (m *Model) SetTeam(line string) {
	if line != m.team {
		m.team, m.stale = line, true
	}
}

// SetSnapshot sets the latest counts.
func (m *Model) SetSnapshot(s stats.Snapshot) { m.snap, m.stale = s, true }

// SetHealth replaces the feeds' health.
func (m *Model) SetHealth(hs []hub.Health, now time.Time) {
	m.now, m.stale = now, true
	m.health = make(map[string]hub.Health, len(hs))
	for _, h := range hs {
		m.health[h.Feed] = h
	}
}

// SetCluster sets the front-end's view of the cluster: its connection
// and how far it is behind the event stream.
func (m *Model) SetCluster(h cluster.Health) {
	if m.cluster == nil || *m.cluster != h {
		m.cluster, m.stale = &h, true
	}
}

// laggingAt is the events not yet stored from which the cluster line
// warns.
const laggingAt = 1000

// clusterText is the cluster line: connected or not, through which
// server, and the lag; in full (for the details) it names the front-end
// and says what the numbers are.
func (m *Model) clusterText(full bool) string {
	h := m.cluster
	if !h.Connected {
		txt := "✗ cut off"
		if full {
			txt = "✗ " + h.Node + " is cut off from the cluster"
		}
		if h.Server != "" {
			txt += " (last on " + h.Server + ")"
		}
		return m.styles.Error.Render(txt)
	}
	on := "● " + h.Server
	if full {
		on = "● " + h.Node + " connected to " + h.Server
	}
	txt := m.styles.OK.Render(on) + m.styles.Muted.Render(" · ")
	if h.Err != "" {
		return txt + m.styles.Warn.Render(h.Err)
	}
	st := m.styles.Muted
	if h.Pending+uint64(h.AckPending) >= laggingAt {
		st = m.styles.Warn
	}
	lag := fmt.Sprintf("%s to deliver · %s to store", human(int(h.Pending)), human(h.AckPending))
	if full {
		lag = fmt.Sprintf("events behind: %s not yet delivered, %s delivered but not yet stored", human(int(h.Pending)), human(h.AckPending))
	}
	return txt + st.Render(lag)
}

// SetUnread sets the operator's unread count.
func (m *Model) SetUnread(n int) {
	if n != m.unread {
		m.unread, m.footStale = n, true
	}
}

// SetOutbox sets the outbox counts.
func (m *Model) SetOutbox(o Outbox) {
	if o != m.outbox {
		m.outbox, m.footStale = o, true
	}
}

// Restyle draws the pane again, after the theme's styles changed.
func (m *Model) Restyle() { m.stale, m.footStale = true, true }

// SetHold sets where the outbox brake stands.
func (m *Model) SetHold(h outbox.Hold) { m.hold, m.stale = h, true }

// feedNames lists feeds from the snapshot and from health, so a feed that
// has not spoken yet still shows its state.
func (m *Model) feedNames() []string {
	seen := make(map[string]bool)
	var names []string
	for _, f := range m.snap.Feeds {
		seen[f.Feed] = true
		names = append(names, f.Feed)
	}
	for name := range m.health {
		if !seen[name] {
			names = append(names, name)
		}
	}
	// health-only feeds go last, in a stable order
	tail := names[len(m.snap.Feeds):]
	slices.Sort(tail)
	return names
}

func (m *Model) feedStats(name string) stats.FeedStats {
	for _, f := range m.snap.Feeds {
		if f.Feed == name {
			return f
		}
	}
	return stats.FeedStats{Feed: name}
}

// View draws the pane: the pulse of all feeds, then each feed's rate and
// health, as much of it as fits; with the keyboard, the details.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.stale || m.drawn == "" {
		var lines []string
		if m.focused {
			lines = m.detailLines()
		} else {
			lines = m.overview(m.height - 1)
		}
		for len(lines) < m.height-1 {
			lines = append(lines, "")
		}
		for i, l := range lines {
			lines[i] = cells.Truncate(cells.Safe(l), m.width, "…")
		}
		m.head, m.stale, m.footStale = strings.Join(lines, "\n"), false, true
	}
	if m.footStale {
		foot := cells.Truncate(cells.Safe(m.footer()), m.width, "…")
		if m.height > 1 {
			foot = m.head + "\n" + foot
		}
		m.drawn, m.footStale = foot, false
	}
	return m.drawn
}

const labelW = 9

// line is one line of the overview and how much it matters: when the pane
// is short, the least important lines go first.
type line struct {
	text string
	rank int // 0 matters most
}

// overview is the lines that fit in h, in their order.
func (m *Model) overview(h int) []string {
	names := m.feedNames()
	all := m.snap.Overall
	p := m.snap.Pulse
	var ls []line
	add := func(rank int, text string) { ls = append(ls, line{text, rank}) }

	add(0, m.styles.Bold.Render(pad("all", labelW))+m.styles.Text.Render(fmt.Sprintf("%5s/min", human(int(all.PerMinute+0.5))))+
		m.styles.Muted.Render(fmt.Sprintf("  total %s  authors %s", human(all.Total), humanCapped(all.Authors, all.AuthorsCapped)))+
		m.styles.Muted.Render(newAuthors(all.NewAuthors)))
	sparkW := min(m.width-labelW-6, len(all.Minutes)) // room for the peak
	add(2, m.styles.Muted.Render(pad(" msgs", labelW))+m.sparkScaled(all.Minutes[:], sparkW, all.Peak, m.styles.Spark)+
		m.styles.Muted.Render(fmt.Sprintf(" %s", human(all.Peak))))
	add(3, m.styles.Muted.Render(pad(" neg", labelW))+m.sparkScaled(all.Negative[:], sparkW, all.Peak, m.styles.Error))
	add(6, m.styles.Muted.Render(strings.Repeat(" ", labelW)+axis(sparkW)))
	if md := mood(all); md != "" {
		add(2, m.styles.Bold.Render(pad("mood", labelW))+m.styles.Text.Render(md))
	}
	add(1, m.styles.Bold.Render(pad("brand", labelW))+m.answers(all, p))
	if m.team != "" {
		add(1, m.styles.Bold.Render(pad("team", labelW))+m.styles.Text.Render(m.team))
	}
	if m.cluster != nil {
		add(1, m.styles.Bold.Render(pad("cluster", labelW))+m.clusterText(false))
	}
	if len(p.Watch) > 0 {
		add(3, m.styles.Bold.Render(pad("watch", labelW))+m.styles.Warn.Render(counts(p.Watch)))
	}
	if len(p.TopTerms) > 0 {
		add(4, m.styles.Bold.Render(pad("terms", labelW))+m.styles.Text.Render(counts(p.TopTerms)))
	}
	if len(p.TopAuthors) > 0 {
		add(5, m.styles.Bold.Render(pad("top", labelW))+m.styles.Text.Render(counts(p.TopAuthors)))
	}
	if mod := p.Moderation; mod != (stats.Moderation{}) {
		add(5, m.styles.Bold.Render(pad("mod", labelW))+m.styles.Muted.Render(fmt.Sprintf("%d deleted · %d timeouts · %d bans · %d unbans",
			mod.Deleted, mod.Timeouts, mod.Bans, mod.Unbans)))
	}
	for _, name := range names {
		add(1, m.feedRow(name, m.feedStats(name)))
	}
	// Drop the least important lines, last first, until the rest fit.
	for len(ls) > h {
		worst := len(ls) - 1
		for i := len(ls) - 1; i >= 0; i-- {
			if ls[i].rank > ls[worst].rank {
				worst = i
			}
		}
		if ls[worst].rank == 0 {
			break
		}
		ls = slices.Delete(ls, worst, worst+1)
	}
	out := make([]string, 0, min(len(ls), h))
	for _, l := range ls[:min(len(ls), h)] {
		out = append(out, l.text)
	}
	return out
}

// feedRow is one feed on one line: its rate, its last minutes, its
// health.
func (m *Model) feedRow(feed string, fs stats.FeedStats) string {
	name := m.styles.Platform(m.platformOf(feed, fs)).Render(pad(feed, labelW))
	rate := fmt.Sprintf("%5s/min", human(int(fs.PerMinute+0.5)))
	health := cells.Safe(m.healthText(feed)) // errors and states come from the platform
	return name + m.styles.Text.Render(rate) + " " + m.sparkScaled(fs.Minutes[:], min(10, max(m.width-labelW-len(rate)-2-cells.Width(health)-1, 0)), fs.Peak, m.styles.Spark) + " " + health
}

// answers is how the team keeps up with the brand's mentions.
func (m *Model) answers(all stats.FeedStats, p stats.Pulse) string {
	st := m.styles.Text
	if p.Unanswered > 0 {
		st = m.styles.Warn
	}
	s := m.styles.Text.Render(plural(all.Mentions, "mention")) + m.styles.Muted.Render(" · ") +
		st.Render(fmt.Sprintf("%d unanswered", p.Unanswered))
	if p.Responses > 0 {
		s += m.styles.Muted.Render(fmt.Sprintf(" · reply p50 %s p90 %s", ago(p.ResponseP50), ago(p.ResponseP90)))
	}
	return s
}

// plural reads "1 mention", "2 mentions".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return human(n) + " " + what + "s"
}

// newAuthors reads " (+12 new)" when some authors are new this hour.
func newAuthors(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (+%s new)", human(n))
}

// mood is the last hour's negative and positive share.
func mood(fs stats.FeedStats) string {
	var n, neg, pos int
	for i := range fs.Minutes {
		n += fs.Minutes[i]
		neg += fs.Negative[i]
		pos += fs.Positive[i]
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d%% negative · %d%% positive, last hour", neg*100/n, pos*100/n)
}

// axis labels a sparkline of w one-minute columns ending now.
func axis(w int) string {
	if w < 12 {
		return ""
	}
	left := fmt.Sprintf("-%dm", w)
	right := "now"
	mid := ""
	if w >= 30 {
		mid = fmt.Sprintf("-%dm", w/2)
	}
	gap := w - len(left) - len(right) - len(mid)
	return left + strings.Repeat(" ", gap/2) + mid + strings.Repeat(" ", gap-gap/2) + right
}

// counts reads "refund 5 · brûlant 3".
func counts(cs []stats.Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Key + " " + human(c.N)
	}
	return strings.Join(parts, " · ")
}

// pad cuts or pads s to w cells.
func pad(s string, w int) string {
	s = cells.Truncate(cells.Safe(s), w-1, "…")
	return s + strings.Repeat(" ", w-cells.Width(s))
}

func (m *Model) platformOf(feed string, fs stats.FeedStats) string {
	if fs.Platform != "" {
		return fs.Platform
	}
	return m.health[feed].Platform
}

// healthText is a feed's state, with a glyph that reads without colour,
// then what holds its sends back and its standing conditions (slow mode).
func (m *Model) healthText(feed string) string {
	h, ok := m.health[feed]
	if !ok {
		return ""
	}
	txt := m.stateText(h)
	if h.SendPaused.After(m.now) {
		txt += " " + m.styles.Warn.Render(fmt.Sprintf("⏸ rate limited, sending in %ds", int(h.SendPaused.Sub(m.now).Seconds()+0.5)))
	}
	if h.SendWaiting != "" {
		txt += " " + m.styles.Warn.Render("⧗ waiting for "+h.SendWaiting)
	}
	for _, st := range h.Status {
		txt += " " + m.styles.Muted.Render(st.Key+" "+st.Value)
	}
	return txt
}

func (m *Model) stateText(h hub.Health) string {
	st, glyph, word := m.state(h.State)
	txt := glyph + " " + word
	switch h.State {
	case hub.HealthReconnecting:
		if !h.Retry.IsZero() && h.Retry.After(m.now) {
			txt += fmt.Sprintf(" in %ds", int(h.Retry.Sub(m.now).Seconds()+0.5))
		}
		if h.LastErr != "" {
			txt += ": " + h.LastErr
		}
	case hub.HealthFailed:
		txt += ": " + h.LastErr
	}
	return st.Render(txt)
}

// state is how a state reads: its style, a glyph that reads without
// colour, and a word.
func (m *Model) state(s hub.HealthState) (lipgloss.Style, string, string) {
	switch s {
	case hub.HealthConnected:
		return m.styles.OK, "●", "live"
	case hub.HealthConnecting:
		return m.styles.Warn, "◌", "connecting"
	case hub.HealthReconnecting:
		return m.styles.Warn, "◌", "reconnecting"
	case hub.HealthFailed:
		return m.styles.Error, "✗", "failed"
	case hub.HealthStopped:
		return m.styles.Muted, "○", "stopped"
	}
	return m.styles.Muted, "?", string(s)
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkScaled draws the last w minutes (at most 60), one column a
// minute, scaled to peak so that two lines drawn to one peak compare.
func (m *Model) sparkScaled(minutes []int, w, peak int, st lipgloss.Style) string {
	w = min(max(w, 0), len(minutes))
	if w == 0 {
		return ""
	}
	vals := minutes[len(minutes)-w:]
	var b strings.Builder
	for _, v := range vals {
		switch {
		case peak <= 0 || v <= 0:
			b.WriteRune(' ')
		default:
			b.WriteRune(sparkRunes[min((v*len(sparkRunes)-1)/peak, len(sparkRunes)-1)])
		}
	}
	return st.Render(b.String())
}

func (m *Model) footer() string {
	o := m.outbox
	held := ""
	if m.incident {
		held = m.styles.Error.Render("⚠ INCIDENT") + " "
	}
	if m.hold.On {
		held = m.styles.Error.Render("⏸ HELD") + " "
		if !m.hold.Whole() {
			held = m.styles.Error.Render("⏸ HELD "+m.hold.Scope()) + " "
		}
	}
	parts := []string{fmt.Sprintf("unread %s", human(m.unread))}
	out := fmt.Sprintf("outbox %d queued", o.Queued+o.Sending)
	parts = append(parts, out)
	st := m.styles.Muted
	if o.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", o.Failed))
		st = m.styles.Error
	}
	if o.Uncertain > 0 {
		parts = append(parts, fmt.Sprintf("%d uncertain", o.Uncertain))
		st = m.styles.Warn
	}
	return held + st.Render(strings.Join(parts, " · "))
}

// human shortens a count: 950, 12.3k, 4.1M.
func human(n int) string {
	switch {
	case n < 10000:
		return fmt.Sprintf("%d", n)
	case n < 1000000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1000000)
}

func humanCapped(n int, capped bool) string {
	if capped {
		return human(n) + "+"
	}
	return human(n)
}

// detailLines is the details from the top line shown, as many as fit
// above the footer.
func (m *Model) detailLines() []string {
	lines := m.details()
	top := min(m.top, max(len(lines)-(m.height-1), 0))
	return lines[top:min(len(lines), top+m.height-1)]
}

// details is every feed's health in full, wrapped to the pane.
func (m *Model) details() []string {
	var lines []string
	wrap := func(st lipgloss.Style, s string) {
		for _, l := range strings.Split(cells.Wrap(cells.Safe(s), max(m.width-labelW, 1)), "\n") {
			lines = append(lines, strings.Repeat(" ", labelW)+st.Render(l))
		}
	}
	p := m.snap.Pulse
	if len(p.Alerts) > 0 {
		lines = append(lines, m.styles.Bold.Render("Alerts, newest first"))
		for i := len(p.Alerts) - 1; i >= 0 && i >= len(p.Alerts)-5; i-- {
			a := p.Alerts[i]
			lines = append(lines, m.styles.Warn.Render(pad(m.clock(a.At), labelW))+m.styles.Warn.Render("⚠ "+a.Feed))
			wrap(m.styles.Text, a.Text)
		}
		lines = append(lines, "")
	}
	lines = append(lines, m.styles.Bold.Render(fmt.Sprintf("Unanswered questions to the brand: %d", p.Unanswered)))
	for _, q := range p.Questions {
		lines = append(lines, m.styles.Muted.Render(pad(ago(m.now.Sub(q.Time)), labelW))+
			m.styles.Platform(q.Platform).Render(q.Feed)+" "+m.styles.Author.Render(q.Author))
		wrap(m.styles.Text, q.Text)
	}
	if m.cluster != nil {
		lines = append(lines, "", m.styles.Bold.Render("Cluster"))
		lines = append(lines, strings.Repeat(" ", labelW)+m.clusterText(true))
	}
	lines = append(lines, "", m.styles.Bold.Render("Feeds"))
	for _, name := range m.feedNames() {
		h, ok := m.health[name]
		label := cells.Truncate(cells.Safe(name), labelW-1, "…")
		label += strings.Repeat(" ", labelW-cells.Width(label))
		head := m.styles.Platform(m.platformOf(name, m.feedStats(name))).Render(label)
		if !ok {
			lines = append(lines, head+m.styles.Muted.Render("no health reported yet"))
			continue
		}
		state := m.stateLabel(h.State)
		if !h.Since.IsZero() && !m.now.IsZero() {
			state += m.styles.Muted.Render(" for " + ago(m.now.Sub(h.Since)))
		}
		lines = append(lines, head+state)
		facts := fmt.Sprintf("%d reconnects", h.Reconnects)
		if h.Reconnects == 1 {
			facts = "1 reconnect"
		}
		if h.State == hub.HealthReconnecting && !h.Retry.IsZero() {
			facts += fmt.Sprintf(" · next try in %s", ago(h.Retry.Sub(m.now)))
		}
		if fs := m.feedStats(name); fs.Total == 1 {
			facts += " · 1 message"
		} else if fs.Total > 1 {
			facts += fmt.Sprintf(" · %s messages", human(fs.Total))
		}
		wrap(m.styles.Muted, facts)
		if h.LastErr != "" {
			wrap(m.styles.Error, "last error: "+h.LastErr)
		}
		if h.SendPaused.After(m.now) {
			wrap(m.styles.Warn, fmt.Sprintf("⏸ rate limited, sending in %s: %s", ago(h.SendPaused.Sub(m.now)), h.SendPausedWhy))
		}
		if h.SendWaiting != "" {
			wrap(m.styles.Warn, "⧗ waiting for "+h.SendWaiting+" to say what became of the action it sends")
		}
		for _, st := range h.Status {
			wrap(m.styles.Muted, st.Key+" "+st.Value)
		}
	}
	return lines
}

// clock is t as the pane shows it: hours and minutes, in the session's
// zone.
func (m *Model) clock(t time.Time) string {
	if m.loc != nil {
		t = t.In(m.loc)
	}
	return t.Format("15:04")
}

// stateLabel is a state in a glyph and a word, styled.
func (m *Model) stateLabel(s hub.HealthState) string {
	st, glyph, word := m.state(s)
	return st.Render(glyph + " " + word)
}

// ago is a duration as an operator reads it: 45s, 12m, 3h10m.
func ago(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
