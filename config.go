package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/tribune/tribune/canned"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/bluesky"
	"github.com/tribune/tribune/feeds/demo"
	"github.com/tribune/tribune/feeds/irc"
	"github.com/tribune/tribune/feeds/mastodon"
	"github.com/tribune/tribune/feeds/sse"
	"github.com/tribune/tribune/feeds/webhook"
	"github.com/tribune/tribune/feeds/wsfeed"
	"github.com/tribune/tribune/stats"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

// Config is the TOML file. Secrets are never written in it: a feed names
// the environment variable or file that holds them.
type Config struct {
	Theme    string
	Operator string
	DB       string
	// Retention for every feed that does not set its own.
	Keep  store.Retention
	Feeds []FeedConfig
	Pulse PulseConfig
	Serve ServeConfig
	// Canned are the ready-made replies, in the file's order.
	Canned []*canned.Template

	Cluster ClusterConfig // the [cluster] table: clustercmd.go
}

// cannedFile is one [[canned]] table.
type cannedFile struct {
	Name string `toml:"name"`
	Text string `toml:"text"`
}

// maxCanned bounds the [[canned]] tables: a picker, not a database.
const maxCanned = 200

// cannedTemplates checks and parses the [[canned]] tables.
func cannedTemplates(list []cannedFile) ([]*canned.Template, error) {
	if len(list) > maxCanned {
		return nil, fmt.Errorf("canned: %d replies; at most %d", len(list), maxCanned)
	}
	var out []*canned.Template
	seen := make(map[string]bool)
	for i, c := range list {
		where := fmt.Sprintf("canned %d", i+1)
		if c.Name != "" {
			where += fmt.Sprintf(" (%q)", c.Name)
		}
		name := strings.TrimSpace(c.Name)
		switch {
		case name == "":
			return nil, fmt.Errorf("%s: name is missing (the picker lists replies by name)", where)
		case seen[strings.ToLower(name)]:
			return nil, fmt.Errorf("%s: the name is used twice", where)
		case strings.TrimSpace(c.Text) == "":
			return nil, fmt.Errorf("%s: text is missing", where)
		case strings.ContainsFunc(name, unicode.IsControl) ||
			strings.ContainsFunc(c.Text, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }):
			return nil, fmt.Errorf("%s: holds control characters", where)
		}
		seen[strings.ToLower(name)] = true
		t, err := canned.Parse(name, c.Text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// PulseConfig is the [pulse] table: what the stats watch for.
type PulseConfig struct {
	// Brand lists the brand's own accounts ("@lumio"): mentions of them
	// are always highlighted, and questions to them wait for an answer.
	Brand []string `toml:"brand"`
	// Watch lists the watch-words and phrases.
	Watch []string `toml:"watch"`
	// Bell rings the terminal bell on an alert and a watch-word (at most
	// once every 30 seconds).
	Bell   bool       `toml:"bell"`
	Alerts alertsFile `toml:"alerts"`
	// Statements are the holding statements crisis mode offers, 1 to 9.
	Statements []string `toml:"statements"`
}

// alertsFile is the [pulse.alerts] table; durations are strings ("90s").
type alertsFile struct {
	Window        string  `toml:"window"`
	HalfLife      string  `toml:"half_life"`
	Warmup        string  `toml:"warmup"`
	Cooldown      string  `toml:"cooldown"`
	Volume        float64 `toml:"volume"`
	Negative      float64 `toml:"negative"`
	Watch         float64 `toml:"watch"`
	NegativeShare float64 `toml:"negative_share"`
	MinMessages   int     `toml:"min_messages"`
	MinHits       int     `toml:"min_hits"`
}

// rules reads the thresholds; zero values keep the engine's defaults.
func (a alertsFile) rules() (stats.AlertRules, error) {
	r := stats.AlertRules{Volume: a.Volume, Negative: a.Negative, Watch: a.Watch,
		NegativeShare: a.NegativeShare, MinMessages: a.MinMessages, MinHits: a.MinHits}
	for _, d := range []struct {
		key string
		s   string
		to  *time.Duration
	}{{"window", a.Window, &r.Window}, {"half_life", a.HalfLife, &r.HalfLife},
		{"warmup", a.Warmup, &r.Warmup}, {"cooldown", a.Cooldown, &r.Cooldown}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil || v <= 0 {
			return r, fmt.Errorf("pulse.alerts.%s: %q is not a duration like \"90s\" or \"5m\"", d.key, d.s)
		}
		*d.to = v
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"volume", a.Volume}, {"negative", a.Negative}, {"watch", a.Watch}, {"negative_share", a.NegativeShare}} {
		if f.v < 0 || (f.key == "negative_share" && f.v > 1) {
			return r, fmt.Errorf("pulse.alerts.%s: %v is out of range", f.key, f.v)
		}
	}
	if a.MinMessages < 0 || a.MinHits < 0 {
		return r, errors.New("pulse.alerts: min_messages and min_hits can't be negative")
	}
	return r, nil
}

// matcher compiles the brand's handles (as @handle) and the watch-words
// into one matcher; the brand's come first.
func (p PulseConfig) matcher() (*watch.Matcher, error) {
	list := make([]string, 0, len(p.Brand)+len(p.Watch))
	for _, b := range p.Brand {
		list = append(list, "@"+strings.TrimPrefix(strings.TrimSpace(b), "@"))
	}
	m, err := watch.Compile(append(list, p.Watch...))
	if err != nil {
		return nil, fmt.Errorf("pulse: %w", err)
	}
	return m, nil
}

// demoPulse is what the pulse watches for in the demo: the brand's
// account and the words of its crisis.
var demoPulse = PulseConfig{
	Brand: []string{"@lumio"},
	Watch: []string{"remboursement", "refund", "brûlant", "surchauffe", "overheating", "#HaloGate", "arnaque", "scam"},
	Bell:  true,
	Statements: []string{
		"We've seen the reports about Halo cases getting hot while charging and we're investigating right now. Please unplug the case if it feels hot; we'll post an update here within the hour.",
		"Nous avons vu les signalements de boîtiers Halo qui chauffent pendant la charge et nous enquêtons. Débranchez le boîtier s'il chauffe ; nous publions un point ici dans l'heure.",
		"Update: firmware 1.2 fixes the charging issue; it installs from the Lumio app. Anyone affected can ask for a replacement or a refund: lumio.example/halo-support",
	},
}

// FeedConfig is one [[feed]] table: the keys every feed has, and the
// connector its type builds from the rest of the table.
type FeedConfig struct {
	ID        string
	Type      string
	SendLimit *feeds.Limit // nil: the platform's published limit
	Keep      store.Retention
	// build makes the connector; o supplies flag defaults (the demo seed).
	build func(o options) (feeds.Connector, error)
}

// fileConfig is the file as decoded; [[feed]] tables are decoded twice,
// once for the common keys and once for their type's.
type fileConfig struct {
	Theme     string           `toml:"theme"`
	Operator  string           `toml:"operator"`
	DB        string           `toml:"db"`
	KeepFor   string           `toml:"keep_for"`
	KeepCount int              `toml:"keep_count"`
	Feeds     []toml.Primitive `toml:"feed"`
	Pulse     PulseConfig      `toml:"pulse"`
	Serve     ServeConfig      `toml:"serve"`
	Canned    []cannedFile     `toml:"canned"`
	Cluster   ClusterConfig    `toml:"cluster"`
}

// feedCommon holds the keys main reads in every [[feed]] table.
type feedCommon struct {
	ID        string `toml:"id"`
	Type      string `toml:"type"`
	SendLimit string `toml:"send_limit"`
	KeepFor   string `toml:"keep_for"`
	KeepCount int    `toml:"keep_count"`
}

// feedType decodes the type-specific keys of one [[feed]] table and
// returns the builder of its connector.
type feedType func(md toml.MetaData, p toml.Primitive, id string) (func(options) (feeds.Connector, error), error)

// feedTypes maps a [[feed]] type to its decoder.
var feedTypes = map[string]feedType{
	"bluesky":   decodeWith(bluesky.New),
	"demo":      decodeDemo,
	"irc":       decodeWith(irc.New),
	"mastodon":  decodeWith(mastodon.New),
	"websocket": decodeWith(wsfeed.New),
	"sse":       decodeWith(sse.New),
	"webhook":   decodeWith(webhook.New),
}

// decodeWith is the decoder of a connector package that exports a Config
// of its [[feed]] keys and a New that validates it and reads its secrets.
// New runs when the feeds are built, after the whole file has decoded, so
// a misspelt key is reported as such rather than as the key it missed; main
// builds them before the screen opens.
func decodeWith[C any, K feeds.Connector](newConn func(id string, c C) (K, error)) feedType {
	return func(md toml.MetaData, p toml.Primitive, id string) (func(options) (feeds.Connector, error), error) {
		var c C
		if err := md.PrimitiveDecode(p, &c); err != nil {
			return nil, err
		}
		return func(options) (feeds.Connector, error) { return newConn(id, c) }, nil
	}
}

func typeNames() string {
	names := make([]string, 0, len(feedTypes))
	for n := range feedTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func decodeDemo(md toml.MetaData, p toml.Primitive, id string) (func(options) (feeds.Connector, error), error) {
	var c demo.FeedConfig
	if err := md.PrimitiveDecode(p, &c); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return buildDemo(id, c), nil
}

// buildDemo builds the demo connector of feed id, seeded by --seed unless
// its table sets a seed.
func buildDemo(id string, c demo.FeedConfig) func(options) (feeds.Connector, error) {
	return func(o options) (feeds.Connector, error) { return demo.New(c.Config(id, o.seed)) }
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
	var fc fileConfig
	md, err := toml.DecodeFile(path, &fc)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return Config{}, nil
	case err != nil:
		return Config{}, fmt.Errorf("reading config %s: %w", path, err)
	}
	if err := checkSecretNamer(path, md); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	c, err := fc.resolve(md)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	// Only now, after every feed's type has decoded its keys, does
	// Undecoded name the keys nobody knows.
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return Config{}, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// checkSecretNamer refuses a config that names where secrets are (a key
// ending in _env or _file) and that others than its owner may write: they
// could point a feed's secret at their own server, or a secret_file at a
// file of ours. (Read access is harmless: the file holds names, never the
// secrets.)
func checkSecretNamer(path string, md toml.MetaData) error {
	names := ""
	for _, k := range md.Keys() {
		last := k[len(k)-1]
		if strings.HasSuffix(last, "_env") || strings.HasSuffix(last, "_file") {
			names = last
			break
		}
	}
	if names == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("names secrets (%s) but others than its owner may change it (mode %04o): run chmod go-w %s", names, perm, path)
	}
	return nil
}

func (fc fileConfig) resolve(md toml.MetaData) (Config, error) {
	c := Config{Theme: fc.Theme, Operator: fc.Operator, DB: fc.DB, Pulse: fc.Pulse, Serve: fc.Serve, Cluster: fc.Cluster}
	var err error
	if _, err = fc.Pulse.Alerts.rules(); err != nil {
		return Config{}, err
	}
	if len(fc.Pulse.Statements) > 9 {
		return Config{}, fmt.Errorf("pulse: %d statements; crisis mode offers 1 to 9", len(fc.Pulse.Statements))
	}
	for _, st := range fc.Pulse.Statements {
		if strings.TrimSpace(st) == "" {
			return Config{}, errors.New("pulse: a holding statement is empty")
		}
	}
	for _, w := range append(slices.Clone(fc.Pulse.Watch), fc.Pulse.Brand...) {
		if strings.TrimSpace(w) == "" || strings.ContainsFunc(w, unicode.IsControl) {
			return Config{}, fmt.Errorf("pulse: watch-word or brand %q is empty or holds control characters", w)
		}
	}
	if _, err := fc.Pulse.matcher(); err != nil {
		return Config{}, err
	}
	if c.Keep, err = retention(fc.KeepFor, fc.KeepCount); err != nil {
		return Config{}, err
	}
	if c.Canned, err = cannedTemplates(fc.Canned); err != nil {
		return Config{}, err
	}
	seen := make(map[string]bool)
	for i, p := range fc.Feeds {
		var com feedCommon
		if err := md.PrimitiveDecode(p, &com); err != nil {
			return Config{}, fmt.Errorf("feed %d: %w", i+1, err)
		}
		where := fmt.Sprintf("feed %d", i+1)
		if com.ID != "" {
			where += " (" + com.ID + ")"
		}
		f, err := com.resolve(md, p, seen)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", where, err)
		}
		c.Feeds = append(c.Feeds, f)
	}
	return c, nil
}

// feedID is what an id may be: it names buckets, log lines and the feed
// column, so it stays short and plain.
var feedID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

func (com feedCommon) resolve(md toml.MetaData, p toml.Primitive, seen map[string]bool) (FeedConfig, error) {
	f := FeedConfig{ID: com.ID, Type: com.Type}
	switch {
	case com.ID == "":
		return f, errors.New("id is missing")
	case !feedID.MatchString(com.ID):
		return f, fmt.Errorf("id %q must be 1 to 40 letters, digits, '.', '_' or '-'", com.ID)
	case seen[com.ID]:
		return f, fmt.Errorf("id %q is used twice", com.ID)
	case com.Type == "":
		return f, fmt.Errorf("type is missing (known types: %s)", typeNames())
	}
	seen[com.ID] = true
	decode, ok := feedTypes[com.Type]
	if !ok {
		return f, fmt.Errorf("unknown type %q (known types: %s)", com.Type, typeNames())
	}
	if com.SendLimit != "" {
		l, err := parseLimit(com.SendLimit)
		if err != nil {
			return f, err
		}
		f.SendLimit = &l
	}
	var err error
	if f.Keep, err = retention(com.KeepFor, com.KeepCount); err != nil {
		return f, err
	}
	if f.build, err = decode(md, p, com.ID); err != nil {
		return f, err
	}
	return f, nil
}

// parseLimit reads a send_limit: "20/30s" is at most 20 actions in any 30
// seconds; "0" or "none" turns pacing off.
func parseLimit(s string) (feeds.Limit, error) {
	if s == "0" || s == "none" {
		return feeds.Limit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || count <= 0 {
		return feeds.Limit{}, fmt.Errorf("send_limit %q: want COUNT/DURATION, as \"20/30s\", or \"none\"", s)
	}
	d, err := time.ParseDuration(strings.TrimSpace(per))
	if err != nil || d <= 0 {
		return feeds.Limit{}, fmt.Errorf("send_limit %q: %q is not a positive duration (\"30s\", \"1m\")", s, per)
	}
	return feeds.Limit{Count: count, Per: d}, nil
}

// retention reads keep_for (a duration, with "d" for days) and keep_count.
func retention(keepFor string, keepCount int) (store.Retention, error) {
	var r store.Retention
	if keepCount < 0 {
		return r, fmt.Errorf("keep_count must not be negative, not %d", keepCount)
	}
	r.Count = keepCount
	if keepFor == "" {
		return r, nil
	}
	d, err := parseDays(keepFor)
	if err != nil || d <= 0 {
		return r, fmt.Errorf("keep_for %q is not a positive duration (\"72h\", \"30d\")", keepFor)
	}
	r.MaxAge = d
	return r, nil
}

// parseDays is time.ParseDuration that also reads a whole number of days.
func parseDays(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// demoFeeds is what runs with no feeds configured: the demo's launch, on
// every platform it simulates.
func demoFeeds(rate float64) []FeedConfig {
	var out []FeedConfig
	for _, c := range demo.Launch(rate) {
		out = append(out, FeedConfig{ID: c.Platform, Type: "demo", build: buildDemo(c.Platform, c)})
	}
	return out
}
