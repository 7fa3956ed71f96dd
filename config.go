package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the TOML file. Secrets are never written in it: a feed names
// the environment variable or file that holds them.
type Config struct {
	Theme    string       `toml:"theme"`
	Operator string       `toml:"operator"`
	DB       string       `toml:"db"`
	Feeds    []FeedConfig `toml:"feed"`
}

// FeedConfig is one [[feed]] table.
type FeedConfig struct {
	ID       string  `toml:"id"`
	Type     string  `toml:"type"`
	Platform string  `toml:"platform"` // demo: which platform to simulate
	Rate     float64 `toml:"rate"`     // demo: messages per second
	Seed     int64   `toml:"seed"`     // demo: content seed
}

// defaultConfigPath is $XDG_CONFIG_HOME/tribune/config.toml.
func defaultConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tribune", "config.toml"), nil
}

// defaultDBPath is $XDG_DATA_HOME/tribune/tribune.db, else
// ~/.local/share/tribune/tribune.db.
func defaultDBPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "tribune", "tribune.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding a place for the database (set --db or XDG_DATA_HOME): %w", err)
	}
	return filepath.Join(home, ".local", "share", "tribune", "tribune.db"), nil
}

// loadConfig reads path. An explicit path must exist; the default path may
// be missing, which means "no config": the demo runs.
func loadConfig(path string, explicit bool) (Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return Config{}, nil
	case err != nil:
		return Config{}, fmt.Errorf("reading config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return Config{}, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	return c, c.validate(path)
}

var demoPlatforms = []string{"twitch", "mastodon", "bluesky", "irc"}

func (c Config) validate(path string) error {
	seen := make(map[string]bool)
	for i, f := range c.Feeds {
		where := fmt.Sprintf("config %s: feed %d", path, i+1)
		if f.ID == "" {
			return fmt.Errorf("%s: id is missing", where)
		}
		if seen[f.ID] {
			return fmt.Errorf("%s: id %q is used twice", where, f.ID)
		}
		seen[f.ID] = true
		switch f.Type {
		case "demo":
			if f.Platform != "" && !slices.Contains(demoPlatforms, f.Platform) {
				return fmt.Errorf("%s (%s): demo platform %q is not one of %s", where, f.ID, f.Platform, strings.Join(demoPlatforms, ", "))
			}
			if f.Rate < 0 {
				return fmt.Errorf("%s (%s): rate must not be negative", where, f.ID)
			}
		case "":
			return fmt.Errorf("%s (%s): type is missing (known types: demo)", where, f.ID)
		default:
			return fmt.Errorf("%s (%s): unknown type %q (known types: demo)", where, f.ID, f.Type)
		}
	}
	return nil
}

// demoFeeds is what runs with no feeds configured: one simulated launch
// covered on four platforms, the total rate shared out as real traffic
// would be (chat far busier than social posts).
func demoFeeds(rate float64, seed int64) []FeedConfig {
	share := map[string]float64{"twitch": 0.55, "mastodon": 0.15, "bluesky": 0.2, "irc": 0.1}
	out := make([]FeedConfig, 0, len(demoPlatforms))
	for _, p := range demoPlatforms {
		out = append(out, FeedConfig{ID: p, Type: "demo", Platform: p, Rate: rate * share[p], Seed: seed})
	}
	return out
}
