// Package sse is the Server-Sent Events connector (config type "sse"): it
// reads a text/event-stream, keeps the event types asked for, maps each
// event's data with feeds/fieldmap, and resumes with Last-Event-ID after a
// reconnect. It is read-only. See feeds/fieldmap/README.md for the config.
package sse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/fieldmap"
	"github.com/tribune/tribune/feeds/httpx"
)

const (
	defaultIdle     = 60 * time.Second
	defaultMaxEvent = 1 << 20
	// A server's retry: is honoured within these bounds: below, a server
	// (or a typo) could have us hammer it; above, park the feed for weeks.
	minRetry = time.Second
	maxRetry = 5 * time.Minute
)

// Config is one [[feed]] table of type "sse".
type Config struct {
	URL      string `toml:"url"`
	Platform string `toml:"platform"` // label on events; default "sse"
	// Headers are sent with every request ("User-Agent", ...).
	Headers map[string]string `toml:"headers"`
	// The secret from AuthEnv or AuthFile is sent as AuthHeader (default
	// "Authorization"), after AuthScheme and a space when one is set.
	AuthEnv    string `toml:"auth_env"`
	AuthFile   string `toml:"auth_file"`
	AuthHeader string `toml:"auth_header"`
	AuthScheme string `toml:"auth_scheme"`
	// Events lists the event types to keep; default ["message"], the
	// events the stream does not name. "*" keeps every type.
	Events []string `toml:"events"`
	// IdleTimeout drops a stream on which nothing, not even a keep-alive
	// comment, arrived for that long; default 60s.
	IdleTimeout fieldmap.Duration `toml:"idle_timeout"`
	// MaxEvent bounds a line and an event's data, in bytes; default 1 MiB.
	// A bigger event is skipped and counted as unmatched.
	MaxEvent int              `toml:"max_event"`
	Fields   fieldmap.Mapping `toml:"fields"`
}

// Connector is one SSE feed. It implements feeds.Connector.
type Connector struct {
	feed      string
	platform  string
	url       string
	header    http.Header
	keep      []string // nil: every type
	idle      time.Duration
	maxEvent  int
	mapper    *fieldmap.Mapper
	unmatched *fieldmap.Unmatched
	client    *http.Client

	running sync.Mutex // held by Run

	mu     sync.Mutex // guards the stream state kept across Runs
	lastID string
	// lost is when the last stream that proved live ended, zero once the
	// gap since has been resumed or shown.
	lost  time.Time
	retry time.Duration // the server's retry: as sent, 0 until it sends one
}

var _ feeds.Connector = (*Connector)(nil)

// New checks c, reads its secret and compiles its mapping.
func New(feedID string, c Config) (*Connector, error) {
	if err := httpx.CheckURL("sse", c.URL, "http", "https"); err != nil {
		return nil, err
	}
	switch {
	case c.IdleTimeout < 0:
		return nil, errors.New("sse: idle_timeout must be positive")
	case c.MaxEvent < 0:
		return nil, errors.New("sse: max_event must be positive")
	}
	conn := &Connector{
		feed:      feedID,
		platform:  cmp.Or(c.Platform, "sse"),
		url:       c.URL,
		header:    make(http.Header),
		keep:      []string{"message"},
		idle:      cmp.Or(time.Duration(c.IdleTimeout), defaultIdle),
		maxEvent:  cmp.Or(c.MaxEvent, defaultMaxEvent),
		unmatched: fieldmap.NewUnmatched("event"),
		// The auth header goes to the configured origin only.
		client: &http.Client{CheckRedirect: httpx.SameOriginRedirects},
	}
	if len(c.Events) > 0 {
		conn.keep = c.Events
		if slices.Contains(c.Events, "*") {
			conn.keep = nil
		}
	}
	header, err := httpx.Headers("sse", "headers", c.Headers)
	if err != nil {
		return nil, err
	}
	conn.header = header
	secret, err := feeds.ReadSecret(c.AuthEnv, c.AuthFile)
	if err != nil {
		return nil, fmt.Errorf("sse: auth: %w", err)
	}
	if secret != "" {
		if c.AuthScheme != "" {
			secret = c.AuthScheme + " " + secret
		}
		name := cmp.Or(c.AuthHeader, "Authorization")
		if !httpx.ValidHeader(name, secret) {
			return nil, fmt.Errorf("sse: auth_header %q with its secret is not a valid header", name)
		}
		conn.header.Set(name, secret)
	}
	if conn.mapper, err = c.Fields.Compile(); err != nil {
		return nil, fmt.Errorf("sse: %w", err)
	}
	return conn, nil
}

// Platform is the configured label, "sse" by default.
func (c *Connector) Platform() string { return c.platform }

// Capabilities: the feed is read-only.
func (c *Connector) Capabilities() feeds.Capabilities { return feeds.Capabilities{} }

// Do refuses: the feed is read-only.
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	return feeds.Permanent(fmt.Errorf("sse: the feed is read-only, %s is not supported", a.Kind))
}

// Run streams until ctx ends or the stream fails. The stream is reported
// connected once it proves live: its first event or comment (a keep-alive)
// after the headers, not the headers alone, so that a server that answers
// and hangs up at once meets the supervisor's growing backoff.
//
// Once the server has sent retry:, the end of a stream that proved live
// carries that wait, held within [minRetry, maxRetry] (feeds.RetryAfter),
// as an EventSource waits that long before reconnecting. A failure to
// connect, or a stream that ended before proving live, is left to the
// supervisor's backoff: retry: paces reconnections to a working server,
// it must not pace the retries of a server that is gone.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.running.TryLock() {
		return errors.New("sse: Run is already running")
	}
	defer c.running.Unlock()
	defer c.unmatched.Attach(s)()

	live, err := c.stream(ctx, s)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !live {
		return err
	}
	c.mu.Lock()
	retry := c.retry
	c.mu.Unlock()
	if retry > 0 {
		return feeds.RetryAfter(min(max(retry, minRetry), maxRetry), err)
	}
	return err
}

var errStalled = errors.New("stalled")

// stream makes one request and reads its stream; live says whether the
// stream proved live (see Run) before it ended.
func (c *Connector) stream(ctx context.Context, s feeds.Stream) (live bool, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The idle timer covers the request and every read after it.
	idle := time.AfterFunc(c.idle, func() { cancel(errStalled) })
	defer idle.Stop()
	stalled := func(err error) error {
		if context.Cause(ctx) == errStalled {
			return fmt.Errorf("sse: nothing received for %s, dropping the stalled stream", c.idle)
		}
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return false, feeds.Permanent(fmt.Errorf("sse: %w", httpx.RedactError(err)))
	}
	req.Header = c.header.Clone()
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	c.mu.Lock()
	lastID := c.lastID
	c.mu.Unlock()
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if redirect := (*httpx.RedirectError)(nil); errors.As(err, &redirect) {
			return false, fmt.Errorf("sse: the server redirects to %s, another origin (scheme, host or port): not followed, so that the feed's headers go nowhere else; put that address in url", redirect.To)
		}
		return false, stalled(fmt.Errorf("sse: connecting: %w", httpx.RedactError(err)))
	}
	defer resp.Body.Close()
	if err := statusError(resp); err != nil {
		return false, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		// The standard fails such a connection for good.
		return false, feeds.Permanent(fmt.Errorf("sse: the server sent %q, not text/event-stream", resp.Header.Get("Content-Type")))
	}

	// An event, kept or not, or a comment proves the stream live; the
	// headers alone do not.
	proven := func() {
		if !live {
			live = true
			s.Connected()
			c.showGap(s, lastID)
		}
	}
	defer func() {
		if live {
			c.mu.Lock()
			c.lost = time.Now()
			c.mu.Unlock()
		}
	}()
	p := newParser(resp.Body, c.maxEvent, lastID)
	p.comment = proven
	p.onLine = func() { idle.Reset(c.idle) }
	for {
		ev, err := p.next()
		if err == nil {
			proven()
		}
		if err == nil && !ev.tooBig && (c.keep == nil || slices.Contains(c.keep, ev.typ)) {
			// Time spent waiting on a busy hub is not the server's silence.
			stopped := idle.Stop()
			c.handle(s, ev)
			if stopped {
				idle.Reset(c.idle)
			}
		}
		// Only now, so that a resume never skips an event not handed over.
		c.remember(p)
		switch {
		case err == io.EOF:
			return live, errors.New("sse: the server ended the stream")
		case err != nil:
			return live, stalled(fmt.Errorf("sse: reading: %w", err))
		case ev.tooBig:
			c.unmatched.Add(fmt.Sprintf("an event is larger than max_event (%d bytes)", c.maxEvent))
		}
	}
}

// remember keeps the stream's last event id and retry for the next Run.
func (c *Connector) remember(p *parser) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if httpx.ValidHeader("Last-Event-ID", p.lastID) {
		c.lastID = p.lastID
	}
	if p.retry > 0 { // kept from an earlier connection until the server says again
		c.retry = p.retry
	}
}

// handle maps one event's data. Without an id path, the event's own SSE id
// names it (an array of events gets "#2", "#3"... after the second, so
// that the hub does not drop them as repeats); an event that carried no id
// field has none, and the hub numbers it: the last event ID it inherits
// names the last event that had one.
func (c *Connector) handle(s feeds.Stream, ev event) {
	r, err := c.mapper.Map([]byte(ev.data))
	if err != nil {
		c.unmatched.Add(err.Error())
		return
	}
	if r.Unmatched > 0 {
		c.unmatched.Add(r.Why)
	}
	for i, e := range r.Events {
		if e.ID == "" && ev.id != "" {
			e.ID = ev.id
			if i > 0 {
				e.ID += "#" + strconv.Itoa(i+1)
			}
		}
		e.Feed, e.Platform = c.feed, c.platform
		s.Emit(e)
	}
}

// statusError says what a non-2xx answer means: 204 asks us to stop;
// otherwise as for any HTTP connector.
func statusError(resp *http.Response) error {
	if resp.StatusCode == http.StatusNoContent {
		return feeds.Permanent(errors.New("sse: the server answered 204 No Content: it asks clients to stop"))
	}
	return httpx.HTTPError("sse", resp, 0)
}

// showGap, once a stream is live again after one was lost, tells the feed
// what the server sent in between was not received, when it could not
// be asked for: a stream that never sent an id cannot be resumed. With
// Last-Event-ID the server sends what was missed, and there is no gap.
func (c *Connector) showGap(s feeds.Stream, lastID string) {
	c.mu.Lock()
	lost := c.lost
	c.lost = time.Time{}
	c.mu.Unlock()
	if lost.IsZero() || lastID != "" {
		return
	}
	now := time.Now()
	s.Emit(feeds.Event{
		Feed: c.feed, Platform: c.platform, ID: fmt.Sprintf("~gap-%d", now.UnixNano()), Kind: feeds.KindNotice, Time: now,
		Text: fmt.Sprintf("reconnected: what the stream sent from %s to %s was not received (it sends no event ids to resume from)",
			lost.Local().Format("15:04:05"), now.Local().Format("15:04:05")),
	})
}

// Cursor is the Last-Event-ID the next Run would send: what lets another
// ingest node of a cluster take the feed over where this one left it.
func (c *Connector) Cursor() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastID
}

// Resume makes the next Run send id as its Last-Event-ID.
func (c *Connector) Resume(id string) {
	if !httpx.ValidHeader("Last-Event-ID", id) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastID = id
}
