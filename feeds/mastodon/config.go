// Package mastodon is the native Mastodon connector (config type
// "mastodon"): it follows hashtags, the account's home timeline and
// notifications, lists and the local timeline through the streaming API
// over one WebSocket, fills the gap of a reconnect from the REST timelines,
// and carries out replies, new posts, favourites, boosts, deletions of the
// account's own posts, mutes, blocks and reports.
//
// It speaks the API with a small client of its own over net/http and
// gorilla/websocket rather than github.com/mattn/go-mastodon: the
// connector needs the rate-limit headers and the platform's own error text
// of every answer, an Idempotency-Key on posts, the Link headers of a
// timeline page, and bounds on every body and frame, none of which that
// library exposes.
//
// The formats follow the Mastodon documentation (docs.joinmastodon.org):
// methods/streaming (events and the WebSocket frame), methods/timelines and
// api/guidelines#pagination (min_id, Link), methods/statuses (posting,
// Idempotency-Key), methods/notifications, methods/accounts (mute, block,
// lookup), methods/reports, methods/instance (configuration) and
// api/rate-limits (X-RateLimit-*).
package mastodon

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/httpx"
)

const (
	platform        = "mastodon"
	defaultIdle     = 60 * time.Second
	defaultMaxFrame = 2 << 20
	defaultBackfill = 200
	maxBackfill     = 2000
	// defaultMaxChars is Mastodon's default limit, used until the instance
	// says otherwise.
	defaultMaxChars = 500
)

// Config is one [[feed]] table of type "mastodon".
type Config struct {
	// Instance is the server's address ("https://mastodon.social").
	Instance string `toml:"instance"`
	// The user access token is read from TokenEnv or TokenFile; it needs
	// the read and write scopes for what the feed is asked to do.
	TokenEnv  string `toml:"token_env"`
	TokenFile string `toml:"token_file"`
	// Streams to follow: "hashtag:NAME", "user" (the home timeline and
	// the notifications), "list:ID", "public:local", "public".
	Streams []string `toml:"streams"`
	// StreamingURL overrides the streaming server the instance names
	// (configuration.urls.streaming); ws:// or wss://.
	StreamingURL string `toml:"streaming_url"`
	// Backfill bounds the posts fetched per stream to fill the gap of a
	// reconnect; default 200. A longer gap is marked "not filled".
	Backfill int `toml:"backfill"`
	// IdleTimeout drops a stream on which nothing, not even a pong,
	// arrived for that long; default 60s.
	IdleTimeout fieldmap.Duration `toml:"idle_timeout"`
	// MaxCharacters overrides the instance's limit on a post.
	MaxCharacters int `toml:"max_characters"`
}

// stream is one followed stream.
type stream struct {
	key     string // "hashtag:foo", "user", "list:42", "public:local"
	name    string // the streaming API's stream parameter
	param   string // "tag" or "list", or ""
	value   string // the tag or list id
	channel string // Event.Channel: "#foo", "home", "list:42", "local"
}

// Connector is one Mastodon account on one instance. It implements
// feeds.Connector.
type Connector struct {
	feed      string
	base      *url.URL // the instance, no path
	token     string
	streams   []stream
	wsURL     string // the configured streaming server, or ""
	backfill  int
	idle      time.Duration
	maxFrame  int64
	fixedMax  int          // max_characters from the config, or 0
	maxChars  atomic.Int64 // the limit in force
	urlChars  atomic.Int64 // what a link counts for, 0: as written
	client    *http.Client
	now       func() time.Time
	pageLimit int // statuses asked per timeline page

	running sync.Mutex // held by Run

	mu        sync.Mutex // guards what follows, kept across Runs
	me        account    // the token's account, once known
	instance  bool       // the instance's configuration was read
	streamURL string     // from the instance, when it names one
	cursors   map[string]*cursor
	seen      *seenSet
	statuses  *lru[statusInfo] // by event id
	accounts  *lru[string]     // account id by acct
	dropped   time.Time        // when the last stream ended
	limited   time.Time        // no request before this (X-RateLimit-Remaining 0)
	rate      string           // the rate limit, as the last answer told it
}

// cursor is how far a stream has been read: the newest status and, for
// the user stream, notification seen.
type cursor struct {
	status, notification string
	// primed: the timeline was read when the feed started, so an empty
	// cursor means it was empty then.
	primed bool
}

var _ feeds.Connector = (*Connector)(nil)

// New checks c and reads the token. It does not touch the network: the
// instance's configuration is read when the feed runs.
func New(feedID string, c Config) (*Connector, error) {
	base, err := checkInstance(c.Instance)
	if err != nil {
		return nil, err
	}
	streams, err := parseStreams(c.Streams)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Backfill < 0 || c.Backfill > maxBackfill:
		return nil, fmt.Errorf("mastodon: backfill must be between 0 and %d posts", maxBackfill)
	case c.IdleTimeout < 0:
		return nil, errors.New("mastodon: idle_timeout must be positive")
	case c.MaxCharacters < 0:
		return nil, errors.New("mastodon: max_characters must be positive")
	}
	if c.StreamingURL != "" {
		if err := httpx.CheckURL("mastodon: streaming_url", c.StreamingURL, "wss", "ws"); err != nil {
			return nil, err
		}
	}
	if c.TokenEnv == "" && c.TokenFile == "" {
		return nil, errors.New("mastodon: name the access token's environment variable (token_env) or file (token_file)")
	}
	token, err := feeds.ReadSecret(c.TokenEnv, c.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("mastodon: token: %w", err)
	}
	if !httpx.ValidHeader("Authorization", "Bearer "+token) {
		return nil, errors.New("mastodon: token: it holds a control character")
	}
	conn := &Connector{
		feed:      feedID,
		base:      base,
		token:     token,
		streams:   streams,
		wsURL:     c.StreamingURL,
		backfill:  cmp.Or(c.Backfill, defaultBackfill),
		idle:      cmp.Or(time.Duration(c.IdleTimeout), defaultIdle),
		maxFrame:  defaultMaxFrame,
		fixedMax:  c.MaxCharacters,
		client:    &http.Client{Timeout: requestTimeout, CheckRedirect: httpx.SameOriginRedirects},
		now:       time.Now,
		pageLimit: 40, // the timelines' maximum
		cursors:   make(map[string]*cursor),
		seen:      newSeenSet(8192),
		statuses:  newLRU[statusInfo](4096),
		accounts:  newLRU[string](4096),
	}
	conn.maxChars.Store(int64(cmp.Or(c.MaxCharacters, defaultMaxChars)))
	return conn, nil
}

// checkInstance reads the instance's address: http or https, a host, and
// no path, query or user.
func checkInstance(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New(`mastodon: instance is missing (the server's address, "https://mastodon.social")`)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("mastodon: instance: %w", errors.Unwrap(err))
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("mastodon: instance %s must start with https://", httpx.RedactURL(raw))
	case u.Host == "":
		return nil, errors.New("mastodon: instance has no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "":
		return nil, fmt.Errorf("mastodon: instance %s must be the server's address alone, with no path or query", httpx.RedactURL(raw))
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// parseStreams reads the streams key.
func parseStreams(in []string) ([]stream, error) {
	if len(in) == 0 {
		return nil, errors.New(`mastodon: streams is missing: name at least one of "hashtag:NAME", "user", "list:ID", "public:local", "public"`)
	}
	var out []stream
	seen := make(map[string]bool)
	for _, s := range in {
		st, err := parseStream(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		if seen[st.key] {
			return nil, fmt.Errorf("mastodon: streams: %q is named twice", s)
		}
		seen[st.key] = true
		out = append(out, st)
	}
	return out, nil
}

func parseStream(s string) (stream, error) {
	kind, arg, _ := strings.Cut(s, ":")
	switch kind {
	case "hashtag":
		tag := strings.TrimPrefix(arg, "#")
		if tag == "" || strings.ContainsFunc(tag, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && !unicode.Is(unicode.Mn, r)
		}) {
			return stream{}, fmt.Errorf("mastodon: streams: %q: a hashtag is letters, digits and _ (\"hashtag:tribune\")", s)
		}
		tag = strings.ToLower(tag)
		return stream{key: "hashtag:" + tag, name: "hashtag", param: "tag", value: tag, channel: "#" + tag}, nil
	case "list":
		if arg == "" || strings.ContainsFunc(arg, func(r rune) bool {
			return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
		}) {
			return stream{}, fmt.Errorf("mastodon: streams: %q: a list is named by its id (\"list:42\")", s)
		}
		return stream{key: "list:" + arg, name: "list", param: "list", value: arg, channel: "list:" + arg}, nil
	}
	switch s {
	case "user":
		return stream{key: "user", name: "user", channel: "home"}, nil
	case "public:local":
		return stream{key: s, name: s, channel: "local"}, nil
	case "public":
		return stream{key: s, name: s, channel: "federated"}, nil
	}
	return stream{}, fmt.Errorf(`mastodon: streams: unknown stream %q (known: "hashtag:NAME", "user", "list:ID", "public:local", "public")`, s)
}

// Platform is "mastodon".
func (c *Connector) Platform() string { return platform }

// Capabilities: every Mastodon action; posts carry an Idempotency-Key, so
// a retried reply is never posted twice. MaxText is the instance's limit
// once the feed has read it (max_characters, else 500 until then).
func (c *Connector) Capabilities() feeds.Capabilities {
	return feeds.Capabilities{
		MaxText: int(c.maxChars.Load()),
		Actions: []feeds.ActionKind{
			feeds.ActReply, feeds.ActPost, feeds.ActFavourite, feeds.ActBoost,
			feeds.ActDelete, feeds.ActMute, feeds.ActBlock, feeds.ActReport,
		},
		Idempotent: true,
		// api/rate-limits: 300 requests per 5 minutes per account.
		Rate: feeds.Limit{Count: 300, Per: 5 * time.Minute},
	}
}
