package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/canned"
	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigReadsCommonAndTypeKeys(t *testing.T) {
	path := writeConfig(t, `
theme = "light"
keep_for = "30d"
keep_count = 50000

[[feed]]
id = "launch-chat"
type = "demo"
platform = "irc"
rate = 3
send_limit = "20/30s"
keep_count = 1000

[[feed]]
id = "social"
type = "demo"
platform = "mastodon"
keep_for = "72h"
`)
	c, err := loadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Theme != "light" || c.Keep != (store.Retention{Count: 50000, MaxAge: 30 * 24 * time.Hour}) {
		t.Errorf("top level = %+v", c)
	}
	if len(c.Feeds) != 2 {
		t.Fatalf("feeds = %+v", c.Feeds)
	}
	chat, social := c.Feeds[0], c.Feeds[1]
	if chat.SendLimit == nil || *chat.SendLimit != (feeds.Limit{Count: 20, Per: 30 * time.Second}) || chat.Keep.Count != 1000 {
		t.Errorf("chat = %+v", chat)
	}
	if social.SendLimit != nil || social.Keep.MaxAge != 72*time.Hour {
		t.Errorf("social = %+v", social)
	}
	conn, err := chat.build(options{seed: 7})
	if err != nil || conn.Platform() != "irc" {
		t.Errorf("built %v, %v; want the irc demo", conn, err)
	}
	opts := storeOptions(c)
	if opts.Retention != 50000 || opts.Feeds["launch-chat"].Count != 1000 || opts.Feeds["social"].MaxAge != 72*time.Hour {
		t.Errorf("store options = %+v", opts)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"[[feed]]\ntype = \"demo\"\n", "feed 1: id is missing"},
		{"[[feed]]\nid = \"a b\"\ntype = \"demo\"\n", `id "a b" must be`},
		{"[[feed]]\nid = \"a\"\n", "feed 1 (a): type is missing"},
		{"[[feed]]\nid = \"a\"\ntype = \"gopher\"\n", `unknown type "gopher" (known types: bluesky, demo, irc, mastodon, sse, webhook, websocket)`},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\n[[feed]]\nid = \"a\"\ntype = \"demo\"\n", `feed 2 (a): id "a" is used twice`},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\nplatform = \"myspace\"\n", `demo: platform "myspace"`},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\nsend_limit = \"fast\"\n", `send_limit "fast"`},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\nsend_limit = \"20/soon\"\n", `"soon" is not a positive duration`},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\nkeep_for = \"forever\"\n", `keep_for "forever"`},
		{"keep_count = -1\n", "keep_count must not be negative"},
		{"[[feed]]\nid = \"a\"\ntype = \"demo\"\nchanels = [\"#x\"]\n", "unknown keys: feed.chanels"},
		{"themes = \"dark\"\n", "unknown keys: themes"},
		// A misspelt key is named, not the key it missed.
		{"[[feed]]\nid = \"a\"\ntype = \"irc\"\nserver = \"127.0.0.1:6667\"\nnick = \"x\"\nchanels = [\"#x\"]\n", "unknown keys: feed.chanels"},
		{"[[feed]]\nid = \"a\"\ntype = \"irc\"\nchannels = 3\n", "feed 1 (a):"},
	} {
		_, err := loadConfig(writeConfig(t, tc.text), true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want it to say %q", tc.text, err, tc.want)
		}
	}
}

// A connector's own validation runs when main builds the feeds, before the
// screen opens, and says which feed and key.
func TestConfigBuildsConnectors(t *testing.T) {
	c, err := loadConfig(writeConfig(t, `
[[feed]]
id = "libera"
type = "irc"
server = "127.0.0.1:6667"
transport = "tcp"
nick = "lumio-cm"
channels = ["#lumio"]
send_limit = "5/10s"
`), true)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.Feeds[0].build(options{})
	if err != nil || conn.Platform() != "irc" {
		t.Fatalf("built %v, %v", conn, err)
	}
	if *c.Feeds[0].SendLimit != (feeds.Limit{Count: 5, Per: 10 * time.Second}) {
		t.Errorf("send_limit = %v", c.Feeds[0].SendLimit)
	}
	c, err = loadConfig(writeConfig(t, "[[feed]]\nid = \"x\"\ntype = \"irc\"\nnick = \"a\"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Feeds[0].build(options{}); err == nil || !strings.Contains(err.Error(), "server is missing") {
		t.Errorf("an irc feed without a server: %v", err)
	}
}

func TestConfigBuildsMastodon(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_MASTODON_TOKEN", "tok")
	c, err := loadConfig(writeConfig(t, `
[[feed]]
id = "fedi"
type = "mastodon"
instance = "https://social.example"
token_env = "TRIBUNE_TEST_MASTODON_TOKEN"
streams = ["hashtag:lumio", "user"]
backfill = 100
idle_timeout = "90s"
`), true)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.Feeds[0].build(options{})
	if err != nil || conn.Platform() != "mastodon" || !conn.Capabilities().Idempotent {
		t.Fatalf("built %v, %v", conn, err)
	}
	for _, tc := range []struct{ text, want string }{
		{"[[feed]]\nid = \"m\"\ntype = \"mastodon\"\ninstance = \"https://social.example\"\ntoken_env = \"TRIBUNE_TEST_MASTODON_TOKEN\"\n", "streams is missing"},
		{"[[feed]]\nid = \"m\"\ntype = \"mastodon\"\ninstance = \"https://social.example\"\nstreams = [\"user\"]\n", "token_env"},
		{"[[feed]]\nid = \"m\"\ntype = \"mastodon\"\ninstance = \"https://social.example\"\ntoken = \"x\"\n", "unknown keys: feed.token"},
	} {
		c, err := loadConfig(writeConfig(t, tc.text), true)
		if err == nil {
			_, err = c.Feeds[0].build(options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want it to say %q", tc.text, err, tc.want)
		}
	}
}

func TestConfigMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if c, err := loadConfig(missing, false); err != nil || len(c.Feeds) != 0 {
		t.Errorf("missing default config: %+v, %v; want the demo", c, err)
	}
	if _, err := loadConfig(missing, true); err == nil {
		t.Error("a missing --config file was accepted")
	}
}

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]feeds.Limit{
		"20/30s": {Count: 20, Per: 30 * time.Second},
		"100/1m": {Count: 100, Per: time.Minute},
		"none":   {},
		"0":      {},
	} {
		if got, err := parseLimit(in); err != nil || got != want {
			t.Errorf("parseLimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "20", "/30s", "-1/30s", "20/0s", "20/-5s", "x/30s"} {
		if _, err := parseLimit(bad); err == nil {
			t.Errorf("parseLimit(%q) accepted", bad)
		}
	}
}

// The audit command prints the log as JSON lines, --since filters it, and
// db check / db compact work on the same file.
func TestAuditAndDBCommands(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "tribune.db")
	now := time.Now()
	// The store's clock: audit entries are stamped with it, and the
	// store's background pruner reads it too.
	var mu sync.Mutex
	var at time.Time
	db, err := store.Open(dbFile, store.Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return at }})
	if err != nil {
		t.Fatal(err)
	}
	for i, when := range []time.Time{now.Add(-3 * time.Hour), now.Add(-time.Minute)} {
		mu.Lock()
		at = when
		mu.Unlock()
		a := feeds.Action{ID: feeds.NewActionID(at), Feed: "twitch", Kind: feeds.ActReply, Text: []string{"old", "new"}[i],
			Operator: "alice", Created: at}
		if err := db.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued, Updated: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "")
	runOK := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(append([]string{"--config", cfg, "--db", dbFile}, args...), &out, &errb); err != nil {
			t.Fatalf("tribune %v: %v (%s)", args, err, errb.String())
		}
		return out.String()
	}
	lines := strings.Split(strings.TrimSpace(runOK("audit")), "\n")
	if len(lines) != 2 {
		t.Fatalf("audit printed %q", lines)
	}
	var e outbox.AuditEntry
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.What != "queued" || e.By != "alice" || e.Text != "old" {
		t.Errorf("first line %s decodes to %+v, %v", lines[0], e, err)
	}
	if got := strings.TrimSpace(runOK("audit", "--since", "1h")); !strings.Contains(got, `"text":"new"`) || strings.Contains(got, `"text":"old"`) {
		t.Errorf("audit --since 1h = %s", got)
	}
	if got := runOK("db", "check"); !strings.Contains(got, "ok") {
		t.Errorf("db check = %q", got)
	}
	if got := runOK("db", "compact"); !strings.Contains(got, "compacted") {
		t.Errorf("db compact = %q", got)
	}
	var errb bytes.Buffer
	err = run([]string{"--config", cfg, "--db", filepath.Join(dir, "missing.db"), "audit"}, &bytes.Buffer{}, &errb)
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Errorf("audit of a missing database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Error("audit created a database")
	}
	if err := run([]string{"--config", cfg, "--db", dbFile, "audit", "--since", "yesterday"}, &bytes.Buffer{}, &errb); exitCode(err) != 2 {
		t.Errorf("a bad --since: %v (exit %d), want a usage error", err, exitCode(err))
	}
}

func TestConfigReadsThePulse(t *testing.T) {
	c, err := loadConfig(writeConfig(t, `
[pulse]
brand = ["@lumio", "lumio_fr"]
watch = ["remboursement", "ne marche pas"]
bell = true
[pulse.alerts]
window = "90s"
volume = 6
negative_share = 0.4
`), true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Pulse.Alerts.rules()
	if err != nil || r.Window != 90*time.Second || r.Volume != 6 || r.NegativeShare != 0.4 {
		t.Errorf("rules %+v, %v", r, err)
	}
	if len(c.Pulse.Brand) != 2 || c.Pulse.Watch[1] != "ne marche pas" || !c.Pulse.Bell {
		t.Errorf("pulse %+v", c.Pulse)
	}
	for text, want := range map[string]string{
		"[pulse.alerts]\nwindow = \"soon\"":         `pulse.alerts.window: "soon" is not a duration`,
		"[pulse.alerts]\nnegative_share = 2":        "pulse.alerts.negative_share: 2 is out of range",
		"[pulse]\nwatch = [\"ok\", \"\\u001b[2J\"]": "holds control characters",
		"[pulse]\nbrand = [\" \"]":                  "is empty",
		"[pulse]\nwatchwords = [\"x\"]":             "unknown keys: pulse.watchwords",
	} {
		_, err := loadConfig(writeConfig(t, text), true)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

// TestCommandLine: flags after the command, help on stdout with exit 0,
// and exit 2 for mistakes.
func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "x.db")
	cfg := writeConfig(t, "")
	var out, errb bytes.Buffer
	// "tribune db check --db x.db" named the missing verb before.
	err := run([]string{"db", "check", "--db", dbFile, "--config", cfg}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "no database at "+dbFile) {
		t.Errorf("db check --db after the command: %v", err)
	}
	if err := run([]string{"db", "--db", dbFile, "check"}, &out, &errb); err == nil || !strings.Contains(err.Error(), dbFile) {
		t.Errorf("--db between db and its verb: %v", err)
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "db"}, {"db", "--help"}, {"audit", "-h"}} {
		out.Reset()
		errb.Reset()
		err := run(args, &out, &errb)
		if err != nil || !strings.Contains(out.String(), "Usage:") || errb.Len() != 0 {
			t.Errorf("%v: err %v, stdout %d bytes, stderr %q", args, err, out.Len(), errb.String())
		}
	}
	if !strings.Contains(func() string { out.Reset(); run([]string{"help", "db"}, &out, &errb); return out.String() }(), "tribune db compact") {
		t.Errorf("help db: %s", out.String())
	}
	for _, args := range [][]string{{"--bogus"}, {"db", "check", "--bogus"}, {"help", "nope"}, {"nope"}, {"db"}, {"db", "vacuum"}, {"audit", "extra"}} {
		if err := run(args, &out, &errb); exitCode(err) != 2 {
			t.Errorf("%v: %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Error("a command created the database")
	}
}

// TestBadConfigCreatesNoDatabase: a feed that cannot be built (here, its
// secret is missing) stops tribune before the database file exists.
func TestBadConfigCreatesNoDatabase(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "data", "tribune.db")
	cfg := writeConfig(t, `
[[feed]]
id = "hook"
type = "webhook"
listen = "127.0.0.1:0"
secret_env = "TRIBUNE_TEST_NO_SUCH_SECRET"
[feed.fields]
text = "text"
`)
	err := run([]string{"--config", cfg, "--db", dbFile}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "TRIBUNE_TEST_NO_SUCH_SECRET") {
		t.Fatalf("run: %v", err)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}

// TestSecretsOpenToOthersAreRefused: a secret_file others may read, and a
// config naming secrets that others may change, are refused.
func TestSecretsOpenToOthersAreRefused(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "hook.secret")
	if err := os.WriteFile(secret, []byte("shh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(secret, 0o644) // whatever the umask
	cfg := writeConfig(t, `
[[feed]]
id = "hook"
type = "webhook"
listen = "127.0.0.1:0"
secret_file = "`+secret+`"
[feed.fields]
text = "text"
`)
	dbFile := filepath.Join(dir, "tribune.db")
	err := run([]string{"--config", cfg, "--db", dbFile}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable secret_file: %v", err)
	}
	os.Chmod(secret, 0o600)
	os.Chmod(cfg, 0o666)
	if _, err := loadConfig(cfg, true); err == nil || !strings.Contains(err.Error(), "names secrets (secret_file)") {
		t.Errorf("a config naming secrets, writable by others: %v", err)
	}
	os.Chmod(cfg, 0o644)
	if _, err := loadConfig(cfg, true); err != nil {
		t.Errorf("a config readable by others names no secret itself: %v", err)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}

// The README's Bluesky example builds; its password comes from the
// environment, and a bluesky feed without anything to show is refused.
func TestConfigBuildsBluesky(t *testing.T) {
	t.Setenv("BSKY_APP_PASSWORD", "xxxx-xxxx-xxxx-xxxx")
	c, err := loadConfig(writeConfig(t, `
[[feed]]
id = "bsky"
type = "bluesky"
handle = "lumio.bsky.social"
app_password_env = "BSKY_APP_PASSWORD"
terms = ["lumio", "lumio one"]
hashtags = ["LumioLaunch"]
watch = ["press.lumio.com", "did:plc:ewvi7nxzyoun6zhxrhs64oiz"]
reposts = true
rewind = "5s"
send_limit = "100/1h"
`), true)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.Feeds[0].build(options{})
	if err != nil || conn.Platform() != "bluesky" {
		t.Fatalf("built %v, %v", conn, err)
	}
	if caps := conn.Capabilities(); !caps.Idempotent || !caps.Can(feeds.ActReply) || caps.MaxText != 300 {
		t.Errorf("capabilities %+v", caps)
	}
	for text, want := range map[string]string{
		"[[feed]]\nid = \"b\"\ntype = \"bluesky\"\n":                                     "nothing to show",
		"[[feed]]\nid = \"b\"\ntype = \"bluesky\"\nterms = [\"x\"]\nrewind = \"soon\"\n": `"soon" is not a duration`,
		"[[feed]]\nid = \"b\"\ntype = \"bluesky\"\nterm = [\"x\"]\n":                     "unknown keys: feed.term",
	} {
		c, err := loadConfig(writeConfig(t, text), true)
		if err == nil {
			_, err = c.Feeds[0].build(options{})
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

func TestConfigCannedReplies(t *testing.T) {
	path := writeConfig(t, `
[[canned]]
name = "faq"
text = "Thanks {author}! The FAQ is at lumio.example/faq"

[[canned]]
name = "shipping"
text = """Hi {name}, Halo ships to Europe in March.
Questions on {platform}? Ask here."""
`)
	c, err := loadConfig(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Canned) != 2 || c.Canned[0].Name != "faq" || c.Canned[1].Name != "shipping" {
		t.Fatalf("canned = %+v", c.Canned)
	}
	got := c.Canned[0].Expand(canned.Vars{Author: "kiki_fr"})
	if got != "Thanks kiki_fr! The FAQ is at lumio.example/faq" {
		t.Errorf("expanded %q", got)
	}
	for _, tc := range []struct{ toml, want string }{
		{"[[canned]]\nname = \"faq\"\ntext = \"Thanks {autor}!\"", `canned 1 ("faq"): unknown variable {autor}: use {author}`},
		{"[[canned]]\nname = \"faq\"\ntext = \"a { b\"", `canned 1 ("faq"): a "{" is not closed`},
		{"[[canned]]\ntext = \"hi\"", "canned 1: name is missing"},
		{"[[canned]]\nname = \"a\"\ntext = \" \"", "text is missing"},
		{"[[canned]]\nname = \"a\"\ntext = \"x\"\n[[canned]]\nname = \"A\"\ntext = \"y\"", `canned 2 ("A"): the name is used twice`},
		{"[[canned]]\nname = \"a\"\ntext = \"x\\u001b[2J\"", "control characters"},
		{"[[canned]]\nname = \"a\"\ntext = \"x\"\ntxet = \"y\"", "unknown keys: canned.txet"},
	} {
		_, err := loadConfig(writeConfig(t, tc.toml), true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.toml, err, tc.want)
		}
	}
}
