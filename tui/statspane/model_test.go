package statspane

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/tui/tuitest"
)

func TestViewShowsHealthCountsAndOutbox(t *testing.T) {
	m := New(tuitest.Styles(), nil)
	m.SetSize(70, 12)
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	snap := stats.Snapshot{Overall: stats.FeedStats{Total: 12345, PerMinute: 61.6, Authors: 900},
		Feeds: []stats.FeedStats{{Feed: "twitch", Platform: "twitch", Total: 12345, PerMinute: 61.6, Authors: 900, Peak: 80}}}
	snap.Feeds[0].Minutes[59] = 80
	m.SetSnapshot(snap)
	m.SetHealth([]hub.Health{
		{Feed: "twitch", State: hub.HealthConnected},
		{Feed: "irc", Platform: "irc", State: hub.HealthReconnecting, Retry: now.Add(7 * time.Second), LastErr: "EOF"},
	}, now)
	m.SetUnread(3)
	m.SetOutbox(Outbox{Queued: 2, Sending: 1, Failed: 1})
	v := ansi.Strip(m.View())
	for _, want := range []string{"62/min", "total 12.3k", "authors 900", "● live", "irc", "◌ reconnecting in 7s: EOF", "█", "unread 3 · outbox 3 queued · 1 failed"} {
		if !strings.Contains(v, want) {
			t.Errorf("stats view lacks %q:\n%s", want, v)
		}
	}
	if n := len(strings.Split(v, "\n")); n != 12 {
		t.Errorf("%d lines, want the pane height 12", n)
	}
}

// A rate-limited feed says how long it waits, a feed's standing conditions
// show beside it, and a held outbox is the first thing in the footer.
func TestViewShowsPauseStatusAndHold(t *testing.T) {
	m := New(tuitest.Styles(), nil)
	m.SetSize(110, 8)
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	m.SetHealth([]hub.Health{{
		Feed: "twitch", Platform: "twitch", State: hub.HealthConnected,
		SendPaused: now.Add(12 * time.Second), SendPausedWhy: "429",
		Status: []hub.StatusItem{{Key: "slow", Value: "30s"}},
	}}, now)
	m.SetHold(outbox.Hold{On: true, By: "alice", Since: now})
	m.SetOutbox(Outbox{Queued: 4})
	v := ansi.Strip(m.View())
	for _, want := range []string{"● live ⏸ rate limited, sending in 12s slow 30s", "⏸ HELD unread 0 · outbox 4 queued"} {
		if !strings.Contains(v, want) {
			t.Errorf("stats view lacks %q:\n%s", want, v)
		}
	}
	m.SetHold(outbox.Hold{})
	m.SetHealth([]hub.Health{{Feed: "twitch", State: hub.HealthConnected, SendPaused: now.Add(-time.Second)}}, now)
	if v := ansi.Strip(m.View()); strings.Contains(v, "⏸") {
		t.Errorf("a past pause or a released hold still shows:\n%s", v)
	}
}

// With the keyboard, the pane shows why a feed is down, in full: the
// whole last error, since when, the next try, the reconnects.
func TestFocusedShowsHealthInFull(t *testing.T) {
	m := New(tuitest.Styles(), nil)
	m.SetSize(40, 14)
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	long := "dial tcp 127.0.0.1:6667: connect: connection refused (is the server running?)"
	m.SetHealth([]hub.Health{{Feed: "irc", Platform: "irc", State: hub.HealthReconnecting, Since: now.Add(-90 * time.Second),
		Reconnects: 4, Retry: now.Add(20 * time.Second), LastErr: long}}, now)
	if v := ansi.Strip(m.View()); strings.Contains(v, "is the server running") {
		t.Fatalf("the compact view is not cut:\n%s", v)
	}
	m.Focus()
	v := ansi.Strip(m.View())
	flat := strings.Join(strings.Fields(v), " ")
	for _, want := range []string{"◌ reconnecting for 1m30s", "4 reconnects · next try in 20s", "(is the server running?)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("details lack %q:\n%s", want, v)
		}
	}
	if m.Title() != "Stats · alerts, questions, feeds" {
		t.Errorf("title %q", m.Title())
	}
	m.Blur()
	if strings.Contains(ansi.Strip(m.View()), "reconnects") {
		t.Error("details stayed after the keyboard left")
	}
}

// With the keyboard, the cluster line says in full who is connected where
// and what the lag counts.
func TestClusterDetails(t *testing.T) {
	m := New(tuitest.Styles(), nil)
	m.SetSize(150, 12)
	m.Focus()
	if v := ansi.Strip(m.View()); strings.Contains(v, "Cluster") {
		t.Errorf("a front-end not in a cluster shows one:\n%s", v)
	}
	m.SetCluster(cluster.Health{Node: "fe-paris", Connected: true, Server: "nats-2", Pending: 1200, AckPending: 64})
	want := "● fe-paris connected to nats-2 · events behind: 1200 not yet delivered, 64 delivered but not yet stored"
	if v := ansi.Strip(m.View()); !strings.Contains(v, "Cluster") || !strings.Contains(v, want) {
		t.Errorf("details lack %q:\n%s", want, v)
	}
	m.SetCluster(cluster.Health{Node: "fe-paris", Server: "nats-2"})
	want = "✗ fe-paris is cut off from the cluster (last on nats-2)"
	if v := ansi.Strip(m.View()); !strings.Contains(v, want) {
		t.Errorf("details lack %q:\n%s", want, v)
	}
}

// A feed whose send is with another node says whom it waits for, and
// not that it is rate limited.
func TestWaitingForTheNodeThatSends(t *testing.T) {
	m := New(tuitest.Styles(), nil)
	m.SetSize(100, 8)
	m.SetHealth([]hub.Health{{Feed: "twitch", State: hub.HealthConnected, SendWaiting: "ingest-b"}}, time.Now())
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "⧗ waiting for ingest-b") || strings.Contains(v, "rate limited") {
		t.Errorf("stats view:\n%s", v)
	}
}
