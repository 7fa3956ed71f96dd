package irc

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tribune/tribune/feeds"
)

func TestNewRejectsBadConfigNamingTheKey(t *testing.T) {
	t.Setenv("TRIBUNE_TEST_SET", "x")
	base := Config{Server: "irc.libera.chat:6697", Nick: "lumio", Channels: []string{"#halo"}}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no server", func(c *Config) { c.Server = "" }, "irc: server is missing"},
		{"bad transport", func(c *Config) { c.Transport = "x" }, `irc: transport "x" is not one of tcp, tls, websocket`},
		{"ws without URL", func(c *Config) { c.Transport = "websocket" }, "ws:// or wss://"},
		{"URL for tcp", func(c *Config) { c.Transport, c.Server = "tcp", "wss://x:1" }, "without a scheme"},
		{"bad port", func(c *Config) { c.Server = "host:99999" }, "port"},
		{"origin on tcp", func(c *Config) { c.Origin = "https://x" }, "origin"},
		{"bad dialect", func(c *Config) { c.Dialect = "slack" }, `irc: dialect "slack" is not one of irc, twitch`},
		{"no nick", func(c *Config) { c.Nick = "" }, "irc: nick is missing"},
		{"bad nick", func(c *Config) { c.Nick = "two words" }, "nick"},
		{"no channels", func(c *Config) { c.Channels = nil }, "irc: channels is empty"},
		{"bad channel", func(c *Config) { c.Channels = []string{"#a b"} }, "channel"},
		{"sasl without password", func(c *Config) { c.SASLUser = "me" }, "sasl_user needs password_env or password_file"},
		{"unset env", func(c *Config) { c.PasswordEnv = "TRIBUNE_TEST_UNSET_VAR" }, "irc: password: environment variable TRIBUNE_TEST_UNSET_VAR is not set"},
		{"helix on irc", func(c *Config) { c.ClientID = "x" }, "twitch dialect"},
		{"twitch nick without token", func(c *Config) { c.Dialect = "twitch" }, "needs password_env"},
		{"twitch token without nick", func(c *Config) { c.Dialect, c.Nick, c.PasswordEnv = "twitch", "", "TRIBUNE_TEST_SET" }, "twitch needs nick"},
		{"client id without token", func(c *Config) { c.Dialect, c.Nick = "twitch", ""; c.ClientID = "x" }, "needs a token"},
		{"helix token without client id", func(c *Config) {
			c.Dialect, c.PasswordEnv, c.HelixTokenEnv = "twitch", "TRIBUNE_TEST_SET", "TRIBUNE_TEST_SET"
		}, "client_id is missing"},
		{"bad helix url", func(c *Config) {
			c.Dialect, c.PasswordEnv, c.ClientID, c.HelixURL = "twitch", "TRIBUNE_TEST_SET", "x", "ftp://x"
		}, "helix_url"},
	}
	for _, c := range cases {
		cfg := base
		cfg.Channels = slices.Clone(base.Channels)
		c.edit(&cfg)
		_, err := New("f", cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
}

func TestNewDefaultsAndDialects(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("oauth:abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := New("tw", Config{Server: "wss://irc-ws.chat.twitch.tv:443", Nick: "Lumio", PasswordFile: tokenFile,
		Channels: []string{"Lumio", "#Other", "lumio"}, Moderator: true})
	if err != nil {
		t.Fatal(err)
	}
	if !k.twitch || k.transport != TransportWebSocket || k.origin != "https://irc-ws.chat.twitch.tv:443" ||
		k.nick != "lumio" || k.password != "abc" || !slices.Equal(k.channels, []string{"#lumio", "#other"}) {
		t.Errorf("twitch over websocket: %+v", k)
	}
	caps := k.Capabilities()
	if caps.MaxText != 500 || caps.Idempotent || caps.Rate != (feeds.Limit{Count: 100, Per: 30 * time.Second}) ||
		!slices.Equal(caps.Actions, []feeds.ActionKind{feeds.ActReply, feeds.ActPost}) {
		t.Errorf("twitch moderator without Helix: %+v", caps)
	}
	caps.Actions[0] = feeds.ActBan
	if k.Capabilities().Actions[0] != feeds.ActReply {
		t.Error("Capabilities hands out its own slice")
	}

	k, err = New("libera", Config{Server: "irc.libera.chat", Nick: "lumio", Channels: []string{"halo"}})
	if err != nil {
		t.Fatal(err)
	}
	if k.twitch || k.Platform() != "irc" || k.transport != TransportTLS || k.addr != "irc.libera.chat:6697" ||
		k.user != "lumio" || k.realname != "tribune" || k.channels[0] != "#halo" {
		t.Errorf("libera: %+v", k)
	}
	caps = k.Capabilities()
	if caps.MaxText != 1000 || caps.Idempotent || caps.Rate.IsZero() ||
		!slices.Equal(caps.Actions, []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActBan, feeds.ActUnban}) {
		t.Errorf("irc caps %+v", caps)
	}

	k, err = New("tcp", Config{Server: "irc.example.org", Transport: "TCP", Nick: "lumio", Channels: []string{"&local"}})
	if err != nil || k.addr != "irc.example.org:6667" || k.channels[0] != "&local" {
		t.Errorf("tcp default port: %v %+v", err, k)
	}
	k, err = New("ws", Config{Server: "ws://127.0.0.1:8080/irc", Nick: "lumio", Channels: []string{"#x"}, Origin: "https://tribune.example"})
	if err != nil || k.transport != TransportWebSocket || k.origin != "https://tribune.example" || k.twitch {
		t.Errorf("ws: %v %+v", err, k)
	}
	k, err = New("tw", Config{Server: "irc.chat.twitch.tv:6697", Dialect: "irc", Nick: "lumio", Channels: []string{"#x"}})
	if err != nil || k.twitch {
		t.Errorf("dialect irc overrides detection: %v", err)
	}
}

// The README's examples are real configs: they must decode into Config
// with no unknown key, and validate.
func TestReadmeExamplesDecode(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TWITCH_CHAT_TOKEN", "oauth:x")
	t.Setenv("TWITCH_HELIX_TOKEN", "y")
	t.Setenv("LIBERA_PASSWORD", "z")
	blocks := strings.Split(string(b), "```toml\n")[1:]
	if len(blocks) < 2 {
		t.Fatalf("README has %d toml examples, want at least 2", len(blocks))
	}
	reserved := map[string]bool{"id": true, "type": true, "send_limit": true, "keep_for": true, "keep_count": true}
	for _, block := range blocks {
		block, _, _ = strings.Cut(block, "```")
		var doc struct {
			Feed []map[string]any `toml:"feed"`
		}
		if _, err := toml.Decode(block, &doc); err != nil {
			t.Fatalf("example does not parse: %v\n%s", err, block)
		}
		for _, table := range doc.Feed {
			for key := range reserved {
				delete(table, key)
			}
			var buf strings.Builder
			if err := toml.NewEncoder(&buf).Encode(table); err != nil {
				t.Fatal(err)
			}
			var c Config
			md, err := toml.Decode(buf.String(), &c)
			if err != nil {
				t.Fatal(err)
			}
			if und := md.Undecoded(); len(und) > 0 {
				t.Errorf("example uses unknown keys %v", und)
			}
			if _, err := New("example", c); err != nil {
				t.Errorf("example does not validate: %v\n%s", err, block)
			}
		}
	}
}
