package stats

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tribune/tribune/feeds/hub"
)

// Spike detection.
//
// Each feed keeps its last few minutes in 10-second buckets: messages,
// negative messages, messages naming a watch-word. When a bucket closes,
// the last Window of buckets is compared with the feed's baseline, an
// exponentially weighted moving average of the same window over the
// feed's past (half-life HalfLife). The baseline learns only from windows
// that raise nothing, so a crisis does not become the norm while it lasts.
// A feed alerts when, with at least MinMessages in the window and after
// Warmup of history:
//
//   - volume: its messages are Volume times the baseline;
//   - negative: its negative messages are Negative times the baseline,
//     at least MinHits of them, and at least NegativeShare of the window;
//   - watch: its watch-word messages are Watch times the baseline, at
//     least MinHits of them.
//
// A feed restored after a restart from minute counts alone (see
// Engine.SeedAuthors) knows its volume but not what was said: its
// negative and watch-word baselines start from the windows it reads over
// Warmup whose volume is not twice the norm (the least of them), and
// until then only volume alerts.
//
// A launch's reveal is a volume spike full of joy; a crisis is negative
// words and risky watch-words at once. The defaults are set so that the
// first alerts and the second doesn't: volume alone must be five times
// the norm. After an alert, a feed stays quiet for Cooldown.

// bucketSpan is the step of the detector.
const bucketSpan = 10 * time.Second

// maxBuckets bounds Window.
const maxBuckets = 30

// AlertRules are the thresholds of spike detection. Zero fields take the
// defaults in their comments.
type AlertRules struct {
	Window   time.Duration // 1m: the span compared with the baseline, in 10 s steps, at most 5m
	HalfLife time.Duration // 10m: how fast the baseline follows the traffic
	Warmup   time.Duration // 2m: the history a feed needs before it may alert
	Volume   float64       // 5: messages over the baseline
	Negative float64       // 3: negative messages over the baseline
	Watch    float64       // 3: watch-word messages over the baseline
	// NegativeShare is the least share of negative messages in the window
	// for a negative alert (0.3).
	NegativeShare float64
	// MinMessages: a window with fewer messages never alerts (20).
	// MinHits: fewer negative (or watch-word) messages never alert on them (8).
	MinMessages, MinHits int
	Cooldown             time.Duration // 5m: the least time between two alerts of a feed
}

func (r AlertRules) withDefaults() AlertRules {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	deff := func(f *float64, v float64) {
		if *f <= 0 {
			*f = v
		}
	}
	defi := func(i *int, v int) {
		if *i <= 0 {
			*i = v
		}
	}
	def(&r.Window, time.Minute)
	r.Window = min(r.Window.Round(bucketSpan), maxBuckets*bucketSpan)
	def(&r.Window, bucketSpan)
	def(&r.HalfLife, 10*time.Minute)
	def(&r.Warmup, 2*time.Minute)
	deff(&r.Volume, 5)
	deff(&r.Negative, 3)
	deff(&r.Watch, 3)
	deff(&r.NegativeShare, 0.3)
	defi(&r.MinMessages, 20)
	defi(&r.MinHits, 8)
	def(&r.Cooldown, 5*time.Minute)
	return r
}

// Alert is a spike the engine saw on one feed.
type Alert struct {
	At       time.Time
	Feed     string
	Platform string
	// Reasons are what departed from the baseline, strongest first:
	// "negative", "watch", "volume".
	Reasons []string
	// Volume is the window's messages over the baseline's; Messages the
	// window's messages, Negative the share of them read as negative,
	// Watch those naming a watch-word.
	Volume   float64
	Messages int
	Negative float64
	Watch    int
	Window   time.Duration
	// Terms are the feed's most used terms now; WatchWords the
	// watch-words it named most.
	Terms      []string
	WatchWords []string
	// Text says it all in one line, for a banner, a log and the audit:
	// "volume ×4.2 in 1m on twitch, 62% negative, top terms: boîtier, remboursement".
	Text string
}

// detector is one feed's spike detection.
type detector struct {
	started bool
	bucket  int64 // the open bucket, in bucketSpan since the epoch
	ring    [maxBuckets]minute
	// unread marks the buckets restored from minute counts alone: their
	// messages are known, not what they said (negative, watch-words).
	unread [maxBuckets]bool
	closed int // buckets closed since start
	base   struct{ n, neg, watch float64 }
	// read is set once base.neg and base.watch have learnt from a window
	// whose messages were all read. Until then, after a restart, boot
	// counts the read windows of ordinary volume, and bootNeg and
	// bootWatch keep the least they saw.
	read               bool
	boot               int
	bootNeg, bootWatch float64
	last               time.Time // the last alert
}

// observe counts mc at engine time t, closing the buckets t has passed,
// and returns the alert one of them raised, if any. unread says that mc
// counts messages only, restored from the store's minute counts.
func (d *detector) observe(t time.Time, mc minute, unread bool, r *AlertRules, feed string) (a Alert, fired bool) {
	b := floorDiv(t.UnixNano(), int64(bucketSpan))
	if !d.started {
		d.started, d.bucket = true, b
	}
	if gap := b - d.bucket; gap > maxBuckets {
		// An idle gap: the window is empty and the baseline has decayed.
		decay := math.Pow(0.5, float64(gap)*float64(bucketSpan)/float64(r.HalfLife))
		d.base.n *= decay
		d.base.neg *= decay
		d.base.watch *= decay
		d.ring = [maxBuckets]minute{}
		d.unread = [maxBuckets]bool{}
		d.closed += int(gap)
		d.bucket = b
	}
	for d.bucket < b {
		if x, ok := d.close(t, r, feed); ok {
			a, fired = x, true
		}
	}
	d.ring[floorMod(d.bucket, maxBuckets)].plus(mc)
	if unread {
		d.unread[floorMod(d.bucket, maxBuckets)] = true
	}
	return a, fired
}

// close ends the open bucket: it compares the window ending with it with
// the baseline, learns from it, and opens the next bucket.
func (d *detector) close(t time.Time, r *AlertRules, feed string) (a Alert, fired bool) {
	w := int64(r.Window / bucketSpan)
	var sum minute
	read := true // every message of the window was read
	for i := range w {
		sum.plus(d.ring[floorMod(d.bucket-i, maxBuckets)])
		read = read && !d.unread[floorMod(d.bucket-i, maxBuckets)]
	}
	d.closed++
	var reasons []string
	n, neg, watch := float64(sum.n), float64(sum.neg), float64(sum.watch)
	if time.Duration(d.closed)*bucketSpan > r.Warmup && int(sum.n) >= r.MinMessages {
		if read && d.read && int(sum.neg) >= r.MinHits && neg >= r.Negative*max(d.base.neg, 1) && neg >= r.NegativeShare*n {
			reasons = append(reasons, "negative")
		}
		if read && d.read && int(sum.watch) >= r.MinHits && watch >= r.Watch*max(d.base.watch, 1) {
			reasons = append(reasons, "watch")
		}
		if n >= r.Volume*max(d.base.n, 1) {
			reasons = append(reasons, "volume")
		}
	}
	if len(reasons) == 0 && d.closed >= int(w) {
		// Learn from full, calm windows only; the first one sets the
		// baseline.
		alpha := 1 - math.Pow(0.5, float64(bucketSpan)/float64(r.HalfLife))
		first := d.closed == int(w)
		if first {
			alpha = 1
		}
		usual := first || n <= 2*max(d.base.n, 1)
		d.base.n += alpha * (n - d.base.n)
		switch {
		case !read:
		case d.read || first:
			// What was said is learnt from read windows only; on a
			// live start, the first window sets it.
			d.read = true
			d.base.neg += alpha * (neg - d.base.neg)
			d.base.watch += alpha * (watch - d.base.watch)
		case usual:
			// After a restart from minute counts: the least of the
			// read windows of ordinary volume over Warmup sets it, so
			// that the end of a spike under way is not the norm.
			if d.boot == 0 || neg < d.bootNeg {
				d.bootNeg = neg
			}
			if d.boot == 0 || watch < d.bootWatch {
				d.bootWatch = watch
			}
			d.boot++
			if time.Duration(d.boot)*bucketSpan >= r.Warmup {
				d.base.neg, d.base.watch, d.read = d.bootNeg, d.bootWatch, true
			}
		}
	}
	d.bucket++
	d.ring[floorMod(d.bucket, maxBuckets)] = minute{}
	d.unread[floorMod(d.bucket, maxBuckets)] = false
	if len(reasons) == 0 || (!d.last.IsZero() && t.Sub(d.last) < r.Cooldown) {
		return Alert{}, false
	}
	d.last = t
	return Alert{
		At: t, Feed: feed, Reasons: reasons,
		Volume: n / max(d.base.n, 1), Messages: int(sum.n), Negative: neg / max(n, 1), Watch: int(sum.watch),
		Window: r.Window,
	}, true
}

// maxAlerts is how many alerts a snapshot carries.
const maxAlerts = 20

// raise completes a with what the feed says now, keeps it, and queues it
// for OnAlert. The caller holds e.mu.
func (e *Engine) raise(fs *feedState, a Alert, cur int64) {
	a.Platform = fs.platform
	for _, c := range e.feedTerms(fs, cur, 3) {
		a.Terms = append(a.Terms, c.Key)
	}
	if e.cfg.Text != nil {
		names := e.cfg.Text.Watch()
		best := make([]Count, 0, len(fs.watch))
		for i, n := range fs.watch {
			if n > 0 && i < len(names) {
				best = append(best, Count{Key: names[i], N: n})
			}
		}
		for _, c := range top(countMap(best), 3) {
			a.WatchWords = append(a.WatchWords, c.Key)
		}
	}
	a.Text = a.describe()
	e.alerts = append(e.alerts, a)
	if len(e.alerts) > maxAlerts {
		e.alerts = append(e.alerts[:0:0], e.alerts[len(e.alerts)-maxAlerts:]...)
	}
	e.fired = append(e.fired, a)
}

func countMap(cs []Count) map[string]int {
	m := make(map[string]int, len(cs))
	for _, c := range cs {
		m[c.Key] += c.N
	}
	return m
}

// describe says the alert in one line.
func (a *Alert) describe() string {
	var b strings.Builder
	where := a.Platform
	if where == "" {
		where = a.Feed
	} else if a.Feed != a.Platform {
		where = a.Feed + " (" + a.Platform + ")"
	}
	fmt.Fprintf(&b, "volume ×%.1f in %s on %s, %d%% negative", a.Volume, shortDuration(a.Window), where, int(math.Round(a.Negative*100)))
	if a.Watch > 0 {
		fmt.Fprintf(&b, ", %d watch-word messages", a.Watch)
		if len(a.WatchWords) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(a.WatchWords, ", "))
		}
	}
	if len(a.Terms) > 0 {
		fmt.Fprintf(&b, ", top terms: %s", strings.Join(a.Terms, ", "))
	}
	return b.String()
}

// shortDuration reads "1 min", "90 s", "5 min".
func shortDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d/time.Second))
}

// TopicAlerts carries the alerts the engine raises to every session, as
// they are raised; past the backlog the oldest are dropped (a snapshot
// holds the last ones).
var TopicAlerts = hub.NewTopic("alerts", hub.KeepNewest[Alert]())

// TopicWatch carries, after a batch in which messages named watch-words,
// how many did; only the latest is kept.
var TopicWatch = hub.NewTopic("watch", hub.KeepLatest[int]())
