package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// play sends, every 10 seconds for d, n messages of which bad are
// negative and hot name the watch-word "hot", and returns the alerts raised.
func play(e *Engine, c *clock, feed string, d time.Duration, n, bad, hot int) []Alert {
	var got []Alert
	for end := c.Now().Add(d); c.Now().Before(end); c.Advance(bucketSpan) {
		evs := make([]feeds.Event, n)
		for i := range evs {
			text := "fine words here"
			if i < bad {
				text = "bad words here"
			}
			if i >= n-hot {
				text += " hot"
			}
			evs[i] = said(feed, fmt.Sprint(c.Now().UnixNano(), i), fmt.Sprint("u", i), text, c.Now())
		}
		before := len(e.Snapshot().Pulse.Alerts)
		e.Observe(evs)
		got = append(got, e.Snapshot().Pulse.Alerts[before:]...)
	}
	return got
}

func TestNegativeSpikeAlerts(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	var called []Alert
	e.Configure(Config{Brand: []string{"lumio"}, Text: words{watch: []string{"refund", "hot"}},
		OnAlert: func(a Alert) {
			_ = e.Snapshot() // outside the lock: no deadlock
			called = append(called, a)
		}})
	if got := play(e, c, "tw", 5*time.Minute, 5, 0, 0); len(got) != 0 { // 30/min, calm
		t.Fatalf("calm traffic raised %v", got)
	}
	start := c.Now()
	got := play(e, c, "tw", 2*time.Minute, 10, 6, 0) // ×2 volume, 60% negative
	if len(got) != 1 {
		t.Fatalf("negative spike raised %d alerts, want 1: %+v", len(got), got)
	}
	a := got[0]
	if a.At.Sub(start) > time.Minute {
		t.Errorf("alert %v after the spike began, want within a minute", a.At.Sub(start))
	}
	if a.Reasons[0] != "negative" || a.Feed != "tw" || a.Platform != "twitch" || a.Negative < 0.3 {
		t.Errorf("alert %+v", a)
	}
	for _, w := range []string{"on tw (twitch)", "% negative", "top terms: here, words"} {
		if !strings.Contains(a.Text, w) {
			t.Errorf("alert text %q lacks %q", a.Text, w)
		}
	}
	if len(called) != 1 || called[0].Text != a.Text {
		t.Errorf("OnAlert got %v", called)
	}
	// Still going: the cooldown holds it back.
	if more := play(e, c, "tw", 2*time.Minute, 10, 6, 0); len(more) != 0 {
		t.Errorf("the same spike alerted again within the cooldown: %v", more)
	}
}

// A reveal is loud and happy: four times the volume with no complaint is
// not an alert; a flood beyond the volume factor is.
func TestVolumeAlone(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	play(e, c, "tw", 5*time.Minute, 5, 0, 0)
	if got := play(e, c, "tw", 2*time.Minute, 20, 1, 0); len(got) != 0 {
		t.Errorf("a happy ×4 raised %+v", got)
	}
	c.Advance(time.Hour) // back to calm, baseline decayed
	play(e, c, "tw", 10*time.Minute, 5, 0, 0)
	got := play(e, c, "tw", time.Minute, 40, 0, 0)
	if len(got) != 1 || got[0].Reasons[0] != "volume" {
		t.Errorf("×8 volume raised %+v, want one volume alert", got)
	}
}

func TestWatchWordSpike(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	play(e, c, "tw", 5*time.Minute, 5, 0, 0)
	got := play(e, c, "tw", time.Minute, 6, 0, 3)
	if len(got) != 1 || got[0].Reasons[0] != "watch" || !strings.Contains(got[0].Text, "(hot)") {
		t.Errorf("watch-word spike raised %+v", got)
	}
}

func TestNoAlertBeforeWarmup(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	play(e, c, "tw", 30*time.Second, 2, 0, 0)
	if got := play(e, c, "tw", time.Minute, 20, 15, 0); len(got) != 0 {
		t.Errorf("alerted within the warm-up: %+v", got)
	}
}

// Each feed has its own baseline: a busy feed doesn't hide a quiet one's
// spike, and a spike on one doesn't alert the other.
func TestFeedsAlertApart(t *testing.T) {
	c := newClock(t0)
	e := pulseEngine(c)
	for range 30 { // five minutes of both
		e.Observe(burstOf("busy", 40, 4, c.Now()))
		e.Observe(burstOf("quiet", 3, 0, c.Now()))
		c.Advance(bucketSpan)
	}
	var got []Alert
	for range 6 {
		before := len(e.Snapshot().Pulse.Alerts)
		e.Observe(burstOf("busy", 40, 4, c.Now()))
		e.Observe(burstOf("quiet", 8, 6, c.Now()))
		c.Advance(bucketSpan)
		e.Observe(nil)
		got = append(got, e.Snapshot().Pulse.Alerts[before:]...)
	}
	e.Observe(burstOf("quiet", 1, 0, c.Now()))
	got = e.Snapshot().Pulse.Alerts
	if len(got) != 1 || got[0].Feed != "quiet" {
		t.Errorf("alerts %+v, want one on quiet", got)
	}
}

func burstOf(feed string, n, bad int, at time.Time) []feeds.Event {
	evs := make([]feeds.Event, n)
	for i := range evs {
		text := "fine"
		if i < bad {
			text = "bad"
		}
		evs[i] = said(feed, fmt.Sprint(at.UnixNano(), i), fmt.Sprint("u", i), text, at)
	}
	return evs
}
