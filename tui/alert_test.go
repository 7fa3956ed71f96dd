package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/stats"
)

// alert publishes as, has the session apply the batch it takes, and
// returns the Cmds applying it asked for.
func alert(h *harness, m *Model, as ...stats.Alert) []tea.Cmd {
	hub.Publish(h.hub, stats.TopicAlerts, as...)
	<-m.sub.Ready()
	m.applyBatch(m.sub.Take())
	cmds := m.pending
	m.pending = nil
	return cmds
}

// bells counts the bells in cmds.
func bells(cmds []tea.Cmd) int {
	n := 0
	for _, c := range cmds {
		if raw, ok := c().(tea.RawMsg); ok && raw.Msg == "\a" {
			n++
		}
	}
	return n
}

func TestAlertBannerBellAndDismiss(t *testing.T) {
	h, m := loaded(t)
	m.svc.Bell = true
	at := h.now()
	a := stats.Alert{At: at, Feed: "twitch", Text: "volume ×4.2 in 1 min on twitch, 62% negative, top terms: boîtier, remboursement"}
	b := stats.Alert{At: at, Feed: "irc", Text: "volume ×3.0 in 1 min on irc, 55% negative"}
	cmds := alert(h, m, a, b)
	lines := strings.Split(ansi.Strip(m.screen()), "\n")
	if len(lines) != 48 {
		t.Fatalf("%d lines with the banner, want the 48 of the screen", len(lines))
	}
	if !strings.Contains(lines[0], "⚠ ALERT") || !strings.Contains(lines[0], "irc (+1 more feeds): volume ×3.0") ||
		!strings.Contains(lines[0], "X dismiss") {
		t.Errorf("banner %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "┏━ Feed") {
		t.Errorf("the panes do not start under the banner: %q", lines[1])
	}
	if n := bells(cmds); n != 1 {
		t.Errorf("%d bells for two alerts at once, want 1", n)
	}
	if n := bells(alert(h, m, a)); n != 0 {
		t.Error("the bell rang again within 30 s")
	}
	hit(m, "X")
	lines = strings.Split(ansi.Strip(m.screen()), "\n")
	if len(lines) != 48 || strings.Contains(lines[0], "ALERT") || !strings.HasPrefix(lines[0], "┏━ Feed") {
		t.Errorf("after X: %d lines, first %q", len(lines), lines[0])
	}
}

func TestAlertBannerExpires(t *testing.T) {
	h, m := loaded(t)
	if n := bells(alert(h, m, stats.Alert{At: h.now(), Feed: "twitch", Text: "volume ×5.0"})); n != 0 {
		t.Errorf("%d bells with the bell off", n)
	}
	m.Update(tickMsg{snap: h.stats.Snapshot(), at: h.now().Add(alertFor - time.Second)})
	if m.alert == nil {
		t.Fatal("the banner went before its time")
	}
	m.Update(tickMsg{snap: h.stats.Snapshot(), at: h.now().Add(alertFor)})
	if m.alert != nil || strings.Contains(ansi.Strip(m.screen()), "ALERT") {
		t.Error("the banner stayed past its time")
	}
}

// When the stats say messages named a watch-word, the bell rings (when
// asked, at most every 30 s); which messages count is the stats' to say
// (TestOnWatch).
func TestWatchWordRingsTheBell(t *testing.T) {
	h, m := loaded(t)
	m.svc.Bell = true
	watched := func(n ...int) []tea.Cmd {
		hub.Publish(h.hub, stats.TopicWatch, n...)
		<-m.sub.Ready()
		m.applyBatch(m.sub.Take())
		cmds := m.pending
		m.pending = nil
		return cmds
	}
	select { // what the harness's seeding left for this session
	case <-m.sub.Ready():
		m.sub.Take()
	default:
	}
	if n := bells(watched(1, 2)); n != 1 {
		t.Errorf("watch-words rang %d bells, want 1", n)
	}
	if n := bells(watched(1)); n != 0 {
		t.Errorf("rang again within 30 s")
	}
	m.svc.Bell = false
	m.lastBell = time.Time{}
	if n := bells(watched(3)); n != 0 {
		t.Errorf("rang with the bell off")
	}
}
