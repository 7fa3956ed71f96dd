package tui

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/presence"
)

// take has m apply what the hub holds for it.
func take(m *Model) {
	select {
	case <-m.sub.Ready():
		m.applyBatch(m.sub.Take())
	default:
	}
}

// Two sessions: each sees who the other is answering, is asked before
// answering the same message, and sees them in the team line.
func TestTeamSeesWhoAnswers(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	svc := h.services()
	svc.Team = presence.NewTeam()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func(name string) *Model {
		m := New(ctx, svc, h.session(name))
		m.svc.Work = new(sync.WaitGroup)
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		m.Update(m.load()())
		return m
	}
	alice := open("alice")
	bob := open("bob")
	take(alice)
	take(bob)
	if line := ansi.Strip(bob.screen()); !strings.Contains(line, "team     you (bob) · alice") {
		t.Fatalf("bob's stats do not show alice connected:\n%s", line)
	}

	hit(alice, "r")
	target, _ := alice.feed.Selected()
	take(bob)
	screen := ansi.Strip(bob.screen())
	if !strings.Contains(screen, "✎ alice") || !strings.Contains(screen, "alice ✎") {
		t.Fatalf("bob does not see alice answering:\n%s", screen)
	}
	if sel, _ := bob.feed.Selected(); sel.ID != target.ID {
		t.Fatalf("bob's selection %s, alice's %s: the test wants the same message", sel.ID, target.ID)
	}
	hit(bob, "r")
	if bob.mode != modeConfirm || !strings.Contains(ansi.Strip(bob.screen()), "alice is answering this message already. Answer too?") {
		t.Fatalf("bob was not asked first:\n%s", ansi.Strip(bob.screen()))
	}
	hit(bob, "n")
	if bob.composer.Typing() {
		t.Error("bob's composer opened after n")
	}

	hit(alice, "esc")
	take(bob)
	if strings.Contains(ansi.Strip(bob.screen()), "✎") {
		t.Errorf("alice closed her composer but bob still sees her answering:\n%s", ansi.Strip(bob.screen()))
	}
	hit(bob, "r")
	if !bob.composer.Typing() {
		t.Error("with nobody else answering, r opens the composer at once")
	}

	alice.leave()
	take(bob)
	if strings.Contains(ansi.Strip(bob.screen()), "alice") && strings.Contains(ansi.Strip(bob.screen()), "you (bob) · alice") {
		t.Error("alice left but bob still sees her")
	}
}

// A session relayed from another front-end shows as one of this one's:
// answering shows on the message, answering the same asks first, and the
// front-end going quiet takes it away.
func TestTeamAcrossFrontEnds(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	svc := h.services()
	svc.Team = presence.NewTeam()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bob := New(ctx, svc, h.session("bob"))
	bob.svc.Work = new(sync.WaitGroup)
	bob.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	bob.Update(bob.load()())
	take(bob)
	target, _ := bob.feed.Selected()
	svc.Team.Relayed(svc.Hub, "fe2", []presence.Presence{{Session: "s-a", Operator: "alice", Feed: target.Feed, Target: target.ID}})
	take(bob)
	if screen := ansi.Strip(bob.screen()); !strings.Contains(screen, "✎ alice") || !strings.Contains(screen, "you (bob) · alice ✎") {
		t.Fatalf("bob does not see alice answering on the other front-end:\n%s", screen)
	}
	hit(bob, "r")
	if bob.mode != modeConfirm {
		t.Fatalf("bob was not asked first:\n%s", ansi.Strip(bob.screen()))
	}
	hit(bob, "n")
	svc.Team.Relayed(svc.Hub, "fe2", nil)
	take(bob)
	if screen := ansi.Strip(bob.screen()); strings.Contains(screen, "✎") || strings.Contains(screen, "· alice") {
		t.Errorf("fe2 went quiet but bob still sees alice:\n%s", screen)
	}
}
