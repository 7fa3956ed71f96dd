package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tribune/tribune/feeds"
)

const (
	// tick is the least time Run sleeps between two pumps: events due
	// within it go out together.
	tick = 20 * time.Millisecond
	// maxSleep is the most: a clock that jumps (a test's) is noticed
	// within it.
	maxSleep = 250 * time.Millisecond
	// maxLag is how far behind the clock Run lets the scenario fall (a slow
	// hub, a reconnect after a long pause) before it skips ahead, as a real
	// chat would have moved on without us.
	maxLag = 5 * time.Second
	// maxQueue bounds the events injected by Do and not yet emitted.
	maxQueue = 1024
	// maxDone bounds the action IDs remembered for idempotency. Older ones
	// are forgotten; the hub still drops a replayed event by its ID.
	maxDone = 4096
)

// Config configures one demo connector.
type Config struct {
	// Platform is "twitch", "irc", "mastodon" or "bluesky".
	Platform string
	// Feed is the feed id put on events; defaults to Platform.
	Feed string
	// Seed makes the content deterministic; it is combined with the
	// platform so that two platforms with the same seed differ.
	Seed int64
	// Rate is the average number of messages per second in calm phases;
	// <= 0 means 2. Bursts multiply it (the crisis by 3 to 5).
	Rate float64
	// Brand is the brand account's handle; default "lumio".
	Brand string
	// Now is the clock; nil means time.Now. The scenario starts at New.
	Now func() time.Time
	// Offset starts the scenario this far in: 3*time.Minute opens on the
	// crisis. Event times still follow the clock.
	Offset time.Duration
}

// Connector simulates one platform covering the Lumio Halo launch. It
// implements feeds.Connector.
type Connector struct {
	plat   *platSpec
	feed   string
	brand  string
	now    func() time.Time
	start  time.Time
	offset time.Duration
	// session prefixes scenario ids: a restarted program replays the same
	// seeded content, and its events must not pass for the ones already
	// stored (the hub drops repeated ids).
	session string
	caps    feeds.Capabilities
	cast    *cast     // immutable, shared with the scenario
	phaser  *Scenario // only Phase is called on it outside run
	key     uint64

	run     sync.Mutex // held while Run runs; guards the fields below
	sc      *Scenario
	pending bool
	nextAt  time.Duration
	nextEv  feeds.Event
	due     []queued

	mu    sync.Mutex // guards the fields below
	queue []queued   // sorted by at
	mutes []muteReq
	done  map[string]struct{}
	order []string // done, oldest first
	anon  uint64
	wake  chan struct{}
}

// queued is an event injected by Do, due at a scenario offset.
type queued struct {
	at time.Duration
	ev feeds.Event
}

type muteReq struct {
	author string
	until  time.Duration
}

var _ feeds.Connector = (*Connector)(nil)

// New returns a demo connector. The scenario clock starts now.
func New(cfg Config) (*Connector, error) {
	platform := strings.ToLower(strings.TrimSpace(cfg.Platform))
	sc, err := NewScenario(platform, cfg.Seed, cfg.Rate)
	if err != nil {
		return nil, err
	}
	if cfg.Offset < 0 {
		return nil, errors.New("demo: negative Offset")
	}
	c := &Connector{
		plat:   sc.plat,
		feed:   cfg.Feed,
		brand:  strings.TrimPrefix(strings.TrimSpace(cfg.Brand), "@"),
		now:    cfg.Now,
		offset: cfg.Offset,
		cast:   sc.cast,
		phaser: sc,
		key:    sc.key,
		sc:     sc,
		done:   map[string]struct{}{},
		wake:   make(chan struct{}, 1),
	}
	if c.feed == "" {
		c.feed = platform
	}
	if c.brand == "" {
		c.brand = "lumio"
	}
	if c.now == nil {
		c.now = time.Now
	}
	sc.setBrand(c.brand)
	if c.offset > 0 {
		sc.SkipTo(c.offset)
	}
	c.start = c.now()
	c.session = strconv.FormatInt(c.start.UnixMilli(), 36) + "-"
	c.caps = feeds.Capabilities{MaxText: sc.plat.maxText, Idempotent: true}
	switch sc.plat.id {
	case platTwitch:
		c.caps.Actions = []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan}
		// Twitch chat's published limit for a non-moderator account, so
		// the demo paces replies as the real platform would.
		c.caps.Rate = feeds.Limit{Count: 20, Per: 30 * time.Second}
	case platIRC:
		c.caps.Actions = []feeds.ActionKind{feeds.ActReply, feeds.ActPost}
	default:
		c.caps.Actions = []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActDelete}
	}
	return c, nil
}

// Platform names the simulated network.
func (c *Connector) Platform() string { return c.plat.name }

// Capabilities are those of the simulated platform. The demo is a local
// simulation, so it is idempotent.
func (c *Connector) Capabilities() feeds.Capabilities {
	caps := c.caps
	caps.Actions = append([]feeds.ActionKind(nil), c.caps.Actions...)
	return caps
}

// pos is the scenario offset at wall time t.
func (c *Connector) pos(t time.Time) time.Duration { return c.offset + t.Sub(c.start) }

// timeAt is the wall time of scenario offset at.
func (c *Connector) timeAt(at time.Duration) time.Time { return c.start.Add(at - c.offset) }

// Run streams the scenario in real time until ctx ends. A later Run
// continues where the scenario is by then; what was "said" while no Run was
// running is missed, as on a real network, but replies and moderation
// queued by Do are kept and emitted.
func (c *Connector) Run(ctx context.Context, s feeds.Stream) error {
	if !c.run.TryLock() {
		return errors.New("demo: Run is already running")
	}
	defer c.run.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	// The first pump catches up with the clock (skipping a long pause)
	// before Connected: time that passes once the feed is live is
	// played, whenever the next pump happens to run.
	if err := c.pump(ctx, s); err != nil {
		return err
	}
	s.Connected()
	t := time.NewTimer(c.untilNext())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-c.wake:
		}
		if err := c.pump(ctx, s); err != nil {
			return err
		}
		t.Reset(c.untilNext())
	}
}

// untilNext is how long Run may sleep after a pump: until the next message
// of the scenario is due, at least tick and at most maxSleep. A calm demo
// then wakes a few times a second rather than fifty; Do wakes Run at once.
func (c *Connector) untilNext() time.Duration {
	if !c.pending {
		return tick
	}
	return min(max(c.nextAt-c.pos(c.now()), tick), maxSleep)
}

// pump emits everything due by now, in scenario order.
func (c *Connector) pump(ctx context.Context, s feeds.Stream) error {
	now := c.pos(c.now())

	c.mu.Lock()
	n := 0
	for n < len(c.queue) && c.queue[n].at <= now {
		n++
	}
	c.due = append(c.due[:0], c.queue[:n]...)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	for _, m := range c.mutes {
		c.sc.mute(m.author, m.until)
	}
	c.mutes = c.mutes[:0]
	c.mu.Unlock()

	due := c.due
	for emitted := 1; ; emitted++ {
		if emitted%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !c.pending {
			c.nextAt, c.nextEv = c.sc.Next()
			c.pending = true
		}
		if now-c.nextAt > maxLag {
			c.sc.SkipTo(now)
			c.pending = false
			continue
		}
		for len(due) > 0 && due[0].at <= c.nextAt {
			s.Emit(due[0].ev)
			due = due[1:]
		}
		if c.nextAt > now {
			break
		}
		ev := c.nextEv
		ev.Feed = c.feed
		ev.ID = c.session + ev.ID
		if ev.ReplyTo != "" {
			ev.ReplyTo = c.session + ev.ReplyTo
		}
		ev.Time = c.timeAt(c.nextAt)
		c.pending = false
		c.nextEv = feeds.Event{}
		s.Emit(ev)
	}
	for _, q := range due {
		s.Emit(q.ev)
	}
	clear(c.due)
	return nil
}

// Do carries out an action on the simulation. It never waits for Run: the
// resulting events are queued and appear within one tick of a running Run.
func (c *Connector) Do(ctx context.Context, a feeds.Action) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !c.caps.Can(a.Kind) {
		return feeds.Permanent(fmt.Errorf("demo: %s does not support %q", c.plat.name, a.Kind))
	}
	switch a.Kind {
	case feeds.ActReply, feeds.ActPost:
		if strings.TrimSpace(a.Text) == "" {
			return feeds.Permanent(fmt.Errorf("demo: empty %s", a.Kind))
		}
		if n := utf8.RuneCountInString(a.Text); n > c.caps.MaxText {
			return feeds.Permanent(fmt.Errorf("demo: reply is %d characters, %s allows %d", n, c.plat.name, c.caps.MaxText))
		}
	case feeds.ActDelete:
		if a.Target == "" {
			return feeds.Permanent(errors.New("demo: delete needs a target"))
		}
	case feeds.ActTimeout, feeds.ActBan:
		if a.TargetAuthor == "" {
			return feeds.Permanent(fmt.Errorf("demo: %s needs a target author", a.Kind))
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	id := a.ID
	if id == "" {
		c.anon++
		id = "anon-" + strconv.FormatUint(c.anon, 10)
	}
	if _, dup := c.done[id]; dup {
		return nil
	}
	at := c.pos(c.now())
	var evs []queued
	var mute *muteReq
	switch a.Kind {
	case feeds.ActReply:
		evs = c.reply(a, id, at)
	case feeds.ActPost:
		a.Target, a.TargetAuthor = "", "" // a post answers nobody
		evs = c.reply(a, id, at)
	case feeds.ActDelete:
		evs = append(evs, c.deletion(a, id, at))
	case feeds.ActTimeout, feeds.ActBan:
		d := a.Duration
		if d <= 0 {
			d = 10 * time.Minute
		}
		text := a.TargetAuthor + " was timed out for " + shortDuration(d) + " by " + operator(a)
		until := at + d
		if a.Kind == feeds.ActBan || until < at {
			until = 1<<63 - 1
		}
		if a.Kind == feeds.ActBan {
			text = a.TargetAuthor + " was banned by " + operator(a)
		}
		if why := strings.Join(strings.Fields(a.Reason), " "); why != "" {
			text += ": " + why
		}
		evs = append(evs, queued{at, c.event(a, "mod-"+id, feeds.KindNotice, at)})
		evs[0].ev.Author = a.TargetAuthor
		evs[0].ev.Text = text
		if a.Target != "" {
			evs = append(evs, c.deletion(a, id, at))
		}
		mute = &muteReq{author: a.TargetAuthor, until: until}
	}
	if len(c.queue)+len(evs) > maxQueue {
		return errors.New("demo: too many queued events, retry later")
	}
	for _, q := range evs {
		c.insert(q)
	}
	if mute != nil {
		c.mutes = append(c.mutes, *mute)
	}
	c.done[id] = struct{}{}
	c.order = append(c.order, id)
	if len(c.order) > maxDone {
		delete(c.done, c.order[0])
		c.order = c.order[1:]
	}
	c.poke()
	return nil
}

// poke has Run pump now rather than when its sleep ends.
func (c *Connector) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// insert adds q to the queue, after any event due at the same time.
func (c *Connector) insert(q queued) {
	i := len(c.queue)
	for i > 0 && c.queue[i-1].at > q.at {
		i--
	}
	c.queue = append(c.queue, queued{})
	copy(c.queue[i+1:], c.queue[i:])
	c.queue[i] = q
}

func operator(a feeds.Action) string {
	if a.Operator != "" {
		return a.Operator
	}
	return "a moderator"
}

func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d.Round(time.Second)/time.Second), 10) + "s"
}

// event is the skeleton of an injected event.
func (c *Connector) event(a feeds.Action, id string, k feeds.Kind, at time.Duration) feeds.Event {
	ch := a.Channel
	if ch == "" {
		ch = c.plat.channel(c.brand)
	}
	return feeds.Event{
		Feed:     c.feed,
		Platform: c.plat.name,
		ID:       id,
		Kind:     k,
		Time:     c.timeAt(at),
		Channel:  ch,
	}
}

func (c *Connector) deletion(a feeds.Action, id string, at time.Duration) queued {
	ev := c.event(a, "delete-"+id, feeds.KindDelete, at)
	ev.Target = a.Target
	ev.Author = a.TargetAuthor
	return queued{at, ev}
}

// brandBadges are the brand account's badges on this platform.
func (c *Connector) brandBadges() []string {
	switch c.plat.id {
	case platTwitch:
		return []string{feeds.BadgeBroadcaster, feeds.BadgeBrand}
	case platMastodon, platBluesky:
		return []string{feeds.BadgeBrand, feeds.BadgeVerified}
	}
	return []string{feeds.BadgeBrand}
}

// answerBack reports whether the author of the message replied to answers
// the brand, and after how long. It is fixed per action ID (~60% do).
func (c *Connector) answerBack(id string) (bool, time.Duration) {
	h := mix64(hashString(id) ^ c.key)
	return h%100 < 60, 3*time.Second + time.Duration(h>>8%17000)*time.Millisecond
}

// reply posts the brand's reply and, often, the author's answer to it.
func (c *Connector) reply(a feeds.Action, id string, at time.Duration) []queued {
	ev := c.event(a, "brand-"+id, feeds.KindMessage, at)
	ev.Author = c.brand
	ev.AuthorName = capitalize(c.brand)
	ev.Badges = c.brandBadges()
	ev.Text = a.Text
	ev.ReplyTo = a.Target
	out := []queued{{at, ev}}

	ok, delay := c.answerBack(id)
	if !ok || a.TargetAuthor == "" || a.TargetAuthor == c.brand {
		return out
	}
	who := -1
	if i, found := c.cast.index[a.TargetAuthor]; found {
		who = i
	}
	l := en
	switch {
	case a.TargetText != "":
		if looksFrench(a.TargetText) {
			l = fr
		}
	case who >= 0:
		l = c.cast.people[who].lang
	case looksFrench(a.Text):
		l = fr
	}
	r := rand.New(rand.NewPCG(hashString(id), c.key))
	moods := [...]cat{cFThanks, cFThanks, cFThanks, cFSkeptic, cFMore, cFMore}
	switch c.phaser.Phase(at) {
	case "crisis", "recovery", "aftershock":
		moods = [...]cat{cFThanks, cFRelieved, cFRelieved, cFSkeptic, cFAngry, cFAngry}
	}
	mood := moods[r.IntN(len(moods))]
	sc := &Scenario{plat: c.plat, brand: c.brand, rng: r, cast: c.cast}
	b := appendMention(nil, c.plat, c.brand)
	start := len(b)
	b = sc.render(b, pick(r, lib[c.plat.style][mood][l]), l, a.TargetAuthor)
	if c.plat.style == postStyle {
		upperFirst(b[start:])
	}

	at += delay
	follow := c.event(a, "followup-"+id, feeds.KindMessage, at)
	follow.Author = a.TargetAuthor
	if who >= 0 {
		x := &c.cast.people[who]
		follow.AuthorName = x.name
		if len(x.badges) > 0 {
			follow.Badges = append([]string(nil), x.badges...)
		}
	}
	follow.Text = string(b)
	follow.ReplyTo = ev.ID
	return append(out, queued{at, follow})
}
