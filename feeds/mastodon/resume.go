package mastodon

import (
	"strings"
	"time"
)

// Cursor is where each stream stands, for another ingest node of a
// cluster to take the feed over and read back from the timelines what was
// posted meanwhile: "at=TIME key=STATUS[/NOTIFICATION] …", TIME when it
// was taken (the start of the gap the next node fills), one entry per
// configured stream with a cursor. "" before any.
func (c *Connector) Cursor() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, st := range c.streams {
		cur := c.cursors[st.key]
		if cur == nil {
			continue
		}
		b.WriteString(" " + st.key + "=" + cur.status)
		if cur.notification != "" {
			b.WriteString("/" + cur.notification)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "at=" + c.now().UTC().Format(time.RFC3339) + b.String()
}

// Resume takes a cursor another node's Cursor gave: the next Run reads
// back each stream's timeline from it, and marks the gap from its time. A
// stream this node has read further keeps its own cursor; an entry for a
// stream not configured, or an id that is not one, is ignored.
func (c *Connector) Resume(saved string) {
	fields := strings.Fields(saved)
	if len(fields) == 0 {
		return
	}
	v, ok := strings.CutPrefix(fields[0], "at=")
	if !ok {
		return
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	took := false
	for _, f := range fields[1:] {
		key, ids, _ := strings.Cut(f, "=")
		status, notification, _ := strings.Cut(ids, "/")
		if !c.hasStream(key) || !validID(status) || !validID(notification) {
			continue
		}
		cur := c.cursors[key]
		if cur == nil {
			cur = &cursor{primed: true}
			c.cursors[key] = cur
		}
		if compareIDs(status, cur.status) > 0 {
			cur.status = status
		}
		if compareIDs(notification, cur.notification) > 0 {
			cur.notification = notification
		}
		took = true
	}
	if took && at.After(c.dropped) {
		c.dropped = at
	}
}

// hasStream reports whether key is a configured stream's.
func (c *Connector) hasStream(key string) bool {
	for _, st := range c.streams {
		if st.key == key {
			return true
		}
	}
	return false
}

// validID reports whether id can be a Mastodon id ("" for none): letters
// and digits (Mastodon's are digits, other servers' flakes and ULIDs are
// alphanumeric), at most 64.
func validID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return true
}
