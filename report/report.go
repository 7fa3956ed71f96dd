package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
	"github.com/tribune/tribune/stats/sentiment"
	"github.com/tribune/tribune/stats/watch"
	"github.com/tribune/tribune/store"
)

// Query is what a report covers and watches for.
type Query struct {
	// Since and Until bound the period: Since <= t < Until.
	Since, Until time.Time
	// Watch reads mentions and watch-words: its first Brand entries are
	// the brand's own @handles (mentions), the rest watch-words. Nil
	// counts neither (direct messages are still mentions).
	Watch *watch.Matcher
	Brand int
	// Location is the time zone times are shown in; nil is UTC.
	Location *time.Location
}

// Bounds on what a report keeps in memory whatever the period: past them
// new authors (or mentions) are not tracked and the report says so.
const (
	maxAuthors  = 200_000
	maxMentions = 100_000
	// maxTimeline bounds the entries one incident lists.
	maxTimeline = 500
	// topContributors is the length of the contributors' list.
	topContributors = 10
	// incidentGap is how long an incident goes on after its last alert
	// or release: the actions of the aftermath are part of it.
	incidentGap = 30 * time.Minute
)

// Report is what Build found.
type Report struct {
	Since, Until time.Time
	Location     *time.Location
	// Step is the width of a bucket; Buckets the start of each.
	Step    time.Duration
	Buckets []time.Time
	// Feeds are the feeds with events in the period, sorted; Volume the
	// events per bucket of each (from the store's per-minute counts,
	// which outlive the events: notices included, deletion markers too).
	Feeds  []string
	Volume map[string][]int

	// Messages are the messages and actions of the period that the store
	// still holds; Brand those the brand's accounts wrote.
	Messages, Brand int
	// Authors is the number of distinct authors (platform and handle),
	// the brand's own accounts apart; AuthorsCapped says it is a lower
	// bound.
	Authors       int
	AuthorsCapped bool
	Top           []Contributor

	// Sentiment is the mood of each bucket; Mood the whole period's.
	Sentiment []Mood
	Mood      Mood

	// Watch counts the messages naming each watch-word, in config order.
	Watch []WatchCount

	// Mentions of the brand (or direct messages to it), Questions among
	// them (they hold a '?'), those Answered by the team in the period
	// and the questions left Unanswered.
	Mentions, Questions, Answered, Unanswered int
	MentionsCapped                            bool
	// ResponseMedian and ResponseP90 are the times from a mention to the
	// team's first answer (nearest rank), over Answered mentions.
	ResponseMedian, ResponseP90 time.Duration

	// Moderation counts the moderation actions carried out (sent), by
	// kind, in a fixed order; Replies the replies and Posts the posts.
	Moderation     []KindCount
	Replies, Posts int
	// Failed counts actions that failed or whose outcome is uncertain.
	Failed int

	// Alerts is the number of alerts; Holds of times the outbox was held.
	Alerts, Holds int
	Incidents     []Incident
}

// Contributor is one line of the top contributors.
type Contributor struct {
	Platform, Author, Name string
	N                      int
}

// Mood counts messages by sentiment.
type Mood struct{ Negative, Neutral, Positive int }

// Total is the messages counted.
func (m Mood) Total() int { return m.Negative + m.Neutral + m.Positive }

// WatchCount is the messages that named one watch-word.
type WatchCount struct {
	Word string
	N    int
}

// KindCount is how many actions of one kind were carried out.
type KindCount struct {
	Kind string
	N    int
}

// Incident is a stretch of trouble. One the team declared (crisis mode)
// runs from its opening to its closing; otherwise it opens with an alert
// or a hold and closes once the outbox is not held and incidentGap has
// passed since its last alert, hold or release. End is its last entry;
// Open is set when it had not closed by Until.
type Incident struct {
	Start, End time.Time
	Open       bool
	Entries    []Entry
	// More is how many entries past maxTimeline were left out.
	More int
}

// Entry is one line of an incident's timeline, from the audit log.
type Entry struct {
	Time time.Time
	What string // alert, held, released, sent, failed, uncertain, cancelled
	By   string
	Feed string
	Kind string // of the action, when there is one
	// Target is who was acted on; Text the alert's reason, or the
	// action's text, or the message acted on.
	Target, Text string
}

// steps are the bucket widths a report picks from: the narrowest that
// cuts the period in at most maxBuckets.
var steps = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

const maxBuckets = 60

// buckets cuts [since, until) in buckets of a sensible width, the first
// starting at or before since on a round time (local midnight for days).
func buckets(since, until time.Time, loc *time.Location) (time.Duration, []time.Time) {
	span := until.Sub(since)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span <= s*maxBuckets {
			step = s
			break
		}
	}
	var start time.Time
	if step < 24*time.Hour {
		// Round in the zone's clock, so that hours read :00 in zones
		// offset by a half hour too.
		_, off := since.In(loc).Zone()
		shift := time.Duration(off) * time.Second
		start = since.Add(shift).Truncate(step).Add(-shift)
	} else {
		l := since.In(loc)
		start = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	}
	var bs []time.Time
	for t := start; t.Before(until); t = t.Add(step) {
		bs = append(bs, t)
	}
	if len(bs) == 0 {
		bs = append(bs, start)
	}
	return step, bs
}

func (r *Report) bucket(t time.Time) int {
	if t.Before(r.Buckets[0]) {
		return -1
	}
	i := int(t.Sub(r.Buckets[0]) / r.Step)
	if i >= len(r.Buckets) {
		return -1
	}
	return i
}

type msgKey struct{ feed, id string }

type mention struct {
	t    time.Time
	asks bool
}

// builder carries one Build.
type builder struct {
	r        *Report
	q        Query
	authors  map[string]int // platform "\x00" author -> index in contribs
	contribs []Contributor
	mentions map[msgKey]mention
	answers  map[msgKey]time.Time // the team's first answer to each
	hits     []watch.Hit
	seen     []bool
}

// Build reads the period's per-minute counts, events and audit log from
// src and sums them up.
func Build(src Source, q Query) (*Report, error) {
	if !q.Since.Before(q.Until) {
		return nil, fmt.Errorf("the period is empty: %s is not before %s", q.Since.Format(time.RFC3339), q.Until.Format(time.RFC3339))
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	r := &Report{Since: q.Since, Until: q.Until, Location: q.Location, Volume: make(map[string][]int)}
	r.Step, r.Buckets = buckets(q.Since, q.Until, q.Location)
	r.Sentiment = make([]Mood, len(r.Buckets))
	b := &builder{r: r, q: q, authors: make(map[string]int), mentions: make(map[msgKey]mention),
		answers: make(map[msgKey]time.Time)}
	if q.Watch != nil {
		for _, e := range q.Watch.Entries()[q.Brand:] {
			r.Watch = append(r.Watch, WatchCount{Word: e.Text})
		}
		b.seen = make([]bool, len(r.Watch))
	}
	if err := b.volume(src); err != nil {
		return nil, err
	}
	if err := src.Events(store.Filter{Since: q.Since, Until: q.Until}, b.event); err != nil {
		return nil, err
	}
	if err := b.audit(src); err != nil {
		return nil, err
	}
	b.finish()
	return r, nil
}

func (b *builder) volume(src Source) error {
	counts, err := src.MinuteCounts(b.q.Since)
	if err != nil {
		return err
	}
	for feed, mcs := range counts {
		var v []int
		for _, mc := range mcs {
			// The minute holding Since counts: its bucket starts at or
			// before it.
			if !mc.Minute.Before(b.q.Until) {
				continue
			}
			if i := b.r.bucket(mc.Minute); i >= 0 {
				if v == nil {
					v = make([]int, len(b.r.Buckets))
				}
				v[i] += mc.N
			}
		}
		if v != nil {
			b.r.Volume[feed] = v
			b.r.Feeds = append(b.r.Feeds, feed)
		}
	}
	slices.Sort(b.r.Feeds)
	return nil
}

func (b *builder) event(ev feeds.Event) error {
	r := b.r
	if ev.Kind == feeds.KindDelete || ev.Kind == feeds.KindNotice {
		return nil
	}
	if !slices.Contains(r.Feeds, ev.Feed) {
		// Counts pruned or missing: the feed still has events to show.
		r.Feeds = append(r.Feeds, ev.Feed)
		slices.Sort(r.Feeds)
		r.Volume[ev.Feed] = make([]int, len(r.Buckets))
	}
	r.Messages++
	if ev.HasBadge(feeds.BadgeBrand) {
		r.Brand++
		if ev.ReplyTo != "" {
			b.answer(msgKey{ev.Feed, ev.ReplyTo}, ev.Time)
		}
		return nil
	}
	b.contributor(&ev)
	mood := &r.Mood
	var sm *Mood
	if i := r.bucket(ev.Time); i >= 0 {
		sm = &r.Sentiment[i]
	}
	switch sentiment.Score(ev.Text).Label {
	case sentiment.Negative:
		mood.Negative++
		if sm != nil {
			sm.Negative++
		}
	case sentiment.Positive:
		mood.Positive++
		if sm != nil {
			sm.Positive++
		}
	default:
		mood.Neutral++
		if sm != nil {
			sm.Neutral++
		}
	}
	mentioned := ev.Direct
	if b.q.Watch != nil {
		clear(b.seen)
		b.hits = b.q.Watch.Match(b.hits[:0], ev.Text)
		for _, h := range b.hits {
			if i := h.Entry - b.q.Brand; i < 0 {
				mentioned = true
			} else if !b.seen[i] {
				b.seen[i] = true
				r.Watch[i].N++
			}
		}
	}
	if mentioned {
		r.Mentions++
		asks := strings.ContainsRune(ev.Text, '?')
		if asks {
			r.Questions++
		}
		k := msgKey{ev.Feed, ev.ID}
		if _, dup := b.mentions[k]; !dup {
			if len(b.mentions) < maxMentions {
				b.mentions[k] = mention{ev.Time, asks}
			} else {
				r.MentionsCapped = true
			}
		}
	}
	return nil
}

func (b *builder) contributor(ev *feeds.Event) {
	if ev.Author == "" {
		return
	}
	key := ev.Platform + "\x00" + ev.Author
	i, ok := b.authors[key]
	if !ok {
		if len(b.authors) >= maxAuthors {
			b.r.AuthorsCapped = true
			return
		}
		i = len(b.contribs)
		b.authors[key] = i
		b.contribs = append(b.contribs, Contributor{Platform: ev.Platform, Author: ev.Author})
	}
	c := &b.contribs[i]
	c.N++
	if ev.AuthorName != "" {
		c.Name = ev.AuthorName
	}
}

// answer records the team's answer to k at t; the first one counts.
func (b *builder) answer(k msgKey, t time.Time) {
	if old, ok := b.answers[k]; !ok || t.Before(old) {
		if ok || len(b.answers) < maxMentions {
			b.answers[k] = t
		}
	}
}

// moderationKinds are the kinds counted as moderation, in report order.
var moderationKinds = []feeds.ActionKind{feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban,
	feeds.ActMute, feeds.ActBlock, feeds.ActReport}

func (b *builder) audit(src Source) error {
	r := b.r
	mod := make(map[feeds.ActionKind]int)
	var cur *Incident
	var held bool
	// declared is set between an incident an operator opened (crisis
	// mode) and its closing: that incident ends when they say so.
	var declared bool
	// mark is the last alert, hold or release: the incident goes on
	// while the outbox is held and incidentGap past it.
	var mark, last time.Time
	closeIncident := func(open bool) {
		cur.End, cur.Open = last, open
		r.Incidents = append(r.Incidents, *cur)
		cur = nil
	}
	err := src.Audit(b.q.Since, func(e outbox.AuditEntry) error {
		if !e.Time.Before(b.q.Until) {
			return errStop
		}
		if cur != nil && !held && !declared && e.Time.Sub(mark) > incidentGap {
			closeIncident(false)
		}
		keep := false
		switch e.What {
		case outbox.AuditAlert:
			r.Alerts++
			mark = e.Time
			keep = true
		case outbox.AuditHeld:
			r.Holds++
			held = true
			mark = e.Time
			keep = true
		case outbox.AuditReleased:
			held = false
			if cur != nil {
				mark = e.Time
				keep = true
			}
		case outbox.AuditSent:
			switch e.Kind {
			case feeds.ActReply:
				r.Replies++
				b.answer(msgKey{e.Feed, e.Target}, e.Time)
			case feeds.ActPost:
				r.Posts++
			default:
				mod[e.Kind]++
			}
			keep = cur != nil
		case outbox.AuditFailed, outbox.AuditUncertain:
			r.Failed++
			keep = cur != nil
		case outbox.AuditCancelled, outbox.AuditNote, outbox.AuditStarred:
			keep = cur != nil
		case outbox.AuditIncidentOpened:
			if cur != nil && !declared {
				closeIncident(false) // trouble before the team declared it
			}
			declared, mark, keep = true, e.Time, true
		case outbox.AuditIncidentClosed:
			keep = cur != nil
		}
		if !keep {
			return nil
		}
		if cur == nil {
			cur = &Incident{Start: e.Time}
		}
		if len(cur.Entries) < maxTimeline {
			cur.Entries = append(cur.Entries, Entry{Time: e.Time, What: e.What, By: cmp.Or(e.By, e.Operator), Feed: e.Feed,
				Kind: string(e.Kind), Target: e.TargetAuthor, Text: cmp.Or(e.Text, e.TargetText)})
		} else {
			cur.More++
		}
		last = e.Time
		if e.What == outbox.AuditIncidentClosed && declared {
			declared = false
			closeIncident(false)
		}
		return nil
	})
	if err != nil && err != errStop {
		return fmt.Errorf("reading audit log: %w", err)
	}
	if cur != nil {
		closeIncident(held || declared || b.q.Until.Sub(mark) <= incidentGap)
	}
	for _, k := range moderationKinds {
		r.Moderation = append(r.Moderation, KindCount{Kind: string(k), N: mod[k]})
	}
	return nil
}

var errStop = fmt.Errorf("stop")

func (b *builder) finish() {
	r := b.r
	var ds []time.Duration
	for k, m := range b.mentions {
		if t, ok := b.answers[k]; ok && !t.Before(m.t) {
			ds = append(ds, t.Sub(m.t))
		} else if m.asks {
			r.Unanswered++
		}
	}
	r.Answered = len(ds)
	if len(ds) > 0 {
		slices.Sort(ds)
		r.ResponseMedian, r.ResponseP90 = ds[rank(len(ds), 50)], ds[rank(len(ds), 90)]
	}
	r.Authors = len(b.contribs)
	slices.SortFunc(b.contribs, func(x, y Contributor) int {
		return cmp.Or(y.N-x.N, cmp.Compare(x.Platform, y.Platform), cmp.Compare(x.Author, y.Author))
	})
	r.Top = b.contribs[:min(topContributors, len(b.contribs))]
}

// rank is the index of the p-th percentile of n sorted values, by the
// nearest-rank method (as the Stats pane computes it).
func rank(n, p int) int {
	return max((n*p+99)/100-1, 0)
}
