package hub

import "github.com/tribune/tribune/feeds"

// The hub sanitizes Event.Channel for the screen, but an action must reach
// the channel the platform named: a name the sanitizer changed (a control
// character, a bidi override, a name past the length bound) would send a
// reply, a ban or a post to another channel, or to none. The hub remembers,
// per feed, the names it changed and restores them for the dispatcher
// (RawChannel); only the dispatcher holds a raw name, just before Do, so
// nothing raw is ever stored, published or shown.

// maxRawNames bounds what one feed remembers, in each of its two maps.
// Only changed names are kept, so the bound is rarely approached.
const maxRawNames = 4096

// rawChannels is one feed's memory of channel names the sanitizer changed.
type rawChannels struct {
	// byName maps a displayed name to the platform's spelling most
	// recently seen under it (several spellings may sanitize alike).
	byName genMap
	// byID maps an event id to its channel's spelling, for events whose
	// displayed name is or may be ambiguous: an action on an event goes to
	// that event's own channel.
	byID genMap
}

// rememberChannel records how ev's channel was spelled before clean, when
// that matters. ev is clean; h.mu is held.
func (h *Hub) rememberChannel(ev *feeds.Event, raw string) {
	rc := h.raw[ev.Feed]
	if rc == nil {
		if raw == ev.Channel {
			return // the common case: nothing to remember
		}
		rc = &rawChannels{byName: newGenMap(maxRawNames), byID: newGenMap(maxRawNames)}
		h.raw[ev.Feed] = rc
	}
	if raw == ev.Channel {
		// A clean spelling of a name that some other spelling also
		// displays as: it becomes the latest under that name, and this
		// event keeps its own.
		if _, ok := rc.byName.get(ev.Channel); !ok {
			return
		}
	}
	rc.byName.put(ev.Channel, raw)
	if ev.ID != "" {
		rc.byID.put(ev.ID, raw)
	}
}

// RawChannel returns the channel an action on feed must go to, as the
// platform spells it: the channel of the event target when the hub knows
// it, else the spelling last seen under the displayed name channel, else
// channel itself. The dispatcher calls it just before Connector.Do; the
// result is untrusted text, for the connector only.
func (h *Hub) RawChannel(feed, target, channel string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	rc := h.raw[feed]
	if rc == nil {
		return channel
	}
	if target != "" {
		if raw, ok := rc.byID.get(target); ok {
			return raw
		}
	}
	if channel == "" {
		return channel
	}
	if raw, ok := rc.byName.get(channel); ok {
		return raw
	}
	return channel
}

// genMap is a map that keeps about its last n entries, in two
// generations: O(1) per operation, memory bounded at 2n entries.
type genMap struct {
	n         int
	cur, prev map[string]string
}

func newGenMap(n int) genMap {
	return genMap{n: n, cur: make(map[string]string)}
}

func (g *genMap) get(k string) (string, bool) {
	if v, ok := g.cur[k]; ok {
		return v, true
	}
	v, ok := g.prev[k]
	return v, ok
}

func (g *genMap) put(k, v string) {
	if _, ok := g.cur[k]; !ok && len(g.cur) >= g.n {
		g.prev, g.cur = g.cur, make(map[string]string, g.n)
	}
	g.cur[k] = v
}
