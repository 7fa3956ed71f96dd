package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tribune/tribune/feeds"
)

// fillGap reads back, after a reconnect, what each stream missed since
// its cursor, emits it oldest first (what was emitted already is dropped),
// and marks the gap with a notice on the stream's channel. It does
// nothing on the first connection: there is no gap yet.
func (c *Connector) fillGap(ctx context.Context, s feeds.Stream) {
	c.mu.Lock()
	from := c.dropped
	c.mu.Unlock()
	if from.IsZero() {
		return
	}
	to := c.now()
	for _, st := range c.streams {
		c.mu.Lock()
		var cur cursor
		p, ok := c.cursors[st.key]
		if ok {
			cur = *p
		}
		c.mu.Unlock()
		if !ok {
			c.emit(s, c.gapNotice(st, from, to, "not filled: the timeline could not be read when the feed started"))
			continue
		}
		n, complete, err := c.backfillStream(ctx, s, st, cur)
		if ctx.Err() != nil {
			return
		}
		var text string
		switch {
		case err != nil && n > 0:
			text = fmt.Sprintf("partly filled from the timeline (%d posts), then: %v", n, err)
		case err != nil:
			text = fmt.Sprintf("not filled: %v", err)
		case !complete:
			text = fmt.Sprintf("partly filled from the timeline: %d posts read back, the most the backfill setting allows (%d)", n, c.backfill)
		case n == 0:
			text = "filled from the timeline: nothing was missed"
		case n == 1:
			text = "filled from the timeline (1 post)"
		default:
			text = fmt.Sprintf("filled from the timeline (%d posts)", n)
		}
		c.emit(s, c.gapNotice(st, from, to, text))
		if err == nil {
			s.Status("gap", "")
		} else {
			s.Status("gap", st.channel+": not filled")
		}
	}
}

// backfillStream reads back one stream's timeline (and, for the user
// stream, the notifications) since cur, emits what is new in time order,
// and returns how many events it emitted and whether it reached the end.
func (c *Connector) backfillStream(ctx context.Context, s feeds.Stream, st stream, cur cursor) (int, bool, error) {
	now := c.now()
	var evs []feeds.Event
	path, extra := st.timeline()
	raws, complete, err := c.since(ctx, "reading back "+st.channel, path, extra, cur.status, c.backfill)
	for _, raw := range raws {
		var x status
		if json.Unmarshal(raw, &x) != nil || x.ID == "" {
			continue
		}
		c.advance(st.key, x.ID, "")
		evs = append(evs, c.statusEvent(&x, st.channel, now))
	}
	if st.name == "user" && err == nil {
		var nraws []json.RawMessage
		var ncomplete bool
		nraws, ncomplete, err = c.since(ctx, "reading back the notifications", notificationsPath, nil, cur.notification, c.backfill)
		complete = complete && ncomplete
		for _, raw := range nraws {
			var n notification
			if json.Unmarshal(raw, &n) != nil || n.ID == "" {
				continue
			}
			c.advance(st.key, "", n.ID)
			if ev, ok := c.notificationEvent(&n, now); ok {
				evs = append(evs, ev)
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b feeds.Event) int { return a.Time.Compare(b.Time) })
	n := 0
	for _, ev := range evs {
		c.mu.Lock()
		fresh := c.seen.add(ev.ID)
		c.mu.Unlock()
		if fresh {
			s.Emit(ev)
			n++
		}
	}
	return n, complete, err
}

// since reads a timeline forward from the id after, page after page
// (min_id: "results immediately newer than this ID"; the next page is the
// Link header's rel="prev", api/guidelines#pagination), until a page is
// empty (complete) or bound items were read. Items at or before after are
// dropped, should a server ignore min_id.
func (c *Connector) since(ctx context.Context, what, path string, extra map[string]string, after string, bound int) ([]json.RawMessage, bool, error) {
	if after == "" {
		after = "0" // the timeline was empty: everything in it is new
	}
	first := after
	q := query(extra)
	q.Set("min_id", after)
	q.Set("limit", strconv.Itoa(c.pageLimit))
	u := c.api(path, q)
	var items []json.RawMessage
	for len(items) < bound {
		var page []json.RawMessage
		hdr, err := c.do(ctx, call{what: what, method: http.MethodGet, u: u, out: &page})
		if err != nil {
			return items, false, err
		}
		newest := after
		for _, raw := range page {
			var x struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(raw, &x) != nil || compareIDs(x.ID, first) <= 0 {
				continue
			}
			items = append(items, raw)
			if compareIDs(x.ID, newest) > 0 {
				newest = x.ID
			}
		}
		if newest == after {
			return items, true, nil // an empty page, or no progress
		}
		after = newest
		u = c.nextPage(hdr, u, after)
	}
	return items, false, nil
}

// nextPage is the page after the one read from u, whose newest item was
// newest: the Link header's rel="prev" when it is on the instance, at the
// same path, and asks for min_id=newest; else u with min_id=newest.
func (c *Connector) nextPage(h http.Header, u *url.URL, newest string) *url.URL {
	if link := linkRel(h.Values("Link"), "prev"); link != "" {
		if p, err := url.Parse(link); err == nil && p.Scheme == c.base.Scheme && strings.EqualFold(p.Host, c.base.Host) &&
			p.Path == u.Path && p.User == nil && p.Query().Get("min_id") == newest && p.Query().Get("since_id") == "" {
			return p
		}
	}
	next := *u
	q := next.Query()
	q.Set("min_id", newest)
	q.Del("max_id")
	q.Del("since_id")
	next.RawQuery = q.Encode()
	return &next
}

// linkRel returns the target of the link with relation rel in Link header
// values (RFC 8288: `<https://…?min_id=1>; rel="prev", <…>; rel="next"`).
func linkRel(values []string, rel string) string {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if !strings.HasPrefix(part, "<") {
				continue
			}
			end := strings.IndexByte(part, '>')
			if end < 0 {
				continue
			}
			target := part[1:end]
			for _, param := range strings.Split(part[end+1:], ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
					if strings.EqualFold(r, rel) {
						return target
					}
				}
			}
		}
	}
	return ""
}

// query builds url.Values from fixed parameters.
func query(m map[string]string) url.Values {
	q := make(url.Values, len(m)+2)
	for k, v := range m {
		q.Set(k, v)
	}
	return q
}
