package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/tui/cells"
)

// An alert from the stats shows as a banner over the panes, says why, and
// rings the terminal bell when the config asks for it (at most once every
// bellEvery). The banner stays until the operator dismisses it, or
// alertFor after the last alert.
const (
	bellEvery = 30 * time.Second
	alertFor  = 10 * time.Minute
)

// showAlerts puts the newest of as in the banner.
func (m *Model) showAlerts(as []stats.Alert) {
	if len(as) == 0 {
		return
	}
	if m.alert == nil {
		m.alertFeeds = make(map[string]bool)
	}
	a := as[len(as)-1]
	m.alert = &a
	for _, x := range as {
		m.alertFeeds[x.Feed] = true
	}
	m.layout()
	now := m.svc.Now()
	if m.svc.Bell && now.Sub(m.lastBell) >= bellEvery {
		m.lastBell = now
		m.pending = append(m.pending, tea.Raw("\a"))
	}
}

// bellOnWatch rings the bell when the stats say new messages named a
// watch-word (not only the brand's handle), at most every bellEvery, if the
// config asks.
func (m *Model) bellOnWatch(hits []int) {
	now := m.svc.Now()
	if !m.svc.Bell || len(hits) == 0 || now.Sub(m.lastBell) < bellEvery {
		return
	}
	m.lastBell = now
	m.pending = append(m.pending, tea.Raw("\a"))
}

// expireAlert takes the banner down alertFor after the last alert.
func (m *Model) expireAlert(now time.Time) {
	if m.alert != nil && now.Sub(m.alert.At) >= alertFor {
		m.dismissAlert()
	}
}

// dismissAlert takes the banner down.
func (m *Model) dismissAlert() {
	m.alert, m.alertFeeds = nil, nil
	m.layout()
}

// layout sizes the panes to the screen less the footer and the banner.
func (m *Model) layout() {
	h := m.height - 1
	if m.alert != nil {
		h--
	}
	m.panes.SetSize(m.width, max(h, 0))
}

// banner is the alert line: when, where and why, and the key that
// dismisses it.
func (m *Model) banner() string {
	a := m.alert
	at := a.At
	if m.sess.Location != nil {
		at = at.In(m.sess.Location)
	}
	more := ""
	if n := len(m.alertFeeds) - 1; n > 0 {
		more = fmt.Sprintf(" (+%d more feeds)", n)
	}
	tail := fmt.Sprintf(" · %s: crisis mode · %s dismiss", m.keys.Crisis.Help().Key, m.keys.Dismiss.Help().Key)
	head := fmt.Sprintf("⚠ ALERT %s %s%s: ", at.Format("15:04"), a.Feed, more)
	why := cells.Truncate(cells.Safe(a.Text), max(m.width-cells.Width(head)-cells.Width(tail), 0), "…")
	return m.styles.Error.Reverse(true).Render(cells.Fit(head+why+tail, m.width))
}
