package demo

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// FeedConfig is a [[feed]] table of type "demo" in tribune's config file.
type FeedConfig struct {
	// Platform is the platform to simulate; default "twitch".
	Platform string `toml:"platform"`
	// Rate is messages per second in calm phases (see Config.Rate).
	Rate float64 `toml:"rate"`
	// Seed is the content seed; 0 means the seed the program was given.
	Seed int64 `toml:"seed"`
}

// launch is how the traffic of a launch shares out over the platforms
// the demo simulates, chat far busier than social posts, in the order the
// dashboard lists them.
var launch = []struct {
	platform string
	share    float64
}{{"twitch", 0.55}, {"mastodon", 0.15}, {"bluesky", 0.2}, {"irc", 0.1}}

// Platforms lists the platforms a demo feed may simulate.
func Platforms() []string {
	out := make([]string, len(launch))
	for i, l := range launch {
		out[i] = l.platform
	}
	return out
}

// Check fills in the default platform and says what is wrong with c.
func (c *FeedConfig) Check() error {
	if c.Platform == "" {
		c.Platform = "twitch"
	}
	if ps := Platforms(); !slices.Contains(ps, c.Platform) {
		return fmt.Errorf("demo: platform %q is not one of %s", c.Platform, strings.Join(ps, ", "))
	}
	if c.Rate < 0 {
		return errors.New("demo: rate must not be negative")
	}
	return nil
}

// Config is the config of the connector for feed id; seed stands in when
// the table sets none.
func (c FeedConfig) Config(id string, seed int64) Config {
	return Config{Platform: c.Platform, Feed: id, Seed: cmp.Or(c.Seed, seed), Rate: c.Rate}
}

// Launch is what runs when no feed is configured: one simulated launch
// covered on every platform, with rate, the messages per second over all
// of them, shared out as real traffic would be. Each feed is named after
// its platform.
func Launch(rate float64) []FeedConfig {
	out := make([]FeedConfig, len(launch))
	for i, l := range launch {
		out[i] = FeedConfig{Platform: l.platform, Rate: rate * l.share}
	}
	return out
}
