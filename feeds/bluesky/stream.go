package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/httpx"
	"github.com/tribune/tribune/feeds/internal/wskeep"
)

// Run subscribes to Jetstream and shows the posts that match, until ctx
// ends or the stream fails; the supervisor reconnects. After a first run,
// it resumes from the time_us of the last frame handled, rewound by the
// configured rewind, and says so in the feed with a notice.
//
// The stream is reported connected on its first frame or on the pong to a
// ping sent at once, since a stream narrowed to a few accounts may be
// quiet. Status "lag" is how far behind real time the last frame was.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.running.TryLock() {
		return errors.New("bluesky: Run is already running")
	}
	defer c.running.Unlock()

	// Look-ups of the accounts have a budget of their own: a slow AppView
	// must not keep the stream from starting.
	lctx, cancel := context.WithTimeout(ctx, 2*lookupTimeout)
	missing := c.resolveAccounts(lctx)
	cancel()
	if len(missing) > 0 {
		s.Status("unresolved", strings.Join(missing, ", "))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	} else {
		s.Status("unresolved", "")
	}
	u, resumeFrom, err := c.subscribeURL()
	if err != nil {
		return err
	}

	// DIDs met on the stream are resolved beside it, for this run.
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	q := make(chan string, resolveQueue)
	c.mu.Lock()
	c.resolveq = q
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.resolveq = nil
		c.mu.Unlock()
	}()
	go c.resolveProfiles(rctx, q)

	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.cfg.idle}
	conn, resp, err := d.DialContext(ctx, u, http.Header{"User-Agent": {"tribune"}})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return httpx.HTTPError("bluesky: jetstream handshake", resp, defaultRateWait)
		}
		return fmt.Errorf("bluesky: connecting to jetstream: %w", httpx.RedactError(err))
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	conn.SetReadLimit(c.cfg.maxFrame)

	k := wskeep.Start(conn, c.cfg.idle, func() {
		s.Connected()
		if resumeFrom > 0 {
			s.Emit(c.resumeNotice(resumeFrom))
		}
	})
	defer k.Stop()

	var (
		lastLag   time.Time
		lastEvent string // the time of the last event shown, as in Status
		skipped   int
	)
	for {
		data, err := k.Read()
		if err != nil {
			return c.readErr(ctx, err)
		}
		f, err := decodeFrame(data)
		if err != nil {
			skipped++
			s.Status("skipped", fmt.Sprintf("%d frames, the last: %s", skipped, err))
			continue
		}
		if c.handle(s, f) {
			if at := time.UnixMicro(f.TimeUS).Format("15:04:05"); at != lastEvent {
				lastEvent = at
				s.Status("last event", at)
			}
		}
		c.mu.Lock()
		c.cursor = max(c.cursor, f.TimeUS)
		c.mu.Unlock()
		if now := c.now(); now.Sub(lastLag) >= time.Second {
			lastLag = now
			s.Status("lag", lag(now, f.TimeUS))
		}
	}
}

// subscribeURL is the /subscribe address with the collections, the
// watched DIDs when only they are wanted, and the cursor to resume from
// (0: live, for a first run).
func (c *Connector) subscribeURL() (string, int64, error) {
	u, err := url.Parse(c.cfg.jetstream)
	if err != nil {
		return "", 0, feeds.Permanent(fmt.Errorf("bluesky: jetstream: %w", err))
	}
	q := u.Query()
	q["wantedCollections"] = []string{collPost}
	if c.cfg.reposts {
		q.Add("wantedCollections", collRepost)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg.onlyWatched {
		dids := make([]string, 0, len(c.watched)+1)
		for d := range c.watched {
			dids = append(dids, d)
		}
		if c.account != "" && !c.watched[c.account] {
			dids = append(dids, c.account)
		}
		if len(dids) == 0 {
			return "", 0, errors.New("bluesky: none of the watched accounts resolved to a DID yet")
		}
		slices.Sort(dids)
		q["wantedDids"] = dids
	}
	var from int64
	if c.cursor > 0 {
		from = max(c.cursor-c.cfg.rewind.Microseconds(), 1)
		q.Set("cursor", strconv.FormatInt(from, 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), from, nil
}

// resumeNotice marks in the feed where the stream was cut and from when
// it is replayed.
func (c *Connector) resumeNotice(from int64) feeds.Event {
	at := time.UnixMicro(from).UTC()
	return feeds.Event{
		Feed: c.feed, Platform: platform, Kind: feeds.KindNotice,
		ID:   "resume-" + strconv.FormatInt(from, 10),
		Time: c.now(),
		Text: fmt.Sprintf("Reconnected to Jetstream: replaying from %s UTC, %s before the last event seen; what was posted meanwhile follows, nothing twice.",
			at.Format("15:04:05"), c.cfg.rewind),
	}
}

// lag is how far behind now the frame stamped us is, to the second.
func lag(now time.Time, us int64) string {
	d := max(now.Sub(time.UnixMicro(us)), 0)
	return d.Round(time.Second).String()
}

// handle turns one frame into events: a post that matches, the deletion
// of a post shown, a repost of a post shown. What was shown already (a
// replay after a resume) is not shown again. It reports whether it showed
// something.
func (c *Connector) handle(s feeds.Stream, f frame) bool {
	switch f.Kind {
	case "identity":
		// Handle changes of the authors we show; every subscriber gets
		// the whole network's.
		if id := f.Identity; id != nil && validHandle(id.Handle) {
			if p, ok := c.profiles.Get(f.DID); ok {
				p.handle = strings.ToLower(id.Handle)
				c.profiles.Put(f.DID, p)
			}
		}
		return false
	case "commit":
	default:
		return false
	}
	cm := f.Commit
	uri := atURI(f.DID, cm.Collection, cm.RKey)
	switch {
	case cm.Operation == "delete" && (cm.Collection == collPost || cm.Collection == collRepost):
		p, ok := c.posts.Get(uri)
		if !ok || p.deleted {
			return false
		}
		p.deleted = true
		c.posts.Put(uri, p)
		s.Emit(feeds.Event{
			Feed: c.feed, Platform: platform, Kind: feeds.KindDelete,
			ID: uri + "#deleted", Target: uri, Time: time.UnixMicro(f.TimeUS),
		})
		return true
	case cm.Operation != "create" || c.posts.Has(uri):
	case cm.Collection == collPost:
		return c.handlePost(s, f, uri)
	case cm.Collection == collRepost && c.cfg.reposts:
		return c.handleRepost(s, f, uri)
	}
	return false
}

func (c *Connector) handlePost(s feeds.Stream, f frame, uri string) bool {
	var rec postRecord
	if json.Unmarshal(f.Commit.Record, &rec) != nil || !validCID(f.Commit.CID) {
		return false
	}
	c.mu.Lock()
	account, watched := c.account, c.watched[f.DID]
	c.mu.Unlock()
	own := account != "" && f.DID == account
	if !own && !watched && !c.matches(rec, account) {
		return false
	}
	// Jetstream does not check records against their lexicon: a hostile
	// PDS can send a text far over the 3,000 bytes a post may have.
	rec.Text = clip(rec.Text, maxPostBytes)
	p := postRef{uri: uri, cid: f.Commit.CID, rootURI: uri, rootCID: f.Commit.CID, author: f.DID, text: rec.Text}
	var replyTo string
	if r := rec.Reply; r != nil && r.Parent.URI != "" {
		replyTo = r.Parent.URI
		if r.Root.URI != "" && validCID(r.Root.CID) {
			p.rootURI, p.rootCID = r.Root.URI, r.Root.CID
		}
	}
	c.posts.Put(uri, p)
	handle, name := c.author(f.DID)
	ev := feeds.Event{
		Feed: c.feed, Platform: platform, ID: uri, Kind: feeds.KindMessage,
		Time: time.UnixMicro(f.TimeUS), Author: handle, AuthorName: name,
		Text: rec.Text, ReplyTo: replyTo, Warning: warning(rec),
	}
	if own {
		ev.Badges = []string{feeds.BadgeBrand}
	}
	s.Emit(ev)
	return true
}

func (c *Connector) handleRepost(s feeds.Stream, f frame, uri string) bool {
	var rec repostRecord
	if json.Unmarshal(f.Commit.Record, &rec) != nil {
		return false
	}
	orig, ok := c.posts.Get(rec.Subject.URI)
	if !ok || orig.deleted || orig.uri != rec.Subject.URI {
		return false // only reposts of a post shown (and not of a repost)
	}
	c.posts.Put(uri, postRef{uri: orig.uri, cid: orig.cid, rootURI: orig.rootURI, rootCID: orig.rootCID, author: f.DID, text: orig.text})
	handle, name := c.author(f.DID)
	origHandle, _ := c.author(orig.author)
	ev := feeds.Event{
		Feed: c.feed, Platform: platform, ID: uri, Kind: feeds.KindMessage,
		Time: time.UnixMicro(f.TimeUS), Author: handle, AuthorName: name,
		Text: orig.text, RepostOf: origHandle,
	}
	c.mu.Lock()
	if f.DID == c.account {
		ev.Badges = []string{feeds.BadgeBrand}
	}
	c.mu.Unlock()
	s.Emit(ev)
	return true
}

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// matches reports whether a post names a term or a hashtag, mentions the
// account, or answers one of its posts.
func (c *Connector) matches(rec postRecord, account string) bool {
	lower := strings.ToLower(rec.Text)
	for _, t := range c.cfg.terms {
		if strings.Contains(lower, t) {
			return true
		}
	}
	if len(c.cfg.hashtags) > 0 {
		for _, f := range rec.Facets {
			for _, ft := range f.Features {
				if ft.Type == featTag && slices.Contains(c.cfg.hashtags, strings.ToLower(ft.Tag)) {
					return true
				}
			}
		}
		for _, sp := range findSpans(rec.Text) {
			if sp.kind == featTag && slices.Contains(c.cfg.hashtags, strings.ToLower(sp.value)) {
				return true
			}
		}
	}
	if !c.cfg.mentions {
		return false
	}
	if account != "" {
		for _, f := range rec.Facets {
			for _, ft := range f.Features {
				if ft.Type == featMention && ft.DID == account {
					return true
				}
			}
		}
		if r := rec.Reply; r != nil && (strings.HasPrefix(r.Parent.URI, "at://"+account+"/") || strings.HasPrefix(r.Root.URI, "at://"+account+"/")) {
			return true
		}
	}
	if !validDID(c.cfg.handle) {
		for _, sp := range findSpans(rec.Text) {
			if sp.kind == featMention && sp.value == c.cfg.handle {
				return true
			}
		}
	}
	return false
}

// warning is the post's self-labels, as a content warning.
func warning(rec postRecord) string {
	if rec.Labels == nil {
		return ""
	}
	var vals []string
	for _, v := range rec.Labels.Values {
		if v.Val != "" && len(vals) < 8 {
			vals = append(vals, strings.TrimPrefix(v.Val, "!"))
		}
	}
	if len(vals) == 0 {
		return ""
	}
	return "labelled " + strings.Join(vals, ", ")
}

// validCID is a loose check of a CID's text form: base32 or base58
// letters and digits.
func validCID(s string) bool { return s != "" && len(s) <= 256 && allBytes(s, "") }

// readErr says why the stream ended.
func (c *Connector) readErr(ctx context.Context, err error) error {
	return wskeep.Err(ctx, err, wskeep.Words{
		Stalled:  fmt.Sprintf("bluesky: nothing from jetstream for %s, dropping the stalled stream", c.cfg.idle),
		TooLarge: fmt.Sprintf("bluesky: a frame is larger than max_frame (%d bytes)", c.cfg.maxFrame),
		Closed:   "bluesky: jetstream closed the stream",
		Failed:   "bluesky: reading jetstream",
	})
}

// Cursor is the time_us of the last frame handled ("" before any): what
// lets another ingest node of a cluster take the feed over where this
// one left it.
func (c *Connector) Cursor() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cursor == 0 {
		return ""
	}
	return strconv.FormatInt(c.cursor, 10)
}

// Resume makes the next Run replay from cursor, rewound as after a
// reconnect.
func (c *Connector) Resume(cursor string) {
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || n <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cursor = max(c.cursor, n)
}
