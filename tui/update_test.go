package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tribune/tribune/feeds"
)

// loaded is a model sized 160x48 with the sample loaded, driven by
// calling Update directly.
func loaded(t *testing.T) (*harness, *Model) {
	t.Helper()
	h := newHarness(t, "")
	h.seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := h.model(ctx)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.Update(m.load()())
	return h, m
}

func hit(m *Model, s string) tea.Cmd {
	_, cmd := m.Update(press(s))
	return cmd
}

// run runs a Cmd that does not wait (no timers) and returns what it says,
// batches flattened.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

func TestQuitIsAKeyOutsideTextOnly(t *testing.T) {
	_, m := loaded(t)
	if msgs := run(hit(m, "q")); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
		t.Fatalf("q on the feed returned %v, want quit", msgs)
	}
	hit(m, "r")
	if !m.composer.Typing() || m.panes.Focused() != paneReply {
		t.Fatalf("r did not open the composer with the keyboard (focus %s)", m.panes.Focused())
	}
	cmd := hit(m, "q")
	for _, msg := range run(cmd) {
		if msg == (tea.QuitMsg{}) {
			t.Fatal("q quit while typing a reply")
		}
	}
	if m.composer.Value() != "q" {
		t.Errorf("composer holds %q, want the typed q", m.composer.Value())
	}
	if d, ok := m.drafts[draftKey("twitch", "t6")]; !ok || d.Action.Text != "q" {
		t.Errorf("the keystroke is not in the session's drafts at once: %+v", m.drafts)
	}
	if msgs := run(hit(m, "ctrl+c")); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
		t.Errorf("ctrl+c while typing returned %v, want quit", msgs)
	}
}

func TestEscKeepsTheDraftAndGivesTheFeedTheKeyboard(t *testing.T) {
	_, m := loaded(t)
	hit(m, "r")
	hit(m, "o")
	hit(m, "k")
	hit(m, "esc")
	if m.composer.IsOpen() || m.panes.Focused() != paneFeed || !strings.Contains(m.status, "Draft kept") {
		t.Errorf("after esc: open %v, focus %s, status %q", m.composer.IsOpen(), m.panes.Focused(), m.status)
	}
	if d := m.drafts[draftKey("twitch", "t6")]; d.Action.Text != "ok" {
		t.Errorf("draft %q, want ok", d.Action.Text)
	}
}

func TestTabCyclesPanesInOrder(t *testing.T) {
	_, m := loaded(t)
	var got []string
	for range 3 {
		hit(m, "tab")
		got = append(got, string(m.panes.Focused()))
	}
	if s := strings.Join(got, " "); s != "reply stats feed" {
		t.Errorf("tab order %s", s)
	}
	hit(m, "shift+tab")
	if m.panes.Focused() != paneStats {
		t.Errorf("shift+tab went to %s", m.panes.Focused())
	}
}

// Moderation waits for y; any other key drops it and queues nothing.
func TestModerationPromptTakesTheKeyboard(t *testing.T) {
	_, m := loaded(t)
	if cmd := hit(m, "d"); cmd != nil || m.mode != modeConfirm || m.confirm == nil || m.confirm.Kind != feeds.ActDelete || m.confirm.Target != "t6" {
		t.Fatalf("d: mode %v, confirm %+v", m.mode, m.confirm)
	}
	if cmd := hit(m, "q"); cmd != nil || m.mode != modeNormal || m.confirm != nil || m.status != "Nothing done." {
		t.Fatalf("q at the prompt: mode %v, status %q (and it must not quit)", m.mode, m.status)
	}
	hit(m, "b")
	msgs := run(hit(m, "y"))
	if len(msgs) != 1 {
		t.Fatalf("y returned %v", msgs)
	}
	done, ok := msgs[0].(opDoneMsg)
	if !ok || done.err != nil || done.queued == nil || done.queued.Action.Kind != feeds.ActBan {
		t.Fatalf("y queued %+v", msgs[0])
	}
	m.Update(done)
	if c := m.box.Counts(); c.Queued != 1 || !strings.Contains(m.status, "queued: ban @kiki_fr") {
		t.Errorf("after the ban is stored: counts %+v, status %q", c, m.status)
	}
}

// The command line owns the keyboard until enter or esc.
func TestCommandLineMode(t *testing.T) {
	_, m := loaded(t)
	hit(m, ":")
	if m.mode != modeCommand {
		t.Fatalf("mode %v after :", m.mode)
	}
	for _, k := range []string{"q", "u", "i", "t"} {
		hit(m, k)
	}
	hit(m, "esc")
	if m.mode != modeNormal {
		t.Fatalf("esc left mode %v", m.mode)
	}
	hit(m, ":")
	for _, k := range []string{"a", "u", "d", "i", "t"} {
		hit(m, k)
	}
	cmd := hit(m, "enter")
	if m.mode != modeNormal || m.panes.Overlay() != paneAudit {
		t.Errorf(":audit: mode %v, overlay %q", m.mode, m.panes.Overlay())
	}
	if msgs := run(cmd); len(msgs) != 1 {
		t.Errorf(":audit returned %v, want the audit load", msgs)
	} else if _, ok := msgs[0].(auditLoadedMsg); !ok {
		t.Errorf(":audit returned %T", msgs[0])
	}
	hit(m, "esc")
	if m.panes.Overlay() != "" {
		t.Errorf("esc left overlay %q open", m.panes.Overlay())
	}
}

// Reading is the feed pane's: the unread count follows it, and R asks
// the root to store the mark.
func TestReadMarksFlowFromTheFeed(t *testing.T) {
	_, m := loaded(t)
	if v := m.screen(); !strings.Contains(v, "unread 10") {
		t.Fatalf("stats lack the unread count:\n%s", v)
	}
	msgs := run(hit(m, "R"))
	if len(msgs) != 1 {
		t.Fatalf("R returned %v", msgs)
	}
	_, cmd := m.Update(msgs[0])
	if cmd == nil || !strings.Contains(m.screen(), "unread 0") {
		t.Errorf("after R: persist cmd %v, screen:\n%s", cmd != nil, m.screen())
	}
	run(cmd)
	if rs, _ := m.svc.Store.ReadState("local"); rs.Upto != 10 {
		t.Errorf("stored read up to %d, want 10", rs.Upto)
	}
}

// View draws; it changes nothing, however often it runs.
func TestViewChangesNothing(t *testing.T) {
	_, m := loaded(t)
	for range 3 {
		hit(m, "k")
	}
	before := m.screen()
	for range 3 {
		if m.screen() != before {
			t.Fatal("the screen changed between two draws with nothing in between")
		}
	}
}
