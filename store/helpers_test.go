package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// t0 is the fake clock's start: a launch evening.
var t0 = time.Date(2025, 3, 14, 19, 0, 0, 0, time.UTC)

// clock is a settable time source for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// dbPath is a database path in a fresh directory, one level deeper than the
// test's temp dir so that Open has a parent to create.
func dbPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "state", "tribune.db")
}

// openAt opens path and closes it when the test ends (closing twice is fine).
func openAt(t testing.TB, path string, opts Options) *DB {
	t.Helper()
	db, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openTemp(t testing.TB, opts Options) *DB {
	t.Helper()
	return openAt(t, dbPath(t), opts)
}

func mustClose(t testing.TB, db *DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// ev makes a message event at t0 plus seq seconds.
func ev(seq uint64, feed, id string) feeds.Event {
	return feeds.Event{
		Seq:      seq,
		Feed:     feed,
		Platform: "twitch",
		ID:       id,
		Kind:     feeds.KindMessage,
		Time:     t0.Add(time.Duration(seq) * time.Second),
		Author:   "viewer" + id,
		Text:     "hello from " + id,
	}
}

func mustAppend(t testing.TB, db *DB, evs ...feeds.Event) {
	t.Helper()
	if err := db.AppendEvents(evs); err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
}

func seqsOf(evs []feeds.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func idsOf(evs []feeds.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Feed + "/" + e.ID
	}
	return out
}

// eventGen makes realistic launch-night chat: four feeds, UUID-like ids,
// handles, display names, badges now and then, lines of 20 to 200 bytes.
type eventGen struct {
	rng *rand.Rand
	seq uint64
	t   time.Time
}

func newEventGen(seed uint64) *eventGen {
	return &eventGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: t0}
}

var (
	genFeeds = []struct{ feed, platform string }{
		{"twitch-main", "twitch"}, {"mastodon-brand", "mastodon"},
		{"bluesky", "bluesky"}, {"irc-libera", "irc"},
	}
	genWords = strings.Fields(`the new keynote launch is live finally wow price when shipping
		europe france merci bravo trop bien c'est quand la sortie battery camera looks great
		crash bug refund support help please lol gg pog hype soon today tomorrow`)
	genBadges = [][]string{nil, nil, nil, nil, nil, nil, {feeds.BadgeSubscriber},
		{feeds.BadgeSubscriber, feeds.BadgeVIP}, {feeds.BadgeModerator}, nil}
)

func (g *eventGen) next() feeds.Event {
	g.seq++
	g.t = g.t.Add(time.Duration(g.rng.IntN(20)) * time.Millisecond)
	f := genFeeds[g.rng.IntN(len(genFeeds))]
	user := g.rng.IntN(5000)
	var text strings.Builder
	for n := 3 + g.rng.IntN(25); n > 0; n-- {
		text.WriteString(genWords[g.rng.IntN(len(genWords))])
		text.WriteByte(' ')
	}
	return feeds.Event{
		Seq:        g.seq,
		Feed:       f.feed,
		Platform:   f.platform,
		ID:         fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", g.rng.Uint32(), g.rng.Uint32()&0xffff, g.rng.Uint32()&0xffff, g.rng.Uint32()&0xffff, g.rng.Uint64()&0xffffffffffff),
		Kind:       feeds.KindMessage,
		Time:       g.t,
		Channel:    "#launch",
		Author:     fmt.Sprintf("user_%d", user),
		AuthorName: fmt.Sprintf("User %d", user),
		Badges:     genBadges[g.rng.IntN(len(genBadges))],
		Text:       strings.TrimSpace(text.String()),
	}
}

func (g *eventGen) batch(n int) []feeds.Event {
	out := make([]feeds.Event, n)
	for i := range out {
		out[i] = g.next()
	}
	return out
}
