package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tribune/tribune/feeds/hub"
)

// Every view at the sizes an operator uses, from a phone over SSH to a
// wide screen, kept as golden screens (no colour).
func TestGoldenViews(t *testing.T) {
	views := []struct {
		name string
		keys []string
	}{
		{"dashboard", nil},
		{"composer", []string{"k", "k", "r", "M", "e", "r", "c", "i"}},
		{"confirm", []string{"t"}},
		{"outbox", []string{"o"}},
		{"audit", []string{"A"}},
		{"help", []string{"?"}},
		{"stats", []string{"tab", "tab"}},
		{"palette", []string{":", "h", "o", "l"}},
		{"card", []string{"k", "k", "k", "u"}},
		{"columns", append(append([]string{":"}, strings.Split("column questions: is:question", "")...), "enter")},
		{"search", append([]string{"/"}, strings.Split("lumio", "")...)},
	}
	for _, size := range []struct{ w, h int }{{60, 15}, {80, 24}, {160, 48}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s/%dx%d", v.name, size.w, size.h), func(t *testing.T) {
				_, m := loaded(t)
				m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
				m.Update(tickMsg{snap: m.svc.Stats.Snapshot(), health: []hub.Health{
					{Feed: "twitch", Platform: "twitch", State: hub.HealthConnected, Since: clock.Add(-3 * time.Minute)},
					{Feed: "mastodon", Platform: "mastodon", State: hub.HealthConnected, Since: clock.Add(-3 * time.Minute),
						Status: []hub.StatusItem{{Key: "stream", Value: "hashtag #LumioHalo"}}},
					{Feed: "bluesky", Platform: "bluesky", State: hub.HealthReconnecting, Since: clock.Add(-40 * time.Second), Reconnects: 3,
						Retry: clock.Add(20 * time.Second), LastErr: "dial tcp 127.0.0.1:6008: connect: connection refused (jetstream is down or the address is wrong)"},
					{Feed: "irc", Platform: "irc", State: hub.HealthFailed, Since: clock.Add(-2 * time.Minute), Reconnects: 5,
						LastErr: "SASL authentication failed: the account or password is wrong"},
				}, at: clock})
				for _, k := range v.keys {
					cmd := hit(m, k)
					if k == "o" || k == "A" || k == "u" { // the view loads from the store
						for _, msg := range run(cmd) {
							m.Update(msg)
						}
					}
				}
				screen := ansi.Strip(m.screen())
				if n := strings.Count(screen, "\n") + 1; n != size.h {
					t.Errorf("%d lines, want %d", n, size.h)
				}
				golden.RequireEqual(t, []byte(screen))
			})
		}
	}
}

// Below the smallest size the layout is drawn for, a message that fits.
func TestTooSmallSaysSoInTheRoomThereIs(t *testing.T) {
	_, m := loaded(t)
	m.Update(tea.WindowSizeMsg{Width: 20, Height: 4})
	lines := strings.Split(m.screen(), "\n")
	if len(lines) > 4 || !strings.Contains(strings.Join(lines, " "), "at least 40x10") {
		t.Fatalf("too-small message:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 20 {
			t.Errorf("line %q is %d wide in a 20-column terminal", l, w)
		}
	}
}
