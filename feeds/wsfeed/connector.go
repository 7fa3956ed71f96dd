// Package wsfeed is the generic WebSocket connector (config type
// "websocket"): it reads any stream of JSON frames, maps each with
// feeds/fieldmap, and can answer through an HTTP request template. See
// feeds/fieldmap/README.md for the config.
package wsfeed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/httpx"
	"github.com/tribune/tribune/feeds/internal/wskeep"
)

const (
	defaultIdle     = 60 * time.Second
	defaultMaxFrame = 1 << 20
	writeWait       = 10 * time.Second
)

// Config is one [[feed]] table of type "websocket".
type Config struct {
	URL      string `toml:"url"`
	Platform string `toml:"platform"` // label on events; default "websocket"
	// Headers are sent with the handshake ("Origin", "User-Agent", ...).
	Headers map[string]string `toml:"headers"`
	// The secret from AuthEnv or AuthFile is sent as AuthHeader (default
	// "Authorization"), after AuthScheme and a space when one is set
	// ("Bearer").
	AuthEnv    string `toml:"auth_env"`
	AuthFile   string `toml:"auth_file"`
	AuthHeader string `toml:"auth_header"`
	AuthScheme string `toml:"auth_scheme"`
	// Subscribe is a text frame sent once the connection is open.
	Subscribe string `toml:"subscribe"`
	// IdleTimeout drops a connection on which nothing (not even a pong to
	// our pings) arrived for that long; default 60s.
	IdleTimeout fieldmap.Duration `toml:"idle_timeout"`
	// MaxFrame bounds a frame, in bytes; default 1 MiB. A bigger frame
	// drops the connection.
	MaxFrame int64            `toml:"max_frame"`
	Fields   fieldmap.Mapping `toml:"fields"`

	// ReplyURL, when set, makes replies possible: an HTTP request to it,
	// with ReplyMethod (default POST), ReplyHeaders and the JSON ReplyBody,
	// in which {{text}}, {{reply_to}}, {{channel}} and {{id}} are filled in
	// (see reply.go).
	ReplyURL     string            `toml:"reply_url"`
	ReplyMethod  string            `toml:"reply_method"`
	ReplyHeaders map[string]string `toml:"reply_headers"`
	ReplyBody    string            `toml:"reply_body"`
	// ReplyAuth sends the feed's auth header with replies too.
	ReplyAuth bool `toml:"reply_auth"`
	// ReplyIdempotent says the endpoint honours {{id}} as an idempotency
	// key, so a retried reply cannot post twice.
	ReplyIdempotent bool `toml:"reply_idempotent"`
	// ReplyMaxText is the platform's limit on a reply, in characters.
	ReplyMaxText int `toml:"reply_max_text"`
}

// Connector is one WebSocket feed. It implements feeds.Connector.
type Connector struct {
	feed      string
	platform  string
	url       string
	header    http.Header
	subscribe []byte
	idle      time.Duration
	maxFrame  int64
	mapper    *fieldmap.Mapper
	unmatched *fieldmap.Unmatched
	reply     *replier // nil: no replies
	caps      feeds.Capabilities

	running sync.Mutex // held by Run
	// lost is when the last stream that proved live ended, zero once the
	// gap since has been shown. Run's only.
	lost time.Time
}

var _ feeds.Connector = (*Connector)(nil)

// New checks c, reads its secret and compiles its mapping.
func New(feedID string, c Config) (*Connector, error) {
	if err := httpx.CheckURL("websocket", c.URL, "ws", "wss"); err != nil {
		return nil, err
	}
	switch {
	case c.IdleTimeout < 0:
		return nil, errors.New("websocket: idle_timeout must be positive")
	case c.MaxFrame < 0:
		return nil, errors.New("websocket: max_frame must be positive")
	}
	conn := &Connector{
		feed:      feedID,
		platform:  cmp.Or(c.Platform, "websocket"),
		url:       c.URL,
		subscribe: []byte(c.Subscribe),
		idle:      cmp.Or(time.Duration(c.IdleTimeout), defaultIdle),
		maxFrame:  cmp.Or(c.MaxFrame, defaultMaxFrame),
		unmatched: fieldmap.NewUnmatched("frame"),
	}
	var err error
	if conn.header, err = httpx.Headers("websocket", "headers", c.Headers); err != nil {
		return nil, err
	}
	for _, k := range []string{"Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions"} {
		if _, ok := conn.header[k]; ok {
			return nil, fmt.Errorf("websocket: headers: %s is part of the handshake and cannot be set", k)
		}
	}
	secret, err := feeds.ReadSecret(c.AuthEnv, c.AuthFile)
	if err != nil {
		return nil, fmt.Errorf("websocket: auth: %w", err)
	}
	var auth http.Header // sent with the handshake, and with replies if reply_auth
	if secret != "" {
		if c.AuthScheme != "" {
			secret = c.AuthScheme + " " + secret
		}
		if auth, err = httpx.Headers("websocket", "auth_header", map[string]string{cmp.Or(c.AuthHeader, "Authorization"): secret}); err != nil {
			return nil, err
		}
		for k, vs := range auth {
			conn.header[k] = vs
		}
	}
	if conn.mapper, err = c.Fields.Compile(); err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	conn.caps = feeds.Capabilities{MaxText: max(c.ReplyMaxText, 0)}
	if c.ReplyURL != "" {
		if !c.ReplyAuth {
			auth = nil
		}
		if conn.reply, err = newReplier(c, auth); err != nil {
			return nil, err
		}
		conn.caps.Actions = []feeds.ActionKind{feeds.ActReply}
		conn.caps.Idempotent = c.ReplyIdempotent
	} else if c.ReplyIdempotent || c.ReplyAuth || c.ReplyBody != "" || c.ReplyMethod != "" || len(c.ReplyHeaders) > 0 {
		return nil, errors.New("websocket: reply_* keys are set but reply_url is missing")
	}
	return conn, nil
}

// Platform is the configured label, "websocket" by default.
func (c *Connector) Platform() string { return c.platform }

// Capabilities offer replies only when a reply request is configured.
func (c *Connector) Capabilities() feeds.Capabilities {
	caps := c.caps
	caps.Actions = append([]feeds.ActionKind(nil), c.caps.Actions...)
	return caps
}

// Run connects, sends the subscribe message and maps frames until ctx ends
// or the connection fails; the supervisor reconnects.
//
// The stream is reported connected once the server has proven it live,
// not at the handshake: by its first frame, a ping of its own, or the pong
// to the ping sent as soon as the connection is open (after the subscribe
// message), which a quiet but healthy server answers at once. A server
// that accepts the handshake and then closes (1008 "unauthorized") is
// never connected, so it meets the supervisor's growing backoff.
//
// The handshake does not follow redirects (gorilla/websocket refuses a
// 3xx), so the auth header reaches only the configured url.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.running.TryLock() {
		return errors.New("websocket: Run is already running")
	}
	defer c.running.Unlock()
	defer c.unmatched.Attach(s)()

	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.idle}
	conn, resp, err := d.DialContext(ctx, c.url, c.header.Clone())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return httpx.HTTPError("websocket: handshake", resp, defaultRetry)
		}
		return fmt.Errorf("websocket: connecting: %w", httpx.RedactError(err))
	}
	defer conn.Close()
	// A read blocked on a quiet stream must end with ctx.
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	conn.SetReadLimit(c.maxFrame)

	if len(c.subscribe) > 0 {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := conn.WriteMessage(websocket.TextMessage, c.subscribe); err != nil {
			return c.readErr(ctx, fmt.Errorf("websocket: sending subscribe: %w", err))
		}
	}

	// A generic stream has no cursor to resume from: what it sent while
	// we were away is gone, and the feed says so once live again.
	live := false
	k := wskeep.Start(conn, c.idle, func() {
		live = true
		s.Connected()
		c.showGap(s)
	})
	defer k.Stop()
	defer func() {
		if live {
			c.lost = time.Now()
		}
	}()
	for {
		data, err := k.Read()
		if err != nil {
			return c.readErr(ctx, err)
		}
		c.handle(s, data)
	}
}

// readErr says why the stream ended.
func (c *Connector) readErr(ctx context.Context, err error) error {
	return wskeep.Err(ctx, err, wskeep.Words{
		Stalled:  fmt.Sprintf("websocket: nothing received for %s, dropping the stalled stream", c.idle),
		TooLarge: fmt.Sprintf("websocket: a frame is larger than max_frame (%d bytes)", c.maxFrame),
		Closed:   "websocket: the server closed the stream",
		Failed:   "websocket: reading",
	})
}

// handle maps one frame (text or binary: JSON either way) to events.
func (c *Connector) handle(s feeds.Stream, frame []byte) {
	r, err := c.mapper.Map(frame)
	if err != nil {
		c.unmatched.Add(err.Error())
		return
	}
	if r.Unmatched > 0 {
		c.unmatched.Add(r.Why)
	}
	for _, ev := range r.Events {
		ev.Feed, ev.Platform = c.feed, c.platform
		s.Emit(ev)
	}
}

// showGap tells the feed, once a stream is live again after one was lost,
// that what the server sent in between was not received.
func (c *Connector) showGap(s feeds.Stream) {
	if c.lost.IsZero() {
		return
	}
	now := time.Now()
	s.Emit(feeds.Event{
		Feed: c.feed, Platform: c.platform, ID: fmt.Sprintf("~gap-%d", now.UnixNano()), Kind: feeds.KindNotice, Time: now,
		Text: fmt.Sprintf("reconnected: what the stream sent from %s to %s was not received (it has no cursor to resume from)",
			c.lost.Local().Format(gapTime), now.Local().Format(gapTime)),
	})
	c.lost = time.Time{}
}

// gapTime is how a gap's ends read in its notice.
const gapTime = "15:04:05"
