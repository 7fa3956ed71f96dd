package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/outbox"
)

// withDispatcher runs a dispatcher over the harness's store and hub until
// the test ends; models made afterwards send through it.
func (h *harness) withDispatcher(t *testing.T) *dispatch.Dispatcher {
	t.Helper()
	d := dispatch.New(h.db, h.hub, dispatch.Options{})
	h.disp = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

// The crisis brake, as an operator uses it: hold, queue two replies, open
// the outbox, edit one, cancel the other, release, and read the audit log.
func TestHoldEditCancelReleaseAndAudit(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	h.withDispatcher(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	tm := start(t, m, 160, 48)
	waitFor(t, tm, "je précommande")

	tm.Send(press("H"))
	waitFor(t, tm, "OUTBOX HELD")
	for _, text := range []string{"first draft of a statement", "a reply we will drop"} {
		tm.Send(press("r"))
		waitFor(t, tm, "@kiki_fr on twitch")
		typeText(tm, text)
		tm.Send(press("ctrl+s"))
		waitFor(t, tm, "queued reply to @kiki_fr")
	}
	tm.Send(press("o"))
	waitFor(t, tm, "Outbox · 2 queued · HELD", "◷ queued", "a reply we will drop")

	// The newest is selected: cancel it; then edit the other.
	tm.Send(press("x"))
	waitFor(t, tm, "Cancelled reply to @kiki_fr", "– cancelled")
	tm.Send(press("j"))
	tm.Send(press("e"))
	waitFor(t, tm, "Editing a queued item")
	for range len("first draft of a statement") {
		tm.Send(press("backspace"))
	}
	typeText(tm, "Our official statement")
	waitFor(t, tm, "Our official statement")
	tm.Send(press("ctrl+s"))
	waitFor(t, tm, "Edited reply to @kiki_fr", "┏━ Feed") // the feed has the keyboard again
	tm.Send(press("o"))
	waitFor(t, tm, "Our official statement")

	items, _ := h.db.RecentOutbox(10) // newest first
	if len(items) != 2 || items[1].State != outbox.StateQueued || items[1].Action.Text != "Our official statement" ||
		items[0].State != outbox.StateCancelled {
		t.Fatalf("outbox while held = %+v", items)
	}

	tm.Send(press("H"))
	waitFor(t, tm, "Outbox released", "✓ sent")
	tm.Send(press("esc"))
	tm.Send(press("A"))
	waitFor(t, tm, "Audit log", "released", "edited", "cancelled", "held")
	final := finalView(t, tm)
	if !strings.Contains(final, "sent") {
		t.Errorf("audit view lacks the send:\n%s", final)
	}
	whats := []string{}
	_ = h.db.Audit(time.Time{}, func(e outbox.AuditEntry) error { whats = append(whats, e.What); return nil })
	if got := strings.Join(whats, " "); got != "held queued queued cancelled edited released sent" {
		t.Errorf("audit log = %s", got)
	}
}

// The palette runs the same actions by name and says when nothing matches.
func TestCommandLine(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	h.withDispatcher(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	tm := start(t, m, 120, 36)
	waitFor(t, tm, "précommande")
	tm.Send(press(":"))
	typeText(tm, "hold")
	tm.Send(press("enter"))
	waitFor(t, tm, "OUTBOX HELD")
	if hold, _ := h.db.Hold(); !hold.On || hold.By != "local" {
		t.Errorf("hold after :hold = %+v", hold)
	}
	tm.Send(press(":"))
	typeText(tm, "launch")
	tm.Send(press("enter"))
	waitFor(t, tm, "Nothing matches “launch”")
	tm.Send(press("esc")) // the palette stays open to mend the typing
	tm.Send(press(":"))
	typeText(tm, "release")
	tm.Send(press("enter"))
	waitFor(t, tm, "Outbox released")
	finalView(t, tm)
	if hold, _ := h.db.Hold(); hold.On {
		t.Errorf("still held after :release")
	}
}

// Quitting can drop the Cmd that would have saved the last keystrokes;
// Flush, run after the program returns, writes them.
func TestFlushSavesWhatDroppedCmdsWouldHave(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	m.svc.Work = new(sync.WaitGroup) // the dropped Cmds' writes never finish
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 36})
	m.Update(m.load()()) // history, as Init would load it
	// Every Cmd Update returns is dropped, as at quit.
	m.Update(press("r"))
	for _, r := range "pas perdu" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m.Update(press("esc"))
	m.Update(press("R")) // all read
	if drafts, _ := h.db.Drafts("local"); len(drafts) != 0 {
		t.Fatalf("a draft was stored without its Cmd running: %+v", drafts)
	}
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	drafts, _ := h.db.Drafts("local")
	if len(drafts) != 1 || drafts[0].Action.Text != "pas perdu" || drafts[0].Action.Target != "t6" {
		t.Errorf("drafts after Flush = %+v", drafts)
	}
	if rs, _ := h.db.ReadState("local"); rs.Upto != 10 {
		t.Errorf("read up to %d after Flush, want 10", rs.Upto)
	}
	// A discarded draft stays discarded.
	m.Update(press("r"))
	m.Update(press("ctrl+x"))
	m.Update(press("y"))
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if drafts, _ := h.db.Drafts("local"); len(drafts) != 0 {
		t.Errorf("a discarded draft came back: %+v", drafts)
	}
}

// Moderation is one key and an answer: nothing is queued without it, a
// ban carries the reason typed, and the action goes through the outbox
// like a reply.
func TestModerationIsConfirmedAndQueued(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tm := start(t, h.model(ctx), 160, 48)
	waitFor(t, tm, "je précommande") // kiki_fr's message on twitch is selected
	tm.Send(press("b"))
	waitFor(t, tm, "Ban @kiki_fr on twitch? reason: optional enter to ban, esc to cancel")
	typeText(tm, "n")
	tm.Send(press("esc"))
	waitFor(t, tm, "Nothing done.")
	tm.Send(press("t"))
	waitFor(t, tm, "Timeout @kiki_fr on twitch? reason: optional 1=1m 2=10m 3=1h 4=24h, enter=10m, esc to cancel")
	tm.Send(press("3"))
	waitFor(t, tm, "✓ queued: timeout @kiki_fr 1h0m0s on twitch")
	tm.Send(press("b"))
	typeText(tm, "spam links")
	waitFor(t, tm, "reason: spam links")
	tm.Send(press("enter"))
	waitFor(t, tm, "✓ queued: ban @kiki_fr on twitch")
	tm.Send(press("o"))
	waitFor(t, tm, "ban @kiki_fr on twitch  reason: spam links")
	tm.Send(press("A"))
	waitFor(t, tm, "ban @kiki_fr on twitch  reason: spam links  on «") // the audit names the message too
	tm.Send(press("esc"))
	tm.Send(press("k")) // the brand's own message, on bluesky
	tm.Send(press("d"))
	waitFor(t, tm, `Feed "bluesky" cannot delete`)
	finalView(t, tm)
	WaitWork(h.work, 5*time.Second)
	pending, _ := h.db.Pending()
	if len(pending) != 2 {
		t.Fatalf("outbox = %+v, want the timeout and the ban", pending)
	}
	a := pending[0].Action
	if a.Kind != feeds.ActTimeout || a.TargetAuthor != "kiki_fr" || a.Target != "t6" || a.Duration != time.Hour || a.Operator != "local" || a.Reason != "" {
		t.Errorf("queued %+v", a)
	}
	if b := pending[1].Action; b.Kind != feeds.ActBan || b.TargetAuthor != "kiki_fr" || b.Reason != "spam links" {
		t.Errorf("queued %+v, want a ban for spam links", b)
	}
}

// What the Outbox view looked like when it was tried by hand: every state,
// an error, the hold; kept as a golden screen.
func TestGoldenOutbox(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	items := []struct {
		state    outbox.State
		feed     string
		kind     feeds.ActionKind
		who      string
		text     string
		err      string
		attempts int
	}{
		{outbox.StateSent, "twitch", feeds.ActReply, "kiki_fr", "Merci Kiki ! Sortie le 2 décembre 🎧", "", 1},
		{outbox.StateFailed, "twitch", feeds.ActBan, "spam_bot_77", "", "403 Forbidden: the account is not a moderator of this channel", 1},
		{outbox.StateUncertain, "irc", feeds.ActReply, "oldtimer", "The replay link is on lumio.example/live", "write: connection reset by peer (may or may not have been sent)", 1},
		{outbox.StateQueued, "mastodon", feeds.ActReply, "ana@mastodon.social", "Independent reviews are linked from our press page.", "", 0},
		{outbox.StateQueued, "bluesky", feeds.ActReply, "sam.bsky.social", "Yes, Android too.", "", 0},
	}
	for i, it := range items {
		at := clock.Add(time.Duration(i) * time.Minute)
		a := feeds.Action{ID: feeds.NewActionID(at), Feed: it.feed, Kind: it.kind, TargetAuthor: it.who, Text: it.text,
			Operator: "local", Created: at}
		if err := h.db.Enqueue(outbox.Outgoing{Action: a, State: it.state, Err: it.err, Attempts: it.attempts, Updated: at}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	tm := start(t, m, 100, 24)
	waitFor(t, tm, "précommande")
	h.hub.PublishHold(outbox.Hold{On: true, By: "alice", Since: clock})
	tm.Send(press("o"))
	waitFor(t, tm, "Yes, Android too.", "OUTBOX HELD")
	tm.Send(press("j"))
	tm.Send(press("j"))
	waitFor(t, tm, "may or may not")
	golden.RequireEqual(t, []byte(finalView(t, tm)))
}

// An edit stays an edit: a reply cannot be opened over it (it would be
// saved as the edit, to the wrong person), and an edit that comes too late
// keeps its text in the composer rather than losing it.
func TestEditIsNotCapturedNorLost(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	d := h.withDispatcher(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	tm := start(t, m, 160, 48)
	waitFor(t, tm, "je précommande")
	tm.Send(press("H"))
	waitFor(t, tm, "OUTBOX HELD")
	tm.Send(press("r"))
	waitFor(t, tm, "@kiki_fr on twitch")
	typeText(tm, "v1")
	tm.Send(press("ctrl+s"))
	waitFor(t, tm, "queued reply to @kiki_fr")
	tm.Send(press("o"))
	waitFor(t, tm, "◷ queued")
	tm.Send(press("e"))
	waitFor(t, tm, "Editing a queued item")
	typeText(tm, " and more")

	// Leave the editor, pick another message, try to reply.
	tm.Send(press("tab"))
	tm.Send(press("tab"))
	tm.Send(press("k"))
	tm.Send(press("r"))
	waitFor(t, tm, "An outbox item is being edited")

	// Meanwhile the brake is released and the item leaves.
	if _, err := d.SetHold(false, "bob"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		items, _ := h.db.RecentOutbox(10)
		if len(items) == 1 && items[0].State == outbox.StateSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the item was not sent: %+v", items)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm.Send(press("tab")) // back to the Reply pane and the edit
	tm.Send(press("ctrl+s"))
	waitFor(t, tm, "your text is still in the composer")
	view := finalView(t, tm)
	if !strings.Contains(view, "v1 and more") {
		t.Errorf("the edited text was lost:\n%s", view)
	}
	items, _ := h.db.RecentOutbox(10)
	if len(items) != 1 || items[0].Action.Text != "v1" {
		t.Errorf("outbox = %+v, want the one reply, sent as v1", items)
	}
}

// Another front-end's reply, seen through the cluster, shows in the
// outbox and marks its message answered; it is not this front-end's to
// cancel, edit or resend, and says where that is done.
func TestTeamsItemIsShownNotTouched(t *testing.T) {
	h, m := loaded(t)
	h.withDispatcher(t)
	a := feeds.Action{ID: feeds.NewActionID(clock), Feed: "twitch", Kind: feeds.ActReply, Target: "t6", TargetAuthor: "kiki_fr",
		Text: "Bientôt !", Operator: "alice", Created: clock}
	m.applyOutgoing(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: clock, Elsewhere: true})
	drive(m, hit(m, "o"))
	v := ansi.Strip(m.screen())
	if !strings.Contains(v, "another front-end") || !strings.Contains(v, "Bientôt !") {
		t.Fatalf("the outbox does not show alice's reply from another front-end:\n%s", v)
	}
	hit(m, "x")
	if !strings.Contains(m.status, "queued on another front-end") || m.mode == modeConfirm {
		t.Errorf("x on the team's item: status %q", m.status)
	}
	if pending, _ := h.db.Pending(); len(pending) != 0 {
		t.Errorf("the team's item reached this front-end's store: %+v", pending)
	}
	m.applyOutgoing(outbox.Outgoing{Action: a, State: outbox.StateSent, Updated: clock, Elsewhere: true})
	hit(m, "esc")
	if v := ansi.Strip(m.screen()); !strings.Contains(v, "answered by alice") {
		t.Errorf("kiki's message is not marked answered by alice:\n%s", v)
	}
}
