package stats

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/stats/watch"
)

// demoWatch is what the dashboard watches for in the demo (main's
// demoPulse): the brand's handle first, then the watch-words.
var demoWatch = []string{"@lumio", "remboursement", "refund", "brûlant", "surchauffe", "overheating", "#HaloGate", "arnaque", "scam"}

// playDemo plays the demo's launch on its four platforms, as the dashboard
// runs it at rate messages a second, up to end, and returns the alerts
// raised with the scenario time of each.
func playDemo(t *testing.T, seed int64, rate float64, end time.Duration) []Alert {
	t.Helper()
	type timed struct {
		at time.Duration
		ev feeds.Event
	}
	var all []timed
	for _, fc := range demo.Launch(rate) {
		s, err := demo.NewScenario(fc.Platform, seed, fc.Rate)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			at, ev := s.Next()
			if at > end {
				break
			}
			ev.Feed, ev.ID = fc.Platform, fmt.Sprint(fc.Platform, i)
			all = append(all, timed{at, ev})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at < all[j].at })

	start := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	c := newClock(start)
	e := New(c.Now)
	e.Configure(Config{Brand: []string{"@lumio"}, Text: NewLexicon(watch.MustCompile(demoWatch), 1)})
	// Batches of 100 ms, as the hub hands them over.
	for i := 0; i < len(all); {
		step := all[i].at.Truncate(100 * time.Millisecond)
		var batch []feeds.Event
		for ; i < len(all) && all[i].at.Truncate(100*time.Millisecond) == step; i++ {
			ev := all[i].ev
			ev.Time = start.Add(all[i].at)
			batch = append(batch, ev)
		}
		c.Set(start.Add(step))
		e.Observe(batch)
	}
	alerts := e.Snapshot().Pulse.Alerts
	for _, a := range alerts {
		t.Logf("%s after start: %s", a.At.Sub(start), a.Text)
	}
	return alerts
}

// The demo's crisis starts at 2:55. The pulse must raise an alert within
// its first minute, and none during the calm, the reveal (four times the
// volume, but happy) or the price before it.
func TestDemoCrisisAlerts(t *testing.T) {
	const crisis = 2*time.Minute + 55*time.Second
	start := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	for _, run := range []struct {
		seed int64
		rate float64
	}{{1, 5}, {7, 5}, {42, 5}, {3, 2}, {9, 20}} {
		t.Run(fmt.Sprintf("seed %d rate %v", run.seed, run.rate), func(t *testing.T) {
			alerts := playDemo(t, run.seed, run.rate, crisis+time.Minute)
			first := time.Duration(-1)
			for _, a := range alerts {
				at := a.At.Sub(start)
				if at < crisis {
					t.Errorf("alert at %s, before the crisis: %s", at, a.Text)
				} else if first < 0 {
					first = at
				}
			}
			if first < 0 {
				t.Fatalf("no alert in the crisis's first minute")
			}
		})
	}
}
