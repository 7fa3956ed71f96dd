package hub

import (
	"strconv"
	"testing"

	"github.com/tribune/tribune/feeds"
)

// A feed that names a new odd channel with every event cannot grow the
// hub's memory of raw names without bound.
func TestRawChannelsAreBounded(t *testing.T) {
	h := New(Options{})
	h.mu.Lock()
	for i := range 5 * maxRawNames {
		raw := "#c\x07" + strconv.Itoa(i)
		ev := feeds.Event{Feed: "f", ID: strconv.Itoa(i), Channel: raw}
		Clean(&ev)
		h.rememberChannel(&ev, raw)
	}
	rc := h.raw["f"]
	h.mu.Unlock()
	for _, g := range []genMap{rc.byName, rc.byID} {
		if n := len(g.cur) + len(g.prev); n > 2*maxRawNames {
			t.Errorf("%d names remembered, bound %d", n, 2*maxRawNames)
		}
	}
	last := strconv.Itoa(5*maxRawNames - 1)
	if got := h.RawChannel("f", last, ""); got != "#c\x07"+last {
		t.Errorf("latest target resolves to %q", got)
	}
	if got := h.RawChannel("f", "", "#nowhere"); got != "#nowhere" {
		t.Errorf("an unknown name resolves to %q, want itself", got)
	}
}
