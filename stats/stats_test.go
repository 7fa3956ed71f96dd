package stats

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// clock is a fake clock safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// t0 is on a minute boundary.
var t0 = time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)

func msg(feed, platform, author string, t time.Time) feeds.Event {
	return feeds.Event{Feed: feed, Platform: platform, Author: author, Kind: feeds.KindMessage, Time: t, Text: "hi"}
}

// burst returns n messages on feed at time t from distinct-per-call authors.
func burst(feed string, n int, t time.Time) []feeds.Event {
	evs := make([]feeds.Event, n)
	for i := range evs {
		evs[i] = msg(feed, "twitch", fmt.Sprintf("u%d", i), t)
	}
	return evs
}

func feedStats(t *testing.T, s Snapshot, feed string) FeedStats {
	t.Helper()
	for _, f := range s.Feeds {
		if f.Feed == feed {
			return f
		}
	}
	t.Fatalf("feed %q not in snapshot (feeds: %v)", feed, s.Feeds)
	return FeedStats{}
}

// tail returns the last n minutes, oldest first.
func tail(f FeedStats, n int) []int {
	return f.Minutes[windowMinutes-n:]
}

func TestMinutesAcrossBoundaries(t *testing.T) {
	c := newClock(t0.Add(10 * time.Second))
	e := New(c.Now)

	e.Observe(burst("a", 3, c.Now()))
	c.Advance(55 * time.Second) // 10:01:05
	e.Observe(burst("a", 2, c.Now()))

	s := e.Snapshot()
	a := feedStats(t, s, "a")
	if got := tail(a, 3); !reflect.DeepEqual(got, []int{0, 3, 2}) {
		t.Errorf("minutes tail = %v, want [0 3 2]", got)
	}
	// 5 s into the minute, the sliding minute holds 2 + 3×55/60 ≈ 5: the
	// peak is that, not the 3 of the busiest calendar minute.
	if a.Total != 5 || a.Peak != 5 {
		t.Errorf("total, peak = %d, %d; want 5, 5", a.Total, a.Peak)
	}

	c.Set(t0.Add(30*time.Minute + 5*time.Second)) // 10:30:05
	e.Observe(burst("a", 1, c.Now()))
	a = feedStats(t, e.Snapshot(), "a")
	want := [windowMinutes]int{}
	want[59] = 1
	want[59-29] = 2 // 10:01
	want[59-30] = 3 // 10:00
	if a.Minutes != want {
		t.Errorf("minutes = %v, want %v", a.Minutes, want)
	}
	if a.Total != 6 {
		t.Errorf("total = %d, want 6", a.Total)
	}

	// 10:59:59 still shows 10:00 as the oldest minute; 11:00:00 drops it.
	c.Set(t0.Add(59*time.Minute + 59*time.Second))
	a = feedStats(t, e.Snapshot(), "a")
	if a.Minutes[0] != 3 {
		t.Errorf("at 10:59:59 oldest minute = %d, want 3", a.Minutes[0])
	}
	c.Set(t0.Add(time.Hour))
	a = feedStats(t, e.Snapshot(), "a")
	if a.Minutes[0] != 2 || a.Minutes[59] != 0 {
		t.Errorf("at 11:00 minutes[0], [59] = %d, %d; want 2, 0", a.Minutes[0], a.Minutes[59])
	}
}

func TestIdleGapClearsOldSlots(t *testing.T) {
	for _, gap := range []time.Duration{time.Hour, 61 * time.Minute, 5 * time.Hour, 24 * time.Hour} {
		t.Run(gap.String(), func(t *testing.T) {
			c := newClock(t0)
			e := New(c.Now)
			for range 60 { // fill every slot
				e.Observe(burst("a", 7, c.Now()))
				c.Advance(time.Minute)
			}
			c.Set(t0.Add(59 * time.Minute).Add(gap))
			e.Observe(burst("a", 1, c.Now()))

			s := e.Snapshot()
			want := [windowMinutes]int{}
			want[59] = 1
			for _, f := range []FeedStats{feedStats(t, s, "a"), s.Overall} {
				if f.Minutes != want {
					t.Errorf("%q minutes = %v, want only the last = 1", f.Feed, f.Minutes)
				}
				if f.Total != 60*7+1 {
					t.Errorf("%q total = %d, want %d", f.Feed, f.Total, 60*7+1)
				}
				if f.Peak != 1 {
					t.Errorf("%q peak = %d, want 1", f.Feed, f.Peak)
				}
			}
		})
	}
}

func TestPerMinuteSteadyAcrossBoundaries(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	// One message a second for five minutes: 60 a minute.
	for sec := range 5 * 60 {
		if sec >= 60 { // once a full minute is behind us
			pm := e.Snapshot().Overall.PerMinute
			if math.Abs(pm-60) > 1.5 {
				t.Fatalf("at +%ds before the event PerMinute = %.2f, want ~60", sec, pm)
			}
		}
		e.Observe([]feeds.Event{msg("a", "twitch", "u", c.Now())})
		if sec >= 60 {
			pm := e.Snapshot().Overall.PerMinute
			if math.Abs(pm-60) > 1.5 {
				t.Fatalf("at +%ds after the event PerMinute = %.2f, want ~60", sec, pm)
			}
		}
		c.Advance(time.Second)
	}
}

func TestPerMinuteWeighting(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	e.Observe(burst("a", 40, c.Now()))          // 10:00
	c.Set(t0.Add(time.Minute + 30*time.Second)) // 10:01:30
	e.Observe(burst("a", 10, c.Now()))          // 10:01
	if pm := feedStats(t, e.Snapshot(), "a").PerMinute; pm != 10+40*0.5 {
		t.Errorf("PerMinute = %v, want %v", pm, 10+40*0.5)
	}
	c.Set(t0.Add(2 * time.Minute)) // 10:02:00: the whole of 10:01 is the last 60 s
	if pm := feedStats(t, e.Snapshot(), "a").PerMinute; pm != 10 {
		t.Errorf("at the boundary PerMinute = %v, want 10", pm)
	}
}

func TestSkewedTimesCountInCurrentMinute(t *testing.T) {
	now := t0.Add(20*time.Minute + 10*time.Second)
	c := newClock(now)
	e := New(c.Now)
	e.Observe([]feeds.Event{
		msg("a", "twitch", "future", now.Add(5*time.Minute)),
		msg("a", "twitch", "farfuture", now.Add(48*time.Hour)),
		msg("a", "twitch", "ancient", now.Add(-2*time.Hour)),
		msg("a", "twitch", "justout", now.Add(-60*time.Minute)),
		msg("a", "twitch", "zero", time.Time{}),
		msg("a", "twitch", "sameminute", now.Add(40*time.Second)),
		msg("a", "twitch", "late", now.Add(-10*time.Minute)),
		msg("a", "twitch", "oldest", now.Add(-59*time.Minute)),
	})
	a := feedStats(t, e.Snapshot(), "a")
	want := [windowMinutes]int{}
	want[59] = 6
	want[49] = 1
	want[0] = 1
	if a.Minutes != want {
		t.Errorf("minutes = %v, want %v", a.Minutes, want)
	}
	if a.Total != 8 {
		t.Errorf("total = %d, want 8", a.Total)
	}
}

func TestDeleteIgnored(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	del := feeds.Event{Feed: "mods", Platform: "twitch", Kind: feeds.KindDelete, Author: "mod", Target: "x", Time: t0}
	e.Observe([]feeds.Event{del, del})
	if s := e.Snapshot(); len(s.Feeds) != 0 || s.Overall.Total != 0 || s.Overall.Authors != 0 {
		t.Fatalf("deletes counted: %+v", s)
	}

	del.Feed = "a"
	notice := msg("a", "twitch", "", t0)
	notice.Kind = feeds.KindNotice
	action := msg("a", "twitch", "bob", t0)
	action.Kind = feeds.KindAction
	e.Observe([]feeds.Event{msg("a", "twitch", "alice", t0), del, notice, action})
	a := feedStats(t, e.Snapshot(), "a")
	if a.Total != 3 || a.Minutes[59] != 3 {
		t.Errorf("total, minute = %d, %d; want 3, 3", a.Total, a.Minutes[59])
	}
	if a.Authors != 2 {
		t.Errorf("authors = %d, want 2 (the delete's and the empty author not counted)", a.Authors)
	}
}

func TestUniqueAuthors(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	e.Observe([]feeds.Event{
		msg("a", "twitch", "alice", t0),
		msg("a", "twitch", "bob", t0),
		msg("a", "twitch", "alice", t0),
		msg("b", "twitch", "alice", t0),
		msg("b", "twitch", "carol", t0),
		msg("c", "mastodon", "alice", t0),
		msg("c", "mastodon", "", t0),
	})
	e.Observe([]feeds.Event{msg("a", "twitch", "bob", t0), msg("c", "mastodon", "alice", t0)})

	s := e.Snapshot()
	for feed, want := range map[string]int{"a": 2, "b": 2, "c": 1} {
		if got := feedStats(t, s, feed).Authors; got != want {
			t.Errorf("feed %s authors = %d, want %d", feed, got, want)
		}
	}
	// twitch:alice, twitch:bob, twitch:carol, mastodon:alice.
	if s.Overall.Authors != 4 {
		t.Errorf("overall authors = %d, want 4", s.Overall.Authors)
	}
	if s.Overall.AuthorsCapped {
		t.Error("overall capped without reaching the cap")
	}
	if e.authorEntries != 2+2+1+4 {
		t.Errorf("author entries = %d, want 9", e.authorEntries)
	}
	if got := feedStats(t, s, "c").Platform; got != "mastodon" {
		t.Errorf("platform = %q, want mastodon", got)
	}
}

func TestAuthorCap(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	e.maxAuthors = 5

	// alice and bob: 2 feed entries + 2 overall entries.
	e.Observe([]feeds.Event{msg("a", "twitch", "alice", t0), msg("a", "twitch", "bob", t0)})
	// carol takes the 5th entry in feed a; the overall set is refused.
	e.Observe([]feeds.Event{msg("a", "twitch", "carol", t0)})
	s := e.Snapshot()
	a := feedStats(t, s, "a")
	if a.Authors != 3 || a.AuthorsCapped {
		t.Errorf("feed a authors, capped = %d, %v; want 3, false", a.Authors, a.AuthorsCapped)
	}
	if s.Overall.Authors != 2 || !s.Overall.AuthorsCapped {
		t.Errorf("overall authors, capped = %d, %v; want 2, true", s.Overall.Authors, s.Overall.AuthorsCapped)
	}

	// Known authors still pass; new ones are refused, messages still count.
	e.Observe([]feeds.Event{
		msg("a", "twitch", "alice", t0),
		msg("b", "twitch", "zed", t0),
		msg("a", "twitch", "dave", t0),
		msg("c", "twitch", "", t0),
	})
	s = e.Snapshot()
	a = feedStats(t, s, "a")
	if a.Authors != 3 || !a.AuthorsCapped {
		t.Errorf("feed a authors, capped = %d, %v; want 3, true", a.Authors, a.AuthorsCapped)
	}
	b := feedStats(t, s, "b")
	if b.Authors != 0 || !b.AuthorsCapped {
		t.Errorf("feed b authors, capped = %d, %v; want 0, true", b.Authors, b.AuthorsCapped)
	}
	if cs := feedStats(t, s, "c"); cs.AuthorsCapped {
		t.Error("feed c capped though it never refused an author")
	}
	if s.Overall.Total != 7 || a.Total != 5 || b.Total != 1 {
		t.Errorf("totals overall, a, b = %d, %d, %d; want 7, 5, 1", s.Overall.Total, a.Total, b.Total)
	}
	if e.authorEntries != 5 {
		t.Errorf("author entries = %d, want 5", e.authorEntries)
	}
}

func TestSeedThenObserve(t *testing.T) {
	now := t0.Add(3*time.Hour + 15*time.Second)
	c := newClock(now)
	e := New(c.Now)
	start := now.Truncate(time.Minute)
	e.Seed(map[string][]MinuteCount{
		"a": {
			{Minute: start.Add(-2 * time.Minute), N: 5},
			{Minute: start.Add(-time.Minute).Add(30 * time.Second), N: 3}, // not truncated
			{Minute: start, N: 1},
			{Minute: start.Add(-59 * time.Minute), N: 4},
			{Minute: start.Add(-60 * time.Minute), N: 100}, // outside the hour
			{Minute: start.Add(-90 * time.Minute), N: 100},
			{Minute: start.Add(5 * time.Minute), N: 100}, // future
			{Minute: start, N: -3},                       // nonsense
		},
		"b":    {{Minute: start.Add(-time.Minute), N: 2}},
		"idle": {{Minute: start.Add(-2 * time.Hour), N: 9}},
	})

	s := e.Snapshot()
	a := feedStats(t, s, "a")
	if a.Total != 13 || a.Platform != "" {
		t.Errorf("seeded a total, platform = %d, %q; want 13, empty", a.Total, a.Platform)
	}
	if idle := feedStats(t, s, "idle"); idle.Total != 0 || idle.Peak != 0 {
		t.Errorf("idle feed total, peak = %d, %d; want 0, 0", idle.Total, idle.Peak)
	}
	if s.Overall.Total != 15 {
		t.Errorf("overall total = %d, want 15", s.Overall.Total)
	}

	e.Observe(burst("a", 2, now))
	c.Advance(time.Minute)
	e.Observe(burst("a", 1, c.Now()))
	s = e.Snapshot()
	a = feedStats(t, s, "a")
	if got := tail(a, 4); !reflect.DeepEqual(got, []int{5, 3, 3, 1}) {
		t.Errorf("minutes tail = %v, want [5 3 3 1]", got)
	}
	if a.Minutes[0] != 0 { // the seeded 4 at -59 min has now left the hour
		t.Errorf("oldest minute = %d, want 0", a.Minutes[0])
	}
	if a.Total != 16 || a.Platform != "twitch" || a.Authors != 2 {
		t.Errorf("a total, platform, authors = %d, %q, %d; want 16, twitch, 2", a.Total, a.Platform, a.Authors)
	}
	if got := tail(s.Overall, 4); !reflect.DeepEqual(got, []int{5, 5, 3, 1}) {
		t.Errorf("overall tail = %v, want [5 5 3 1]", got)
	}
	if s.Overall.Total != 18 {
		t.Errorf("overall total = %d, want 18", s.Overall.Total)
	}
}

func TestSnapshotSortedDeepCopy(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	e.Observe([]feeds.Event{
		msg("zeta", "irc", "x", t0),
		msg("alpha", "twitch", "y", t0),
		msg("mid", "mastodon", "z", t0),
	})
	s1 := e.Snapshot()
	var names []string
	for _, f := range s1.Feeds {
		names = append(names, f.Feed)
	}
	if !reflect.DeepEqual(names, []string{"alpha", "mid", "zeta"}) {
		t.Fatalf("feeds = %v, want sorted", names)
	}
	if !s1.At.Equal(t0) {
		t.Errorf("At = %v, want %v", s1.At, t0)
	}

	want := e.Snapshot()
	want.Feeds = append([]FeedStats(nil), want.Feeds...)

	s1.Feeds[0].Minutes[59] = 999
	s1.Feeds[0].Total = -1
	s1.Feeds[1].Feed = "renamed"
	s1.Feeds[2], s1.Feeds[0] = s1.Feeds[0], s1.Feeds[2]
	s1.Overall.Minutes[59] = 999
	s1.Feeds = append(s1.Feeds[:1], FeedStats{Feed: "extra"})

	if got := e.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Errorf("mutating a snapshot changed the engine:\n got %+v\nwant %+v", got, want)
	}
}

func TestClockSteps(t *testing.T) {
	c := newClock(t0.Add(10 * time.Minute))
	e := New(c.Now)
	e.Observe(burst("a", 2, c.Now()))

	// A small step back keeps the window where it was.
	c.Set(t0.Add(9*time.Minute + 50*time.Second))
	e.Observe(burst("a", 3, c.Now()))
	a := feedStats(t, e.Snapshot(), "a")
	if got := tail(a, 2); !reflect.DeepEqual(got, []int{3, 2}) {
		t.Errorf("after a small step back tail = %v, want [3 2]", got)
	}

	// A step back of more than the window restarts it.
	c.Set(t0.Add(-3 * time.Hour))
	e.Observe(burst("a", 1, c.Now()))
	a = feedStats(t, e.Snapshot(), "a")
	want := [windowMinutes]int{}
	want[59] = 1
	if a.Minutes != want || a.Total != 6 {
		t.Errorf("after a big step back minutes = %v total = %d; want only the last = 1, total 6", a.Minutes, a.Total)
	}
}

func TestNilClock(t *testing.T) {
	e := New(nil)
	e.Observe([]feeds.Event{msg("a", "twitch", "alice", time.Now())})
	if s := e.Snapshot(); s.Overall.Total != 1 || len(s.Feeds) != 1 {
		t.Errorf("snapshot = %+v, want one message on one feed", s)
	}
}

func TestConcurrentObserveSnapshot(t *testing.T) {
	c := newClock(t0)
	e := New(c.Now)
	const batches, size = 300, 50

	var readers sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				s := e.Snapshot()
				if s.Overall.Total < last {
					t.Errorf("overall total went back from %d to %d", last, s.Overall.Total)
					return
				}
				last = s.Overall.Total
				sum := 0
				for _, f := range s.Feeds {
					sum += f.Total
				}
				if sum != s.Overall.Total {
					t.Errorf("feeds sum to %d, overall says %d", sum, s.Overall.Total)
					return
				}
			}
		}()
	}

	feedNames := []string{"a", "b", "c"}
	for i := range batches {
		evs := make([]feeds.Event, size)
		for j := range evs {
			evs[j] = msg(feedNames[(i+j)%3], "twitch", fmt.Sprintf("u%d", (i*size+j)%700), c.Now())
		}
		e.Observe(evs)
		c.Advance(time.Second)
	}
	close(done)
	readers.Wait()

	s := e.Snapshot()
	if s.Overall.Total != batches*size {
		t.Errorf("overall total = %d, want %d", s.Overall.Total, batches*size)
	}
	if s.Overall.Authors != 700 {
		t.Errorf("overall authors = %d, want 700", s.Overall.Authors)
	}
}

// The peak is never below the rate: a sliding minute that straddles two
// busy calendar minutes counts more than either (seen: 566/min beside
// peak 429/min).
func TestPeakIsNeverBelowTheRate(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	e := New(func() time.Time { return now })
	burst := func(n int) {
		evs := make([]feeds.Event, n)
		for i := range evs {
			evs[i] = feeds.Event{Feed: "twitch", Platform: "twitch", Author: "a", Time: now}
		}
		e.Observe(evs)
	}
	now = now.Add(59 * time.Second)
	burst(400)
	now = now.Add(2 * time.Second) // the next minute, 1 s in
	burst(300)
	for _, fs := range append(e.Snapshot().Feeds, e.Snapshot().Overall) {
		if rate := int(fs.PerMinute + 0.5); fs.Peak < rate {
			t.Errorf("%q: rate %d/min, peak %d/min", fs.Feed, rate, fs.Peak)
		}
	}
}

// Authors survive a restart as totals do: seeded from the stored events
// of the last hour, without counting their messages twice.
func TestSeedAuthorsRestoresTheLastHour(t *testing.T) {
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	e := New(func() time.Time { return now })
	e.Seed(map[string][]MinuteCount{"twitch": {{Minute: now.Add(-10 * time.Minute), N: 3}}})
	e.SeedAuthors([]feeds.Event{
		{Feed: "twitch", Platform: "twitch", Author: "ana", Time: now.Add(-10 * time.Minute)},
		{Feed: "twitch", Platform: "twitch", Author: "bob", Time: now.Add(-10 * time.Minute)},
		{Feed: "twitch", Platform: "twitch", Author: "ana", Time: now.Add(-10 * time.Minute)},
		{Feed: "twitch", Platform: "twitch", Author: "old", Time: now.Add(-2 * time.Hour)},
	})
	s := e.Snapshot()
	if s.Overall.Authors != 2 || s.Overall.Total != 3 {
		t.Errorf("after the seed: %d authors, %d total; want 2 and 3", s.Overall.Authors, s.Overall.Total)
	}
	e.Observe([]feeds.Event{{Feed: "twitch", Platform: "twitch", Author: "ana", Time: now}})
	if s := e.Snapshot(); s.Overall.Authors != 2 || s.Overall.Total != 4 {
		t.Errorf("a seeded author speaking again: %d authors, %d total; want 2 and 4", s.Overall.Authors, s.Overall.Total)
	}
}
