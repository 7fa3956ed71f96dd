package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/dispatch"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/tui/tuitest"
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
	m.svc.Work = new(sync.WaitGroup) // Cmds these tests do not run are not waited for
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

// Moderation waits for an answer: a delete for y, any other key dropping
// it; a ban for enter, after an optional reason.
func TestModerationPromptTakesTheKeyboard(t *testing.T) {
	_, m := loaded(t)
	if cmd := hit(m, "d"); cmd != nil || m.mode != modeConfirm || m.ask == nil || !strings.Contains(m.ask.prompt, "Delete @kiki_fr's message «trop bien") {
		t.Fatalf("d: mode %v, question %+v", m.mode, m.ask)
	}
	if cmd := hit(m, "q"); cmd != nil || m.mode != modeNormal || m.ask != nil || m.status != "Nothing done." {
		t.Fatalf("q at the prompt: mode %v, status %q (and it must not quit)", m.mode, m.status)
	}
	hit(m, "b")
	msgs := run(hit(m, "enter"))
	if len(msgs) != 1 {
		t.Fatalf("enter returned %v", msgs)
	}
	done, ok := msgs[0].(opDoneMsg)
	if !ok || done.err != nil || done.queued == nil || done.queued.Action.Kind != feeds.ActBan || done.queued.Action.Reason != "" {
		t.Fatalf("enter queued %+v", msgs[0])
	}
	m.Update(done)
	if c := m.box.Counts(); c.Queued != 1 || !strings.Contains(m.status, "queued: ban @kiki_fr") {
		t.Errorf("after the ban is stored: counts %+v, status %q", c, m.status)
	}
}

// The palette owns the keyboard until enter or esc.
func TestCommandLineMode(t *testing.T) {
	_, m := loaded(t)
	hit(m, ":")
	if m.panes.Overlay() != panePalette {
		t.Fatalf("overlay %q after :", m.panes.Overlay())
	}
	for _, k := range []string{"q", "u", "i", "t"} {
		hit(m, k)
	}
	hit(m, "esc")
	if m.mode != modeNormal || m.panes.Overlay() != "" {
		t.Fatalf("esc left mode %v, overlay %q", m.mode, m.panes.Overlay())
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
	if v := m.screen(); !strings.Contains(v, "unread 9") {
		t.Fatalf("stats lack the unread count (10 messages, one the brand's own):\n%s", v)
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

// ctrl+x asks before a draft goes; ctrl+d is the text area's (delete a
// character), as readline users expect.
func TestDiscardAsksFirst(t *testing.T) {
	_, m := loaded(t)
	hit(m, "r")
	for _, k := range []string{"a", "b", "c", "left", "ctrl+d"} {
		hit(m, k)
	}
	if v := m.composer.Value(); v != "ab" {
		t.Fatalf("after ctrl+d the text is %q, want ab", v)
	}
	hit(m, "ctrl+x")
	if m.mode != modeConfirm || !strings.Contains(ansi.Strip(m.screen()), "Discard the draft to @kiki_fr? y to confirm") {
		t.Fatalf("ctrl+x did not ask:\n%s", ansi.Strip(m.screen()))
	}
	hit(m, "n")
	if !m.composer.Typing() || m.composer.Value() != "ab" || m.status != "Draft kept." {
		t.Fatalf("n: typing %v, text %q, status %q", m.composer.Typing(), m.composer.Value(), m.status)
	}
	hit(m, "ctrl+x")
	hit(m, "y")
	if m.composer.IsOpen() || len(m.drafts) != 0 || m.panes.Focused() != paneFeed {
		t.Errorf("y: open %v, drafts %v, focus %s", m.composer.IsOpen(), m.drafts, m.panes.Focused())
	}
}

// Over a view, the dashboard's view keys still work, and closing help
// goes back to the view it was opened over.
func TestViewKeysWorkOverViews(t *testing.T) {
	_, m := loaded(t)
	hit(m, "o")
	hit(m, "A")
	if m.panes.Overlay() != paneAudit {
		t.Fatalf("A over the outbox: overlay %q", m.panes.Overlay())
	}
	hit(m, "o")
	if m.panes.Overlay() != paneOutbox {
		t.Fatalf("o over the audit log: overlay %q", m.panes.Overlay())
	}
	hit(m, "?")
	v := ansi.Strip(m.screen())
	if m.panes.Overlay() != paneHelp || !strings.Contains(v, "edit queued") || !strings.Contains(v, "discard draft") || !strings.Contains(v, "G/end") {
		t.Fatalf("? over the outbox: overlay %q\n%s", m.panes.Overlay(), v)
	}
	hit(m, "esc")
	if m.panes.Overlay() != paneOutbox {
		t.Errorf("closing help went to %q, want back to the outbox", m.panes.Overlay())
	}
	hit(m, ":")
	if m.panes.Overlay() != panePalette {
		t.Errorf(": over the outbox: overlay %q", m.panes.Overlay())
	}
	hit(m, "esc")
	if m.panes.Overlay() != paneOutbox {
		t.Errorf("closing the palette went to %q, want back to the outbox", m.panes.Overlay())
	}
	hit(m, "q")
	if m.panes.Overlay() != "" {
		t.Errorf("q left %q open", m.panes.Overlay())
	}
}

// Help scrolls when every key does not fit.
func TestHelpScrolls(t *testing.T) {
	_, m := loaded(t)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	hit(m, "?")
	first := ansi.Strip(m.screen())
	if !strings.Contains(first, "▼ more") {
		t.Fatalf("help at 60x15 does not say there is more:\n%s", first)
	}
	for range 100 {
		hit(m, "j")
	}
	last := ansi.Strip(m.screen())
	if last == first || strings.Contains(last, "▼ more") || !strings.Contains(last, "quit") {
		t.Errorf("scrolled to the end:\n%s", last)
	}
}

// r before any message has arrived says why nothing opens.
func TestReplyWithNothingToAnswer(t *testing.T) {
	h := newHarness(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := h.model(ctx)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	hit(m, "r")
	if m.composer.IsOpen() || !strings.Contains(m.status, "No message to act on yet") {
		t.Errorf("r on an empty feed: open %v, status %q", m.composer.IsOpen(), m.status)
	}
}

// t asks how long: enter takes 10 minutes, a number another length at
// once; once a reason is begun, numbers are text and tab picks the length.
func TestTimeoutAsksHowLong(t *testing.T) {
	for _, c := range []struct {
		keys   []string
		want   time.Duration
		reason string
	}{
		{[]string{"enter"}, 10 * time.Minute, ""},
		{[]string{"1"}, time.Minute, ""},
		{[]string{"4"}, 24 * time.Hour, ""},
		{[]string{"tab", "enter"}, time.Hour, ""},
		{append(keysOf("flood 2x"), "tab", "tab", "enter"), 24 * time.Hour, "flood 2x"},
	} {
		_, m := loaded(t)
		hit(m, "t")
		var cmd tea.Cmd
		for _, k := range c.keys {
			cmd = hit(m, k)
		}
		msgs := run(cmd)
		if len(msgs) != 1 {
			t.Errorf("t then %v: %+v, want one message", c.keys, msgs)
			continue
		}
		done, ok := msgs[0].(opDoneMsg)
		if !ok || done.queued == nil || done.queued.Action.Duration != c.want || done.queued.Action.Reason != c.reason {
			t.Errorf("t then %v: %+v, want a timeout of %s for %q", c.keys, msgs, c.want, c.reason)
		}
	}
}

func keysOf(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// b asks why: what is typed (q too) is the reason, a paste joins it on
// one line, enter bans with it; esc drops the ban.
func TestBanTakesAReason(t *testing.T) {
	_, m := loaded(t)
	hit(m, "b")
	if m.ask == nil || m.ask.reason == nil || !strings.Contains(ansi.Strip(m.footer()), "Ban @kiki_fr on twitch? reason:") {
		t.Fatalf("b: question %+v, footer %q", m.ask, ansi.Strip(m.footer()))
	}
	for _, k := range keysOf("quit it") {
		if cmd := hit(m, k); cmd != nil {
			for _, msg := range run(cmd) {
				if msg == (tea.QuitMsg{}) {
					t.Fatal("q quit while typing a reason")
				}
			}
		}
	}
	m.Update(tea.PasteMsg{Content: " —\nspam\tlinks"})
	if f := ansi.Strip(m.footer()); !strings.Contains(f, "quit it") || !strings.Contains(f, "enter to ban, esc to cancel") {
		t.Errorf("footer while typing: %q", f)
	}
	checkFrame(t, "reason", m, 160, 48)
	msgs := run(hit(m, "enter"))
	done, ok := msgs[0].(opDoneMsg)
	if len(msgs) != 1 || !ok || done.queued == nil {
		t.Fatalf("enter: %+v", msgs)
	}
	if a := done.queued.Action; a.Kind != feeds.ActBan || a.TargetAuthor != "kiki_fr" || a.Reason != "quit it — spam links" {
		t.Errorf("queued %+v, want a ban of kiki_fr for %q", a, "quit it — spam links")
	}
	if m.mode != modeNormal || m.ask != nil {
		t.Errorf("after enter: mode %v, question %+v", m.mode, m.ask)
	}

	hit(m, "b")
	hit(m, "x")
	if cmd := hit(m, "esc"); cmd != nil || m.mode != modeNormal || m.status != "Nothing done." {
		t.Errorf("esc: cmd %v, mode %v, status %q", cmd != nil, m.mode, m.status)
	}
}

// The reason line fits the footer at every size, whatever is typed and
// wherever the cursor is: how to answer shows in full or short, the
// question is cut first.
func TestReasonPromptFits(t *testing.T) {
	_, m := loaded(t)
	hit(m, "t")
	for _, k := range tuitest.Type("spam " + strings.Join(tuitest.Corpus, " ") + " end") {
		m.Update(k)
	}
	for _, w := range []int{40, 60, 80, 160} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		checkFrame(t, "timeout reason", m, w, 24)
		if f := ansi.Strip(m.footer()); !strings.Contains(f, "esc") || !strings.Contains(f, "end") {
			t.Errorf("at %d columns the footer is %q", w, f)
		}
	}
	hit(m, "home")
	for _, w := range []int{40, 60, 80, 160} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		checkFrame(t, "timeout reason from its start", m, w, 24)
		if f := ansi.Strip(m.footer()); !strings.Contains(f, "esc") || !strings.Contains(f, "spa") {
			t.Errorf("at %d columns, the cursor at the start, the footer is %q", w, f)
		}
	}
}

// At quit, writes whose Cmd Bubble Tea dropped are given up at once (Flush
// writes what they would have) and those under way are waited for, so
// quitting does not wait out WaitWork's bound.
func TestDroppedWritesAreGivenUpAtQuit(t *testing.T) {
	_, m := loaded(t)
	work := new(sync.WaitGroup)
	m.svc.Work = work
	started, release := make(chan struct{}), make(chan struct{})
	underWay := m.persist(func() tea.Msg { close(started); <-release; return nil })
	ran := false
	dropped := m.persist(func() tea.Msg { ran = true; return nil })
	go underWay()
	<-started
	m.GiveUpDropped()
	waited := make(chan struct{})
	go func() { work.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("the wait did not wait for the write under way")
	default:
	}
	close(release)
	<-waited // the test's own timeout, not a clock, says if this hangs
	if msg := dropped(); msg != nil || ran {
		t.Errorf("a Cmd given up ran when it began late: %v", msg)
	}
}

// A reply the services refuse (the operator's role) stays in the
// composer, which says so; nothing is stuck "queuing".
func TestRefusedReplyStaysInTheComposer(t *testing.T) {
	h, m := loaded(t)
	m.svc.Dispatcher = dispatch.New(h.db, h.hub, dispatch.Options{Authorize: func(op, what string) error {
		return fmt.Errorf("%s: not allowed for this role", what)
	}})
	hit(m, "r")
	m.Update(tea.PasteMsg{Content: "on our way"})
	for _, msg := range run(hit(m, "ctrl+s")) {
		m.Update(msg)
	}
	if m.composer.Value() != "on our way" || !m.composer.Typing() {
		t.Errorf("composer %q (typing %v): the refused text must stay", m.composer.Value(), m.composer.Typing())
	}
	if !strings.Contains(m.composer.Status, "not queued") || !strings.Contains(ansi.Strip(m.screen()), "reply: not allowed for this role") {
		t.Errorf("composer status %q; screen:\n%s", m.composer.Status, ansi.Strip(m.screen()))
	}
	if m.queuing {
		t.Error("still queuing")
	}
}

// A batch of events brings the stats as they stand with it, so the stats
// pane changes in the feed's frame; a tick soon after leaves that alone.
func TestBatchRefreshesTheStatsInTheSameFrame(t *testing.T) {
	h := newHarness(t, "")
	h.hub = hub.New(hub.Options{Store: h.db, Observe: h.stats.Observe})
	ev := feeds.Event{Feed: "irc", Platform: "irc", ID: "m1", Author: "ana", Text: "salut", Time: clock}
	if err := h.hub.Add("irc", speaker{ev}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stale := h.stats.Snapshot() // before the event
	m := h.model(ctx)
	m.svc.TickEvery = time.Second
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	go h.hub.Run(ctx)

	msg := m.waitBatch(time.Time{})().(batchMsg)
	for len(hub.Items(msg.b, hub.TopicEvents)) == 0 {
		msg = m.waitBatch(time.Time{})().(batchMsg)
	}
	if msg.snap == nil {
		t.Fatal("a batch with events came without the stats")
	}
	m.Update(msg)
	if v := m.View().Content; !strings.Contains(ansi.Strip(v), "total 1") {
		t.Fatalf("the stats did not count the event in the batch's frame:\n%s", ansi.Strip(v))
	}
	m.Update(tickMsg{snap: stale, at: h.now()})
	if v := m.View().Content; !strings.Contains(ansi.Strip(v), "total 1") {
		t.Errorf("a tick right after the batch put back older stats:\n%s", ansi.Strip(v))
	}
	m.Update(tickMsg{snap: stale, at: h.now().Add(time.Second)})
	if v := m.View().Content; !strings.Contains(ansi.Strip(v), "total 0") {
		t.Errorf("a tick a second later did not refresh the stats:\n%s", ansi.Strip(v))
	}
}

// widening is a connector whose limit is known only once connected, as a
// Mastodon instance's.
type widening struct {
	idle
	max atomic.Int64
}

func (c *widening) Capabilities() feeds.Capabilities {
	caps := c.idle.Capabilities()
	caps.MaxText = int(c.max.Load())
	return caps
}

// A limit the platform says once connected reaches the composer, even one
// already open on that feed.
func TestLimitFollowsTheConnectedFeed(t *testing.T) {
	h := newHarness(t, "")
	wide := &widening{idle: idle{platform: "mastodon"}}
	wide.max.Store(500)
	if err := h.hub.Add("glitch", wide); err != nil {
		t.Fatal(err)
	}
	if err := h.db.AppendEvents([]feeds.Event{{Seq: 1, Feed: "glitch", Platform: "mastodon", ID: "g1", Kind: feeds.KindMessage,
		Author: "ana", Text: "a long question", Time: clock}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := h.model(ctx)
	m.svc.Work = new(sync.WaitGroup)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	m.Update(m.load()())
	hit(m, "r")
	if a := m.composer.Reply(); a.Feed != "glitch" || m.composer.Left() != 500 {
		t.Fatalf("composer on %q with %d left", a.Feed, m.composer.Left())
	}
	wide.max.Store(5000) // the instance answered
	m.Update(tickMsg{health: h.hub.Health(), at: clock})
	if left := m.composer.Left(); left != 5000 {
		t.Errorf("%d left after the instance said 5000", left)
	}
}
