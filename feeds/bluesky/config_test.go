package bluesky

import (
	"strings"
	"testing"
)

func TestConfigChecks(t *testing.T) {
	t.Setenv("BSKY_PW", "pw")
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{}, "nothing to show"},
		{Config{Handle: "not a handle"}, "neither a handle"},
		{Config{Terms: []string{"x"}, Watch: []string{"bob"}}, `watch: "bob"`},
		{Config{Terms: []string{"x"}, Jetstream: "https://j.example/subscribe"}, "must start with wss://"},
		{Config{Terms: []string{"x"}, PDS: "ftp://pds.example"}, "pds"},
		{Config{Terms: []string{"x"}, AppPasswordEnv: "BSKY_PW"}, "handle is missing"},
		{Config{Terms: []string{"x"}, Handle: "a.b", AppPasswordEnv: "BSKY_NOPE"}, "BSKY_NOPE is not set"},
		{Config{OnlyWatched: true, Terms: []string{"x"}}, "only_watched needs"},
		{Config{Terms: []string{"x"}, Rewind: -1}, "must be positive"},
	} {
		if _, err := New("b", tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
		}
	}
	c, err := New("b", Config{Handle: "@Brand.BSKY.social", Hashtags: []string{"#Launch"}, Jetstream: "wss://j.example"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.handle != "brand.bsky.social" || c.cfg.hashtags[0] != "launch" || c.cfg.jetstream != "wss://j.example/subscribe" || !c.cfg.mentions || c.cfg.pds != DefaultPDS {
		t.Errorf("settings %+v", c.cfg)
	}
}
