package dispatch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// channelFeed emits its events once, then records what Do is asked.
type channelFeed struct {
	scripted
	events []feeds.Event
}

func (c *channelFeed) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{MaxText: 100, Actions: []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActBan}}
}

func (c *channelFeed) Run(ctx context.Context, s feeds.Stream) error {
	s.Connected()
	for _, ev := range c.events {
		s.Emit(ev)
	}
	<-ctx.Done()
	return ctx.Err()
}

// An action built from what the screen shows (the sanitized event, as
// tui.Model.target builds it) reaches the connector with the channel as
// the platform spelled it: a name with a control character or a bidi
// override is not the same channel once sanitized, and a clean name that
// displays alike is a third channel.
func TestActionsGoToTheChannelsExactName(t *testing.T) {
	const (
		ctrl  = "#caf\x07e"
		bidi  = "#news\u202eevil"
		plain = "#newsevil" // displays like bidi once the override is gone
	)
	c := &channelFeed{events: []feeds.Event{
		{ID: "1", Channel: ctrl, Text: "bell"},
		{ID: "2", Channel: bidi, Text: "override"},
		{ID: "3", Channel: plain, Text: "clean"},
		{ID: "4", Channel: "#ok", Text: "untouched"},
	}}
	h := hub.New(hub.Options{})
	h.Add("f", c)
	sub := h.Subscribe(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })

	var shown []feeds.Event
	guard := time.After(10 * time.Second)
	for len(shown) < len(c.events) {
		select {
		case <-sub.Ready():
			shown = append(shown, hub.Items(sub.Take(), hub.TopicEvents)...)
		case <-guard:
			t.Fatalf("got %d events, want %d", len(shown), len(c.events))
		}
	}
	if shown[1].Channel != shown[2].Channel {
		t.Fatalf("test premise: %q and %q should display alike", shown[1].Channel, shown[2].Channel)
	}
	for _, ev := range shown[:2] {
		if ev.Channel == ctrl || ev.Channel == bidi {
			t.Fatalf("the hub showed the raw channel %q", ev.Channel)
		}
	}

	box := newMemOutbox()
	d := New(box, h, Options{})
	dctx, dcancel := context.WithCancel(context.Background())
	var dwg sync.WaitGroup
	dwg.Add(1)
	go func() { defer dwg.Done(); d.Run(dctx) }()
	t.Cleanup(func() { dcancel(); dwg.Wait() })

	want := map[string]string{}
	for i, ev := range shown {
		a := feeds.Action{ID: feeds.NewActionID(time.Unix(int64(i), 0)), Feed: ev.Feed, Kind: feeds.ActReply,
			Channel: ev.Channel, Target: ev.ID, Text: "hi"}
		want[a.ID] = c.events[i].Channel
		if err := d.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued}); err != nil {
			t.Fatal(err)
		}
	}
	// A post names no event: it goes to the spelling last seen under the
	// displayed name.
	post := feeds.Action{ID: feeds.NewActionID(time.Unix(10, 0)), Feed: "f", Kind: feeds.ActPost, Channel: shown[0].Channel, Text: "hi"}
	want[post.ID] = ctrl
	if err := d.Enqueue(outbox.Outgoing{Action: post, State: outbox.StateQueued}); err != nil {
		t.Fatal(err)
	}
	for id := range want {
		if it := waitState(t, box, id, outbox.StateSent); it.Action.Channel == ctrl || it.Action.Channel == bidi {
			t.Errorf("the outbox keeps the raw channel %q: it is shown", it.Action.Channel)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.done {
		if a.Channel != want[a.ID] {
			t.Errorf("action %s (target %s) went to %q, want %q", a.ID, a.Target, a.Channel, want[a.ID])
		}
	}
}
