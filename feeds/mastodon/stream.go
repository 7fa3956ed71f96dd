package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/httpx"
	"github.com/tribune/tribune/feeds/internal/wskeep"
)

const (
	writeWait = 10 * time.Second
	// healthEvery is how often the stream's health (lag, last event) is
	// reported while events flow.
	healthEvery = time.Second
)

// Run reads the token's account and the instance's configuration, opens
// the streaming API's WebSocket on the first stream and subscribes the
// others on it (methods/streaming#websocket), fills the gap since the
// last run from the REST timelines, then turns frames into events until
// ctx ends or the stream fails; the supervisor runs it again.
//
// Mastodon's stream has no cursor: what was posted while disconnected is
// read back from each stream's timeline (and the notifications, for the
// user stream) from the newest id seen (or the one another ingest node
// saw, given to Resume), page after page, up to the
// backfill bound. The WebSocket is opened first and read only after the
// gap is filled, so that nothing falls between the two; what arrives by
// both is emitted once. A notice on each stream's channel says where the
// gap was and whether it was filled.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.running.TryLock() {
		return errors.New("mastodon: Run is already running")
	}
	defer c.running.Unlock()

	if err := c.refresh(ctx); err != nil {
		return err
	}
	if err := c.prime(ctx); err != nil {
		return err
	}
	header := http.Header{"Authorization": {"Bearer " + c.token}, "User-Agent": {"tribune"}}
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.idle}
	conn, resp, err := d.DialContext(ctx, c.streamingURL(c.streams[0]), header)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return httpx.HTTPError("mastodon: opening the stream", resp, defaultRetry)
		}
		return fmt.Errorf("mastodon: opening the stream: %w", httpx.RedactError(err))
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	conn.SetReadLimit(c.maxFrame)
	for _, st := range c.streams[1:] {
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := conn.WriteMessage(websocket.TextMessage, st.subscribe()); err != nil {
			return c.readErr(ctx, fmt.Errorf("subscribing to %s: %w", st.channel, err))
		}
	}
	names := make([]string, len(c.streams))
	for i, st := range c.streams {
		names[i] = st.channel
	}
	s.Status("streams", strings.Join(names, " · "))

	c.fillGap(ctx, s)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	k := wskeep.Start(conn, c.idle, s.Connected)
	defer k.Stop()

	// From here on, an end of the stream is the start of a gap. A run
	// that fails before it leaves the gap where the last stream ended,
	// and the cursors where it left them.
	defer func() {
		c.mu.Lock()
		c.dropped = c.now()
		c.mu.Unlock()
	}()
	h := health{s: s}
	for {
		data, err := k.Read()
		if err != nil {
			return c.readErr(ctx, err)
		}
		c.handle(s, data, &h)
	}
}

// readErr says why the stream ended.
func (c *Connector) readErr(ctx context.Context, err error) error {
	return wskeep.Err(ctx, err, wskeep.Words{
		Stalled:  fmt.Sprintf("mastodon: nothing received for %s, dropping the stalled stream", c.idle),
		TooLarge: fmt.Sprintf("mastodon: a frame is larger than %d bytes", c.maxFrame),
		Closed:   "mastodon: the server closed the stream",
		Failed:   "mastodon: reading the stream",
	})
}

// health reports the stream's lag and last event, at most every
// healthEvery while events flow, and the frames it could not read.
type health struct {
	s        feeds.Stream
	reported time.Time
	bad      int
}

func (h *health) event(now, posted time.Time, rate string) {
	if now.Sub(h.reported) < healthEvery {
		return
	}
	h.reported = now
	lag := "0s"
	if !posted.IsZero() && now.After(posted) {
		lag = now.Sub(posted).Round(time.Second).String()
	}
	h.s.Status("lag", lag)
	h.s.Status("last event", now.Local().Format("15:04:05"))
	if rate != "" {
		h.s.Status("rate limit", rate)
	}
}

// channel is the Event.Channel of a stream key.
func (c *Connector) channel(key string) string {
	for _, st := range c.streams {
		if st.key == key {
			return st.channel
		}
	}
	if key == "" {
		return ""
	}
	return key
}

// handle turns one frame into events.
func (c *Connector) handle(s feeds.Stream, data []byte, h *health) {
	d, err := decodeFrame(data)
	if err != nil {
		h.bad++
		s.Status("unreadable frames", strconv.Itoa(h.bad))
		return
	}
	if d.err != "" {
		s.Status("stream error", d.err)
		return
	}
	now := c.now()
	var posted time.Time
	switch {
	case d.status != nil:
		ev := c.statusEvent(d.status, c.channel(d.stream), now)
		posted = ev.Time
		if d.event == "status.update" {
			edited := d.status.EditedAt
			if edited == "" {
				edited = strconv.FormatInt(now.UnixNano(), 10)
			}
			ev.ID += editMark + edited
			ev.Text = "(edited) " + ev.Text
			if t := parseTime(d.status.EditedAt); !t.IsZero() {
				ev.Time, posted = t, t
			}
		} else {
			c.advance(d.stream, d.status.ID, "")
		}
		c.emit(s, ev)
	case d.notification != nil:
		if ev, ok := c.notificationEvent(d.notification, now); ok {
			posted = ev.Time
			c.emit(s, ev)
		}
		c.advance("user", "", d.notification.ID)
	case d.deleted != "":
		c.emit(s, feeds.Event{
			Feed: c.feed, Platform: platform, ID: "delete:" + d.deleted,
			Kind: feeds.KindDelete, Time: now, Target: d.deleted,
		})
	default:
		return // filters_changed, announcements, …: nothing to show
	}
	c.mu.Lock()
	rate := c.rate
	c.mu.Unlock()
	h.event(now, posted, rate)
}

// emit hands ev to the hub unless it was emitted already.
func (c *Connector) emit(s feeds.Stream, ev feeds.Event) {
	c.mu.Lock()
	fresh := c.seen.add(ev.ID)
	c.mu.Unlock()
	if fresh {
		s.Emit(ev)
	}
}

// advance moves a stream's cursor forward to a status or notification id.
func (c *Connector) advance(key, statusID, notificationID string) {
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.cursors[key]
	if cur == nil {
		cur = &cursor{}
		c.cursors[key] = cur
	}
	if statusID != "" && compareIDs(statusID, cur.status) > 0 {
		cur.status = statusID
	}
	if notificationID != "" && compareIDs(notificationID, cur.notification) > 0 {
		cur.notification = notificationID
	}
}

// timeline is where a stream's statuses can be read back
// (methods/timelines): the path and its query.
func (st stream) timeline() (string, map[string]string) {
	switch st.name {
	case "hashtag":
		return "/api/v1/timelines/tag/" + url.PathEscape(st.value), nil
	case "list":
		return "/api/v1/timelines/list/" + url.PathEscape(st.value), nil
	case "user":
		return "/api/v1/timelines/home", nil
	case "public:local":
		return "/api/v1/timelines/public", map[string]string{"local": "true"}
	}
	return "/api/v1/timelines/public", nil
}

// notificationsPath is methods/notifications#get.
const notificationsPath = "/api/v1/notifications"

// prime sets the cursor of each stream that has none to the newest id of
// its timeline, so that a gap before the first event can be filled too.
// A refused read is the run's error (a list that is not the account's);
// a stream whose timeline cannot be read for now is left unprimed.
func (c *Connector) prime(ctx context.Context) error {
	for _, st := range c.streams {
		c.mu.Lock()
		done := c.cursors[st.key] != nil
		c.mu.Unlock()
		if done {
			continue
		}
		path, extra := st.timeline()
		newest, err := c.newest(ctx, "reading "+st.channel, path, extra)
		if err != nil {
			if feeds.IsPermanent(err) {
				return err
			}
			continue
		}
		cur := &cursor{status: newest, primed: true}
		if st.name == "user" {
			if cur.notification, err = c.newest(ctx, "reading the notifications", notificationsPath, nil); err != nil {
				if feeds.IsPermanent(err) {
					return err
				}
				continue
			}
		}
		c.mu.Lock()
		if c.cursors[st.key] == nil {
			c.cursors[st.key] = cur
		}
		c.mu.Unlock()
	}
	return nil
}

// newest is the id of the newest item of a timeline, "" when it is empty.
func (c *Connector) newest(ctx context.Context, what, path string, extra map[string]string) (string, error) {
	q := query(extra)
	q.Set("limit", "1")
	var items []struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, call{what: what, method: http.MethodGet, u: c.api(path, q), out: &items}); err != nil {
		return "", err
	}
	newest := ""
	for _, it := range items {
		if compareIDs(it.ID, newest) > 0 {
			newest = it.ID
		}
	}
	return newest, nil
}

// gapNotice is the marker of a gap on a stream.
func (c *Connector) gapNotice(st stream, from, to time.Time, text string) feeds.Event {
	span := from.Local().Format("15:04") + "–" + to.Local().Format("15:04")
	return feeds.Event{
		Feed: c.feed, Platform: platform,
		ID:      "gap:" + st.key + ":" + strconv.FormatInt(to.UnixNano(), 10),
		Kind:    feeds.KindNotice,
		Time:    to,
		Channel: st.channel,
		Text:    "gap " + span + " · " + text,
	}
}

// subscribe is the message that adds st to an open stream:
// {"type":"subscribe","stream":"hashtag","tag":"foo"}.
func (st stream) subscribe() []byte {
	msg := map[string]string{"type": "subscribe", "stream": st.name}
	if st.param != "" {
		msg[st.param] = st.value
	}
	b, _ := json.Marshal(msg)
	return b
}
