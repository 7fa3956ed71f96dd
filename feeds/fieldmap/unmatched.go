package fieldmap

import (
	"fmt"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
)

// Status keys a connector shows in the Stats pane for what did not map.
const (
	StatusUnmatched = "unmatched"        // "3 frames"
	StatusWhy       = "unmatched reason" // the latest reason
)

// showEvery spaces status updates: each one republishes every feed's
// health to every subscriber, too much to do per frame of a flood that
// does not match.
const showEvery = time.Second

// Unmatched counts the documents of one connector that did not map, for
// its whole life, and shows the count on the stream of the Run in
// progress. It is safe for concurrent use.
type Unmatched struct {
	unit string

	mu     sync.Mutex
	n      int
	why    string
	s      feeds.Stream // the running Run's stream; nil between Runs
	shown  time.Time
	dirty  bool
	timer  *time.Timer
	attach uint64 // counts Attach calls, so a stale timer or detach does nothing
}

// NewUnmatched returns a counter whose status reads "N <unit>s" ("frame").
func NewUnmatched(unit string) *Unmatched { return &Unmatched{unit: unit} }

// Attach shows the count on s, the stream of a Run starting now, until the
// returned function is called (as the Run returns: the supervisor clears a
// Run's status then, and a late update must not bring it back).
func (u *Unmatched) Attach(s feeds.Stream) (detach func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.s = s
	u.attach++
	if u.timer != nil {
		u.timer.Stop()
		u.timer = nil
	}
	if u.n > 0 {
		u.showLocked()
	}
	me := u.attach
	return func() {
		u.mu.Lock()
		defer u.mu.Unlock()
		if u.attach == me {
			u.s = nil
			if u.timer != nil {
				u.timer.Stop()
				u.timer = nil
			}
		}
	}
}

// Add counts one document that did not (wholly) map, and why.
func (u *Unmatched) Add(why string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.n++
	u.why = why
	u.dirty = true
	if u.s == nil {
		return
	}
	if wait := showEvery - time.Since(u.shown); wait > 0 {
		if u.timer == nil {
			// Show the latest count once the second is up, even if no
			// other document comes to trigger it.
			me := u.attach
			var t *time.Timer
			t = time.AfterFunc(wait, func() {
				u.mu.Lock()
				defer u.mu.Unlock()
				if u.timer == t {
					u.timer = nil
				}
				if u.attach == me && u.s != nil && u.dirty {
					u.showLocked()
				}
			})
			u.timer = t
		}
		return
	}
	u.showLocked()
}

// Count returns how many documents did not map so far.
func (u *Unmatched) Count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n
}

func (u *Unmatched) showLocked() {
	unit := u.unit
	if u.n != 1 {
		unit += "s"
	}
	u.s.Status(StatusUnmatched, fmt.Sprintf("%d %s", u.n, unit))
	u.s.Status(StatusWhy, u.why)
	u.shown = time.Now()
	u.dirty = false
}
