package stats

import (
	"fmt"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// One message stamped far ahead (a platform's clock, a webhook's own time
// field) must not freeze a feed's terms nor its questions.
func TestFutureTimestamps(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	e.Observe([]feeds.Event{said("tw", "f", "mal", "@lumio ok?", t0.Add(48*time.Hour))})
	e.Observe([]feeds.Event{said("tw", "1", "ana", "@lumio when?", t0)})
	c.Advance(2 * time.Second)
	for i := range 50 {
		e.Observe([]feeds.Event{said("tw", fmt.Sprint("r", i), "bob", "refund refund", c.Now())})
	}
	if got := e.Snapshot().Pulse.TopTerms; len(got) == 0 || got[0].Key != "refund" {
		t.Errorf("after a message stamped +48h, top terms %v", got)
	}
	c.Advance(3 * time.Hour)
	if n := e.Snapshot().Pulse.Unanswered; n != 0 {
		t.Errorf("3 h later: %d unanswered, want 0: both questions are over an hour old", n)
	}
}

// A reload that changes the watch-words keeps each word's hits with it.
func TestReconfigureKeepsWatchCountsWithTheirWords(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	e.Configure(Config{Text: words{watch: []string{"refund", "hot"}}})
	for i := range 5 {
		e.Observe([]feeds.Event{said("tw", fmt.Sprint(i), "ana", "refund now", t0)})
	}
	e.Configure(Config{Text: words{watch: []string{"recall", "refund"}}})
	got := e.Snapshot().Pulse.Watch
	if len(got) != 1 || got[0] != (Count{Key: "refund", N: 5}) {
		t.Errorf("watch after the reload: %v, want refund 5", got)
	}
}
