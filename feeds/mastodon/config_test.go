package mastodon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewChecksConfig(t *testing.T) {
	t.Setenv("TOK", "secret-token")
	ok := Config{Instance: "https://social.example", TokenEnv: "TOK", Streams: []string{"user"}}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Instance = "" }, "instance is missing"},
		{func(c *Config) { c.Instance = "ftp://social.example" }, "must start with https://"},
		{func(c *Config) { c.Instance = "https://social.example/api/v1?access_token=x" }, "no path or query"},
		{func(c *Config) { c.Streams = nil }, "streams is missing"},
		{func(c *Config) { c.Streams = []string{"hashtag:"} }, "a hashtag is"},
		{func(c *Config) { c.Streams = []string{"hashtag:a b"} }, "a hashtag is"},
		{func(c *Config) { c.Streams = []string{"list:4/2"} }, "by its id"},
		{func(c *Config) { c.Streams = []string{"home"} }, `unknown stream "home"`},
		{func(c *Config) { c.Streams = []string{"hashtag:Lumio", "hashtag:#lumio"} }, "named twice"},
		{func(c *Config) { c.TokenEnv = "" }, "token_env"},
		{func(c *Config) { c.TokenEnv = "UNSET_TOKEN_VAR" }, "UNSET_TOKEN_VAR is not set"},
		{func(c *Config) { c.TokenFile = "/x" }, "not both"},
		{func(c *Config) { c.Backfill = -1 }, "backfill"},
		{func(c *Config) { c.StreamingURL = "https://streaming.social.example" }, "streaming_url"},
	} {
		c := ok
		c.Streams = append([]string(nil), ok.Streams...)
		tc.edit(&c)
		_, err := New("m", c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %+v: error %v, want it to say %q", c, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-token") {
			t.Errorf("the token is in an error: %v", err)
		}
	}

	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	c, err := New("m", Config{Instance: "https://social.example/", TokenFile: file,
		Streams: []string{"hashtag:#Lumio", "user", "list:42", "public:local", "public"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "from-file" || c.base.String() != "https://social.example" {
		t.Errorf("token %q, base %s", c.token, c.base)
	}
	var channels []string
	for _, st := range c.streams {
		channels = append(channels, st.channel)
	}
	if got := strings.Join(channels, " "); got != "#lumio home list:42 local federated" {
		t.Errorf("channels %q", got)
	}
	if got := c.streamingURL(c.streams[0]); got != "wss://social.example/api/v1/streaming?stream=hashtag&tag=lumio" {
		t.Errorf("streaming url %s", got)
	}
	caps := c.Capabilities()
	if caps.MaxText != 500 || !caps.Idempotent || !caps.Can("report") || !caps.Can("post") {
		t.Errorf("capabilities %+v", caps)
	}
}

// The instance may name its streaming server, but the token goes only to
// the instance's host or a subdomain of it.
func TestTrustedStreaming(t *testing.T) {
	c := testConnector(t, "https://social.example", "user")
	for in, want := range map[string]string{
		"wss://streaming.social.example":      "wss://streaming.social.example",
		"wss://social.example":                "wss://social.example",
		"wss://evil.example":                  "",
		"wss://social.example.evil.example":   "",
		"ws://streaming.social.example":       "", // not downgraded from https
		"wss://user@streaming.social.example": "",
		"":                                    "",
	} {
		if got := c.trustedStreaming(in); got != want {
			t.Errorf("trustedStreaming(%q) = %q, want %q", in, got, want)
		}
	}
}
