package demo

import (
	"math"
	"strings"
	"testing"
)

func TestFeedConfigCheck(t *testing.T) {
	c := FeedConfig{}
	if err := c.Check(); err != nil || c.Platform != "twitch" {
		t.Errorf("an empty table: %+v, %v; want twitch", c, err)
	}
	for _, bad := range []FeedConfig{{Platform: "myspace"}, {Platform: "Twitch"}, {Rate: -1}} {
		if err := bad.Check(); err == nil || !strings.HasPrefix(err.Error(), "demo: ") {
			t.Errorf("%+v: %v, want a demo: error", bad, err)
		}
	}
	if got := (FeedConfig{Platform: "irc", Rate: 3}).Config("chat", 7); got.Platform != "irc" || got.Feed != "chat" || got.Seed != 7 || got.Rate != 3 {
		t.Errorf("without a seed of its own: %+v", got)
	}
	if got := (FeedConfig{Platform: "irc", Seed: 2}).Config("chat", 7); got.Seed != 2 {
		t.Errorf("the table's seed gave way to the program's: %+v", got)
	}
}

// The launch covers every platform once, and shares the whole rate out.
func TestLaunchSharesTheRate(t *testing.T) {
	feeds := Launch(10)
	total := 0.0
	for i, c := range feeds {
		if c.Platform != Platforms()[i] || c.Check() != nil {
			t.Errorf("feed %d: %+v", i, c)
		}
		total += c.Rate
	}
	if len(feeds) != 4 || math.Abs(total-10) > 1e-9 {
		t.Errorf("%d feeds sharing %g messages a second, want 4 sharing 10", len(feeds), total)
	}
	if feeds[0].Platform != "twitch" || feeds[0].Rate <= feeds[1].Rate {
		t.Errorf("chat must lead and be busiest: %+v", feeds)
	}
}
