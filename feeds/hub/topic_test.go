package hub_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tribune/tribune/feeds/hub"
	"github.com/tribune/tribune/feeds/outbox"
)

// alert is what an alert engine outside the hub might push to sessions.
type alert struct{ Feed, What string }

// alerts is declared, as any package would, without touching the hub.
var alerts = hub.NewTopic("alerts", hub.KeepNewest[alert]())

// Another package's topic rides the same mailbox as the hub's own, bounded
// by the same backlog, with what a slow session missed counted.
func TestTopicDeclaredOutsideTheHub(t *testing.T) {
	h := hub.New(hub.Options{SubscriberBacklog: 8})
	sub := h.Subscribe(context.Background())
	for i := range 20 {
		hub.Publish(h, alerts, alert{Feed: "twitch", What: fmt.Sprint("spike ", i)})
	}
	hub.Publish(h, alerts) // nothing: no effect
	b := sub.Take()
	got := hub.Items(b, alerts)
	if len(got) > 8 || len(got)+hub.Dropped(b, alerts) != 20 {
		t.Fatalf("kept %d and dropped %d of 20 alerts, backlog 8", len(got), hub.Dropped(b, alerts))
	}
	if last, ok := hub.Last(b, alerts); !ok || last.What != "spike 19" {
		t.Errorf("last alert %+v, want the newest", last)
	}
	if n := len(hub.Items(b, hub.TopicEvents)); n != 0 {
		t.Errorf("%d events in a batch where none were published", n)
	}
	if again := sub.Take(); len(hub.Items(again, alerts)) != 0 || hub.Dropped(again, alerts) != 0 {
		t.Error("Take did not clear the alerts it returned")
	}
}

// State topics keep only the latest value, and a new subscriber starts
// from the hold last published.
func TestLatestOnlyTopics(t *testing.T) {
	h := hub.New(hub.Options{})
	sub := h.Subscribe(context.Background())
	for _, by := range []string{"alice", "bob", "carol"} {
		h.PublishHold(outbox.Hold{On: true, By: by})
	}
	b := sub.Take()
	if holds := hub.Items(b, hub.TopicHold); len(holds) != 1 || holds[0].By != "carol" {
		t.Errorf("holds %+v, want only carol's", holds)
	}
	if hl, ok := hub.Last(b, hub.TopicHealth); !ok || len(hl) != 0 {
		t.Errorf("a new subscriber's first batch carries health %v, %v; want every feed's (none)", hl, ok)
	}
	late := h.Subscribe(context.Background())
	if hold, ok := hub.Last(late.Take(), hub.TopicHold); !ok || hold.By != "carol" {
		t.Errorf("a late subscriber starts from hold %+v, %v; want carol's", hold, ok)
	}
}
