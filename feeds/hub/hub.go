// Package hub runs the feeds. Its supervisor keeps each connector running,
// reconnecting with backoff and reporting the feed's Health; the Hub makes
// what connectors emit safe (sanitized, de-duplicated, sequenced), persists
// it through an EventStore, and fans it out to subscribers.
//
// What reaches a subscriber travels on typed topics (Topic): the hub's own
// carry events, updates, outbox changes, health, the hold and ingest
// errors, and any package may declare more and Publish on them. They share
// one bounded mailbox per subscriber (Subscription), which a slow session
// cannot turn into a stall.
package hub

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sort"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/feeds/sanitize"
)

// EventStore is where the hub persists what it ingests. The store package
// implements it; a nil EventStore keeps events in memory only.
type EventStore interface {
	// AppendEvents writes a batch in one transaction.
	AppendEvents(evs []feeds.Event) error
	// MarkDeleted flags a stored event as removed by moderation and
	// returns it.
	MarkDeleted(feed, id string) (feeds.Event, error)
}

// DefaultCommitEvery is Options.CommitEvery's default: a trickle of small
// batches would otherwise make ingest fsync-bound (IRC at 2,000 msg/s
// committed about 5 messages per transaction), and 10 ms is below what an
// operator sees, since subscribers take events in batches anyway.
const DefaultCommitEvery = 10 * time.Millisecond

// Limits on untrusted fields, in runes.
const (
	maxTextRunes  = 4000
	maxFieldRunes = 200
)

// Options configures a Hub. Zero values are sensible.
type Options struct {
	Store EventStore
	// Observe, when set, sees every ingested batch after it is persisted
	// (the stats engine). It runs on the ingest goroutine: keep it cheap.
	Observe func([]feeds.Event)
	// LastSeq continues the sequence from what the store already holds.
	LastSeq uint64
	// Seen seeds de-duplication with events already stored, so a
	// connector that resumes from a cursor does not repeat them.
	Seen []feeds.Event
	// QueueSize bounds the ingest queue; Emit blocks beyond it.
	QueueSize int
	// MaxBatch bounds how many events one store transaction carries.
	MaxBatch int
	// CommitEvery is how long the first event of a group waits for more
	// before the group is stored: events from every feed, Commit's
	// included, that arrive within it (up to MaxBatch of them) share one
	// transaction and one fsync (group commit). Zero means
	// DefaultCommitEvery; negative stores whatever is queued at once.
	CommitEvery time.Duration
	// SubscriberBacklog bounds what waits for one subscriber on each
	// topic, as the topic's Keep reads it: past it the oldest events are
	// dropped, and counted (see Dropped).
	SubscriberBacklog int
	// DedupeWindow is how many ids per feed are remembered.
	DedupeWindow int
	Now          func() time.Time
}

// Hub fans events in from connectors, makes them safe, stores them and fans
// them out to subscribers. A slow subscriber never stalls ingest.
type Hub struct {
	opts Options
	in   chan feeds.Event
	// commits carries Commit requests, each processed as its own batch.
	commits chan commitReq

	mu     sync.Mutex
	feeds  map[string]*feed
	order  []string
	subs   map[*Subscription]struct{}
	seq    uint64
	seen   map[string]*seenSet
	health map[string]Health
	hold   *outbox.Hold // last published; new subscribers start from it
	// incident is the last published incident, likewise.
	incident *outbox.Incident
	// raw remembers, per feed, channel names the sanitizer changed, for
	// actions (channels.go).
	raw map[string]*rawChannels
}

type feed struct {
	id   string
	conn feeds.Connector
}

// New returns a hub; add connectors with Add, then call Run.
func New(opts Options) *Hub {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 8192
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1024
	}
	if opts.CommitEvery == 0 {
		opts.CommitEvery = DefaultCommitEvery
	}
	if opts.SubscriberBacklog <= 0 {
		opts.SubscriberBacklog = 20000
	}
	if opts.DedupeWindow <= 0 {
		opts.DedupeWindow = 50000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Hub{
		opts:    opts,
		in:      make(chan feeds.Event, opts.QueueSize),
		commits: make(chan commitReq),
		feeds:   make(map[string]*feed),
		subs:    make(map[*Subscription]struct{}),
		seq:     opts.LastSeq,
		seen:    make(map[string]*seenSet),
		health:  make(map[string]Health),
		raw:     make(map[string]*rawChannels),
	}
	for _, ev := range opts.Seen {
		h.seenSet(ev.Feed).add(ev.ID)
	}
	return h
}

// Add registers a connector under a feed id. It must be called before Run.
func (h *Hub) Add(id string, c feeds.Connector) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id == "" {
		return errors.New("feed id is empty")
	}
	if _, ok := h.feeds[id]; ok {
		return fmt.Errorf("feed %q is configured twice", id)
	}
	h.feeds[id] = &feed{id: id, conn: c}
	h.order = append(h.order, id)
	h.health[id] = Health{Feed: id, Platform: c.Platform(), State: HealthConnecting, Since: h.opts.Now()}
	return nil
}

// FeedInfo describes a configured feed.
type FeedInfo struct {
	ID           string
	Platform     string
	Capabilities feeds.Capabilities
}

// Feeds lists the configured feeds in the order they were added.
func (h *Hub) Feeds() []FeedInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]FeedInfo, 0, len(h.order))
	for _, id := range h.order {
		c := h.feeds[id].conn
		out = append(out, FeedInfo{ID: id, Platform: c.Platform(), Capabilities: c.Capabilities()})
	}
	return out
}

// Connector returns the connector behind a feed id.
func (h *Hub) Connector(id string) (feeds.Connector, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.feeds[id]
	if !ok {
		return nil, false
	}
	return f.conn, true
}

// Health returns every feed's health, sorted by feed id.
func (h *Hub) Health() []Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.healthLocked()
}

func (h *Hub) healthLocked() []Health {
	out := make([]Health, 0, len(h.health))
	for _, hl := range h.health {
		out = append(out, hl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Feed < out[j].Feed })
	return out
}

// Run supervises every connector and ingests until ctx ends.
func (h *Hub) Run(ctx context.Context) error {
	h.mu.Lock()
	all := make([]*feed, 0, len(h.order))
	for _, id := range h.order {
		all = append(all, h.feeds[id])
	}
	h.mu.Unlock()

	var wg sync.WaitGroup
	for _, f := range all {
		sup := newSupervisor(f.id, f.conn, h, h.opts.Now)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sup.run(ctx)
		}()
	}
	h.ingest(ctx)
	wg.Wait()
	return ctx.Err()
}

// emit hands one event to the ingest goroutine, blocking while its queue
// is full, until ctx ends: a connector's Emit.
func (h *Hub) emit(ctx context.Context, ev feeds.Event) {
	select {
	case h.in <- ev:
	case <-ctx.Done():
	}
}

// Commit hands events to the hub and returns once they are stored (or
// dropped as duplicates): what a connector that must acknowledge receipt,
// such as a webhook, waits on. They are stored with whatever else arrived
// within Options.CommitEvery; the error is the store's for exactly these
// events.
func (h *Hub) Commit(ctx context.Context, evs []feeds.Event) error {
	_, err := h.CommitNew(ctx, evs)
	return err
}

// CommitNew is Commit that also says how many of evs were new: stored
// now, not dropped as already seen (deletions are not counted). A
// connector's stream offers it too, so that a webhook can tell a sender
// that a batch it sent again stored nothing.
func (h *Hub) CommitNew(ctx context.Context, evs []feeds.Event) (int, error) {
	req := commitReq{evs: evs, done: make(chan commitResult, 1)}
	select {
	case h.commits <- req:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.fresh, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// commitReq is a Commit waiting on the ingest goroutine.
type commitReq struct {
	evs  []feeds.Event
	done chan commitResult
}

type commitResult struct {
	fresh int
	err   error
}

// group is what one store transaction carries: parts in arrival order,
// each either a run of emitted events or one Commit's.
type group struct {
	parts []part
	n     int           // events in all parts
	buf   []feeds.Event // emitted events, kept from group to group
}

// part is one run of events and, for a Commit, whom to answer.
type part struct {
	raw    []feeds.Event     // a Commit's; emitted ones are buf[bufLo:bufHi]
	done   chan commitResult // nil for emitted events
	bufLo  int
	bufHi  int
	lo, hi int // what of raw is stored: events[lo:hi] of the group
	err    error
}

func (g *group) emit(ev feeds.Event) {
	if len(g.parts) == 0 || g.parts[len(g.parts)-1].done != nil {
		g.parts = append(g.parts, part{bufLo: len(g.buf)})
	}
	g.buf = append(g.buf, ev)
	g.parts[len(g.parts)-1].bufHi = len(g.buf)
	g.n++
}

func (g *group) commit(req commitReq) {
	g.parts = append(g.parts, part{raw: req.evs, done: req.done})
	g.n += len(req.evs)
}

// ingest gathers groups and processes them, one at a time: a group opens
// with its first event or Commit and closes CommitEvery later, or at
// MaxBatch events, or when ctx ends.
func (h *Hub) ingest(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var g group
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-h.commits:
			g.commit(req)
		case ev := <-h.in:
			g.emit(ev)
		}
		if h.opts.CommitEvery > 0 {
			timer.Reset(h.opts.CommitEvery)
		}
		h.gather(ctx, &g, timer)
		timer.Stop()
		h.process(&g)
		clear(g.buf) // what it references is the subscribers' now
		g = group{parts: g.parts[:0], buf: g.buf[:0]}
	}
}

// gather adds to g until its time is up (timer), it is full or ctx ends;
// with no CommitEvery, only what is already queued.
func (h *Hub) gather(ctx context.Context, g *group, timer *time.Timer) {
	for g.n < h.opts.MaxBatch {
		// What is queued already, first: in a flood, a select on one
		// channel is much cheaper than one on four.
		select {
		case ev := <-h.in:
			g.emit(ev)
			continue
		default:
			if h.opts.CommitEvery < 0 {
				return
			}
		}
		select {
		case ev := <-h.in:
			g.emit(ev)
		case req := <-h.commits:
			g.commit(req)
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// process sanitizes, de-duplicates, persists, observes and publishes one
// group, and answers its Commits. It runs only on the ingest goroutine.
func (h *Hub) process(g *group) {
	var (
		events  = make([]feeds.Event, 0, g.n)
		deletes []feeds.Event
		parts   int // parts with events to store
	)
	h.mu.Lock()
	for i := range g.parts {
		p := &g.parts[i]
		raw := p.raw
		if p.done == nil {
			raw = g.buf[p.bufLo:p.bufHi]
		}
		p.lo = len(events)
		events, deletes = h.prepare(raw, events, deletes)
		p.hi = len(events)
		if p.hi > p.lo {
			parts++
		}
	}
	h.mu.Unlock()

	var errText []string
	if h.opts.Store != nil && len(events) > 0 {
		err := h.opts.Store.AppendEvents(events)
		for i := range g.parts {
			p := &g.parts[i]
			if p.hi == p.lo {
				continue
			}
			if err != nil && parts > 1 {
				// One transaction failed for all: store part by part, so
				// that each error answers its own events.
				p.err = h.opts.Store.AppendEvents(events[p.lo:p.hi])
			} else {
				p.err = err
			}
			if p.err != nil {
				errText = append(errText, fmt.Sprintf("storing events: %v", p.err))
				// Not stored, so not seen: a webhook's retry or a
				// connector's resume must be able to deliver them again.
				h.mu.Lock()
				for _, ev := range events[p.lo:p.hi] {
					h.seenSet(ev.Feed).forget(ev.ID)
				}
				h.mu.Unlock()
			}
		}
	}
	for i := range g.parts {
		if p := &g.parts[i]; p.done != nil {
			r := commitResult{err: p.err}
			if p.err == nil {
				r.fresh = p.hi - p.lo
			}
			p.done <- r
		}
	}
	var updates []feeds.Event
	for _, d := range deletes {
		up := feeds.Event{Feed: d.Feed, ID: d.Target, Deleted: true}
		if h.opts.Store != nil {
			stored, err := h.opts.Store.MarkDeleted(d.Feed, d.Target)
			if err == nil {
				up = stored
			}
		}
		updates = append(updates, up)
	}
	if h.opts.Observe != nil && len(events) > 0 {
		h.opts.Observe(events)
	}
	// The events last: a subscriber that takes them takes, in the same
	// batch, the deletions and the errors that came with them.
	for _, e := range errText {
		Publish(h, TopicErrors, e)
	}
	Publish(h, TopicUpdates, updates...)
	Publish(h, TopicEvents, events...)
}

// prepare cleans raw, drops what was seen, numbers the rest and appends
// it to events, and the delete markers to deletes. h.mu is held.
func (h *Hub) prepare(raw, events, deletes []feeds.Event) (_, _ []feeds.Event) {
	for i := range raw {
		ev := raw[i]
		rawChannel := ev.Channel
		Clean(&ev)
		if ev.Kind == feeds.KindDelete {
			deletes = append(deletes, ev)
			continue
		}
		if ev.ID != "" && !h.seenSet(ev.Feed).add(ev.ID) {
			continue
		}
		h.seq++
		ev.Seq = h.seq
		if ev.ID == "" {
			ev.ID = fmt.Sprintf("tribune-%d", ev.Seq)
		}
		if ev.Time.IsZero() {
			ev.Time = h.opts.Now()
		}
		h.rememberChannel(&ev, rawChannel)
		events = append(events, ev)
	}
	return events, deletes
}

// Clean makes every untrusted field of ev inert, in place: what the hub
// does to each event a connector gives it.
func Clean(ev *feeds.Event) {
	ev.Feed = sanitize.Line(ev.Feed, maxFieldRunes)
	ev.Platform = sanitize.Line(ev.Platform, maxFieldRunes)
	ev.ID = sanitize.Line(ev.ID, maxFieldRunes)
	ev.Channel = sanitize.Line(ev.Channel, maxFieldRunes)
	ev.Author = sanitize.Line(ev.Author, maxFieldRunes)
	ev.AuthorName = sanitize.Line(ev.AuthorName, maxFieldRunes)
	ev.ReplyTo = sanitize.Line(ev.ReplyTo, maxFieldRunes)
	ev.Target = sanitize.Line(ev.Target, maxFieldRunes)
	ev.RepostOf = sanitize.Line(ev.RepostOf, maxFieldRunes)
	ev.Warning = sanitize.Line(ev.Warning, maxTextRunes)
	ev.Text = sanitize.Text(ev.Text, maxTextRunes)
	for i, b := range ev.Badges {
		ev.Badges[i] = sanitize.Line(b, maxFieldRunes)
	}
}

func (h *Hub) seenSet(feed string) *seenSet {
	s, ok := h.seen[feed]
	if !ok {
		s = newSeenSet(h.opts.DedupeWindow)
		h.seen[feed] = s
	}
	return s
}

// PublishIncident tells every subscriber, now and later, whether an
// incident is open.
func (h *Hub) PublishIncident(inc outbox.Incident) {
	h.mu.Lock()
	h.incident = &inc
	h.mu.Unlock()
	Publish(h, TopicIncident, inc)
}

// PublishHold tells every subscriber, now and later, where the outbox brake
// stands.
func (h *Hub) PublishHold(hold outbox.Hold) {
	h.mu.Lock()
	h.hold = &hold
	h.mu.Unlock()
	Publish(h, TopicHold, hold)
}

// SetSendPause records that the feed's platform asked for no sends until
// until (zero: sending again), and why: the dispatcher reports it, and
// subscribers see it in the feed's Health.
func (h *Hub) SetSendPause(feed string, until time.Time, why string) {
	h.setHealth(feed, func(hl *Health) { hl.SendPaused, hl.SendPausedWhy = until, why })
}

// SetSendWaiting records that the dispatcher waits for who (a node of
// the cluster: untrusted text, sanitized here; AwaitingNode when it is
// not known) to say what became of the feed's action, or ("" and not
// waiting) that it does not.
func (h *Hub) SetSendWaiting(feed, who string, waiting bool) {
	who = sanitize.Line(who, maxFieldRunes)
	if waiting && who == "" {
		who = AwaitingNode
	}
	if !waiting {
		who = ""
	}
	h.setHealth(feed, func(hl *Health) { hl.SendWaiting = who })
}

func (h *Hub) setHealth(id string, fn func(*Health)) {
	h.mu.Lock()
	hl := h.health[id]
	fn(&hl)
	h.health[id] = hl
	all := h.healthLocked()
	h.mu.Unlock()
	Publish(h, TopicHealth, all)
}

// seenSet remembers about the last n ids in two generations: O(1) per id,
// memory bounded at 2n ids. It keeps a 64-bit seeded hash of each id, not
// the id: the strings were half the live heap in a flood (four feeds × 100k
// ids), and two distinct ids of one feed share a hash with odds of about
// n²/2⁶⁵ (under 10⁻⁹ at 100k ids).
type seenSet struct {
	n         int
	seed      maphash.Seed
	cur, prev map[uint64]struct{}
}

func newSeenSet(n int) *seenSet {
	return &seenSet{n: n, seed: maphash.MakeSeed(), cur: make(map[uint64]struct{})}
}

// forget drops id, as if it had never been seen.
func (s *seenSet) forget(id string) {
	h := maphash.String(s.seed, id)
	delete(s.cur, h)
	delete(s.prev, h)
}

// add records id and reports whether it was new.
func (s *seenSet) add(id string) bool {
	h := maphash.String(s.seed, id)
	if _, ok := s.cur[h]; ok {
		return false
	}
	if _, ok := s.prev[h]; ok {
		return false
	}
	if len(s.cur) >= s.n {
		s.prev, s.cur = s.cur, make(map[uint64]struct{}, s.n)
	}
	s.cur[h] = struct{}{}
	return true
}
