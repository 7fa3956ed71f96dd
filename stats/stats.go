// Package stats counts what flows through the hub so that the Stats pane can
// show, per feed and overall, messages per minute, the last hour as a
// sparkline, the total and the number of unique authors.
//
// # What is counted
//
// Every event that is not a feeds.KindDelete (those are moderation markers,
// not messages) counts once, in the minute of its Time when that minute is
// within the last hour, else in the current minute: platforms' clocks drift,
// and a message stamped in the future or long ago must neither vanish nor
// appear ahead of now. Events with an empty Author count as messages but not
// as authors. Authors are compared as given (the hub has sanitized them); no
// case folding.
//
// # Memory (DESIGN.md invariant 4)
//
// Each feed, and the overall view, keeps a ring of 60 per-minute slots. Each
// slot is stamped with the minute it holds, so a slot left over from more than
// an hour ago reads as zero and is reset when reused: an idle gap of any
// length costs nothing and clears itself.
//
// Unique authors are kept in one set per feed (keyed by author within the
// feed) and one overall set keyed by platform+author, so "alice" on Twitch
// and "alice" on Mastodon are two people overall while "alice" on two Twitch
// feeds is one. All these sets together hold at most 500,000 entries: an
// author seen on k feeds of one platform takes k+1, so 250,000 people who
// each post on one feed fill it, in about 45 MB with 20-byte handles
// (measured). An author that would exceed the budget is not added, and the
// set it was refused from reports AuthorsCapped: its Authors count is then a
// lower bound. Messages are still counted in full.
//
// # The clock
//
// The engine's current minute comes from the injected clock and never moves
// backwards: a clock stepped back by less than an hour keeps counting into the
// latest minute seen. A step back of an hour or more restarts the window at
// the new time (the slots stamped in the "future" then read as zero and are
// reused).
package stats

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

const (
	// windowMinutes is the length of the per-minute history.
	windowMinutes = 60
	// defaultMaxAuthors bounds the entries of all unique-author sets together.
	defaultMaxAuthors = 500_000
)

// MinuteCount is how many messages a feed had in one minute. The store has
// an identical struct; main converts.
type MinuteCount struct {
	Minute time.Time
	N      int
}

// Snapshot is a copy of the engine's state at one instant. It shares nothing
// with the engine: the caller may keep or modify it.
type Snapshot struct {
	At      time.Time
	Overall FeedStats // Feed and Platform are empty
	Feeds   []FeedStats
	Pulse   Pulse
}

// FeedStats are the figures for one feed, or for all of them.
type FeedStats struct {
	Feed     string
	Platform string // empty for a seeded feed until its first event
	// Total is the number of messages since start, plus the seeded ones.
	Total int
	// PerMinute estimates the messages of the last 60 seconds as a sliding
	// minute: the current (partial) minute's count plus the previous
	// minute's count weighted by the part of it still inside the last 60 s,
	// cur + prev×(1−f) where f is the fraction of the current minute
	// elapsed. Under steady traffic it stays level across a minute boundary
	// (at f=0 it equals the previous minute) instead of dropping to ~0.
	PerMinute float64
	// Authors is the number of unique authors seen since start.
	Authors int
	// AuthorsCapped is true when a new author was refused because the
	// unique-author sets hit their memory cap; Authors is then a lower bound.
	AuthorsCapped bool
	// Minutes holds the messages per minute of the last 60 minutes, oldest
	// first; the last element is the current minute.
	Minutes [windowMinutes]int
	// Peak is the largest element of Minutes, or the current rate
	// (rounded) when that is larger.
	Peak int
	// Negative, Positive and Watch are, minute by minute like Minutes,
	// the messages the sentiment lexicon read as negative or positive and
	// those naming a watch-word.
	Negative, Positive, Watch [windowMinutes]int
	// Mentions is the messages of the last hour that named one of the
	// brand's accounts, or were sent to it directly.
	Mentions int
	// NewAuthors is the authors whose first message (as far as the engine
	// knows, the store's last hour included) came in the last hour.
	NewAuthors int
}

// slot is one minute of a ring, stamped with the minute (Unix minutes) it
// counts.
type slot struct {
	minute int64
	c      minute
}

// minute is what one minute counts: messages, and among them the negative,
// the positive, those naming a watch-word and those mentioning the brand;
// and the authors seen for the first time.
type minute struct {
	n, neg, pos, watch, mention, fresh int32
}

func (a *minute) plus(b minute) {
	a.n += b.n
	a.neg += b.neg
	a.pos += b.pos
	a.watch += b.watch
	a.mention += b.mention
	a.fresh += b.fresh
}

// ring holds the last windowMinutes minutes; minute m lives in slot m mod 60.
type ring [windowMinutes]slot

func (r *ring) add(m int64, c minute) {
	s := &r[floorMod(m, windowMinutes)]
	if s.minute != m {
		s.minute = m
		s.c = minute{}
	}
	s.c.plus(c)
}

func (r *ring) get(m int64) minute {
	if s := &r[floorMod(m, windowMinutes)]; s.minute == m {
		return s.c
	}
	return minute{}
}

// counter is what a feed and the overall view have in common.
type counter struct {
	platform string
	total    int
	ring     ring
	capped   bool
}

func (c *counter) add(m int64, mc minute) {
	c.ring.add(m, mc)
	c.total += int(mc.n)
}

// stats fills a FeedStats for the window ending at minute cur, a fraction
// frac into it.
func (c *counter) stats(feed string, authors int, cur int64, frac float64) FeedStats {
	fs := FeedStats{
		Feed:          feed,
		Platform:      c.platform,
		Total:         c.total,
		Authors:       authors,
		AuthorsCapped: c.capped,
	}
	first := cur - windowMinutes + 1
	for i := range fs.Minutes {
		mc := c.ring.get(first + int64(i))
		n := int(mc.n)
		fs.Minutes[i] = n
		fs.Negative[i] = int(mc.neg)
		fs.Positive[i] = int(mc.pos)
		fs.Watch[i] = int(mc.watch)
		fs.Mentions += int(mc.mention)
		fs.NewAuthors += int(mc.fresh)
		fs.Peak = max(fs.Peak, n)
	}
	fs.PerMinute = float64(fs.Minutes[windowMinutes-1]) + float64(fs.Minutes[windowMinutes-2])*(1-frac)
	// The sliding minute can count more than any calendar minute; the
	// peak is never below the rate shown beside it.
	fs.Peak = max(fs.Peak, int(fs.PerMinute+0.5))
	return fs
}

type feedState struct {
	counter
	name string
	// authors counts each author's messages on the feed.
	authors map[string]int32
	top     topK
	terms   terms
	watch   []int // hits per watch-word entry since start
	detect  detector
}

type platformAuthor struct {
	platform, author string
}

// Engine counts events per feed and overall. It is safe for concurrent use:
// Observe is meant for the hub's ingest goroutine, Snapshot for any number of
// UI goroutines.
type Engine struct {
	now func() time.Time
	// maxAuthors bounds the entries of all author sets together; tests
	// lower it.
	maxAuthors int

	mu      sync.Mutex
	started bool
	cur     int64        // the current minute, in Unix minutes
	feeds   []*feedState // sorted by name
	byName  map[string]*feedState
	overall counter
	// overallAuthors is keyed by platform+author, and counts messages.
	overallAuthors map[platformAuthor]int32
	overallTop     topK
	authorEntries  int               // entries in all author sets together
	platforms      map[string]string // interned platform names

	cfg        Config
	rules      AlertRules // cfg.Alerts with defaults
	brand      []string   // cfg.Brand, lower case, without "@"
	watch      []int      // hits per watch-word entry since start, overall
	watchNames []string   // the entries watch counts, as configured
	pending    pending
	replies    responses
	mod        Moderation
	alerts     []Alert // the last maxAlerts, oldest first
	fired      []Alert // raised by the batch being observed, for OnAlert
	watched    int     // its messages that named a watch-word, for OnWatch
	cache      topCache
	analysis   Analysis
	labels     map[string]string // folded term → first spelling (label)
}

// New returns an empty engine reading time from now (time.Now when nil).
func New(now func() time.Time) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{
		now:            now,
		maxAuthors:     defaultMaxAuthors,
		byName:         make(map[string]*feedState),
		overallAuthors: make(map[platformAuthor]int32),
		platforms:      make(map[string]string),
	}
	e.Configure(Config{})
	return e
}

// Observe counts a batch of events. It is O(1) amortized per event and, once
// the feeds, authors and terms have been seen, allocates only to keep a
// mention waiting for an answer (one copy of its id, author and text).
// Alerts the batch raises are handed to Config.OnAlert before it returns,
// outside the lock.
func (e *Engine) Observe(evs []feeds.Event) {
	if len(evs) == 0 {
		return
	}
	t := e.now()
	e.mu.Lock()
	cur := e.advance(t)
	var fs *feedState
	for i := range evs {
		ev := &evs[i]
		if ev.Kind == feeds.KindDelete {
			continue
		}
		if fs == nil || fs.name != ev.Feed {
			fs = e.feed(ev.Feed)
		}
		e.observe(fs, ev, t, cur, true)
	}
	fired, watched := e.fired, e.watched
	e.fired, e.watched = nil, 0
	onAlert, onWatch := e.cfg.OnAlert, e.cfg.OnWatch
	e.mu.Unlock()
	if onAlert != nil {
		for _, a := range fired {
			onAlert(a)
		}
	}
	if onWatch != nil && watched > 0 {
		onWatch(watched)
	}
}

// observe counts one event at t, and returns what it counted; count is
// false when replaying stored events whose messages Seed counted already
// (the n of the result is then 0). The caller holds e.mu.
func (e *Engine) observe(fs *feedState, ev *feeds.Event, t time.Time, cur int64, count bool) minute {
	if fs.platform == "" && ev.Platform != "" {
		fs.platform = e.intern(ev.Platform)
	}
	m := minuteOf(ev.Time)
	if !inWindow(m, cur) {
		m = cur
	}
	mc := minute{n: 1}
	if !count {
		mc.n = 0
	}
	brand := ev.HasBadge(feeds.BadgeBrand)
	if ev.Author != "" && e.addAuthor(fs, ev) {
		mc.fresh = 1
	}
	if brand {
		if ev.ReplyTo != "" {
			e.answered(ev.Feed, ev.ReplyTo, ev.Time)
		}
	} else if ev.Kind != feeds.KindNotice {
		e.analyze(fs, ev, &mc, m)
		if mc.mention > 0 {
			// A time ahead of the engine's clock counts as now: it would
			// never expire, and answering it would take no time.
			at := ev.Time
			if at.After(t) {
				at = t
			}
			e.pending.add(ev, at, fs.name, fs.platform, strings.ContainsRune(ev.Text, '?'))
		}
	}
	fs.add(m, mc)
	e.overall.add(m, mc)
	if count {
		e.watched += int(mc.watch)
		if a, ok := fs.detect.observe(t, mc, false, &e.rules, fs.name); ok {
			e.raise(fs, a, cur)
		}
	}
	return mc
}

// SeedAuthors restores, at start-up, what the pulse knows of the stored
// events within the window Seed keeps (the last hour): authors, sentiment,
// watch-words, mentions and the questions still waiting for an answer, so
// that they survive a restart as the totals do. It counts no message: Seed
// did, and must be called first. evs are in arrival order; they may be
// only the last of the hour's (the store's most recent ones).
//
// It also rebuilds each feed's spike detection, as if the feed had been
// watched all along (see replay): the hour seeded, then these events. An
// alert the past would have raised is not raised again; it starts its
// cooldown as it did then.
func (e *Engine) SeedAuthors(evs []feeds.Event) {
	t := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.advance(t)
	hist := make(map[*feedState]*history)
	for i := range evs {
		ev := &evs[i]
		if ev.Kind == feeds.KindDelete || !inWindow(minuteOf(ev.Time), cur) {
			continue
		}
		fs := e.feed(ev.Feed)
		mc := e.observe(fs, ev, t, cur, false)
		h := hist[fs]
		if h == nil {
			h = newHistory(cur)
			hist[fs] = h
		}
		at := ev.Time
		if at.After(t) {
			at = t
		}
		h.add(at, minute{n: 1, neg: mc.neg, watch: mc.watch})
	}
	for _, fs := range e.feeds {
		e.replay(fs, hist[fs], t, cur)
	}
	e.fired, e.watched = nil, 0
}

// SeedAudit restores, at start-up, what the audit log says of the window
// SeedAuthors rebuilds (the last hour): the actions the team carried out
// (moderation counts, replies answering the questions SeedAuthors left
// waiting) and the alerts raised, so that the Stats pane shows after a
// restart what it showed before. Call it after SeedAuthors. An alert
// restored is not raised again: OnAlert is not called, and SeedAuthors
// has started the cooldown it started then. entries are oldest first, as
// the store gives them; those outside the window are skipped.
func (e *Engine) SeedAudit(entries []outbox.AuditEntry) {
	t := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.advance(t)
	for i := range entries {
		en := &entries[i]
		if !inWindow(minuteOf(en.Time), cur) {
			continue
		}
		switch en.What {
		case outbox.AuditSent:
			e.acted(en.Kind, en.Feed, en.Target, en.Time)
		case outbox.AuditAlert:
			fs := e.feed(en.Feed)
			e.alerts = append(e.alerts, Alert{At: en.Time, Feed: fs.name, Platform: fs.platform, Text: en.Text})
		}
	}
	if len(e.alerts) > maxAlerts {
		e.alerts = append(e.alerts[:0:0], e.alerts[len(e.alerts)-maxAlerts:]...)
	}
}

// history is what a feed's stored events said, bucket by bucket, over
// the hour ending with the current minute.
type history struct {
	first   int64 // the bucket of the hour's first one
	buckets [windowMinutes * bucketsPerMinute]minute
	// from is the first minute whose events are all there: the one after
	// the minute of the earliest event seeded (Recent cut it somewhere).
	from int64
}

const bucketsPerMinute = int64(time.Minute / bucketSpan)

func newHistory(cur int64) *history {
	return &history{first: (cur - windowMinutes + 1) * bucketsPerMinute, from: cur + 1}
}

func (h *history) add(at time.Time, mc minute) {
	if i := floorDiv(at.UnixNano(), int64(bucketSpan)) - h.first; i >= 0 && i < int64(len(h.buckets)) {
		h.buckets[i].plus(mc)
		h.from = min(h.from, minuteOf(at)+1)
	}
}

// replay rebuilds the spike detection of a feed no event has reached yet
// from the last hour up to t: from the minute counts Seed restored,
// spread over their buckets, where no stored event was seeded (what was
// said there is unknown: the baseline learns its volume only); from the
// events h holds (every stored event of the feed) since h.from. Alerts
// are raised as the feed was watched, and dropped: they were raised then.
// The caller holds e.mu.
func (e *Engine) replay(fs *feedState, h *history, t time.Time, cur int64) {
	d := &fs.detect
	if d.started {
		return
	}
	from := cur + 1
	if h != nil {
		from = h.from
	}
	now := floorDiv(t.UnixNano(), int64(bucketSpan))
	at := func(b int64) time.Time { return time.Unix(0, b*int64(bucketSpan)) }
	for m := cur - windowMinutes + 1; m <= cur; m++ {
		b0 := m * bucketsPerMinute
		last := min(b0+bucketsPerMinute-1, now) // the buckets of m up to now
		if m < from {
			// The minute's count, spread over its buckets (one at each
			// step skipped: observe closes them empty).
			n := int64(fs.ring.get(m).n)
			k := last - b0 + 1
			for i := range k {
				if share := n*(i+1)/k - n*i/k; share > 0 {
					d.observe(at(b0+i), minute{n: int32(share)}, true, &e.rules, fs.name)
				}
			}
			continue
		}
		for b := b0; b <= last; b++ {
			if mc := h.buckets[b-h.first]; mc.n > 0 {
				d.observe(at(b), mc, false, &e.rules, fs.name)
			}
		}
	}
	if d.started {
		d.observe(t, minute{}, false, &e.rules, fs.name) // close the buckets up to now
	}
}

// addAuthor counts ev's message for its author in its feed and overall,
// within the memory cap, and reports whether the author is new.
func (e *Engine) addAuthor(fs *feedState, ev *feeds.Event) (fresh bool) {
	var kept string // the engine's own copy of the author, once made
	if n, ok := fs.authors[ev.Author]; ok {
		fs.authors[ev.Author] = n + 1
		fs.top.add(ev.Platform, ev.Author, int(n+1))
	} else if e.authorEntries >= e.maxAuthors {
		fs.capped = true
	} else {
		kept = strings.Clone(ev.Author)
		fs.authors[kept] = 1
		e.authorEntries++
		fs.top.add(ev.Platform, kept, 1)
	}
	k := platformAuthor{ev.Platform, ev.Author}
	if n, ok := e.overallAuthors[k]; ok {
		e.overallAuthors[k] = n + 1
		e.overallTop.add(ev.Platform, ev.Author, int(n+1))
		return false
	}
	if e.authorEntries >= e.maxAuthors {
		e.overall.capped = true
		return false
	}
	if kept == "" {
		kept = strings.Clone(ev.Author)
	}
	e.overallAuthors[platformAuthor{e.intern(ev.Platform), kept}] = 1
	e.authorEntries++
	e.overallTop.add(e.intern(ev.Platform), kept, 1)
	return true
}

// Seed restores per-feed, per-minute history at start-up. Only minutes
// within the last hour are kept; older (and future) ones are ignored, and do
// not count in Total either: Total starts from the sum of the kept minutes.
// Seed adds to what is already counted. Every feed named in counts appears in
// later snapshots, with an empty Platform until its first event.
func (e *Engine) Seed(counts map[string][]MinuteCount) {
	t := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.advance(t)
	for name, mcs := range counts {
		fs := e.feed(name)
		for _, mc := range mcs {
			m := minuteOf(mc.Minute)
			if mc.N <= 0 || !inWindow(m, cur) {
				continue
			}
			fs.add(m, minute{n: int32(mc.N)})
			e.overall.add(m, minute{n: int32(mc.N)})
		}
	}
}

// Snapshot returns a deep copy of the figures now, feeds sorted by name.
func (e *Engine) Snapshot() Snapshot {
	t := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.advance(t)
	var frac float64
	if minuteOf(t) == cur {
		sec := floorMod(t.Unix(), 60)
		frac = (float64(sec) + float64(t.Nanosecond())/1e9) / 60
	} // else the clock stepped back within the hour: treat as the minute's start
	s := Snapshot{
		At:      t,
		Overall: e.overall.stats("", len(e.overallAuthors), cur, frac),
		Feeds:   make([]FeedStats, len(e.feeds)),
	}
	for i, fs := range e.feeds {
		s.Feeds[i] = fs.stats(fs.name, len(fs.authors), cur, frac)
	}
	s.Pulse = e.pulse(t, cur)
	return s
}

// advance moves the current minute to t's, never backwards by less than the
// window, and returns it. The caller holds e.mu.
func (e *Engine) advance(t time.Time) int64 {
	m := minuteOf(t)
	if !e.started || m > e.cur || m <= e.cur-windowMinutes {
		e.cur = m
		e.started = true
	}
	return e.cur
}

// feed returns the state of the named feed, creating it. The caller holds
// e.mu.
func (e *Engine) feed(name string) *feedState {
	if fs, ok := e.byName[name]; ok {
		return fs
	}
	fs := &feedState{name: strings.Clone(name), authors: make(map[string]int32)}
	e.byName[fs.name] = fs
	i, _ := slices.BinarySearchFunc(e.feeds, fs.name, func(f *feedState, name string) int {
		return strings.Compare(f.name, name)
	})
	e.feeds = slices.Insert(e.feeds, i, fs)
	return fs
}

// intern returns the engine's copy of platform name p, so that author keys
// share one string per platform rather than pin event buffers. The caller
// holds e.mu.
func (e *Engine) intern(p string) string {
	if s, ok := e.platforms[p]; ok {
		return s
	}
	s := strings.Clone(p)
	e.platforms[s] = s
	return s
}

// inWindow reports whether minute m is one of the windowMinutes minutes
// ending with cur.
func inWindow(m, cur int64) bool {
	return m <= cur && m > cur-windowMinutes
}

// minuteOf returns t's minute as Unix minutes, rounding down for times
// before 1970 (the zero Time among them).
func minuteOf(t time.Time) int64 {
	return floorDiv(t.Unix(), 60)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}
