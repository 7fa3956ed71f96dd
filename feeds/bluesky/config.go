package bluesky

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/httpx"
)

// Defaults: Bluesky's own services.
const (
	DefaultJetstream = "wss://jetstream2.us-east.bsky.network/subscribe"
	DefaultPDS       = "https://bsky.social"
	DefaultAppView   = "https://public.api.bsky.app"

	defaultRewind   = 5 * time.Second
	defaultIdle     = 60 * time.Second
	defaultMaxFrame = 1 << 20 // a post is 3,000 bytes of text; facets and embeds add some
	maxWatched      = 10_000  // Jetstream's limit on wantedDids
)

// Config is one [[feed]] table of type "bluesky".
type Config struct {
	// Handle is the operator's account ("brand.bsky.social", or its DID):
	// posts mentioning it are shown, and actions are done as it.
	Handle string `toml:"handle"`
	// The app password (Settings › Privacy and security › App passwords),
	// from an environment variable or a file, never from this file. Without
	// one the feed is read-only.
	AppPasswordEnv  string `toml:"app_password_env"`
	AppPasswordFile string `toml:"app_password_file"`
	// PDS is the account's host, or the bsky.social entryway (default).
	PDS string `toml:"pds"`
	// AppView answers handle and profile look-ups and finds the post
	// replied to when it is not in memory (default public.api.bsky.app).
	AppView string `toml:"appview"`
	// Jetstream is the /subscribe address (default jetstream2.us-east).
	Jetstream string `toml:"jetstream"`

	// What to show: posts holding one of Terms (any case), one of
	// Hashtags (with or without #), mentioning Handle (unless Mentions is
	// false) or replying to it, and every post of the Watch accounts
	// (handles or DIDs) and of the account itself.
	Terms    []string `toml:"terms"`
	Hashtags []string `toml:"hashtags"`
	Watch    []string `toml:"watch"`
	Mentions *bool    `toml:"mentions"`
	// OnlyWatched asks Jetstream for the watched accounts' records only
	// (wantedDids): far less traffic, but terms, tags and mentions are
	// then found only in those accounts' posts.
	OnlyWatched bool `toml:"only_watched"`
	// Reposts shows reposts of the posts shown.
	Reposts bool `toml:"reposts"`

	// Rewind is how far before the last event seen a reconnect resumes
	// (default 5s); what is seen twice is dropped.
	Rewind fieldmap.Duration `toml:"rewind"`
	// IdleTimeout drops a stream on which nothing arrived for that long
	// (default 60s); MaxFrame bounds a frame in bytes (default 1 MiB).
	IdleTimeout fieldmap.Duration `toml:"idle_timeout"`
	MaxFrame    int64             `toml:"max_frame"`
}

// settings is a checked Config.
type settings struct {
	handle      string // lower case; may be a DID
	password    string
	pds         string // https://host, no trailing slash
	appview     string
	jetstream   string
	terms       []string // lower case
	hashtags    []string // lower case, without #
	watch       []string // handles (lower case) or DIDs
	mentions    bool
	onlyWatched bool
	reposts     bool
	rewind      time.Duration
	idle        time.Duration
	maxFrame    int64
}

func (c Config) check() (settings, error) {
	s := settings{
		handle:      strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c.Handle), "@")),
		pds:         strings.TrimRight(cmp.Or(c.PDS, DefaultPDS), "/"),
		appview:     strings.TrimRight(cmp.Or(c.AppView, DefaultAppView), "/"),
		jetstream:   cmp.Or(c.Jetstream, DefaultJetstream),
		onlyWatched: c.OnlyWatched,
		reposts:     c.Reposts,
		rewind:      cmp.Or(time.Duration(c.Rewind), defaultRewind),
		idle:        cmp.Or(time.Duration(c.IdleTimeout), defaultIdle),
		maxFrame:    cmp.Or(c.MaxFrame, defaultMaxFrame),
	}
	switch {
	case s.handle != "" && !validHandle(s.handle) && !validDID(s.handle):
		return s, fmt.Errorf("bluesky: handle %q is neither a handle (name.bsky.social) nor a DID", c.Handle)
	case c.Rewind < 0 || c.IdleTimeout < 0 || c.MaxFrame < 0:
		return s, errors.New("bluesky: rewind, idle_timeout and max_frame must be positive")
	case time.Duration(c.Rewind) > time.Hour:
		return s, errors.New("bluesky: rewind is at most 1h")
	}
	if err := httpx.CheckURL("bluesky: jetstream", s.jetstream, "wss", "ws"); err != nil {
		return s, err
	}
	if u, _ := url.Parse(s.jetstream); u.Path == "" || u.Path == "/" {
		s.jetstream = strings.TrimRight(s.jetstream, "/") + "/subscribe"
	}
	for key, v := range map[string]string{"pds": s.pds, "appview": s.appview} {
		if err := httpx.CheckURL("bluesky: "+key, v, "https", "http"); err != nil {
			return s, err
		}
	}
	mentions := c.Mentions == nil || *c.Mentions
	s.mentions = mentions && s.handle != ""
	for _, t := range c.Terms {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			s.terms = append(s.terms, t)
		}
	}
	for _, t := range c.Hashtags {
		if t = strings.ToLower(strings.TrimLeft(strings.TrimSpace(t), "#＃")); t != "" {
			s.hashtags = append(s.hashtags, t)
		}
	}
	for _, w := range c.Watch {
		w = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(w), "@"))
		if !validHandle(w) && !validDID(w) {
			return s, fmt.Errorf("bluesky: watch: %q is neither a handle nor a DID", w)
		}
		s.watch = append(s.watch, w)
	}
	if len(s.watch) > maxWatched {
		return s, fmt.Errorf("bluesky: watch: at most %d accounts", maxWatched)
	}
	if s.onlyWatched && len(s.watch) == 0 && s.handle == "" {
		return s, errors.New("bluesky: only_watched needs accounts in watch (or a handle)")
	}
	if len(s.terms)+len(s.hashtags)+len(s.watch) == 0 && !s.mentions {
		return s, errors.New("bluesky: nothing to show: set terms, hashtags, watch or handle (the whole network is too much to read)")
	}
	pw, err := feeds.ReadSecret(c.AppPasswordEnv, c.AppPasswordFile)
	if err != nil {
		return s, fmt.Errorf("bluesky: app password: %w", err)
	}
	if pw != "" && s.handle == "" {
		return s, errors.New("bluesky: an app password is set but handle is missing")
	}
	s.password = pw
	return s, nil
}
