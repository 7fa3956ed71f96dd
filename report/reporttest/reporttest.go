// Package reporttest fills a store with a small launch evening whose
// report is known, for the tests of report and of the commands.
package reporttest

import (
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/store"
)

// T0 is when the evening starts.
var T0 = time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)

// Brand and Watch are the [pulse] the evening is read with.
var (
	Brand = []string{"@lumio"}
	Watch = []string{"refund", "surchauffe", "#HaloGate"}
)

// Hostile is an author name and a text that must stay inert.
const (
	HostileName = `<script>alert("name")</script>`
	HostileText = `<img src=x onerror=alert(1)> <script>alert("pwned")</script> | **refund** [x](javascript:alert(1))`
)

// Clock is a settable clock for store.Options.Now: audit entries are
// stamped with it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at T0.
func NewClock() *Clock { return &Clock{t: T0} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to T0 + d.
func (c *Clock) Set(d time.Duration) {
	c.mu.Lock()
	c.t = T0.Add(d)
	c.mu.Unlock()
}

// Fill stores the evening in db, whose Options.Now is c:
//
//   - 20:01 alice (twitch) asks @lumio; the brand answers on the platform
//     at 20:03 (2 min);
//   - 20:05 bob (twitch) asks @lumio about a refund; an operator's reply
//     is sent at 20:06 (1 min);
//   - 20:07 carol (mastodon) asks @lumio, unanswered;
//   - 20:08 to 20:12 a hostile author posts angry watch-word messages;
//   - 20:10 an alert, 20:11 the outbox held, 20:12 a ban sent, 20:15
//     released;
//   - a notice and a deletion marker, counted in volume only.
func Fill(t testing.TB, db *store.DB, c *Clock) {
	t.Helper()
	var seq uint64
	var evs []feeds.Event
	add := func(min int, feed, platform, id, author, name, text string, f func(*feeds.Event)) {
		seq++
		ev := feeds.Event{Seq: seq, Feed: feed, Platform: platform, ID: id, Kind: feeds.KindMessage,
			Time: T0.Add(time.Duration(min) * time.Minute), Author: author, AuthorName: name, Text: text}
		if f != nil {
			f(&ev)
		}
		evs = append(evs, ev)
	}
	add(1, "twitch", "twitch", "t1", "alice", "Alice", "@lumio does it ship to France?", nil)
	add(2, "twitch", "twitch", "t2", "alice", "Alice", "trop bien, j'adore !", nil)
	add(3, "twitch", "twitch", "t3", "lumio", "Lumio", "@alice yes, from December", func(e *feeds.Event) {
		e.Badges, e.ReplyTo = []string{feeds.BadgeBrand}, "t1"
	})
	add(5, "twitch", "twitch", "t4", "bob", "", "@lumio when is my refund coming??", nil)
	add(7, "mastodon", "mastodon", "m1", "carol@example.social", "Carol", "@lumio is the case supposed to be this hot?", nil)
	for i, m := range []int{8, 9, 10, 11, 12} {
		add(m, "twitch", "twitch", "h"+string(rune('0'+i)), "troll", HostileName, HostileText+" surchauffe, nul, arnaque", nil)
	}
	add(13, "twitch", "twitch", "n1", "", "", "nightowl subscribed", func(e *feeds.Event) { e.Kind = feeds.KindNotice })
	add(14, "twitch", "twitch", "d1", "", "", "", func(e *feeds.Event) { e.Kind, e.Target = feeds.KindDelete, "h0" })
	add(20, "mastodon", "mastodon", "m2", "dave@example.social", "", "line one\nline \"two\", with a comma", nil)
	if err := db.AppendEvents(evs); err != nil {
		t.Fatal(err)
	}

	send := func(min int, a feeds.Action) {
		c.Set(time.Duration(min)*time.Minute - 10*time.Second)
		a.ID = feeds.NewActionID(c.Now())
		a.Operator = "maya"
		a.Created = c.Now()
		if err := db.Enqueue(outbox.Outgoing{Action: a, State: outbox.StateQueued}); err != nil {
			t.Fatal(err)
		}
		c.Set(time.Duration(min) * time.Minute)
		_, err := db.Change(a.ID, func(o *outbox.Outgoing, held bool) (outbox.Note, error) {
			o.State = outbox.StateSent
			return outbox.Note{What: outbox.AuditSent}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	send(6, feeds.Action{Feed: "twitch", Kind: feeds.ActReply, Target: "t4", TargetAuthor: "bob",
		TargetText: "@lumio when is my refund coming??", Text: "@bob it left today"})
	c.Set(10 * time.Minute)
	if err := db.Note(outbox.AuditEntry{What: outbox.AuditAlert, Feed: "twitch",
		Text: "volume ×4.0 in 1m on twitch, 80% negative, top terms: surchauffe"}); err != nil {
		t.Fatal(err)
	}
	c.Set(11 * time.Minute)
	if _, err := db.SetHold(outbox.Hold{On: true, By: "maya"}); err != nil {
		t.Fatal(err)
	}
	send(12, feeds.Action{Feed: "twitch", Kind: feeds.ActBan, TargetAuthor: "troll", TargetText: HostileText})
	c.Set(15 * time.Minute)
	if _, err := db.SetHold(outbox.Hold{On: false, By: "maya"}); err != nil {
		t.Fatal(err)
	}
}
