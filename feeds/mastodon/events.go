package mastodon

import (
	"container/list"
	"fmt"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
)

// statusInfo is what Do needs to know of a status seen on the feed: the
// status to act on (the original of a boost), its visibility, and its
// author.
type statusInfo struct {
	id         string
	visibility string
	acct       string
	accountID  string
}

// editMark separates a status id from the edit it shows, in the id of the
// event of a status.update: the hub keeps one event per id, so an edit is
// an event of its own.
const editMark = "~"

// statusID is the status an event id names.
func statusID(eventID string) string {
	id, _, _ := strings.Cut(eventID, editMark)
	return id
}

// statusEvent turns a status into an event. A boost is shown as the post
// it boosts, by the booster, with RepostOf naming the original's author.
func (c *Connector) statusEvent(st *status, channel string, now time.Time) feeds.Event {
	ev := feeds.Event{
		Feed:     c.feed,
		Platform: platform,
		ID:       st.ID,
		Kind:     feeds.KindMessage,
		Time:     parseTime(st.CreatedAt),
		Channel:  channel,
		Author:   st.Account.Acct,
	}
	if ev.Time.IsZero() {
		ev.Time = now
	}
	ev.AuthorName = displayName(st.Account)
	body := st
	if st.Reblog != nil {
		body = st.Reblog
		ev.RepostOf = body.Account.Acct
	}
	ev.Text = statusText(body)
	ev.Warning = strings.TrimSpace(body.SpoilerText)
	ev.ReplyTo = body.InReplyToID
	ev.Direct = body.Visibility == "direct"
	c.mu.Lock()
	me := c.me
	c.remember(st, body)
	c.mu.Unlock()
	if me.ID != "" && st.Account.ID == me.ID {
		ev.Badges = []string{feeds.BadgeBrand}
	}
	return ev
}

// remember keeps what Do needs about a status seen, and its authors'
// account ids. c.mu is held.
func (c *Connector) remember(st, body *status) {
	info := statusInfo{id: body.ID, visibility: body.Visibility, acct: body.Account.Acct, accountID: body.Account.ID}
	c.statuses.put(st.ID, info)
	if body != st {
		c.statuses.put(body.ID, info)
	}
	for _, a := range []account{st.Account, body.Account} {
		if a.Acct != "" && a.ID != "" {
			c.accounts.put(strings.ToLower(a.Acct), a.ID)
		}
	}
	for _, m := range body.Mentions {
		if m.Acct != "" && m.ID != "" {
			c.accounts.put(strings.ToLower(m.Acct), m.ID)
		}
	}
}

// displayName is the account's display name when it differs from its
// handle. Custom emoji stay as their :shortcode:.
func displayName(a account) string {
	n := strings.TrimSpace(a.DisplayName)
	if n == a.Username || n == a.Acct {
		return ""
	}
	return n
}

// statusText is the text of a status: its content as text, then a line
// per attachment and the poll's options.
func statusText(st *status) string {
	byURL := make(map[string]string, len(st.Mentions))
	for _, m := range st.Mentions {
		if m.URL != "" && m.Acct != "" {
			byURL[m.URL] = m.Acct
		}
	}
	text := htmlText(st.Content, func(href string) string { return byURL[href] })
	var extra []string
	for _, m := range st.Media {
		kind := m.Type
		if kind == "" || kind == "unknown" {
			kind = "attachment"
		}
		if d := strings.TrimSpace(m.Description); d != "" {
			extra = append(extra, fmt.Sprintf("[%s: %s]", kind, d))
		} else {
			extra = append(extra, "["+kind+"]")
		}
	}
	if st.Poll != nil && len(st.Poll.Options) > 0 {
		opts := make([]string, 0, len(st.Poll.Options))
		for _, o := range st.Poll.Options {
			opts = append(opts, o.Title)
		}
		extra = append(extra, "[poll: "+strings.Join(opts, " / ")+"]")
	}
	if len(extra) > 0 {
		if text != "" {
			text += "\n"
		}
		text += strings.Join(extra, "\n")
	}
	return text
}

// notificationEvent turns a notification into an event: a mention (or a
// post of an account the user is notified of) is the post itself, with
// the status's id so that it is one event with the same post arriving on
// the home timeline; the others are notices ("alice favourited your post").
func (c *Connector) notificationEvent(n *notification, now time.Time) (feeds.Event, bool) {
	if (n.Type == "mention" || n.Type == "status") && n.Status != nil && n.Status.ID != "" {
		channel := "mentions"
		if n.Type == "status" {
			channel = "home"
		}
		return c.statusEvent(n.Status, channel, now), true
	}
	who := n.Account.Acct
	if who == "" {
		who = "someone"
	}
	var what string
	switch n.Type {
	case "favourite":
		what = "favourited your post"
	case "reblog":
		what = "boosted your post"
	case "follow":
		what = "followed you"
	case "follow_request":
		what = "asked to follow you"
	case "poll":
		what = "a poll you voted in or created has ended"
	case "update":
		what = "edited a post you interacted with"
	case "admin.sign_up":
		what = "signed up"
	case "admin.report":
		what = "filed a report"
	case "severed_relationships", "moderation_warning":
		what = "the server sent a " + strings.ReplaceAll(n.Type, "_", " ") + " notice"
	default:
		what = n.Type
	}
	text := who + " " + what
	if n.Status != nil {
		if t := statusText(n.Status); t != "" {
			text += ": " + t
		}
	}
	ev := feeds.Event{
		Feed:     c.feed,
		Platform: platform,
		ID:       "notification:" + n.ID,
		Kind:     feeds.KindNotice,
		Time:     parseTime(n.CreatedAt),
		Channel:  "notifications",
		Author:   n.Account.Acct,
		Text:     text,
	}
	ev.AuthorName = displayName(n.Account)
	if ev.Time.IsZero() {
		ev.Time = now
	}
	if n.Status != nil {
		ev.ReplyTo = n.Status.ID
	}
	return ev, true
}

// seenSet remembers the last n ids, so that a post that arrives by the
// backfill and the stream, or on two streams, is emitted once.
type seenSet struct {
	ids  map[string]struct{}
	ring []string
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it is new.
func (s *seenSet) add(id string) bool {
	if _, ok := s.ids[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = struct{}{}
	return true
}

// lru is a bounded map, the least recently used entry dropped first.
type lru[V any] struct {
	max   int
	order *list.List // of *lruEntry, most recent first
	byKey map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), byKey: make(map[string]*list.Element)}
}

func (l *lru[V]) put(k string, v V) {
	if e, ok := l.byKey[k]; ok {
		e.Value.(*lruEntry[V]).val = v
		l.order.MoveToFront(e)
		return
	}
	l.byKey[k] = l.order.PushFront(&lruEntry[V]{k, v})
	if l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.byKey, last.Value.(*lruEntry[V]).key)
	}
}

func (l *lru[V]) get(k string) (V, bool) {
	e, ok := l.byKey[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry[V]).val, true
}
