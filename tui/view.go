package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Smallest terminal the layout is drawn for.
const (
	minWidth  = 40
	minHeight = 10
	// wideAt is the width from which the stats and reply panes sit to the
	// right of the feed instead of under it.
	wideAt = 120
)

type rect struct{ w, h int }

// boxes computes each pane's outer size for the terminal size.
func (m *Model) boxes() (feedR, replyR, statsR rect, wide bool) {
	h := m.height - 1 // the footer line
	if m.width >= wideAt {
		fw := m.width * 3 / 5
		rw := m.width - fw
		rh := min(max(h/3, 8), 12)
		return rect{fw, h}, rect{rw, rh}, rect{rw, h - rh}, true
	}
	bh := min(max(h*2/5, 8), 12)
	lw := m.width / 2
	return rect{m.width, h - bh}, rect{lw, bh}, rect{m.width - lw, bh}, false
}

// resize gives each pane its size minus the border.
func (m *Model) resize() {
	f, r, s, _ := m.boxes()
	m.feed.SetSize(f.w-2, f.h-2)
	m.composer.SetSize(r.w-2, r.h-2)
	m.stats.SetSize(s.w-2, s.h-2)
	m.box.SetSize(m.width-2, m.height-3)
	m.audit.SetSize(m.width-2, m.height-3)
	m.help.SetWidth(m.width)
	m.cmdline.SetWidth(m.width - 2)
}

func (m *Model) outboxTitle() string {
	o := m.stats.Outbox()
	t := fmt.Sprintf("Outbox · %d queued", o.Queued+o.Sending)
	if o.Failed > 0 {
		t += fmt.Sprintf(" · %d failed", o.Failed)
	}
	if o.Uncertain > 0 {
		t += fmt.Sprintf(" · %d uncertain", o.Uncertain)
	}
	if m.hold.On {
		t += " · HELD"
	}
	return t
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	return v
}

// screen is the whole screen as text.
func (m *Model) screen() string {
	if m.width == 0 {
		return ""
	}
	if m.width < minWidth || m.height < minHeight {
		return fmt.Sprintf("tribune needs a terminal of at least %dx%d (this one is %dx%d).", minWidth, minHeight, m.width, m.height)
	}
	var body string
	switch m.mode {
	case modeHelp:
		body = m.frame("Help", m.fullHelp(m.width-2), m.width, m.height-1, true)
	case modeOutbox:
		body = m.frame(m.outboxTitle(), m.box.View(), m.width, m.height-1, true)
	case modeAudit:
		body = m.frame("Audit log · newest first", m.audit.View(), m.width, m.height-1, true)
	default:
		body = m.panes()
	}
	return body + "\n" + m.footer()
}

func (m *Model) panes() string {
	f, r, s, wide := m.boxes()
	feedBox := m.frame(m.feedTitle(), m.feed.View(), f.w, f.h, m.focus == paneFeed)
	replyBox := m.frame(m.replyTitle(), m.composer.View(), r.w, r.h, m.focus == paneReply)
	statsBox := m.frame("Stats", m.stats.View(), s.w, s.h, m.focus == paneStats)
	if wide {
		return lipgloss.JoinHorizontal(lipgloss.Top, feedBox, lipgloss.JoinVertical(lipgloss.Left, statsBox, replyBox))
	}
	return lipgloss.JoinVertical(lipgloss.Left, feedBox, lipgloss.JoinHorizontal(lipgloss.Top, replyBox, statsBox))
}

func (m *Model) feedTitle() string {
	t := fmt.Sprintf("Feed · %d feeds", len(m.feedInfo))
	if m.hold.On {
		t += " · ⏸ OUTBOX HELD"
	}
	switch {
	case m.feed.Following():
		t += " · live"
	case m.feed.NewCount() > 0:
		t += fmt.Sprintf(" · paused, %d new", m.feed.NewCount())
	default:
		t += " · paused"
	}
	return t
}

func (m *Model) replyTitle() string {
	if !m.composer.IsOpen() {
		return "Reply"
	}
	a := m.composer.Reply()
	return "Reply → " + a.Feed
}

// frame draws a box of exactly w×h with the title in its top border. The
// focused box has a heavy border, which reads without colour too.
func (m *Model) frame(title, body string, w, h int, focused bool) string {
	if w < 2 || h < 2 {
		return ""
	}
	b, bs, ts := lipgloss.RoundedBorder(), m.styles.Border, m.styles.Title
	if focused {
		b, bs, ts = lipgloss.ThickBorder(), m.styles.BorderFocused, m.styles.TitleFocused
	}
	inner := w - 2
	t := ansi.Truncate(" "+title+" ", max(inner-1, 0), "…")
	fill := max(inner-1-ansi.StringWidth(t), 0)
	var out strings.Builder
	out.WriteString(bs.Render(b.TopLeft+b.Top) + ts.Render(t) + bs.Render(strings.Repeat(b.Top, fill)+b.TopRight))
	lines := strings.Split(body, "\n")
	left, right := bs.Render(b.Left), bs.Render(b.Right)
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out.WriteString("\n" + left + fit(line, inner) + right)
	}
	out.WriteString("\n" + bs.Render(b.BottomLeft+strings.Repeat(b.Bottom, inner)+b.BottomRight))
	return out.String()
}

// fit truncates or pads a styled line to exactly w columns.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// footer is the status line when there is one, else the help bar.
func (m *Model) footer() string {
	if m.mode == modeCommand {
		return m.cmdline.View()
	}
	if m.mode == modeConfirm && m.confirm != nil {
		return ansi.Truncate(m.confirmPrompt(), m.width, "…")
	}
	if m.status != "" {
		st := m.styles.OK
		if m.statusErr {
			st = m.styles.Error
		}
		return st.Render(ansi.Truncate(m.status, m.width, "…"))
	}
	return ansi.Truncate(m.help.ShortHelpView(m.helpKeys().ShortHelp()), m.width, "…")
}

// fullHelp lays the key groups out in columns as wide as fit, wrapping to
// a new row of columns rather than cutting a group off at the edge.
func (m *Model) fullHelp(width int) string {
	var rows, row []string
	used := 0
	for _, group := range m.helpKeys().FullHelp() {
		col := m.help.FullHelpView([][]key.Binding{group})
		w := lipgloss.Width(col) + 4
		if used > 0 && used+w > width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(4).Render(col))
		used += w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n\n")
}
