package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
)

// Resumer is a connector that can say where its stream stands and start
// from there: what lets another ingest node take a feed over where the
// last one left it (SSE's Last-Event-ID, Bluesky's time_us, Mastodon's
// last id per stream). A connector that is not one starts afresh, and
// shows the gap as it does after any reconnect.
type Resumer interface {
	// Cursor is where the next run would resume ("" if anywhere).
	Cursor() string
	// Resume makes the next run start from cursor.
	Resume(cursor string)
}

// Leases decides which ingest node runs each feed. A feed's lease is a
// key of the tribune_leases bucket, whose TTL removes it unless its
// holder renews it: the holder renews every TTL/4, and gives the feed up
// on its own once TTL/2 has passed since the last renewal it sent that
// the cluster took, so that it has stopped before the key can expire and
// another node create it (a partitioned node stops sending by itself).
type Leases struct {
	c   *Conn
	ttl time.Duration
	// onAcquire, when set, starts what runs while a lease is held (the
	// feed's sender) until held ends.
	onAcquire func(held context.Context, feed string, conn feeds.Connector)
	mu        sync.Mutex
	feeds     map[string]*lease
}

// lease is one feed's, as this node sees it.
type lease struct {
	feed string
	conn feeds.Connector

	mu      sync.Mutex
	held    context.Context // while held; cancelled when lost
	until   time.Time       // held, whatever held says, only until then
	drop    context.CancelFunc
	change  chan struct{} // closed and replaced at each acquisition
	holder  string        // who holds it, as last seen
	seenAt  time.Time     // when that holder last renewed it, by the lease's entry
	moved   *move         // the gap to show, once, when the feed moved here unresumed
	ever    bool          // this process has held it
	cursor  string        // to save at the next renewal
	pending string        // the last published batch's cursor
	saved   string        // the cursor last saved
}

// Leases returns the lease keeper of an ingest node.
func (c *Conn) Leases() *Leases {
	return &Leases{c: c, ttl: c.opts.LeaseTTL, feeds: make(map[string]*lease)}
}

// Wrap returns conn, run only while this node holds feed's lease: its Run
// waits for the lease, resumes from the feed's stored cursor, and stops
// when the lease is lost (then waits for it again); its Do refuses, not
// sent, while the lease is elsewhere. Call before Run.
func (ls *Leases) Wrap(feed string, conn feeds.Connector) feeds.Connector {
	l := &lease{feed: feed, conn: conn, change: make(chan struct{})}
	ls.mu.Lock()
	ls.feeds[feed] = l
	ls.mu.Unlock()
	return &leased{ls: ls, l: l}
}

// Publisher returns the node's publisher, which tells the leases what it
// published so that they save their feeds' cursors.
func (ls *Leases) Publisher() *Publisher {
	p := ls.c.Publisher()
	p.published = ls.published
	return p
}

// Holds reports whether this node holds feed's lease now.
func (ls *Leases) Holds(feed string) bool {
	ls.mu.Lock()
	l := ls.feeds[feed]
	ls.mu.Unlock()
	return l != nil && l.holding() != nil
}

// Run keeps the leases (and this node's entry in the nodes bucket) until
// ctx ends, then gives up those it holds.
func (ls *Leases) Run(ctx context.Context) {
	ls.mu.Lock()
	all := make([]*lease, 0, len(ls.feeds))
	for _, l := range ls.feeds {
		all = append(all, l)
	}
	ls.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range all {
		wg.Add(1)
		go func() { defer wg.Done(); ls.keep(ctx, l) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); ls.c.heartbeat(ctx, "ingest", ls.ttl/4) }()
	wg.Wait()
}

// keep holds or tries to take one feed's lease, every TTL/4.
func (ls *Leases) keep(ctx context.Context, l *lease) {
	key := Token(l.feed)
	node := []byte(ls.c.Node)
	tick := time.NewTicker(ls.ttl / 4)
	defer tick.Stop()
	var (
		rev     uint64
		renewed time.Time // when the last renewal the cluster took was sent
	)
	for {
		now := time.Now()
		if rev != 0 && now.Sub(renewed) >= ls.ttl/2 {
			rev = 0
			l.lost()
		}
		// A request never outlasts the lease it renews.
		wait := ls.ttl / 4
		if rev != 0 {
			wait = min(wait, renewed.Add(ls.ttl/2).Sub(now))
		}
		rctx, cancel := context.WithTimeout(ctx, wait)
		if rev == 0 {
			r, err := ls.c.leases.Create(rctx, key, node)
			if err == nil {
				rev, renewed = r, now
				ls.acquired(rctx, l, r, now.Add(ls.ttl/2))
			} else if errors.Is(err, jetstream.ErrKeyExists) {
				if e, err := ls.c.leases.Get(rctx, key); err == nil {
					l.seen(string(e.Value()), e.Created())
				}
			}
		} else {
			l.saveCursor(rctx, ls.c.cursor, key)
			r, err := ls.c.leases.Update(rctx, key, node, rev)
			switch {
			case err == nil:
				rev, renewed = r, now
				l.renewed(now.Add(ls.ttl / 2))
			case errors.Is(err, jetstream.ErrKeyExists): // someone else's now
				rev = 0
				l.lost()
			}
		}
		cancel()
		select {
		case <-ctx.Done():
			if rev != 0 {
				l.lost()
				// The feed's runs have stopped with ctx: give the lease
				// up at once, and the cursor with it.
				rctx, cancel := context.WithTimeout(context.Background(), ls.ttl/4)
				l.saveCursor(rctx, ls.c.cursor, key)
				_ = ls.c.leases.Delete(rctx, key, jetstream.LastRevision(rev))
				cancel()
			}
			return
		case <-tick.C:
		}
	}
}

// acquired makes l held (at the lease's revision rev), first loading the
// cursor the feed's last holder saved into its connector. A feed taken
// from another node without a cursor to resume from has a gap, which its
// next run shows.
func (ls *Leases) acquired(ctx context.Context, l *lease, rev uint64, until time.Time) {
	resumed := false
	if r, ok := l.conn.(Resumer); ok {
		if e, err := ls.c.cursor.Get(ctx, Token(l.feed)); err == nil {
			r.Resume(string(e.Value()))
			resumed = true
		}
	}
	l.mu.Lock()
	// The holder seen may be this node before it restarted: a gap too.
	if !resumed && l.holder != "" && (l.holder != ls.c.Node || !l.ever) {
		l.moved = &move{from: l.holder, to: ls.c.Node, since: l.seenAt, until: time.Now(), rev: rev}
	}
	l.ever = true
	l.held, l.drop = context.WithCancel(context.Background())
	l.until = until
	l.holder = ls.c.Node
	l.cursor, l.pending, l.saved = "", "", ""
	close(l.change)
	l.change = make(chan struct{})
	held := l.held
	l.mu.Unlock()
	if ls.onAcquire != nil {
		go ls.onAcquire(held, l.feed, l.conn)
	}
}

// published takes, for each leased feed in evs, its connector's cursor.
// That cursor may already count events still queued in the hub, so it is
// saved only at the renewal after next, once what was queued has long
// been published: a node taking over then replays a little (dropped as
// duplicates) rather than skip any.
func (ls *Leases) published(evs []feeds.Event) {
	var last string
	for i := range evs {
		if evs[i].Feed == last {
			continue
		}
		last = evs[i].Feed
		ls.mu.Lock()
		l := ls.feeds[last]
		ls.mu.Unlock()
		if l == nil {
			continue
		}
		if r, ok := l.conn.(Resumer); ok {
			c := r.Cursor()
			l.mu.Lock()
			if l.held != nil {
				l.pending = c
			}
			l.mu.Unlock()
		}
	}
}

// saveCursor stores the cursor taken at the last renewal, if it moved,
// and takes the one published since.
func (l *lease) saveCursor(ctx context.Context, kv jetstream.KeyValue, key string) {
	l.mu.Lock()
	c := l.cursor
	if l.pending != "" {
		l.cursor, l.pending = l.pending, ""
	}
	saved := l.saved
	l.mu.Unlock()
	if c == "" || c == saved {
		return
	}
	if _, err := kv.PutString(ctx, key, c); err == nil {
		l.mu.Lock()
		l.saved = c
		l.mu.Unlock()
	}
}

// renewed makes l held until then.
func (l *lease) renewed(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.until = until
}

// holding returns the context of l's tenure while it is held.
func (l *lease) holding() context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil || l.held.Err() != nil || !time.Now().Before(l.until) {
		return nil
	}
	return l.held
}

// lost makes l not held: its connector's run stops.
func (l *lease) lost() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drop != nil {
		l.drop()
	}
	l.held, l.drop, l.holder = nil, nil, ""
}

// seen records who holds l, when another node does, and when it last
// renewed it.
func (l *lease) seen(holder string, renewed time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.holder, l.seenAt = holder, renewed
	}
}

// move is a feed taken over from another node that left no cursor: what
// its connector read between the last renewal seen from that node and the
// takeover may be missing.
type move struct {
	from, to     string
	since, until time.Time
	rev          uint64 // the lease's revision: one notice per takeover
}

// notice is the Feed's row that shows the gap. The node names come from
// the cluster: the hub sanitizes them with the rest.
func (m *move) notice() feeds.Event {
	const clock = "15:04:05"
	what := "moved from " + m.from + " to " + m.to
	if m.from == m.to {
		what = "restarted on " + m.to
	}
	return feeds.Event{
		ID:   fmt.Sprintf("~moved-%d", m.rev),
		Kind: feeds.KindNotice,
		Time: m.until,
		Text: fmt.Sprintf("— feed %s; messages between %s and %s UTC may be missing",
			what, m.since.UTC().Format(clock), m.until.UTC().Format(clock)),
	}
}

// takeMove returns the gap to show, once.
func (l *lease) takeMove() *move {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.moved
	l.moved = nil
	return m
}

// wait returns a context that lasts as long as this node holds l, once it
// does, or ctx's error.
func (l *lease) wait(ctx context.Context) (context.Context, error) {
	for {
		l.mu.Lock()
		held, change := l.held, l.change
		l.mu.Unlock()
		if held != nil && held.Err() == nil {
			return held, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-change:
		}
	}
}

// leased is a connector run under its feed's lease.
type leased struct {
	ls *Leases
	l  *lease
}

func (c *leased) Platform() string                 { return c.l.conn.Platform() }
func (c *leased) Capabilities() feeds.Capabilities { return c.l.conn.Capabilities() }

// Run runs the connector while the lease is held, and waits for it again
// when it is lost, until ctx ends or the connector fails.
func (c *leased) Run(ctx context.Context, s feeds.Stream) error {
	for {
		s.Status("lease", c.holderText())
		held, err := c.l.wait(ctx)
		if err != nil {
			return err
		}
		s.Status("lease", "")
		if m := c.l.takeMove(); m != nil {
			s.Emit(m.notice())
		}
		rctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(held, cancel)
		err = c.l.conn.Run(rctx, s)
		stop()
		cancel()
		if ctx.Err() != nil || held.Err() == nil {
			return err
		}
	}
}

func (c *leased) holderText() string {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.l.holder == "" {
		return "waiting for the feed's lease"
	}
	return "runs on " + c.l.holder
}

// Do carries a out only while this node holds the feed's lease; the send
// is cut off if the lease is lost meanwhile.
func (c *leased) Do(ctx context.Context, a feeds.Action) error {
	held := c.l.holding()
	if held == nil {
		return feeds.NotSent(fmt.Errorf("cluster: %s: this node does not hold the feed's lease", c.l.feed))
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(held, cancel)
	defer stop()
	return c.l.conn.Do(dctx, a)
}

// heartbeat keeps node's entry in the nodes bucket fresh until ctx ends.
func (c *Conn) heartbeat(ctx context.Context, role string, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, every)
		_, _ = c.nodes.PutString(rctx, role+"."+Token(c.Node), "")
		cancel()
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.Background(), every)
			_ = c.nodes.Purge(rctx, role+"."+Token(c.Node))
			cancel()
			return
		case <-tick.C:
		}
	}
}
