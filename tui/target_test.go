package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tribune/tribune/feeds"
)

// flood is a connector that, once started, speaks n messages, one every
// tick, as a busy chat would.
type flood struct {
	n     int
	every time.Duration
	start chan struct{}
}

func (c flood) Platform() string { return "twitch" }
func (c flood) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 500, Actions: []feeds.ActionKind{feeds.ActReply}}
}
func (c flood) Do(context.Context, feeds.Action) error { return nil }
func (c flood) Run(ctx context.Context, s feeds.Stream) error {
	select {
	case <-c.start:
	case <-ctx.Done():
		return ctx.Err()
	}
	tk := time.NewTicker(c.every)
	defer tk.Stop()
	for i := 1; i <= c.n; i++ {
		select {
		case <-tk.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.Emit(feeds.Event{Feed: "crowd", Platform: "twitch", ID: fmt.Sprint("f", i), Author: fmt.Sprint("fan", i),
			Text: fmt.Sprint("flood message ", i), Time: clock})
	}
	<-ctx.Done()
	return ctx.Err()
}

// The operator reads a message while the feed follows a flood of 500
// messages at 200 a second, then answers it: the reply goes to that
// message, not to whatever arrived last.
func TestReplyGoesToTheMessageChosenDuringAFlood(t *testing.T) {
	h := newHarness(t, "")
	h.seed(t)
	go0 := make(chan struct{})
	if err := h.hub.Add("crowd", flood{n: 500, every: 5 * time.Millisecond, start: go0}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.hub.Run(ctx)
	tm := start(t, h.model(ctx), 160, 48)
	waitFor(t, tm, "je précommande", "5 feeds live · following") // kiki_fr's message, the newest, is selected
	close(go0)
	waitFor(t, tm, "flood message 500", "selection ↑")
	tm.Send(press("r"))
	waitFor(t, tm, "@kiki_fr on twitch: trop bien")
	typeText(tm, "merci !")
	tm.Send(press("ctrl+s"))
	waitFor(t, tm, "queued reply to @kiki_fr")
	finalView(t, tm)
	WaitWork(h.work, 5*time.Second)
	pending, err := h.db.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Action.Target != "t6" || pending[0].Action.TargetAuthor != "kiki_fr" {
		t.Fatalf("outbox %+v, want one reply to t6 by kiki_fr", pending)
	}
}

// While the composer is open the answered message stays marked in the
// feed, and its author, platform and text stay in the composer.
func TestAnsweredMessageStaysMarked(t *testing.T) {
	_, m := loaded(t)
	hit(m, "k")
	hit(m, "k") // nightowl's message on twitch
	hit(m, "r")
	v := ansi.Strip(m.screen())
	if !strings.Contains(v, "↳ @nightowl on twitch: PogChamp") {
		t.Errorf("the composer lacks the answered message:\n%s", v)
	}
	hit(m, "tab")
	hit(m, "tab") // back on the feed, the composer still open
	hit(m, "G")
	marked := 0
	v = ansi.Strip(m.screen())
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "┃↳") || strings.HasPrefix(l, "│↳") { // the feed is the left pane
			marked++
			if !strings.Contains(l, "nightowl") {
				t.Errorf("the marked row is not nightowl's: %q", l)
			}
		}
	}
	if marked != 1 {
		t.Errorf("%d rows marked, want nightowl's:\n%s", marked, v)
	}
}
