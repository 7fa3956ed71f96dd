package tui

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats/watch"
)

// runAll gives m what cmd says (the services' answers, a loaded
// timeline); what m asks for in turn is not run.
func runAll(m *Model, cmd tea.Cmd) {
	for _, msg := range run(cmd) {
		switch msg.(type) {
		case opDoneMsg, queuedMsg, notQueuedMsg, timelineMsg, errMsg:
			m.Update(msg)
		}
	}
}

// Crisis mode as an admin uses it: open an incident, post a holding
// statement on every feed, hold replies, note and star, read the timeline,
// close the incident.
func TestCrisisMode(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	h.withDispatcher(t)
	svc := h.services()
	svc.Statements = []string{"We are looking into the case reports; update within the hour."}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(ctx, svc, h.session("alice"))
	m.svc.Work = new(sync.WaitGroup)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.Update(m.load()())
	screen := func() string { take(m); return ansi.Strip(m.screen()) }

	runAll(m, hit(m, "C"))
	if !strings.Contains(screen(), "Crisis · no incident open") {
		t.Fatalf("C:\n%s", screen())
	}
	hit(m, "enter")
	runAll(m, hit(m, "y"))
	if s := screen(); !strings.Contains(s, "⚠ INCIDENT open since") || !strings.Contains(s, "⚠ INCIDENT") {
		t.Fatalf("after opening:\n%s", s)
	}

	hit(m, "1")
	runAll(m, hit(m, "a")) // every feed
	if s := screen(); !strings.Contains(s, "Post → every feed") || !strings.Contains(s, "We are looking into the case reports") {
		t.Fatalf("statement 1 for every feed:\n%s", s)
	}
	runAll(m, hit(m, "ctrl+s"))
	if !strings.Contains(m.composer.Status, "queued a post on 4 feeds") {
		t.Fatalf("composer status %q", m.composer.Status)
	}
	posts := 0
	items, _ := h.db.Pending()
	all, _ := h.db.RecentAudit(50)
	for _, e := range all {
		if e.What == outbox.AuditQueued && e.Kind == feeds.ActPost {
			posts++
		}
	}
	if posts != 4 {
		t.Errorf("%d posts queued (pending %d), want one per feed", posts, len(items))
	}

	runAll(m, hit(m, "C"))
	runAll(m, hit(m, "h"))
	if hold, _ := h.db.Hold(); !hold.On || !hold.Replies {
		t.Errorf("h: hold %+v", hold)
	}
	runAll(m, hit(m, "n"))
	m.Update(tea.PasteMsg{Content: "press called back"})
	runAll(m, hit(m, "enter"))
	runAll(m, hit(m, "s"))
	runAll(m, m.loadTimeline())
	s := screen()
	for _, want := range []string{"incident-opened", "held", "replies and posts", "note", "press called back", "starred", "★ @"} {
		if !strings.Contains(s, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, s)
		}
	}

	hit(m, "x")
	runAll(m, hit(m, "y"))
	if inc, _ := h.db.Incident(); inc.Open {
		t.Error("x y left the incident open")
	}
	if s := screen(); !strings.Contains(s, "Crisis · no incident open") {
		t.Errorf("after closing:\n%s", s)
	}
}

// A config reload reaches the session: new watch-words are highlighted,
// new statements offered.
func TestSettingsReachTheSession(t *testing.T) {
	h, m := loaded(t)
	w := watch.MustCompile([]string{"overheating"})
	hub.Publish(h.hub, TopicSettings, Settings{Watch: w, Statements: []string{"We are on it."}, Bell: true})
	<-m.sub.Ready()
	m.applyBatch(m.sub.Take())
	if m.svc.Watch != w || !m.svc.Bell {
		t.Error("the session kept its old settings")
	}
	if s, ok := m.crisis.Statement("1"); !ok || s != "We are on it." {
		t.Errorf("statement 1: %q, %v", s, ok)
	}
}

// A session opened after a reload starts from its settings.
func TestLaterSessionsStartFromTheReload(t *testing.T) {
	h := newHarness(t, "")
	svc := h.services()
	svc.Reloaded = new(Reloaded)
	svc.Reloaded.Store(Settings{Statements: []string{"We are on it."}, Bell: true})
	m := New(context.Background(), svc, h.session("ada"))
	if s, ok := m.crisis.Statement("1"); !ok || s != "We are on it." || !m.svc.Bell {
		t.Errorf("a later session: statement %q %v, bell %v", s, ok, m.svc.Bell)
	}
}
