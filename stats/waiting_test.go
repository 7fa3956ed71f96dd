package stats

import (
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func TestWaiting(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	e.Observe([]feeds.Event{
		said("tw", "1", "ana", "@lumio when does it ship?", t0),
		said("tw", "2", "bob", "@lumio love it", t0), // waits, but asks nothing
		said("tw", "3", "cy", "when does it ship?", t0),
	})
	for id, want := range map[string]bool{"1": true, "2": false, "3": false, "nope": false} {
		if got := e.Waiting("tw", id); got != want {
			t.Errorf("Waiting(tw, %s) = %v, want %v", id, got, want)
		}
	}
	if e.Waiting("other", "1") {
		t.Error("Waiting on another feed")
	}
	c.Advance(time.Second)
	e.Observe([]feeds.Event{brandReply("tw", "b1", "1", t0.Add(time.Second))})
	if e.Waiting("tw", "1") {
		t.Error("still waiting once answered")
	}
}
