package bluesky

import (
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

func TestTID(t *testing.T) {
	if got := encodeTID(0, 0); got != "2222222222222" {
		t.Errorf("zero TID = %q", got)
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	id := feeds.NewActionID(at)
	a, b := tidFor(id, at), tidFor(id, time.Now())
	if a != b || !validTID(a) {
		t.Errorf("tidFor(%q) = %q then %q", id, a, b)
	}
	if other := tidFor(feeds.NewActionID(at), at); other == a && other != "" {
		// Same microsecond: only the clock bits differ, 1 in 1024 alike.
		t.Logf("two ids of the same instant share a TID (rare): %q", a)
	}
	// The timestamp is the action's time, so keys sort as actions do.
	if later := tidFor(feeds.NewActionID(at.Add(time.Second)), at); later <= a {
		t.Errorf("a later action's key %q sorts before %q", later, a)
	}
	// An id of another shape takes the creation time.
	if x := tidFor("custom-id", at); !validTID(x) || x[:11] != encodeTID(uint64(at.UnixMicro()), 0)[:11] {
		t.Errorf("tidFor(custom) = %q", x)
	}
	for _, bad := range []string{"", "222222222222", "z222222222222", "22222222222221", "2222222222A22"} {
		if validTID(bad) {
			t.Errorf("%q passes as a TID", bad)
		}
	}
}
