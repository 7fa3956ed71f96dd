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

// Model is the stats pane.
type Model struct {
	styles *themes.Styles
	snap   stats.Snapshot
	health map[string]hub.Health
	unread int
	outbox Outbox
	hold   outbox.Hold
	now    time.Time

	width, height int
}

// New returns an empty stats pane.
func New(styles *themes.Styles) *Model {
	return &Model{styles: styles, health: make(map[string]hub.Health)}
}

// SetSize sets the inner size the pane draws in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update does nothing: the root sets what the pane shows.
func (m *Model) Update(tea.Msg) tea.Cmd { return nil }

// Focus gives the pane the keyboard, which it has no use for yet.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur takes the keyboard away.
func (m *Model) Blur() {}

// Title names the pane.
func (m *Model) Title() string { return "Stats" }

// ShortHelp is empty: the pane has no keys of its own.
func (m *Model) ShortHelp() []key.Binding { return nil }

// FullHelp is empty: the pane has no keys of its own.
func (m *Model) FullHelp() [][]key.Binding { return nil }

// SetSnapshot sets the latest counts.
func (m *Model) SetSnapshot(s stats.Snapshot) { m.snap = s }

// SetHealth replaces the feeds' health.
func (m *Model) SetHealth(hs []hub.Health, now time.Time) {
	m.now = now
	m.health = make(map[string]hub.Health, len(hs))
	for _, h := range hs {
		m.health[h.Feed] = h
	}
}

// SetUnread sets the operator's unread count.
func (m *Model) SetUnread(n int) { m.unread = n }

// SetOutbox sets the outbox counts.
func (m *Model) SetOutbox(o Outbox) { m.outbox = o }

// SetHold sets where the outbox brake stands.
func (m *Model) SetHold(h outbox.Hold) { m.hold = h }

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

// View draws the pane: two lines a feed when there is room, else one.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	names := m.feedNames()
	roomy := m.height >= 2*(len(names)+1)+1
	var lines []string
	lines = append(lines, m.row("all", "", m.snap.Overall, roomy)...)
	for _, name := range names {
		lines = append(lines, m.row(name, name, m.feedStats(name), roomy)...)
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), m.height-1)], m.footer())
	for i, l := range lines {
		lines[i] = cells.Truncate(cells.Safe(l), m.width, "…")
	}
	return strings.Join(lines, "\n")
}

const labelW = 9

// row draws one feed (or the overall line when feed is "").
func (m *Model) row(label, feed string, fs stats.FeedStats, roomy bool) []string {
	labelStyle := m.styles.Bold
	if feed != "" {
		labelStyle = m.styles.Platform(m.platformOf(feed, fs))
	}
	name := cells.Truncate(cells.Safe(label), labelW-1, "…")
	name += strings.Repeat(" ", labelW-cells.Width(name))
	rate := fmt.Sprintf("%5s/min", human(int(fs.PerMinute+0.5)))
	health := ""
	if feed != "" {
		health = cells.Safe(m.healthText(feed)) // errors and states come from the platform
	}
	if !roomy {
		spark := m.spark(fs.Minutes[:], m.width-labelW-len(rate)-2-cells.Width(health)-1)
		return []string{labelStyle.Render(name) + m.styles.Text.Render(rate) + " " + spark + " " + health}
	}
	first := labelStyle.Render(name) + m.styles.Text.Render(rate) +
		m.styles.Muted.Render(fmt.Sprintf("  total %s  authors %s", human(fs.Total), humanCapped(fs.Authors, fs.AuthorsCapped))) + "  " + health
	peak := fmt.Sprintf(" peak %s/min", human(fs.Peak))
	second := strings.Repeat(" ", labelW) + m.spark(fs.Minutes[:], m.width-labelW-len(peak)) + m.styles.Muted.Render(peak)
	return []string{first, second}
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
	for _, st := range h.Status {
		txt += " " + m.styles.Muted.Render(st.Key+" "+st.Value)
	}
	return txt
}

func (m *Model) stateText(h hub.Health) string {
	switch h.State {
	case hub.HealthConnected:
		return m.styles.OK.Render("● live")
	case hub.HealthConnecting:
		return m.styles.Warn.Render("◌ connecting")
	case hub.HealthReconnecting:
		txt := "◌ reconnecting"
		if !h.Retry.IsZero() && h.Retry.After(m.now) {
			txt += fmt.Sprintf(" in %ds", int(h.Retry.Sub(m.now).Seconds()+0.5))
		}
		if h.LastErr != "" {
			txt += ": " + h.LastErr
		}
		return m.styles.Warn.Render(txt)
	case hub.HealthFailed:
		return m.styles.Error.Render("✗ failed: " + h.LastErr)
	case hub.HealthStopped:
		return m.styles.Muted.Render("○ stopped")
	}
	return ""
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// spark draws the last w minutes (at most 60) scaled to their own peak.
func (m *Model) spark(minutes []int, w int) string {
	w = min(max(w, 0), len(minutes))
	if w == 0 {
		return ""
	}
	vals := minutes[len(minutes)-w:]
	peak := 0
	for _, v := range vals {
		peak = max(peak, v)
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case peak == 0 || v == 0:
			b.WriteRune(' ')
		default:
			b.WriteRune(sparkRunes[min((v*len(sparkRunes)-1)/peak, len(sparkRunes)-1)])
		}
	}
	return m.styles.Spark.Render(b.String())
}

func (m *Model) footer() string {
	o := m.outbox
	held := ""
	if m.hold.On {
		held = m.styles.Error.Render("⏸ HELD") + " "
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
